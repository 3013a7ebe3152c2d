"""Shared fixtures: the real corpus, ingested once per test session into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT, Settings
from rag.ingest import build_chunks, ingest

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_build():
    """Chunks of the real corpus (no index written)."""
    return build_chunks(CORPUS, Settings.load(env={}))


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def settings_for(tmp_path: Path):
    def make(corpus: Path) -> Settings:
        return Settings.load(env={}, corpus_dir=corpus, data_dir=tmp_path / "data")

    return make


@pytest.fixture
def ingested(corpus_copy: Path, settings_for):
    settings = settings_for(corpus_copy)
    report = ingest(settings)
    return settings, report
