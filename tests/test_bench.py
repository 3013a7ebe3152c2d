"""The benchmark's synthetic corpus: bigger, different, and still shaped like the material."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from rag.cli import main
from rag.config import EVAL_QUESTIONS as DEFAULT_QUESTIONS
from rag.index.vectors import windows
from rag.measure.bench import _stand_in_vectors, synthetic_chunks
from rag.measure.evaluate import load_questions
from rag.measure.loadbench import Run
from rag.measure.pagebench import bench_questions


def test_the_synthetic_corpus_repeats_every_chunk_with_perturbed_words(corpus_build):
    chunks = corpus_build.chunks[:12]
    big = synthetic_chunks(chunks, scale=3)
    assert len(big) == 36
    assert len({c.chunk_id for c in big}) == 36
    copies = [c for c in big if c.doc_id.endswith("-x1")]
    assert len(copies) == 12
    same = sum(a.text == b.text for a, b in zip(chunks, copies, strict=True))
    assert same == 0
    overlap = len(set(copies[0].text.split()) & set(chunks[0].text.split()))
    assert overlap > 0.7 * len(set(chunks[0].text.split()))


def test_stand_in_vectors_follow_the_windows_of_each_synthetic_chunk(corpus_build):
    chunks = corpus_build.chunks[:5]
    n = sum(len(windows(c)) for c in chunks)
    base = np.eye(n, 384, dtype=np.float32)
    big = synthetic_chunks(chunks, scale=2)
    vectors = _stand_in_vectors(chunks, base, big)
    assert len(vectors) == sum(len(windows(c)) for c in big)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[:n], base)


def test_the_page_benchmark_asks_different_answerable_danish_questions_of_every_kind():
    picked = bench_questions(DEFAULT_QUESTIONS, 11)
    assert len(set(picked)) == 11
    known = {q.question: q for q in load_questions(DEFAULT_QUESTIONS)}
    assert all(known[p].answerable and known[p].lang == "da" for p in picked)
    assert len({known[p].category for p in picked}) >= 6


def test_the_page_benchmark_explains_a_missing_index_and_a_misplaced_flag(tmp_path, capsys):
    assert main(["bench", "--page", "--data-dir", str(tmp_path)]) == 1
    assert "Indekset mangler" in capsys.readouterr().err
    assert main(["bench", "--cold"]) == 2
    assert "--cold bruges kun sammen med --page" in capsys.readouterr().err


def test_the_quick_benchmark_embeds_none_of_the_material_and_prints_every_figure(tmp_path):
    from rag.config import Settings
    from rag.measure.bench import format_bench, run

    questions = tmp_path / "questions.jsonl"
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()[:3]
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings.load(env={}, data_dir=tmp_path / "data")
    result = run(settings, 2, questions, log=lambda _: None, quick=True, sample=8)
    corpus = result["corpus"]
    assert result["quick"] and corpus["fresh_embedded"] == 0  # the shipped vectors, nothing else
    assert "cold_ingest_s" not in corpus and corpus["sample_embedded"] == 8
    assert result["synthetic"]["chunks"] == 2 * corpus["chunks"]
    text = format_bench(result)
    assert "fremskrevet fra 8 tekstvinduer" in text and "Syntetisk korpus (2x)" in text
    assert all(f"{mode:6} nye" in text for mode in ("hybrid", "bm25", "dense"))
    assert "load average 1/5/15 min" in text and len(result["load_average"]) == 3
    answers = corpus["answers"]  # a warm answer splits into the question's embedding and the rest
    assert 0 < answers["embedding_p50_ms"] <= answers["embedding_p95_ms"]
    assert answers["rest_cpu_p50_ms"] > 0 and "heraf spørgsmålets embedding p50" in text


def _run(users: int, p95: float | None, answers: int, errors: int) -> Run:
    return Run(1, users, 4.0, p95, p95, p95, answers, errors)


def test_a_load_run_with_any_error_never_passes(monkeypatch, capsys):
    """The issue's probe: 330 errors, 0 answers, p95 "0.00 s", and the target still "passed"
    at 30 users. Now a failed run is marked, the verdict says where and why, and the command
    exits non-zero."""
    from rag.measure import loadbench

    runs = [_run(10, 0.12, 100, 0), _run(20, 0.3, 199, 1), _run(30, None, 0, 330)]
    assert [r.passed for r in runs] == [True, False, False]
    verdict = loadbench.verdict(runs)["1"]
    assert verdict == {"passes_up_to": 10, "fails_at": 20, "why": "1 fejl, 199 svar"}
    result = {
        "database": "sqlite",
        "database_reason": "SQLite, for PostgreSQL-driveren (psycopg) er ikke installeret",
        "questions_per_user": 10,
        "target_p95_s": 3.0,
        "runs": [{**asdict(r), "passed": r.passed} for r in runs],
        "errors": 331,
        "verdict": loadbench.verdict(runs),
    }
    monkeypatch.setattr(loadbench, "run", lambda *a, **k: result)
    code = main(["bench", "--load", "10,20,30"])
    out = capsys.readouterr().out
    assert code == 1
    row = next(line for line in out.splitlines() if line.split()[:2] == ["1", "30"])
    assert "IKKE BESTÅET" in row and "–" in row and "0.00" not in row
    assert "fejler ved 20 brugere (1 fejl, 199 svar)" in out and "331 fejl" in out
    assert "psycopg" in out


def test_the_load_benchmark_chooses_postgresql_only_with_its_driver(monkeypatch, tmp_path):
    import importlib.util
    from contextlib import ExitStack

    from rag.measure import loadbench, servers

    def no_server():
        raise AssertionError("PostgreSQL must not be started without its driver")

    monkeypatch.setattr(servers, "postgres_server", no_server)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name)
    )
    with ExitStack() as stack:
        url, why = loadbench.choose_database(stack, tmp_path)
    assert url.startswith("sqlite:///") and "psycopg" in why

    def missing():
        raise servers.ServerMissing("PostgreSQL mangler")

    monkeypatch.setattr(servers, "postgres_server", missing)
    monkeypatch.setattr(importlib.util, "find_spec", real)
    with ExitStack() as stack:
        url, why = loadbench.choose_database(stack, tmp_path)
    assert url.startswith("sqlite:///") and "serveren" in why
