"""The index on disk: one directory per build, and a pointer file naming the current one.

A build is written completely into a fresh directory before the pointer is swapped with an
atomic rename, so a crash mid-way leaves the previous index in use and nothing is lost.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from rag.documents import Chunk

POINTER = "CURRENT"


@dataclass
class IndexBuild:
    """An index build being written; `commit` makes it the current one."""

    root: Path
    path: Path

    def write_json(self, name: str, data: object) -> None:
        with open(self.path / name, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)

    def write_text(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self) -> None:
        tmp = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        tmp.write_text(self.path.name, encoding="utf-8")
        os.replace(tmp, self.root / POINTER)
        _remove_old_builds(self.root, keep=self.path.name)

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def new_build(index_dir: Path) -> IndexBuild:
    index_dir.mkdir(parents=True, exist_ok=True)
    name = time.strftime("build-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    path = index_dir / name
    path.mkdir()
    return IndexBuild(index_dir, path)


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = index_dir / name
    return path if name and (path / "meta.json").is_file() else None


def _remove_old_builds(index_dir: Path, keep: str) -> None:
    for p in index_dir.iterdir():
        if p.is_dir() and p.name.startswith("build-") and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(f".{POINTER}."):
            p.unlink(missing_ok=True)


class IndexMissing(Exception):
    """No usable index: the message says, in Danish, what to run."""


@dataclass
class StoredIndex:
    """A committed build as read back: its chunks, documents and metadata."""

    path: Path
    meta: dict
    documents: list[dict]
    chunks: list[Chunk]

    @classmethod
    def open(cls, index_dir: Path) -> StoredIndex:
        path = current_build(index_dir)
        if path is None:
            raise IndexMissing(
                f"Der er intet indeks i {index_dir}. Byg det med: python -m rag ingest"
            )
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            documents = json.loads((path / "documents.json").read_text(encoding="utf-8"))
            raw = json.loads((path / "chunks.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMissing(
                f"Indekset i {path} kan ikke læses ({exc}). Byg det igen med: python -m rag ingest"
            ) from exc
        return cls(path, meta, documents, [Chunk.from_dict(c) for c in raw])

    def source_text(self, doc_id: str) -> str:
        """The document text that chunk spans point into, as it was when the index was built."""
        return (self.path / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8")
