"""The retrieve step: hybrid search over the index, as a `Searcher` and a LangChain retriever.

Lexical (BM25) finds the pamphlet's own words, dense finds paraphrases and English questions;
their rankings are fused by a weighted sum of normalised scores (weights tuned on
eval/questions.jsonl, see eval/README.md), then overlapping and duplicate passages collapse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .dedup import fold, shingles
from .documents import Chunk
from .embeddings import Embedder, QueryCache
from .language import danish_terms, detect_language
from .lexical import LexicalIndex
from .store import StoredIndex
from .vectors import DenseIndex

MODES = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class Fusion:
    """How the two rankings combine. `score`: w·dense + (1-w)·bm25 on max-normalised scores;
    `rrf`: reciprocal rank fusion, w/(rrf_k + rank)."""

    method: str = "score"
    dense_weight: float = 0.5
    # English questions lean on the glossary-translated lexical side: the small multilingual
    # model matches English to Danish less surely than it matches Danish to Danish.
    dense_weight_en: float = 0.3
    rrf_k: int = 60
    depth: int = 40  # candidates taken from each channel
    translate_dense: bool = False  # also give the dense model the glossary's Danish terms


@dataclass
class Hit:
    rank: int
    score: float
    chunk: Chunk
    channels: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "title": c.title,
            "section": c.section,
            "kind": c.kind,
            "page": c.page,
            "start": c.start,
            "end": c.end,
            "text": c.text,
        }

    def to_document(self) -> Document:
        meta = self.to_dict()
        text = meta.pop("text")
        return Document(page_content=text, metadata=meta, id=self.chunk.chunk_id)


class Searcher:
    """Everything needed to answer a query: chunks, both indexes and the query embedder."""

    def __init__(
        self,
        chunks: list[Chunk],
        lexical: LexicalIndex,
        dense: DenseIndex,
        embedder: Embedder,
        fusion: Fusion | None = None,
    ) -> None:
        self.chunks = chunks
        self.lexical = lexical
        self.dense = dense
        self.embedder = embedder
        self.embed_query = QueryCache(embedder)
        self.fusion = fusion or Fusion()
        self._doc_ids = np.array([c.doc_id for c in chunks])
        self._kinds = np.array([c.kind for c in chunks])
        self._shingles: dict[int, set] = {}
        self._position = {c.chunk_id: i for i, c in enumerate(chunks)}

    @classmethod
    def open(cls, index: StoredIndex, embedder: Embedder, fusion: Fusion | None = None) -> Searcher:
        return cls(
            index.chunks,
            LexicalIndex.load(index.path / "lexical"),
            DenseIndex.open(index.path / "chroma"),
            embedder,
            fusion,
        )

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        doc: str | None = None,
        kind: str | None = None,
    ) -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"Ukendt søgemåde {mode!r}; vælg en af {', '.join(MODES)}")
        if not query.strip() or not self.chunks:
            return []
        depth = max(self.fusion.depth, 2 * k)
        lexical_query = dense_query = query
        english = detect_language(query) == "en"
        if english:
            terms = danish_terms(query)
            lexical_query = f"{query} {terms}"
            if self.fusion.translate_dense:
                dense_query = lexical_query
        lexical = self._lexical(lexical_query, depth, doc, kind) if mode != "dense" else {}
        dense = self._dense(dense_query, depth, doc, kind) if mode != "bm25" else {}
        if mode == "bm25":
            fused = lexical
        elif mode == "dense":
            fused = dense
        else:
            weight = self.fusion.dense_weight_en if english else self.fusion.dense_weight
            fused = self._fuse(lexical, dense, weight)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        hits: list[Hit] = []
        for i, score in ranked:
            if any(self._repeats(i, h) for h in hits):
                continue
            channels = {"bm25": lexical.get(i, 0.0), "dense": dense.get(i, 0.0)}
            hits.append(Hit(len(hits) + 1, float(score), self.chunks[i], channels))
            if len(hits) == k:
                break
        return hits

    def timed_search(self, query: str, **kwargs: Any) -> tuple[list[Hit], float]:
        started = time.perf_counter()
        hits = self.search(query, **kwargs)
        return hits, time.perf_counter() - started

    def _mask(self, doc: str | None, kind: str | None) -> np.ndarray | None:
        if not doc and not kind:
            return None
        mask = np.ones(len(self.chunks), dtype=bool)
        if doc:
            mask &= self._doc_ids == doc
        if kind:
            mask &= self._kinds == kind
        return mask

    def _lexical(self, query: str, n: int, doc: str | None, kind: str | None) -> dict[int, float]:
        scores = self.lexical.scores(query, self._mask(doc, kind))
        top = np.argsort(-scores)[:n]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def _dense(self, query: str, n: int, doc: str | None, kind: str | None) -> dict[int, float]:
        where = [{"doc_id": doc}] if doc else []
        where += [{"kind": kind}] if kind else []
        clause = where[0] if len(where) == 1 else ({"$and": where} if where else None)
        return dict(self.dense.search(self.embed_query(query), n, clause))

    def _fuse(
        self, lexical: dict[int, float], dense: dict[int, float], w: float
    ) -> dict[int, float]:
        f = self.fusion
        if f.method == "rrf":
            fused: dict[int, float] = {}
            for weight, channel in ((1 - w, lexical), (w, dense)):
                order = sorted(channel, key=lambda i: -channel[i])
                for rank, i in enumerate(order, 1):
                    fused[i] = fused.get(i, 0.0) + weight / (f.rrf_k + rank)
            return fused
        top_lex = max(lexical.values(), default=0.0) or 1.0
        if dense:
            hi, lo = max(dense.values()), min(dense.values())
            spread = (hi - lo) or 1.0
        ids = set(lexical) | set(dense)
        return {
            i: (1 - w) * lexical.get(i, 0.0) / top_lex
            + (w * (dense[i] - lo) / spread if i in dense else 0.0)
            for i in ids
        }

    def _repeats(self, i: int, hit: Hit) -> bool:
        """True when chunk i says what an already ranked hit says (chunk overlap, scan copy)."""
        a, b = self.chunks[i], hit.chunk
        if a.doc_id == b.doc_id and a.start < b.end and b.start < a.end:
            overlap = min(a.end, b.end) - max(a.start, b.start)
            if overlap > 0.5 * min(a.end - a.start, b.end - b.start):
                return True
        mine, theirs = self._grams(i), self._grams(self._position[b.chunk_id])
        return bool(mine) and len(mine & theirs) > 0.8 * len(mine)

    def _grams(self, i: int) -> set:
        if i not in self._shingles:
            self._shingles[i] = shingles(fold(self.chunks[i].text))
        return self._shingles[i]


class TillidRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever; chunk fields come back as metadata."""

    searcher: Any
    k: int = 5
    mode: str = "hybrid"
    doc: str | None = None
    kind: str | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.searcher.search(query, k=self.k, mode=self.mode, doc=self.doc, kind=self.kind)
        return [h.to_document() for h in hits]
