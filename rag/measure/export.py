"""The question set and a retrieval run in the standard formats, so any IR tool can score them:
BEIR's folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) and TREC's qrels and run files.

A passage (chunk) is relevant to a question when it satisfies one of the question's expected
sources: the same rule the project's own hit@k and MRR use (rag/measure/evaluate.py,
`QuoteMatcher`), so a standard tool computes the same figures (tests/test_ir_export.py checks
that ir-measures does). Only answerable questions are exported: a question with no relevant
passage has nothing to score. Scores in a run strictly decrease with rank, so no tool breaks a
tie differently from the project's ranking.
"""

from __future__ import annotations

import json
from pathlib import Path

from rag.documents import Chunk
from rag.measure.evaluate import EvalQuestion, QuoteMatcher, Scored

RUN_TAG = "tillidsguiden"


def qrels(
    questions: list[EvalQuestion], chunks: list[Chunk], matcher: QuoteMatcher
) -> dict[str, dict[str, int]]:
    """{question id: {chunk id: 1}} for every passage that satisfies one of its sources."""
    out: dict[str, dict[str, int]] = {}
    for q in questions:
        if not q.answerable:
            continue
        relevant = {c.chunk_id: 1 for c in chunks if matcher.satisfied(c, q.sources)}
        if relevant:
            out[q.id] = relevant
    return out


def run(scored: list[Scored], mode: str) -> dict[str, dict[str, float]]:
    """{question id: {chunk id: score}} of one mode, the score strictly decreasing with rank."""
    out: dict[str, dict[str, float]] = {}
    for s in scored:
        if s.mode != mode or not s.question.answerable:
            continue
        ranked: dict[str, float] = {}
        last = float("inf")
        for h in s.hits:
            score = min(float(h["score"]), last - 1e-6)
            ranked[h["chunk_id"]] = round(score, 6)
            last = ranked[h["chunk_id"]]
        out[s.question.id] = ranked
    return out


def write_beir(folder: Path, questions: list[EvalQuestion], chunks: list[Chunk], rels) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qrels").mkdir(exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            title = f"{c.title} › {c.section}"
            row = {"_id": c.chunk_id, "title": title, "text": c.text}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q in questions:
            if q.id in rels:
                meta = {"lang": q.lang, "category": q.category, "split": q.split}
                row = {"_id": q.id, "text": q.question, "metadata": meta}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    lines = ["query-id\tcorpus-id\tscore"]
    lines += [f"{qid}\t{cid}\t{rel}" for qid, docs in rels.items() for cid, rel in docs.items()]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_trec_qrels(path: Path, rels: dict[str, dict[str, int]]) -> None:
    lines = [f"{qid} 0 {cid} {rel}" for qid, docs in rels.items() for cid, rel in docs.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_trec_run(path: Path, ranked: dict[str, dict[str, float]], tag: str = RUN_TAG) -> None:
    lines = [
        f"{qid} Q0 {cid} {rank} {score} {tag}"
        for qid, docs in ranked.items()
        for rank, (cid, score) in enumerate(docs.items(), 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def export(
    folder: Path,
    questions: list[EvalQuestion],
    chunks: list[Chunk],
    matcher: QuoteMatcher,
    scored: list[Scored],
    modes: list[str],
) -> list[Path]:
    """Write the BEIR folder, qrels.trec and one run-<mode>.trec per mode; the files written."""
    rels = qrels(questions, chunks, matcher)
    write_beir(folder, questions, chunks, rels)
    write_trec_qrels(folder / "qrels.trec", rels)
    written = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]
    written.append(folder / "qrels.trec")
    for mode in modes:
        path = folder / f"run-{mode}.trec"
        write_trec_run(path, run(scored, mode), f"{RUN_TAG}-{mode}")
        written.append(path)
    return written
