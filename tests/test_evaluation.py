"""The evaluation suite: quote matching, metrics, the question file and the eval CLI."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from rag.cli import main
from rag.config import PROJECT_ROOT
from rag.documents import Chunk
from rag.index.builder import open_index
from rag.measure.evaluate import (
    CATEGORIES,
    EvalQuestion,
    QuoteMatcher,
    Scored,
    Source,
    copies_of,
    load_questions,
)

QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"


def _chunk(doc: str, text: str) -> Chunk:
    return Chunk(f"{doc}#001", doc, "T", "S", "section", 0, len(text), None, text)


def test_quotes_match_across_case_hyphenation_markup_and_diacritics():
    matcher = QuoteMatcher({"pjece-scan": "pjece"})
    chunk = _chunk("pjece", "Det kræver et godt sam-\narbejde på <b>arbejds</b>pladsen.")
    assert matcher.satisfied(
        chunk, [Source("pjece", "KRÆVER et godt samarbejde på arbejdspladsen")]
    )
    scan = _chunk("pjece-scan", "Det kraever et godt samarbejde pa arbejdspladsen.")
    assert matcher.satisfied(scan, [Source("pjece", "kræver et godt samarbejde på")]) == {0}
    other = _chunk("andet", "Det kræver et godt samarbejde på arbejdspladsen.")
    assert matcher.satisfied(other, [Source("pjece", "kræver et godt samarbejde")]) == set()


def _scored(sources: int, hit_sources: list[set[int]]) -> Scored:
    q = EvalQuestion("q", "?", "da", "fact", True, [Source("d", str(i)) for i in range(sources)])
    first = next((i + 1 for i, s in enumerate(hit_sources) if s), None)
    return Scored(q, "hybrid", 0.01, first, hit_sources, [])


def test_metrics_count_ranks_and_sources_as_defined():
    s = _scored(2, [set(), {1}, {1}, set(), set(), {0}])
    assert s.hit_at(1) == 0.0 and s.hit_at(5) == 1.0
    assert s.recall_at(5) == 0.5
    assert s.reciprocal_rank() == 0.5
    ideal = 1 + 1 / 1.5849625
    assert s.ndcg() == pytest.approx((1 / 1.5849625 + 1 / 2.8073549) / ideal)
    assert _scored(1, [set()] * 10).reciprocal_rank() == 0.0


def test_the_question_file_covers_every_category_and_document(real_index):
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 80
    assert len({q.id for q in questions}) == len(questions)
    counts = Counter(q.category for q in questions)
    assert set(CATEGORIES[:10]) <= set(counts) <= set(CATEGORIES)
    index = open_index(real_index)
    indexed = {c.doc_id for c in index.chunks}
    cited = {s.doc for q in questions for s in q.sources}
    assert indexed <= cited
    assert all(not q.sources for q in questions if not q.answerable)
    assert all(len(q.sources) >= 2 for q in questions if q.category == "multi-doc")
    assert all(len(q.sources) >= 2 for q in questions if q.needs == "all")


def test_a_group_keeps_one_split_and_one_original():
    """Rewordings and English twins sit in their original's half (the split stays fixed)."""
    groups: dict[str, list] = {}
    for q in load_questions(QUESTIONS):
        if q.group:
            groups.setdefault(q.group, []).append(q)
    for name, members in groups.items():
        assert len({q.split for q in members}) == 1, name
        assert sum(q.variant == "original" for q in members) <= 1, name


def test_every_expected_quote_is_found_in_the_index(real_index):
    """Guards the evaluation against drifting away from the material."""
    index = open_index(real_index)
    matcher = QuoteMatcher(copies_of(index.documents))
    for q in load_questions(QUESTIONS):
        for i, source in enumerate(q.sources):
            assert 5 <= len(source.quote.split()) <= 15, source.quote
            assert any(i in matcher.satisfied(c, q.sources) for c in index.chunks), (
                q.id,
                source.quote,
            )


def test_eval_cli_prints_metrics_and_details_as_json(real_index, tmp_path, capsys):
    small = tmp_path / "q.jsonl"
    small.write_text(
        "\n".join(QUESTIONS.read_text(encoding="utf-8").splitlines()[:6]), encoding="utf-8"
    )
    code = main(
        [
            "eval",
            "--questions",
            str(small),
            "--mode",
            "bm25",
            "--json",
            "--details",
            "--data-dir",
            str(real_index.data_dir),
            "--corpus",
            str(real_index.corpus_dir),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    bm25 = out["metrics"]["bm25"]
    assert set(bm25["overall"]) == {"n", "hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10"}
    assert bm25["overall"]["n"] == 6 and bm25["latency_ms"]["p95"] >= bm25["latency_ms"]["p50"]
    first = out["questions"][0]["modes"]["bm25"]
    assert {"doc_id", "section", "kind", "text"} <= set(first["hits"][0])


def test_eval_cli_names_the_line_of_a_broken_question_file(tmp_path, capsys):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "q1", "question": "x", "sources": []}\n{not json\n', encoding="utf-8")
    assert main(["eval", "--questions", str(bad)]) == 2
    assert "q.jsonl:1" in capsys.readouterr().err


# --- the measures that look like use ------------------------------------------------------------


def test_overlap_counts_content_words_as_lemmas_and_compound_parts():
    from rag.measure.overlap import content_words, overlap

    # kom-videre-med-social-kapital.txt, the Glostrup Hospital case
    passage = (
        "På Glostrup Hospital mødes alle faggrupper hver morgen til et kort tavlemøde, hvor "
        "dagens patienter gennemgås i fællesskab."
    )
    assert content_words("Hvordan kan jeg få faggrupperne til at mødes?") == [
        "faggrupperne",
        "mødes",
    ]
    assert overlap("Hvordan kan jeg få faggrupperne til at mødes?", passage) == 1.0
    assert (
        overlap("Findes der et eksempel på et tavlemøde?", passage) == 0.5
    )  # "eksempel" is not there
    assert overlap("Hvordan holder vi møder om patienterne?", passage) == pytest.approx(2 / 3)
    assert overlap("Hvordan bliver vi bedre til sygefraværssamtaler?", passage) == 0.0


def test_overlap_buckets_are_closed_on_the_right():
    from rag.measure.overlap import bucket

    assert [bucket(x) for x in (0.0, 0.3, 0.31, 0.6, 0.61, None)] == [
        "≤0.3",
        "≤0.3",
        "0.3–0.6",
        "0.3–0.6",
        ">0.6",
        None,
    ]


def _answer(text: str, refused: bool = False, chunk: Chunk | None = None):
    from rag.documents import Answer, Citation

    cites = [Citation(1, chunk, 0, len(chunk.text))] if chunk else []
    return Answer(question="?", text=text, citations=cites, refused=refused, mode="uddrag")


def test_a_question_that_needs_every_source_scores_the_share_it_holds():
    from rag.measure.answer_eval import holds_quote

    sources = [Source("a", "styrker tilliden"), Source("b", "fælles kerneopgave")]
    both = EvalQuestion("q", "?", "da", "two-part", True, sources, needs="all")
    either = EvalQuestion("q", "?", "da", "fact", True, sources)
    half = _answer("Ledelsen styrker tilliden ved at lytte. [1]")
    assert holds_quote(both, half)[0] == 0.5
    assert holds_quote(either, half)[0] == 1.0
    full = _answer("Ledelsen styrker tilliden. [1]\n\n- En fælles kerneopgave samler. [2]")
    assert holds_quote(both, full)[0] == 1.0


def test_consistency_compares_decision_and_first_cited_passage_with_the_original():
    from rag.measure.answer_eval import AnswerScore, consistency

    first = Chunk("d#001", "d", "T", "S", "section", 0, 100, None, "x" * 100)
    overlapping = Chunk("d#002", "d", "T", "S", "section", 80, 180, None, "y" * 100)
    elsewhere = Chunk("d#009", "d", "T", "S", "section", 500, 600, None, "z" * 100)

    def row(variant: str, answer) -> AnswerScore:
        q = EvalQuestion(
            "q", "?", "da", "paraphrase", True, [Source("d", "x")], group="g1", variant=variant
        )
        return AnswerScore(q, answer, 0.1, None, None, None)

    rows = [
        row("original", _answer("x [1]", chunk=first)),
        row("reworded", _answer("y [1]", chunk=overlapping)),  # the same passage to a reader
        row("reworded", _answer("z [1]", chunk=elsewhere)),
        row("english", _answer("Det kan jeg ikke finde.", refused=True)),
    ]
    c = consistency(rows)
    assert c["pairs"] == 3 and c["decision"] == pytest.approx(2 / 3, abs=1e-3)
    assert (
        c["decision_and_source"] == pytest.approx(1 / 3, abs=1e-3) and c["groups_agreeing"] == 0.0
    )


def test_a_follow_up_is_asked_after_its_history(assistant, real_index):
    from rag.measure.answer_eval import evaluate_answers

    q = EvalQuestion(
        "f1",
        "Giv mig et eksempel på det",
        "da",
        "follow-up",
        True,
        [Source("kom-videre-med-social-kapital", "tillidsrepræsentant")],
        history=["Hvordan inddrager man tillidsrepræsentanterne i en omstrukturering?"],
    )
    _, scored = evaluate_answers(assistant, [q], QuoteMatcher())
    assert "tillidsrepræsentanterne" in scored[0].answer.standalone
