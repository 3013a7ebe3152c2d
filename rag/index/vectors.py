"""Dense search: passage vectors in a ChromaDB collection, embedded in the build's folder or,
for an organisation, on a Chroma server (`TILLID_CHROMA_URL`).

On a server every build gets a collection of its own, named after the build, so a new build is
written beside the one in use and taken into use by the same pointer swap as the rest of the
index; `drop_collections` removes those of builds that are gone.

A server that does not answer is `VectorsUnreachable` (a `ConnectionError`), never damage: the
search goes on with keywords alone until the server is back (rag/search/retrieve.py).

A `DenseIndex` owns its Chroma client: `close` (a `with` block, or garbage collection) releases
the client's files and sockets, which Chroma otherwise keeps open for the life of the process.

e5 reads at most 512 tokens, and a 400-word Danish chunk is longer than that, so each chunk is
embedded as sentence-aligned windows of about `WINDOW_WORDS` words, each prefixed with its
section title; a chunk scores as its best window.
"""

from __future__ import annotations

import contextlib
import errno
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings

from rag.documents import Chunk
from rag.index.embeddings import Embedder, EmbeddingCache
from rag.index.store import IndexDamaged
from rag.ingest.sentences import QuoteUnit, quote_units, split

COLLECTION = "passages"
WINDOW_WORDS = 40
# How many candidates HNSW examines per query. Chroma rebuilds the graph in every process with
# random levels, so with its default (100) two processes could return different neighbours
# for the same query. Up to EXACT_UP_TO windows the search examines them all: exact, the same
# in every process and still ≈ 4 ms (the material has ≈ 850). A larger collection keeps a
# bounded breadth, trading exactness for speed as HNSW is meant to (`python -m rag bench`).
EXACT_UP_TO = 5000
LARGE_EF_SEARCH = 100  # Chroma's own default


class VectorsUnreachable(ConnectionError):
    """The Chroma server does not answer (stopped, restarting, unreachable)."""


def ef_search(size: int) -> int:
    return max(100, size) if size <= EXACT_UP_TO else LARGE_EF_SEARCH


_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def windows(chunk: Chunk, size: int = WINDOW_WORDS) -> list[str]:
    """The texts embedded for one chunk: section title + a run of whole sentences."""
    return [text for _, _, text in window_spans(chunk, size)]


def window_spans(chunk: Chunk, size: int = WINDOW_WORDS) -> list[tuple[int, int, str]]:
    """Each window as (start, end) in `chunk.text` and the text that is embedded for it."""
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(chunk.text), None]:
        end = m.start() if m else len(chunk.text)
        if chunk.text[pos:end].strip():
            pieces.append((pos, end))
        pos = m.end() if m else len(chunk.text)
    groups: list[list[tuple[int, int]]] = [[]]
    count = 0
    for start, end in pieces:
        n = len(chunk.text[start:end].split())
        if groups[-1] and count + n > size:
            groups.append([])
            count = 0
        groups[-1].append((start, end))
        count += n
    head = chunk.section if chunk.section and chunk.section != chunk.title else chunk.title
    return [
        (g[0][0], g[-1][1], f"{head}\n{' '.join(chunk.text[a:b].strip() for a, b in g)}")
        for g in groups
        if g
    ]


def _client(folder: Path, url: str = "") -> chromadb.ClientAPI:
    """The embedded client for a build's folder, or the HTTP client of a Chroma server."""
    if not url:
        return chromadb.PersistentClient(
            path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
        )
    parsed = urlparse(url)
    try:
        return chromadb.HttpClient(
            host=parsed.hostname or "localhost",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as exc:  # the client checks the server at once and raises ValueError
        raise VectorsUnreachable(errno.ECONNREFUSED, f"Chroma-serveren {url} svarer ikke") from exc


def _create(client: chromadb.ClientAPI, name: str, size: int, url: str) -> chromadb.Collection:
    if url:  # a killed build may have left a half-written collection of this name
        with contextlib.suppress(Exception):
            client.delete_collection(name)
    return client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine", "ef_search": ef_search(size)}},
    )


def collection_name(folder: Path, url: str = "") -> str:
    """One collection per build on a server (`passages-<build>`); embedded, the folder is."""
    return f"{COLLECTION}-{folder.parent.name}" if url else COLLECTION


def drop_collections(url: str, keep: set[str]) -> int:
    """Remove the server's collections of builds no longer on disk (best effort)."""
    dropped = 0
    with contextlib.closing(_client(Path("."), url)) as client:
        for collection in client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(f"{COLLECTION}-build-") and name not in keep:
                client.delete_collection(name)
                dropped += 1
    return dropped


def _close_client(client: chromadb.ClientAPI | None) -> None:
    if client is not None:
        with contextlib.suppress(Exception):  # closing is best effort; it never hides a result
            client.close()


@dataclass
class DenseIndex:
    collection: chromadb.Collection
    size: int
    embedded: int = 0  # windows embedded by the build that made it (the rest came from cache)
    client: chromadb.ClientAPI | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._release = weakref.finalize(self, _close_client, self.client)
        self._held: _Held | None = None

    def hold(self) -> None:
        """Read every window's vector into this process, so that `search` ranks them here
        instead of asking Chroma: the same exact ranking Chroma gives a collection of up to
        `EXACT_UP_TO` windows, without its per-query overhead (≈ 10 ms of a warm answer)."""
        if self.size == 0:
            return
        self._held = self._read()

    def window_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every window's unit vector and its chunk's number, in the order they were added
        (what rag/measure/adapt.py fits the question map against)."""
        held = self._held if self._held is not None else self._read()
        return held.vectors, held.chunks

    def _read(self) -> _Held:
        got = self.collection.get(include=["embeddings", "metadatas"])
        order = np.argsort([int(i) for i in got["ids"]], kind="stable")
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(order), -1)
        metas = [got["metadatas"][i] for i in order]
        return _Held(
            _unit_rows(vectors[order]),
            np.array([int(m["chunk"]) for m in metas]),
            np.array([str(m["doc_id"]) for m in metas]),
            np.array([str(m["kind"]) for m in metas]),
        )

    def close(self) -> None:
        """Release the Chroma client (idempotent); searching afterwards is an error."""
        self._release()

    def __enter__(self) -> DenseIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def build(
        cls,
        folder: Path,
        chunks: list[Chunk],
        embedder: Embedder,
        cache: EmbeddingCache,
        vectors: np.ndarray | None = None,
        window_words: int = WINDOW_WORDS,
        progress=None,
        url: str = "",
    ) -> DenseIndex:
        """Embed (through the cache) and store every window; `vectors` skips embedding (bench),
        `url` writes to a Chroma server instead of `folder`."""
        texts: list[str] = []
        metas: list[dict] = []
        for i, chunk in enumerate(chunks):
            for text in windows(chunk, window_words):
                texts.append(text)
                metas.append({"chunk": i, "doc_id": chunk.doc_id, "kind": chunk.kind})
        embedded = 0
        if vectors is None and texts:
            vectors, embedded = cache.embed_passages(embedder, texts, progress)
        client = _client(folder, url)
        try:
            collection = _create(client, collection_name(folder, url), len(texts), url)
            step = 4000
            for i in range(0, len(texts), step):
                collection.add(
                    ids=[str(j) for j in range(i, min(i + step, len(texts)))],
                    embeddings=vectors[i : i + step],
                    metadatas=metas[i : i + step],
                    documents=texts[i : i + step],
                )
        except BaseException:
            _close_client(client)
            raise
        return cls(collection, len(texts), embedded, client)

    @classmethod
    def open(cls, folder: Path, url: str = "") -> DenseIndex:
        client = _client(folder, url)
        try:
            name = collection_name(folder, url)
            collection = client.get_collection(name, embedding_function=None)
            return cls(collection, collection.count(), client=client)
        except BaseException:
            _close_client(client)
            raise

    def probe(self) -> None:
        """Read one window back, so a damaged vector file fails here rather than in a search."""
        if self.size:
            got = self.collection.get(limit=1, include=["embeddings"])
            self.collection.query(query_embeddings=got["embeddings"][:1], n_results=1)

    def search(
        self, vector: np.ndarray, n: int, where: dict | None = None
    ) -> list[tuple[int, float]]:
        """(chunk number, cosine similarity) of the best chunks, best first."""
        if self.size == 0:
            return []
        if self._held is not None:
            return self._held.search(vector, min(self.size, n * 3), n, where)
        try:
            result = self.collection.query(
                query_embeddings=vector[None, :],
                n_results=min(self.size, n * 3),
                where=where,
                include=["metadatas", "distances"],
            )
        except (httpx.TransportError, ConnectionError) as exc:  # the server went away
            raise VectorsUnreachable(errno.ECONNREFUSED, f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # Chroma raises many kinds on damaged or vanished files
            raise IndexDamaged(f"Vektorindekset kan ikke læses ({type(exc).__name__})") from exc
        best: dict[int, float] = {}
        for meta, distance in zip(result["metadatas"][0], result["distances"][0], strict=True):
            chunk, similarity = int(meta["chunk"]), 1.0 - float(distance)
            if similarity > best.get(chunk, -2.0):
                best[chunk] = similarity
        return sorted(best.items(), key=lambda kv: -kv[1])[:n]


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 in float32, as Chroma's cosine space stores them."""
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors)) + np.float32(1e-30)
    return (vectors * (np.float32(1.0) / norms)[:, None]).astype(np.float32)


@dataclass
class _Held:
    """A collection's windows in memory: unit vectors, and per window its chunk number,
    document and kind (what a search's `where` filters on)."""

    vectors: np.ndarray
    chunks: np.ndarray
    doc_ids: np.ndarray
    kinds: np.ndarray

    def search(
        self, vector: np.ndarray, windows: int, n: int, where: dict | None
    ) -> list[tuple[int, float]]:
        """What `DenseIndex.search` gets from Chroma: the best `windows` windows by cosine
        distance (ties in window order), each chunk at its best window, the best `n`."""
        query = _unit_rows(np.asarray(vector, dtype=np.float32)[None, :])[0]
        rows = np.flatnonzero(self._mask(where))
        distances = (np.float32(1.0) - self.vectors @ query)[rows]
        order = np.argsort(distances, kind="stable")[:windows]
        best: dict[int, float] = {}
        for window, distance in zip(rows[order], distances[order], strict=True):
            chunk, similarity = int(self.chunks[window]), 1.0 - float(distance)
            if similarity > best.get(chunk, -2.0):
                best[chunk] = similarity
        return sorted(best.items(), key=lambda kv: -kv[1])[:n]

    def _mask(self, where: dict | None) -> np.ndarray:
        """The windows a Chroma `where` clause keeps: field equality, `$in` and `$and` (what
        rag/search/retrieve.py writes)."""
        if not where:
            return np.ones(len(self.chunks), dtype=bool)
        if "$and" in where:
            return np.logical_and.reduce([self._mask(w) for w in where["$and"]])
        ((name, wanted),) = where.items()
        values = {"doc_id": self.doc_ids, "kind": self.kinds}[name]
        if isinstance(wanted, dict):
            return np.isin(values, list(wanted["$in"]))
        return values == wanted


def answer_texts(chunk: Chunk, units: Sequence[QuoteUnit] | None = None) -> list[str]:
    """Every text of a chunk the answer step scores against a question, so that ingest embeds
    them all and no answer waits: each quotable unit (a sentence with the one it leans on or
    the list it announces) and each single sentence, heading and list item (a checklist item
    or an exercise step is scored by its sentences' vectors). `units`: the chunk's
    `quote_units`, when the caller has them."""
    texts = [u.text for u in (quote_units(chunk) if units is None else units)]
    texts += [s.text for s in split(chunk) if s.text.strip()]
    return list(dict.fromkeys(texts))
