"""The question set and a run in BEIR and TREC files (rag/measure/export.py), and a well-kept IR
library (ir-measures, on trec_eval through pytrec_eval) computing the same hit@k and MRR from
them as the project's own code (rag/measure/evaluate.py)."""

from __future__ import annotations

import json

import ir_measures
from ir_measures import RR, Success

from rag.cli import main
from rag.config import EVAL_QUESTIONS
from rag.measure.evaluate import QuoteMatcher, copies_of
from rag.measure.export import export


def test_ir_measures_computes_the_same_hit_at_k_and_mrr_from_the_exported_files(
    searcher, retrieval_run, tmp_path
):
    questions, metrics, scored = retrieval_run
    copies = copies_of(searcher.index.documents)
    export(tmp_path, questions, searcher.chunks, QuoteMatcher(copies), scored, ["hybrid", "bm25"])
    qrels = list(ir_measures.read_trec_qrels(str(tmp_path / "qrels.trec")))
    for mode in ("hybrid", "bm25"):
        run = list(ir_measures.read_trec_run(str(tmp_path / f"run-{mode}.trec")))
        theirs = ir_measures.calc_aggregate([Success @ 1, Success @ 5, RR @ 10], qrels, run)
        ours = metrics[mode]["overall"]
        assert round(theirs[Success @ 1], 3) == ours["hit@1"], mode
        assert round(theirs[Success @ 5], 3) == ours["hit@5"], mode
        assert round(theirs[RR @ 10], 3) == ours["mrr@10"], mode
        # every answerable question is judged; a TREC run cannot hold an empty ranking, so a
        # question a mode found nothing for (BM25 without a shared word) is absent from it
        judged = {q.query_id for q in qrels}
        empty = {s.question.id for s in scored if s.mode == mode and not s.hits}
        assert len(judged) == ours["n"]
        assert {q.query_id for q in run} == judged - empty


def test_the_beir_folder_has_corpus_queries_and_qrels(real_index, tmp_path, capsys):
    small = tmp_path / "q.jsonl"
    lines = EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    out = tmp_path / "beir"
    args = ["eval", "--questions", str(small), "--mode", "hybrid", "--export", str(out)]
    assert main([*args, "--data-dir", str(real_index.data_dir)]) == 0
    capsys.readouterr()
    corpus = [json.loads(x) for x in (out / "corpus.jsonl").read_text().splitlines()]
    queries = [json.loads(x) for x in (out / "queries.jsonl").read_text().splitlines()]
    assert corpus and set(corpus[0]) == {"_id", "title", "text"}
    assert [q["_id"] for q in queries] == [json.loads(x)["id"] for x in lines[:5]]
    qrels = (out / "qrels" / "test.tsv").read_text().splitlines()
    assert qrels[0] == "query-id\tcorpus-id\tscore" and len(qrels) > 5
    ids = {c["_id"] for c in corpus}
    assert all(line.split("\t")[1] in ids for line in qrels[1:])
    run = (out / "run-hybrid.trec").read_text().splitlines()
    first = run[0].split()
    assert first[1] == "Q0" and first[3] == "1" and first[5] == "tillidsguiden-hybrid"
