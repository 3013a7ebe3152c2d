"""The index on disk: one directory per build, and a pointer file naming the current one.

A build is written completely into a fresh directory before the pointer is swapped with an
atomic rename, so a crash mid-way leaves the previous index in use and nothing is lost.

A reader never has its build removed under it: opening a build takes a shared lock on the
build's lease file (`flock`, held as long as the `StoredIndex` is open, by any process), and a
commit removes an old build only when it gets that lock exclusively, renaming the build out of
reach before deleting it. A reader that read the pointer just before a build went reads the
pointer again. The build before the current one is kept as well, so a reader rarely has to.
Builds left half-written by a killed ingest are removed by the next ingest, which holds a lock
so that it never removes a build another ingest is still writing.

Opening a build checks it (files present and readable, counts as `meta.json` says) and turns any
damage into `IndexDamaged`, whose reason is one Danish sentence naming no server path.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rag.documents import Chunk
from rag.names import names_in

POINTER = "CURRENT"
NAMES = "names.json"
LOCK = ".ingest.lock"
LEASE = ".lease"  # in each build: readers hold it shared, removal needs it exclusively
TRASH = ".removing-"  # a build being removed, out of any reader's reach
OPEN_ATTEMPTS = 5  # a reader that loses a race with commits reads the pointer again
SQLITE_HEADER = b"SQLite format 3\x00"


class IndexMissing(Exception):
    """No usable index: the message says, in Danish, what to run."""


class IndexDamaged(IndexMissing):
    """The current build is damaged; `reason` says what, in Danish, for a page with a button."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}. Byg det igen med: python -m rag ingest")
        self.reason = reason


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refusing a name that leads out of `folder` (an id such as "../x")."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValueError(f"stien {name!r} fører uden for {folder.name}")
    return target


@dataclass
class IndexBuild:
    """An index build being written; `commit` makes it the current one."""

    root: Path
    path: Path

    def write_json(self, name: str, data: object) -> None:
        with open(inside(self.path, name), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)

    def write_text(self, name: str, text: str) -> None:
        target = inside(self.path, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def commit(self) -> None:
        """Make this build the current one; old builds no reader holds are removed."""
        previous = current_build(self.root)
        tmp = self.root / f".{POINTER}.{uuid.uuid4().hex}"
        tmp.write_text(self.path.name, encoding="utf-8")
        os.replace(tmp, self.root / POINTER)
        keep = {self.path.name, previous.name if previous else ""}
        _remove_builds(self.root, lambda p: p.name not in keep)

    def abandon(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def new_build(index_dir: Path) -> IndexBuild:
    index_dir.mkdir(parents=True, exist_ok=True)
    name = time.strftime("build-%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    path = index_dir / name
    path.mkdir()
    (path / LEASE).touch()
    return IndexBuild(index_dir, path)


def current_build(index_dir: Path) -> Path | None:
    pointer = index_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not name.startswith("build-") or "/" in name:
        return None
    path = index_dir / name
    return path if (path / "meta.json").is_file() else None


@contextmanager
def ingest_lock(index_dir: Path, notify=None) -> Iterator[None]:
    """One ingest at a time per index folder; a second one waits for the first."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify:
                notify("Et andet indlæs er i gang – venter på, at det bliver færdigt …")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def remove_dead_builds(index_dir: Path) -> int:
    """Remove what a killed ingest left behind: builds that never became current (unfinished,
    or finished after the current one but not committed) and temporary pointer files. Call it
    only while holding `ingest_lock`, so nothing another ingest is still writing is touched;
    builds older than the current one are the commit's to keep or remove."""
    current = current_build(index_dir)

    def dead(p: Path) -> bool:
        if p == current:
            return False
        if not (p / "meta.json").is_file():
            return True
        return current is not None and _created(p) > _created(current)

    return _remove_builds(index_dir, dead)


def _created(build: Path) -> tuple[str, int]:
    """When a build was started: the time in its name, then its folder's time."""
    try:
        return build.name[len("build-") : len("build-YYYYmmdd-HHMMSS")], build.stat().st_mtime_ns
    except OSError:
        return build.name, 0


def _remove_builds(index_dir: Path, doomed, pointers: bool = True) -> int:
    """Remove the doomed builds that no reader holds (and what a killed removal left)."""
    removed = 0
    for p in index_dir.iterdir():
        if p.is_dir() and p.name.startswith("build-") and doomed(p):
            removed += _remove_unread(p)
        elif p.is_dir() and p.name.startswith(TRASH):
            shutil.rmtree(p, ignore_errors=True)
        elif pointers and p.name.startswith(f".{POINTER}."):
            p.unlink(missing_ok=True)
    return removed


def _remove_unread(build: Path) -> int:
    """Remove `build` unless a reader holds its lease: 1 when removed, else 0. It is renamed
    out of reach while the lease is held exclusively, so no reader can take it afterwards."""
    try:
        fd = os.open(build / LEASE, os.O_RDONLY)
    except FileNotFoundError:  # an unfinished build, or one from before leases: no reader
        fd = None
    except OSError:
        return 0
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # in use (or a file system without locks): kept, tried next commit
                return 0
        trash = build.with_name(f"{TRASH}{build.name}")
        try:
            build.rename(trash)
        except OSError:
            return 0
        shutil.rmtree(trash, ignore_errors=True)
        return 1
    finally:
        if fd is not None:
            os.close(fd)


class _Vanished(Exception):
    """The build the pointer named went away before it could be leased; read it again."""


def _lease(path: Path) -> int | None:
    """A shared lock on the build's lease, so no commit removes the build while it is read;
    None for a build from before leases. Raises `_Vanished` when the build is gone or going."""
    try:
        fd = os.open(path / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        if (path / "meta.json").is_file():
            return None  # written before builds had leases
        raise _Vanished from None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        if os.stat(path / LEASE).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(path)
    except (BlockingIOError, FileNotFoundError):  # being removed, or already renamed away
        os.close(fd)
        raise _Vanished from None
    except OSError:  # a file system without locks: read it unleased, as before leases
        os.close(fd)
        return None
    return fd


def check_build(path: Path, meta: dict, documents: object, chunks: object) -> str:
    """What is wrong with a build read back (empty when nothing): shapes, counts, files."""
    name = path.name
    stats = meta.get("stats") if isinstance(meta, dict) else None
    if not isinstance(stats, dict) or not isinstance(stats.get("chunks_by_kind"), dict):
        return f"Indekset {name} er beskadiget: meta.json har ikke den rette form"
    if not isinstance(documents, list) or not all(
        isinstance(d, dict) and isinstance(d.get("doc_id"), str) for d in documents
    ):
        return f"Indekset {name} er beskadiget: documents.json har ikke den rette form"
    if not isinstance(chunks, list) or not all(isinstance(c, dict) for c in chunks):
        return f"Indekset {name} er beskadiget: chunks.json har ikke den rette form"
    expected = sum(v for v in stats["chunks_by_kind"].values() if isinstance(v, int))
    if len(chunks) != expected or len(documents) != stats.get("documents"):
        return (
            f"Indekset {name} er beskadiget: det har {len(chunks)} afsnit og {len(documents)} "
            f"dokumenter, men meta.json siger {expected} og {stats.get('documents')}"
        )
    on_server = bool(meta.get("chroma_url"))  # the vectors are on a Chroma server
    parts = ("lexical/analyzer.json", "lexical/words") + (
        () if on_server else ("chroma/chroma.sqlite3",)
    )
    for part in parts:
        if not (path / part).exists():
            return f"Indekset {name} er beskadiget: {part} mangler"
    if not on_server:
        with open(path / "chroma" / "chroma.sqlite3", "rb") as f:
            if f.read(16) != SQLITE_HEADER:
                return f"Indekset {name} er beskadiget: chroma/chroma.sqlite3 er ikke en database"
    for d in documents:
        if not (path / "sources" / f"{d['doc_id']}.txt").is_file():
            return f"Indekset {name} er beskadiget: kildeteksten til {d['doc_id']} mangler"
    return ""


@dataclass
class StoredIndex:
    """A committed build as read back: its chunks, documents and metadata. While it is open
    it holds the build's lease, so the build's files stay; `close` (or leaving a `with`
    block, or garbage collection) lets the next commit remove it."""

    path: Path
    meta: dict
    documents: list[dict]
    chunks: list[Chunk]
    lease: int | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._release = weakref.finalize(self, _close_fd, self.lease)

    def close(self) -> None:
        self._release()

    def __enter__(self) -> StoredIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def open(cls, index_dir: Path) -> StoredIndex:
        """The current build, checked and leased; when the pointer's build went before it
        could be leased (ingests committed meanwhile) the pointer is read again."""
        for _ in range(OPEN_ATTEMPTS):
            path = current_build(index_dir)
            if path is None:
                raise IndexMissing(
                    f"Der er intet indeks i {index_dir}. Byg det med: python -m rag ingest"
                )
            try:
                lease = _lease(path)
            except _Vanished:
                continue
            try:
                return cls._read(path, lease)
            except _Vanished:
                continue
            except BaseException:
                _close_fd(lease)
                raise
        raise IndexMissing("Indekset blev skiftet ud, mens det blev læst. Prøv igen om et øjeblik.")

    @classmethod
    def _read(cls, path: Path, lease: int | None) -> StoredIndex:
        parts = {}
        for part in ("meta", "documents", "chunks"):
            try:
                parts[part] = json.loads((path / f"{part}.json").read_text(encoding="utf-8"))
            except FileNotFoundError:
                if not path.exists():  # an unleased build from before leases went away
                    raise _Vanished from None
                raise IndexDamaged(
                    f"Indekset {path.name} er beskadiget: {part}.json mangler"
                ) from None
            except (OSError, ValueError) as exc:
                raise IndexDamaged(
                    f"Indekset {path.name} er beskadiget: {part}.json kan ikke læses "
                    f"({type(exc).__name__})"
                ) from exc
        problem = check_build(path, parts["meta"], parts["documents"], parts["chunks"])
        if problem:
            raise IndexDamaged(problem)
        try:
            chunks = [Chunk.from_dict(c) for c in parts["chunks"]]
        except (TypeError, ValueError) as exc:
            raise IndexDamaged(
                f"Indekset {path.name} er beskadiget: chunks.json har ikke den rette form"
            ) from exc
        return cls(path, parts["meta"], parts["documents"], chunks, lease)

    @cached_property
    def public_names(self) -> tuple[str, ...]:
        """The people the material names ("Jody Hoffer Gittell"): not personal data when a
        question names them. Ingest keeps them in names.json; a build from before that has
        them read from its chunks."""
        try:
            names = json.loads((self.path / NAMES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            names = names_in(c.text for c in self.chunks)
        return tuple(n for n in names if isinstance(n, str))

    def source_text(self, doc_id: str) -> str:
        """The document text that chunk spans point into, as it was when the index was built."""
        if doc_id not in {d["doc_id"] for d in self.documents}:
            raise KeyError(f"ukendt dokument {doc_id!r}")
        return (self.path / "sources" / f"{doc_id}.txt").read_text(encoding="utf-8")


def _close_fd(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
