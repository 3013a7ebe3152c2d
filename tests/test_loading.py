"""Loading the corpus folder: PDFs with their pages, files users add, and files that are broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import Settings
from rag.index.builder import ingest
from rag.ingest.loading import load_corpus
from rag.ingest.pipeline import build_chunks


def write_pdf(path: Path, pages: list[str], password: str | None = None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    if password:
        pdf.set_encryption(owner_password=password, user_password=password)
    pdf.output(str(path))


def test_pdf_round_trip_keeps_text_and_page_numbers(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_pdf(
        corpus / "trivsel-i-teamet.pdf",
        [
            "Trivsel i teamet\n\nTillid mellem leder og medarbejdere er grundlaget for et godt "
            "samarbejde. Lederen skal sætte ord på kerneopgaven.",
            "Tjekliste\n\nHar I talt om arbejdsfordelingen? Ved alle, hvem de kan spørge om hjælp?",
            "Sygefraværet faldt, da teamet begyndte at holde korte morgenmøder hver dag.",
        ],
    )
    result = build_chunks(corpus, Settings.load(env={}))
    assert not result.problems
    (doc,) = result.documents
    assert doc.doc_id == "trivsel-i-teamet"
    assert doc.title == "Trivsel i teamet"
    assert len(doc.page_starts) == 3
    text = " ".join(c.text for c in result.chunks)
    assert "morgenmøder" in text and "kerneopgaven" in text
    for chunk in result.chunks:
        assert doc.text[chunk.start : chunk.end].strip()
    pages = {
        doc.page_at(doc.text.index(word))
        for word in ("kerneopgaven", "arbejdsfordelingen", "morgenmøder")
    }
    assert pages == {1, 2, 3}
    assert result.chunks[0].page == 1


def test_a_file_outside_the_manifest_is_ingested_with_an_id_from_its_name(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "Mine Noter om Tillid.md").write_text(
        "# Noter fra lederkurset\n\nTillid opbygges gennem små handlinger hver dag.\n",
        encoding="utf-8",
    )
    (doc,) = load_corpus(corpus).documents
    assert doc.doc_id == "mine-noter-om-tillid"
    assert doc.title == "Noter fra lederkurset"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tom.txt", b"   \n", "tom"),
        ("binaer.txt", b"\x00\x01\x02PK\x03\x04", "binære"),
        ("latin.txt", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 20, "UTF-8"),
        ("ødelagt.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "PDF"),
        ("billede.png", b"\x89PNG\r\n", "understøttes ikke"),
    ],
)
def test_bad_files_are_reported_by_name_and_skipped(
    corpus_copy, settings_for, name, content, reason
):
    (corpus_copy / name).write_bytes(content)
    report = ingest(settings_for(corpus_copy))
    problems = {p.path.name: p.reason for p in report.problems}
    assert name in problems and reason in problems[name]
    assert report.documents == 5  # everything else is still indexed
    assert report.chunks > 90


def test_an_encrypted_pdf_is_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_pdf(corpus / "hemmelig.pdf", ["Fortroligt notat om samarbejde."], password="hemmelig")
    loaded = load_corpus(corpus)
    assert not loaded.documents
    (problem,) = loaded.problems
    assert problem.path.name == "hemmelig.pdf" and "krypteret" in problem.reason


def test_windows_1252_text_with_danish_letters_is_read(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "gammel.txt").write_bytes("Samarbejde på tværs kræver tillid.".encode("cp1252"))
    (doc,) = load_corpus(corpus).documents
    assert "tværs" in doc.text
