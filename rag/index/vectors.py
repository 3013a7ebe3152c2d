"""Dense search: passage vectors in a persistent ChromaDB collection.

e5 reads at most 512 tokens, and a 400-word Danish chunk is longer than that, so each chunk is
embedded as sentence-aligned windows of about `WINDOW_WORDS` words, each prefixed with its
section title; a chunk scores as its best window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from rag.documents import Chunk
from rag.index.embeddings import Embedder, EmbeddingCache

COLLECTION = "passages"
WINDOW_WORDS = 40
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def windows(chunk: Chunk, size: int = WINDOW_WORDS) -> list[str]:
    """The texts embedded for one chunk: section title + a run of whole sentences."""
    sentences = [s for s in _SENTENCE_END.split(chunk.text) if s.strip()]
    out: list[list[str]] = [[]]
    count = 0
    for sentence in sentences:
        n = len(sentence.split())
        if out[-1] and count + n > size:
            out.append([])
            count = 0
        out[-1].append(sentence.strip())
        count += n
    head = chunk.section if chunk.section and chunk.section != chunk.title else chunk.title
    return [f"{head}\n{' '.join(w)}" for w in out if w]


def _client(folder: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(
        path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
    )


@dataclass
class DenseIndex:
    collection: chromadb.Collection
    size: int
    embedded: int = 0  # windows embedded by the build that made it (the rest came from cache)

    @classmethod
    def build(
        cls,
        folder: Path,
        chunks: list[Chunk],
        embedder: Embedder,
        cache: EmbeddingCache,
        vectors: np.ndarray | None = None,
        window_words: int = WINDOW_WORDS,
    ) -> DenseIndex:
        """Embed (through the cache) and store every window; `vectors` skips embedding (bench)."""
        texts: list[str] = []
        metas: list[dict] = []
        for i, chunk in enumerate(chunks):
            for text in windows(chunk, window_words):
                texts.append(text)
                metas.append({"chunk": i, "doc_id": chunk.doc_id, "kind": chunk.kind})
        embedded = 0
        if vectors is None and texts:
            vectors, embedded = cache.embed_passages(embedder, texts)
        collection = _client(folder).create_collection(
            COLLECTION, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        step = 4000
        for i in range(0, len(texts), step):
            collection.add(
                ids=[str(j) for j in range(i, min(i + step, len(texts)))],
                embeddings=vectors[i : i + step],
                metadatas=metas[i : i + step],
                documents=texts[i : i + step],
            )
        return cls(collection, len(texts), embedded)

    @classmethod
    def open(cls, folder: Path) -> DenseIndex:
        collection = _client(folder).get_collection(COLLECTION, embedding_function=None)
        return cls(collection, collection.count())

    def search(
        self, vector: np.ndarray, n: int, where: dict | None = None
    ) -> list[tuple[int, float]]:
        """(chunk number, cosine similarity) of the best chunks, best first."""
        if self.size == 0:
            return []
        result = self.collection.query(
            query_embeddings=vector[None, :],
            n_results=min(self.size, n * 3),
            where=where,
            include=["metadatas", "distances"],
        )
        best: dict[int, float] = {}
        for meta, distance in zip(result["metadatas"][0], result["distances"][0], strict=True):
            chunk, similarity = int(meta["chunk"]), 1.0 - float(distance)
            if similarity > best.get(chunk, -2.0):
                best[chunk] = similarity
        return sorted(best.items(), key=lambda kv: -kv[1])[:n]
