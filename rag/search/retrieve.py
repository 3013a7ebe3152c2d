"""The retrieve step: hybrid search over the index, as a `Searcher` and a LangChain retriever.

Lexical (BM25) finds the pamphlet's own words, dense finds paraphrases and English questions;
their rankings are fused by a weighted sum of normalised scores (weights tuned on
eval/questions.jsonl, see eval/README.md), then overlapping and duplicate passages collapse.

When the Chroma server does not answer, the candidates come from BM25 alone (`keyword_only`
says so, for the answer's notice); they are still scored by their vectors, read from the vector
cache that holds what the server holds (the same windows, the same model), so the fusion and the
answer's evidence work as usual. The server is tried again every `chroma_retry_seconds`: search
recovers by itself, and what it found without the server is not remembered as a hybrid result.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from rag.config import Settings
from rag.documents import Chunk
from rag.index.builder import ensure_index
from rag.index.embeddings import Embedder, EmbeddingCache, QueryCache, load_embedder, vector_cache
from rag.index.lexical import LexicalIndex
from rag.index.store import IndexDamaged, StoredIndex
from rag.index.vectors import DenseIndex, VectorsUnreachable, windows
from rag.search.adapter import QueryAdapter, load_adapter
from rag.search.question import Question
from rag.text import plain_words, shingles

MODES = ("hybrid", "bm25", "dense")
# Recent searches remembered per process: repeated questions (a trainer's examples, a page
# rerun) return at once.
RECENT_SEARCHES = 256
# Seconds between attempts to reach a Chroma server that did not answer.
CHROMA_RETRY_SECONDS = Settings.chroma_retry_seconds
# A build's own vector index of up to this many windows is searched in this process.
DENSE_IN_MEMORY_UP_TO = Settings.dense_in_memory_up_to


@dataclass(frozen=True)
class Fusion:
    """How the two rankings combine. `score`: w·dense + (1-w)·bm25 on max-normalised scores;
    `rrf`: reciprocal rank fusion, w/(rrf_k + rank)."""

    method: str = "score"
    dense_weight: float = 0.5
    # English questions lean on the glossary-translated lexical side: the small multilingual
    # model matches English to Danish less surely than it matches Danish to Danish.
    dense_weight_en: float = 0.4
    rrf_k: int = 60
    depth: int = 40  # candidates taken from each channel
    translate_dense: bool = False  # also give the dense model the glossary's Danish terms

    @classmethod
    def from_settings(cls, settings: Settings) -> Fusion:
        return cls(
            dense_weight=settings.dense_weight,
            dense_weight_en=settings.dense_weight_en,
            depth=settings.fusion_depth,
        )


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
    """Everything needed to answer a query: chunks, both indexes and the query embedder.

    It holds the build it reads (its lease, so no ingest removes the files under it) and a
    Chroma client: `close` it, or use it in a `with` block, when done."""

    def __init__(
        self,
        chunks: list[Chunk],
        lexical: LexicalIndex,
        dense: DenseIndex | None,
        embedder: Embedder,
        fusion: Fusion | None = None,
        index: StoredIndex | None = None,
        owns_index: bool = False,
        reconnect: Callable[[], DenseIndex] | None = None,
        retry_seconds: float = CHROMA_RETRY_SECONDS,
        window_cache: EmbeddingCache | None = None,
        adapter: QueryAdapter | None = None,
    ) -> None:
        self.index = index  # kept: its lease keeps the build's files while this searches
        self._owns_index = owns_index
        self.chunks = chunks
        self.lexical = lexical
        self.dense = dense  # None while the Chroma server does not answer
        # Why the vectors are away (technical, for maintainers); empty while they answer.
        self.vectors_problem = "" if dense is not None else "Chroma-serveren svarer ikke"
        self._reconnect = reconnect
        self._retry_seconds = retry_seconds
        self._tried = time.monotonic()
        self._dense_lock = threading.Lock()
        # While the server is away: the windows' vectors, from the cache (material only).
        self._window_cache = window_cache
        self._windows: dict[int, np.ndarray] = {}
        self.embedder = embedder
        self.embed_query = QueryCache(embedder)
        # Moves question vectors towards the passages that answer them (dense channel only).
        self.adapter = adapter
        self._recent: OrderedDict[tuple, list[Hit]] = OrderedDict()
        self.fusion = fusion or Fusion()
        self._doc_ids = np.array([c.doc_id for c in chunks])
        self._kinds = np.array([c.kind for c in chunks])
        self._shingles: dict[int, set] = {}
        self._position = {c.chunk_id: i for i, c in enumerate(chunks)}

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        index: StoredIndex | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> Searcher:
        """The searcher for `settings`: the current index (a stale one rebuilt first, saying so
        through `notify`), the configured embedder and fusion. Pass a loaded `embedder` or an
        opened `index` to reuse them."""
        embedder = embedder or load_embedder(settings.embedder)
        fusion = Fusion.from_settings(settings)
        away = {"retry_seconds": settings.chroma_retry_seconds}  # a Chroma server not answering
        away["in_memory_up_to"] = settings.dense_in_memory_up_to
        if settings.chroma_url:
            away["window_cache"] = vector_cache(settings)
        if settings.query_adapter:
            away["adapter"] = load_adapter(embedder.name)
        if index is not None:
            return cls.from_index(index, embedder, fusion, **away)
        index = ensure_index(settings, notify=notify or _to_stderr, embedder=embedder)
        try:
            return cls.from_index(index, embedder, fusion, owns_index=True, **away)
        except BaseException:
            index.close()
            raise

    @classmethod
    def from_index(
        cls,
        index: StoredIndex,
        embedder: Embedder,
        fusion: Fusion | None = None,
        owns_index: bool = False,
        retry_seconds: float = CHROMA_RETRY_SECONDS,
        window_cache: EmbeddingCache | None = None,
        in_memory_up_to: int = DENSE_IN_MEMORY_UP_TO,
        adapter: QueryAdapter | None = None,
    ) -> Searcher:
        """The searcher over an opened index; `owns_index`: `close` closes the index too. A
        Chroma server that does not answer leaves it searching by keywords until it does. A
        build's own vector index of up to `in_memory_up_to` windows is searched in memory."""
        url = index.meta.get("chroma_url", "")

        def reconnect() -> DenseIndex:
            dense = DenseIndex.open(index.path / "chroma", url)
            if not url and dense.size <= in_memory_up_to:
                dense.hold()
            return dense

        try:
            lexical = LexicalIndex.load(index.path / "lexical")
            try:
                dense = reconnect()
            except VectorsUnreachable:
                dense = None
        except Exception as exc:  # bm25s, numpy and Chroma raise many kinds on damaged files
            where = "på Chroma-serveren" if url else f"i {index.path.name}"
            raise IndexDamaged(
                f"Søgeindekset {where} kan ikke åbnes ({type(exc).__name__})"
            ) from exc
        return cls(
            index.chunks,
            lexical,
            dense,
            embedder,
            fusion,
            index,
            owns_index,
            reconnect=reconnect if url else None,
            retry_seconds=retry_seconds,
            window_cache=window_cache,
            adapter=adapter,
        )

    @property
    def public_names(self) -> tuple[str, ...]:
        """The material's people (the index lists them): no personal data in a question."""
        return self.index.public_names if self.index is not None else ()

    @property
    def keyword_only(self) -> bool:
        """True while the vectors' server does not answer: searches use BM25 alone."""
        return self.dense is None

    def close(self) -> None:
        """Release the Chroma client, and the index when this searcher opened it."""
        if self.dense is not None:
            self.dense.close()
        if self._owns_index and self.index is not None:
            self.index.close()

    def __enter__(self) -> Searcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clear_caches(self) -> None:
        """Forget recent searches and question vectors (both only ever in memory), so a
        benchmark times questions as never seen."""
        self._recent.clear()
        self.embed_query.clear()

    def adapted(self, vector: np.ndarray) -> np.ndarray:
        """A question's vector through the question map, as the dense channel compares it
        (unchanged without one)."""
        return self.adapter.apply(vector) if self.adapter is not None else vector

    def analyse(self, text: str, searched: str | None = None) -> Question:
        """The question as this index's analyzer sees it (see rag/search/question.py)."""
        return Question.analyse(text, self.lexical.analyzer, searched)

    def search(
        self,
        query: str | Question,
        k: int = 5,
        mode: str = "hybrid",
        doc: str | tuple[str, ...] | None = None,
        kind: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The `k` best passages; `doc` keeps one document or several (a copy and its
        original), `kind` one kind of passage. `vector`: the question's vector when the caller
        has it (pooled from a question's parts, `QueryCache.joined`), else it is embedded."""
        if mode not in MODES:
            raise ValueError(f"Ukendt søgemåde {mode!r}; vælg en af {', '.join(MODES)}")
        question = query if isinstance(query, Question) else self.analyse(query)
        if not question.searched or not self.chunks:
            return []
        doc = (doc,) if isinstance(doc, str) else tuple(doc or ())
        key = (question.searched, question.lexical_terms, k, mode, doc, kind, self.fusion)
        key += (id(self.lexical), id(self.adapter), None if vector is None else vector.tobytes())
        if key in self._recent:
            self._recent.move_to_end(key)
        else:
            hits = self._search(question, k, mode, doc, kind, vector)
            if mode != "bm25" and self.keyword_only:  # found without vectors: not remembered
                return hits
            self._recent[key] = hits
            if len(self._recent) > RECENT_SEARCHES:
                self._recent.popitem(last=False)
        # Copies: the assistant re-ranks the hits it gets.
        return [replace(h, channels=dict(h.channels)) for h in self._recent[key]]

    def _search(
        self,
        question: Question,
        k: int,
        mode: str,
        doc: tuple[str, ...],
        kind: str | None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        depth = max(self.fusion.depth, 2 * k)
        text = self.dense_text(question)

        def embedded() -> np.ndarray:  # embedded only when the dense side is asked
            return self.adapted(vector if vector is not None else self.embed_query(text))

        dense = self._dense(embedded, depth, doc, kind) if mode != "bm25" else {}
        away = mode != "bm25" and self.keyword_only  # the vectors' server does not answer
        lexical = self._lexical(question, depth, doc, kind) if mode != "dense" or away else {}
        if away:
            dense = self._scored_here(embedded, lexical)
            mode = "hybrid" if dense else "bm25"
        if mode == "bm25":
            fused = lexical
        elif mode == "dense":
            fused = dense
        else:
            weight = self.fusion.dense_weight_en if question.english else self.fusion.dense_weight
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

    def timed_search(self, query: str | Question, **kwargs: Any) -> tuple[list[Hit], float]:
        started = time.perf_counter()
        hits = self.search(query, **kwargs)
        return hits, time.perf_counter() - started

    def _mask(self, doc: tuple[str, ...], kind: str | None) -> np.ndarray | None:
        if not doc and not kind:
            return None
        mask = np.ones(len(self.chunks), dtype=bool)
        if doc:
            mask &= np.isin(self._doc_ids, doc)
        if kind:
            mask &= self._kinds == kind
        return mask

    def _lexical(
        self, question: Question, n: int, doc: tuple[str, ...], kind: str | None
    ) -> dict[int, float]:
        scores = self.lexical.scores(
            question.lexical_query, self._mask(doc, kind), terms=question.lexical_terms
        )
        top = np.argsort(-scores)[:n]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def dense_text(self, question: Question) -> str:
        """The text the dense channel embeds for `question`."""
        translate = question.english and self.fusion.translate_dense
        return question.lexical_query if translate else question.searched

    def _dense(
        self, embedded: Callable[[], np.ndarray], n: int, doc: tuple[str, ...], kind: str | None
    ) -> dict[int, float]:
        where = [{"doc_id": doc[0] if len(doc) == 1 else {"$in": list(doc)}}] if doc else []
        where += [{"kind": kind}] if kind else []
        clause = where[0] if len(where) == 1 else ({"$and": where} if where else None)
        dense = self._vectors()
        if dense is None:
            return {}
        try:
            return dict(dense.search(embedded(), n, clause))
        except VectorsUnreachable as exc:
            self._lost(dense, str(exc))
            return {}

    def _scored_here(
        self, embedded: Callable[[], np.ndarray], candidates: dict[int, float]
    ) -> dict[int, float]:
        """The dense channel's similarity for these candidates, computed here from their
        windows' cached vectors (what the server would have said for them); {} without a
        cache."""
        if self._window_cache is None or not candidates:
            return {}
        q = embedded()
        q = q / (np.linalg.norm(q) or 1.0)
        scores = {}
        for i in candidates:
            if i not in self._windows:
                texts = windows(self.chunks[i])
                vectors = self._window_cache.embed_passages(self.embedder, texts).vectors
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                self._windows[i] = vectors / np.where(norms == 0, 1.0, norms)
            scores[i] = float((self._windows[i] @ q).max()) if len(self._windows[i]) else 0.0
        return scores

    def _vectors(self) -> DenseIndex | None:
        """The dense index; while its server is away, another try once the pause has passed."""
        if self.dense is not None or self._reconnect is None:
            return self.dense
        with self._dense_lock:
            if self.dense is None and time.monotonic() - self._tried >= self._retry_seconds:
                self._tried = time.monotonic()
                try:
                    self.dense = self._reconnect()
                    self.vectors_problem = ""
                except VectorsUnreachable as exc:
                    self.vectors_problem = str(exc)
                except Exception as exc:  # back, but without this build's collection
                    self.vectors_problem = f"{type(exc).__name__}: {exc}"
        return self.dense

    def _lost(self, dense: DenseIndex, problem: str) -> None:
        with self._dense_lock:
            if self.dense is dense:
                # Not closed here: another session may still be in a search with it; the
                # client is released when the last one lets go (DenseIndex's finalizer).
                self.dense, self.vectors_problem = None, problem
                self._tried = time.monotonic()

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
            self._shingles[i] = shingles(plain_words(self.chunks[i].text))
        return self._shingles[i]


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


class TillidRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever; chunk fields come back as metadata.

    `k`, `mode`, `doc` and `kind` are defaults a call may override, as LangChain's
    retrievers allow: `retriever.invoke(question, k=1, kind="checklist")`."""

    searcher: Any
    k: int = 5
    mode: str = "hybrid"
    doc: str | None = None
    kind: str | None = None

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        mode: str | None = None,
        doc: str | None = None,
        kind: str | None = None,
    ) -> list[Document]:
        hits = self.searcher.search(
            query,
            k=self.k if k is None else k,
            mode=mode or self.mode,
            doc=doc or self.doc,
            kind=kind or self.kind,
        )
        return [h.to_document() for h in hits]
