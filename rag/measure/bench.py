"""`python -m rag bench`: what ingest and search cost, at corpus scale and at a synthetic scale.

`bench --quick` is the same benchmark in under a minute: no cold ingest (the material's
embedding time is extrapolated from a sample), 60 questions per mode, a synthetic corpus 10x.

Corpus scale is measured for real: a cold ingest with an empty embedding cache, then warm
queries (the evaluation questions) per mode. The synthetic corpus repeats every chunk `scale`
times with perturbed words; its lexical and Chroma indexes are built and queried for real, but
its passage vectors are the real vectors plus noise, because embedding 100x the text would take
hours on two cores: that embedding time is extrapolated from the measured throughput and
reported as such.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil

from rag.config import Settings
from rag.documents import Chunk
from rag.index.builder import ingest
from rag.index.embeddings import load_embedder, vector_cache
from rag.index.lexical import LexicalIndex
from rag.index.vectors import DenseIndex, answer_texts, windows
from rag.measure.evaluate import load_questions, percentile
from rag.search.retrieve import MODES, Searcher
from rag.text import lexical_text


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


class PeakMemory:
    """Samples this process's resident memory in a thread; `peak` is the highest seen."""

    def __init__(self) -> None:
        import threading

        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb())

    def reset(self) -> None:
        self.peak = _rss_mb()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def _latencies(searcher: Searcher, queries: list[str], k: int = 5) -> dict[str, dict]:
    """Per mode: new questions (never embedded or searched before) and the same questions
    asked again (question vectors and hits remembered)."""
    out = {}
    for mode in MODES:
        searcher.clear_caches()
        searcher.search("tillid", k=k, mode=mode)  # lazy loads
        searcher.clear_caches()
        new = [searcher.timed_search(q, k=k, mode=mode)[1] * 1000 for q in queries]
        again = [searcher.timed_search(q, k=k, mode=mode)[1] * 1000 for q in queries]
        out[mode] = {
            "p50_ms": round(statistics.median(new), 1),
            "p95_ms": round(percentile(new, 95), 1),
            "repeated_p50_ms": round(statistics.median(again), 2),
            "repeated_p95_ms": round(percentile(again, 95), 2),
        }
    return out


def perturb(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """A copy that reads like the original but is not identical: words dropped, swapped or
    replaced, so BM25 statistics and postings grow as they would with real new text."""
    words = text.split()
    out: list[str] = []
    for w in words:
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < 0.12:
            out.append(rng.choice(vocabulary))
        else:
            out.append(w)
    for _ in range(len(out) // 20):
        i = rng.randrange(max(len(out) - 1, 1))
        out[i : i + 2] = out[i : i + 2][::-1]
    return " ".join(out)


def synthetic_chunks(chunks: list[Chunk], scale: int, seed: int = 13) -> list[Chunk]:
    rng = random.Random(seed)
    vocabulary = sorted({w for c in chunks for w in c.text.split() if w.isalpha()})
    out = list(chunks)
    for r in range(1, scale):
        for c in chunks:
            out.append(
                replace(
                    c,
                    chunk_id=f"{c.doc_id}-x{r}#{c.chunk_id.split('#')[-1]}",
                    doc_id=f"{c.doc_id}-x{r}",
                    text=perturb(c.text, rng, vocabulary),
                    anchors=[],
                )
            )
    return out


def _stand_in_vectors(chunks: list[Chunk], base: np.ndarray, big: list[Chunk]) -> np.ndarray:
    """For each window of each synthetic chunk: the real vector of the matching window of its
    original chunk, plus noise (cosine about 0.93 to the original)."""
    by_chunk: dict[str, np.ndarray] = {}
    start = 0
    for c in chunks:
        n = len(windows(c))
        by_chunk[c.chunk_id.split("#")[-1] + c.doc_id] = base[start : start + n]
        start += n
    rng = np.random.default_rng(7)
    out = []
    for c in big:
        original = by_chunk[c.chunk_id.split("#")[-1] + c.doc_id.split("-x")[0]]
        n = len(windows(c))
        picked = original[np.minimum(np.arange(n), len(original) - 1)]
        if "-x" in c.doc_id:
            picked = picked + rng.normal(0, 0.02, picked.shape).astype(np.float32)
        out.append(picked / np.linalg.norm(picked, axis=1, keepdims=True))
    return np.concatenate(out)


QUICK_SCALE = 10  # the synthetic corpus of `bench --quick`
QUICK_QUERIES = 60  # questions per mode in `bench --quick` (spread over the question file)
SAMPLE_TEXTS = 64  # windows embedded in `--quick` to measure throughput (nothing else is)


def run(
    settings: Settings,
    scale: int = 100,
    queries_file: Path | None = None,
    log=print,
    quick: bool = False,
    sample: int = SAMPLE_TEXTS,
) -> dict:
    """The benchmark's figures. `quick` (`bench --quick`, under a minute): no cold ingest, so
    nothing of the material is embedded again (its embedding time is extrapolated from a small
    sample), fewer questions and a smaller synthetic corpus."""
    questions = load_questions(queries_file) if queries_file else []
    queries = [q.question for q in questions] or ["Hvordan skaber man tillid?"]
    if quick and len(queries) > QUICK_QUERIES:
        queries = queries[:: len(queries) // QUICK_QUERIES][:QUICK_QUERIES]
    memory = PeakMemory()
    result: dict = {"queries": len(queries), "scale": scale, "quick": quick}
    # On shared cores the latencies depend on what else runs: the load is part of the figure.
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="tillid-bench-") as tmp:
        # A fresh machine: an empty cache, the vectors shipped for corpus/.
        fresh = replace(settings, data_dir=Path(tmp) / "fresh", cache_dir=Path(tmp) / "c1")
        embedder = load_embedder(fresh.embedder)
        log("Indlæsning som på en ny maskine (tom cache, medfølgende vektorer) …")
        started = time.perf_counter()
        shipped_report = ingest(fresh, force=True, embedder=embedder)
        fresh_seconds = time.perf_counter() - started
        fresh_peak = memory.peak
        memory.reset()
        if quick:
            measured = fresh
            cold = None
        else:  # everything embedded by the model: another embedder, or material nobody shipped
            measured = replace(
                settings,
                data_dir=Path(tmp) / "data",
                cache_dir=Path(tmp) / "cache",
                use_shipped_vectors=False,
            )
            log("Kold indlæsning uden medfølgende vektorer (alt embeddes) …")
            started = time.perf_counter()
            report = ingest(measured, force=True, embedder=embedder)
            cold = (time.perf_counter() - started, report)
        answers = answer_latency(fresh, embedder, questions, log)
        with Searcher.open(measured, embedder) as searcher:
            chunks = searcher.chunks
            texts = [w for c in chunks for w in windows(c)]
            # Ingest embeds the passage windows and every text an answer scores.
            sentences = list(dict.fromkeys(t for c in chunks for t in answer_texts(c)))
            words = sum(len(t.split()) for t in texts + sentences)
            result["corpus"] = {
                "chunks": len(chunks),
                "passages": len(texts),
                "sentences": len(sentences),
                "words_embedded": words,
                "fresh_ingest_s": round(fresh_seconds, 1),
                "fresh_embedded": shipped_report.passages_embedded
                + shipped_report.sentences_embedded,
                "fresh_peak_rss_mb": round(fresh_peak),
                **_cold_figures(
                    cold, embedder, texts[:: max(1, len(texts) // sample)][:sample], words, log
                ),
                "latency": _latencies(searcher, queries),
                "answers": answers,
                "peak_rss_mb": round(memory.peak),
            }
        log(f"  {result['corpus']}")
        result["synthetic"] = _synthetic(measured, chunks, texts, embedder, scale, queries, memory)
        result["synthetic"]["embedding_s_extrapolated"] = round(
            words * scale / result["corpus"]["embedding_words_per_s"]
        )
        log(f"  {result['synthetic']}")
    memory.stop()
    return result


FIRST_QUESTIONS = (
    "Er der en tjekliste om at lede på tværs?",
    "Har I en øvelse, hvor vi tegner, hvordan vi samarbejder med andre afdelinger?",
)
ANSWER_QUESTIONS = 80


class _TimedQueries:
    """The embedder, with the time its question embeddings take added up (wall and this
    process's CPU), so a warm answer's figure splits into embedding and the rest."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self.wall = self.cpu = 0.0

    def embed_queries(self, texts: list[str]):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return self.embedder.embed_queries(texts)
        finally:
            self.wall += time.perf_counter() - wall
            self.cpu += time.process_time() - cpu

    def embed_passages(self, texts: list[str]):
        return self.embedder.embed_passages(texts)


def answer_latency(settings: Settings, embedder, questions: list, log=print) -> dict:
    """On the freshly ingested data folder: the first answers a new process gives (a
    checklist, an exercise: they score the most sentences), then warm answers to evaluation
    questions not asked before in this process, in the default extract mode. Each warm answer
    is also split into the question's embedding and the rest (wall and CPU: the rest's CPU
    time hardly depends on what else the machine runs)."""
    from rag.answer.assistant import Assistant

    log("Svar lige efter indlæsningen …")
    asked = [q.question for q in questions if not q.history] or list(FIRST_QUESTIONS)
    asked = asked[:: max(1, len(asked) // ANSWER_QUESTIONS)][:ANSWER_QUESTIONS]
    first, warm, embedding, rest, rest_cpu = [], [], [], [], []
    timed = _TimedQueries(embedder)
    started = time.perf_counter()
    with Assistant.open(settings, embedder=timed) as assistant:
        opened = time.perf_counter() - started
        for q in FIRST_QUESTIONS:
            started = time.perf_counter()
            assistant.ask(q)
            first.append(time.perf_counter() - started)
        for q in asked:
            timed.wall = timed.cpu = 0.0
            started, cpu = time.perf_counter(), time.process_time()
            assistant.ask(q)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            warm.append(wall * 1000)
            embedding.append(timed.wall * 1000)
            rest.append((wall - timed.wall) * 1000)
            rest_cpu.append((cpu - timed.cpu) * 1000)
    return {
        "open_s": round(opened, 3),
        "first_s": round(first[0], 3),
        "first_exercise_s": round(first[1], 3),
        "questions": len(warm),
        "p50_ms": round(percentile(warm, 50), 1),
        "p95_ms": round(percentile(warm, 95), 1),
        **_split("embedding", embedding),
        **_split("rest", rest),
        **_split("rest_cpu", rest_cpu),
    }


def _split(name: str, values: list[float]) -> dict:
    return {
        f"{name}_p50_ms": round(percentile(values, 50), 1),
        f"{name}_p95_ms": round(percentile(values, 95), 1),
    }


def _cold_figures(cold, embedder, sample: list[str], words: int, log) -> dict:
    """What embedding the whole material costs: measured by the cold ingest, or (`--quick`)
    extrapolated from the throughput on a `sample` of its windows."""
    if cold is not None:
        seconds, report = cold
        return {
            "cold_ingest_s": round(seconds, 1),
            "embedded_passages": report.passages_embedded,
            "embedded_sentences": report.sentences_embedded,
            "embedding_words_per_s": round(words / max(seconds, 1e-9)),
        }
    log(f"Måler embedding på en prøve af {len(sample)} tekstvinduer …")
    started = time.perf_counter()
    embedder.embed_passages(sample)
    rate = sum(len(t.split()) for t in sample) / max(time.perf_counter() - started, 1e-9)
    return {
        "cold_ingest_s_extrapolated": round(words / rate, 1),
        "sample_embedded": len(sample),
        "embedding_words_per_s": round(rate),
    }


def _synthetic(
    settings: Settings,
    chunks: list[Chunk],
    texts: list[str],
    embedder,
    scale: int,
    queries: list[str],
    memory: PeakMemory,
) -> dict:
    """BM25 and Chroma built for real over `scale` perturbed copies of the material (with the
    real vectors plus noise as their vectors), and searched."""
    log_dir = Path(tempfile.mkdtemp(prefix="tillid-bench-big-"))
    try:
        memory.reset()
        big = synthetic_chunks(chunks, scale)
        started = time.perf_counter()
        lexical = LexicalIndex.build([lexical_text(c) for c in big])
        lexical_seconds = time.perf_counter() - started
        cache = vector_cache(settings)
        base = cache.embed_passages(embedder, texts).vectors  # all cached by the ingest
        started = time.perf_counter()
        dense = DenseIndex.build(
            log_dir / "big-chroma",
            big,
            embedder,
            cache,
            vectors=_stand_in_vectors(chunks, base, big),
        )
        dense_seconds = time.perf_counter() - started
        with Searcher(big, lexical, dense, embedder) as big_searcher:
            return {
                "chunks": len(big),
                "passages": dense.size,
                "lexical_build_s": round(lexical_seconds, 1),
                "chroma_build_s": round(dense_seconds, 1),
                "latency": _latencies(big_searcher, queries),
                "peak_rss_mb": round(memory.peak),
            }
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


def format_bench(r: dict) -> str:
    c, s = r["corpus"], r["synthetic"]
    lines = [
        f"Materialet: {c['chunks']} afsnit, {c['passages']} vinduer, "
        f"{c['sentences']} citerbare sætninger, {c['words_embedded']} ord",
        f"  indlæsning som på en ny maskine (medfølgende vektorer): {c['fresh_ingest_s']} s, "
        f"{c['fresh_embedded']} tekster embedded, hukommelse top {c['fresh_peak_rss_mb']} MB",
        _cold_line(c),
        f"  hukommelse, top: {c['peak_rss_mb']} MB",
    ]
    a = c["answers"]
    lines.append(
        f"  svar efter en frisk indlæsning: assistenten åbnet på {a['open_s']} s, "
        f"første svar {a['first_s']} s, første øvelse "
        f"{a['first_exercise_s']} s; {a['questions']} nye spørgsmål varmt: p50 {a['p50_ms']} ms, "
        f"p95 {a['p95_ms']} ms"
    )
    if "embedding_p50_ms" in a:
        lines.append(
            f"    heraf spørgsmålets embedding p50 {a['embedding_p50_ms']} ms, p95 "
            f"{a['embedding_p95_ms']} ms; resten p50 {a['rest_p50_ms']} ms, p95 "
            f"{a['rest_p95_ms']} ms (CPU-tid p50 {a['rest_cpu_p50_ms']} ms, p95 "
            f"{a['rest_cpu_p95_ms']} ms)"
        )
    lines += _latency_lines(c["latency"])
    lines += [
        f"Syntetisk korpus ({r['scale']}x): {s['chunks']} afsnit, {s['passages']} vinduer",
        f"  BM25 bygget på {s['lexical_build_s']} s; Chroma på {s['chroma_build_s']} s; "
        f"embedding ville tage ca. {s['embedding_s_extrapolated']} s (fremskrevet)",
        f"  hukommelse, top: {s['peak_rss_mb']} MB",
    ]
    lines += _latency_lines(s["latency"])
    lines.append(
        f"({r['queries']} forskellige spørgsmål pr. måde, varme indeks; 'igen' er de samme "
        "spørgsmål stillet en gang til)"
    )
    if "load_average" in r:
        load = ", ".join(f"{x:.2f}" for x in r["load_average"])
        lines.append(f"Maskinens belastning ved start (load average 1/5/15 min): {load}")
    return "\n".join(lines)


def _cold_line(c: dict) -> str:
    if "cold_ingest_s" in c:
        return (
            f"  kold indlæsning uden medfølgende vektorer (alt embeddes): {c['cold_ingest_s']} s "
            f"({c['embedding_words_per_s']} ord/s)"
        )
    return (
        f"  kold indlæsning uden medfølgende vektorer: ca. {c['cold_ingest_s_extrapolated']} s "
        f"(fremskrevet fra {c['sample_embedded']} tekstvinduer, {c['embedding_words_per_s']} "
        "ord/s; --quick embedder ikke materialet igen)"
    )


def _latency_lines(latency: dict) -> list[str]:
    return [
        f"  {mode:6} nye: p50 {v['p50_ms']:6.1f} ms  p95 {v['p95_ms']:6.1f} ms   "
        f"igen: p50 {v['repeated_p50_ms']:5.2f} ms  p95 {v['repeated_p95_ms']:5.2f} ms"
        for mode, v in latency.items()
    ]
