"""Every document's chunks, as (kind, section) listings checked by hand against the text.

When a change to parsing or chunking alters a listing on purpose, regenerate the file, read the
diff against the document and commit both.
"""

from __future__ import annotations

import pytest

from rag.config import PROJECT_ROOT

GOLDEN = PROJECT_ROOT / "tests" / "golden"
DOCS = sorted(p.stem for p in GOLDEN.glob("*.tsv"))


@pytest.mark.parametrize("doc_id", DOCS)
def test_chunk_listing_matches_the_golden_file(corpus_build, doc_id):
    expected = (GOLDEN / f"{doc_id}.tsv").read_text(encoding="utf-8").splitlines()
    actual = [f"{c.kind}\t{c.section}" for c in corpus_build.chunks if c.doc_id == doc_id]
    assert actual == expected


def test_every_document_has_a_golden_listing(corpus_build):
    assert {c.doc_id for c in corpus_build.chunks} == set(DOCS)


def test_no_chunk_mixes_two_cases_checklists_or_recommendations(corpus_build):
    for c in corpus_build.chunks:
        if c.kind in ("case", "checklist", "recommendation"):
            assert c.text.count("Casen stammer fra") + c.text.count("Artiklen er en forkortet") <= 1
    recs = [
        c
        for c in corpus_build.chunks
        if c.doc_id == "tillid-giver-verdensklasse" and c.kind == "recommendation"
    ]
    assert {c.section.split(" › ")[0] for c in recs} == {
        f"Anbefaling {n}: {t}"
        for n, t in [
            (1, "Partnerskaber der løfter"),
            (2, "Rum til ledelse og samarbejde"),
            (3, "Sammen om kvaliteten"),
            (4, "Målinger der giver nytte"),
            (5, "Nationalt kraftcenter for offentlig innovation"),
            (6, "Plads til eksperimenter"),
            (7, "Fælles om fornyelse"),
            (8, "Oprust medarbejderne"),
            (9, "Klæd lederne på"),
            (10, "Sammen om nye kompetencer"),
        ]
    }


def test_chunks_are_near_150_to_400_words(corpus_build):
    sizes = [len(c.text.split()) for c in corpus_build.chunks]
    assert max(sizes) <= 460
    assert sum(150 <= s <= 420 for s in sizes) / len(sizes) > 0.6


def test_the_exercise_keeps_its_fields_and_steps(corpus_build):
    text = "\n".join(
        c.text
        for c in corpus_build.chunks
        if c.section.endswith("Øvelse: Kom i dybden med kerneopgaven")
    )
    for field in (
        "DELTAGERE",
        "VARIGHED",
        "RAMMER OG MATERIALER",
        "FREMGANGSM",
        "1. Afklaring af kerneopgaven",
    ):
        assert field in text
