"""Adding and removing material: checked like ingest before anything is stored, stable ids for
what is added, ids already in the manifest never touched, a failed rebuild undone, removed files
kept, and a progress line for every file read and every embedding step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag import cli
from rag.index.builder import IngestError, ingest
from rag.index.store import StoredIndex
from rag.ingest.material import MaterialError, add_file, preview, remove_document

GUIDE = {"id": "vejledning", "file": "vejledning.txt", "title": "Vejledning", "kind": "booklet"}
TEXT = (
    "Tillid mellem ledere og medarbejdere vokser, når man taler om kerneopgaven sammen. "
    "Samarbejdet bliver bedre, når alle ved, hvad de skal lykkes med. "
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "vejledning.txt").write_text("Vejledning\n\n" + TEXT * 8, encoding="utf-8")
    manifest = {"about": "kept as it is", "documents": [GUIDE]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def report_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "1 Trivsel i teamet", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Teamet holder et kort trivselsmoede hver fredag formiddag. " * 12)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, "2 Tjekliste til moedet", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Hvem tager referat, og hvem sender det rundt bagefter? " * 10)
    pdf.output(str(path))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_added_file_gets_a_stable_id_and_no_other_id_changes(corpus, tmp_path, settings_for):
    settings = settings_for(corpus)
    source = report_pdf(tmp_path / "Trivsel rapport.pdf")
    first, found = add_file(source, settings, title="Trivsel i teamet", kind="rapport")
    second, _ = add_file(source, settings)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["about"] == "kept as it is"
    assert manifest["documents"][0] == GUIDE
    added = manifest["documents"][1:]
    assert [(d["id"], d["file"], d["kind"]) for d in added] == [
        ("trivsel-i-teamet", "trivsel-rapport.pdf", "rapport"),
        ("trivsel-rapport", "trivsel-rapport-2.pdf", "document"),
    ]
    assert (first.doc_id, second.doc_id) == ("trivsel-i-teamet", "trivsel-rapport")
    assert [(s.section, s.kind) for s in found.sections] == [
        ("1 Trivsel i teamet", "section"),
        ("2 Tjekliste til moedet", "checklist"),
    ]


def test_a_bad_file_is_refused_in_danish_and_nothing_is_stored(corpus, tmp_path, settings_for):
    settings = settings_for(corpus)
    before = snapshot(corpus)
    (tmp_path / "skadet.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (tmp_path / "noter.odt").write_bytes(b"PK")
    with pytest.raises(MaterialError, match=r"skadet\.pdf kan ikke tilføjes: PDF'en er beskadiget"):
        add_file(tmp_path / "skadet.pdf", settings)
    with pytest.raises(MaterialError, match="filtypen understøttes ikke"):
        add_file(tmp_path / "noter.odt", settings)
    assert snapshot(corpus) == before


def test_the_cli_undoes_an_addition_whose_rebuild_fails(corpus, tmp_path, monkeypatch, capsys):
    before = snapshot(corpus)

    def failing(*args, **kwargs):
        raise IngestError("Disken er fuld. Det hidtidige indeks bruges fortsat.")

    monkeypatch.setattr(cli, "ingest", failing)
    args = ["add", str(report_pdf(tmp_path / "r.pdf")), "--corpus", str(corpus)]
    assert cli.main([*args, "--data-dir", str(tmp_path / "data")]) == 2
    assert snapshot(corpus) == before
    err = capsys.readouterr().err
    assert "Disken er fuld" in err and "rullet tilbage" in err


def test_preview_warns_when_a_file_has_no_headings(tmp_path, settings_for):
    (tmp_path / "brev.txt").write_text(TEXT * 6, encoding="utf-8")
    found = preview(tmp_path / "brev.txt", settings_for(tmp_path))
    assert any(w.startswith("ingen overskrifter fundet") for w in found.warnings)


def test_removing_keeps_the_file_and_refuses_an_unknown_id(corpus, settings_for):
    settings = settings_for(corpus)
    change = remove_document("vejledning", settings)
    assert not (corpus / "vejledning.txt").exists()
    assert change.kept is not None and change.kept.read_text(encoding="utf-8").startswith("Vejl")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == []
    with pytest.raises(MaterialError, match="'findes-ikke' findes ikke i materialet"):
        remove_document("findes-ikke", settings)


def test_an_added_file_is_indexed_with_progress_for_file_pages_and_embedding(
    corpus, tmp_path, settings_for, embedder
):
    from dataclasses import replace

    # A cache of its own, so the new passages are really embedded (and progress is told).
    settings = replace(settings_for(corpus), cache_dir=tmp_path / "cache")
    ingest(settings, embedder=embedder)
    add_file(report_pdf(tmp_path / "trivsel.pdf"), settings)
    heard: list[str] = []
    ingest(settings, embedder=embedder, notify=heard.append)
    assert "Læst trivsel.pdf: 1 sider" in heard
    assert any(line.startswith("Embedder tekstvinduer: ") for line in heard)
    index = StoredIndex.open(settings.index_dir)
    assert {c.doc_id for c in index.chunks} == {"vejledning", "trivsel"}
    remove_document("trivsel", settings)
    ingest(settings, embedder=embedder)
    assert {c.doc_id for c in StoredIndex.open(settings.index_dir).chunks} == {"vejledning"}


def test_eval_with_a_folder_indexes_both_as_one_corpus_and_refuses_a_clash(corpus, tmp_path):
    from rag.measure.merged import MergeError, merge_corpora

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "noter.md").write_text("# Noter\n\n" + TEXT, encoding="utf-8")
    entry = {"id": "noter", "file": "noter.md", "title": "Noter", "kind": "document"}
    (extra / "manifest.json").write_text(json.dumps({"documents": [entry]}), encoding="utf-8")
    target = merge_corpora(corpus, extra, tmp_path / "merged")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in manifest["documents"]] == ["vejledning", "noter"]
    assert sorted(p.name for p in target.iterdir()) == [
        "manifest.json",
        "noter.md",
        "vejledning.txt",
    ]
    (extra / "noter.md").unlink()
    (extra / "manifest.json").write_text('{"documents": []}', encoding="utf-8")
    merge_corpora(corpus, extra, target)
    assert not (target / "noter.md").exists()  # gone from the folder, gone from the merge
    (extra / "vejledning.txt").write_text("En anden vejledning\n\n" + TEXT, encoding="utf-8")
    with pytest.raises(MergeError, match=r"vejledning\.txt findes både"):
        merge_corpora(corpus, extra, target)


def test_eval_with_a_missing_folder_says_so_in_danish(corpus, tmp_path, capsys):
    args = ["eval", "--answers", "--with", str(tmp_path / "ingen"), "--corpus", str(corpus)]
    assert cli.main([*args, "--data-dir", str(tmp_path / "data")]) == 2
    assert "Mappen findes ikke" in capsys.readouterr().err
    args = ["eval", "--answers", "--fit", "--with", str(tmp_path), "--corpus", str(corpus)]
    assert cli.main([*args, "--data-dir", str(tmp_path / "data")]) == 2
    assert "ingen modeller, grundlinjer eller retrieval.md" in capsys.readouterr().err


def test_eval_with_a_folder_answers_its_questions_and_reports_under_its_own_name(
    corpus, tmp_path, capsys
):
    extra = tmp_path / "samling"
    extra.mkdir()
    report_pdf(extra / "trivsel.pdf")
    questions = tmp_path / "samling-spørgsmål.jsonl"
    rows = [
        {
            "id": f"t{n}",
            "question": "Hvornår holder teamet sit trivselsmøde?",
            "lang": "da",
            "category": "fact",
            "answerable": True,
            "split": split,
            "sources": [{"doc": "trivsel", "quote": "trivselsmoede hver fredag formiddag"}],
        }
        for n, split in enumerate(["tune", "heldout"])
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    args = ["eval", "--answers", "--questions", str(questions), "--with", str(extra)]
    args += ["--corpus", str(corpus), "--data-dir", str(tmp_path / "data")]
    assert cli.main([*args, "--report", str(tmp_path / "results"), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert metrics["halves"]["all"]["answer_recall"] == 1.0
    (report,) = (tmp_path / "results").iterdir()
    assert report.name == "answers-with-samling-samling-spørgsmål.md"
    text = report.read_text(encoding="utf-8")
    assert "--with " in text and "Svar på 2 spørgsmål" in text
    assert sorted(p.name for p in corpus.iterdir()) == ["manifest.json", "vejledning.txt"]
