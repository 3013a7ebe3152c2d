"""The ingest step: corpus folder → repaired, deduplicated, structured chunks in the index.

`python -m rag ingest` calls `ingest`; it does no work when neither the corpus nor the
chunking settings changed since the current build.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .config import Settings
from .dedup import deduplicate
from .documents import CHUNK_KINDS, Chunk, LoadProblem, SourceDocument
from .embeddings import Embedder, EmbeddingCache, load_embedder
from .layout import ParsedDocument, parse
from .lexical import Analysis, LexicalIndex
from .lexicon import Lexicon, diacritic_rate
from .loading import MANIFEST_NAME, corpus_files, load_corpus
from .ocr import OcrRepairer
from .sentences import statements
from .store import IndexMissing, StoredIndex, current_build, new_build
from .structure import sections
from .vectors import DenseIndex

# Bump when parsing or chunking changes the chunks, so every index is rebuilt.
CHUNKING_VERSION = "1"
# Bump when the lexical analysis or the dense windows change.
SEARCH_INDEX_VERSION = "2"
# Below this share of æ/ø/å among letters a Danish text is probably a damaged OCR copy.
OCR_SUSPECT_RATE = 0.004


@dataclass
class OcrReport:
    doc_id: str
    repaired: int
    tokens: int
    coverage_before: float
    coverage_after: float


@dataclass
class IngestReport:
    changed: bool
    seconds: float
    documents: int = 0
    chunks_by_kind: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    ocr: list[OcrReport] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    embedder: str = ""
    passages_embedded: int = 0
    passages_cached: int = 0
    sentences_embedded: int = 0
    rebuild_reason: str = ""

    @property
    def chunks(self) -> int:
        return sum(self.chunks_by_kind.values())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["problems"] = [{"path": str(p.path), "reason": p.reason} for p in self.problems]
        d["chunks"] = self.chunks
        return d


@dataclass
class BuildResult:
    documents: list[SourceDocument]
    chunks: list[Chunk]
    problems: list[LoadProblem]
    duplicates: list[dict]
    ocr: list[OcrReport]


def build_chunks(corpus_dir: Path, settings: Settings) -> BuildResult:
    """Everything between the files on disk and the list of chunks; no index is touched."""
    loaded = load_corpus(corpus_dir)
    docs = loaded.documents
    clean = [d for d in docs if not d.ocr and diacritic_rate(d.text) >= OCR_SUSPECT_RATE]
    lexicon = Lexicon(d.text for d in clean)
    repairer = OcrRepairer(lexicon)

    parsed: list[ParsedDocument] = []
    ocr_reports: list[OcrReport] = []
    for doc in docs:
        suspect = doc.ocr or (doc not in clean and diacritic_rate(doc.text) < OCR_SUSPECT_RATE)
        if not suspect:
            parsed.append(parse(doc, lexicon))
            continue
        raw = parse(doc, lexicon)
        fixed = parse(doc, lexicon, repairer)
        tokens, known_before = repairer.coverage([b.text.text for b in raw.blocks])
        _, known_after = repairer.coverage([b.text.text for b in fixed.blocks])
        if doc.ocr or fixed.ocr_repaired >= 0.01 * max(tokens, 1):
            parsed.append(fixed)
            ocr_reports.append(
                OcrReport(
                    doc.doc_id,
                    fixed.ocr_repaired,
                    tokens,
                    known_before / max(tokens, 1),
                    known_after / max(tokens, 1),
                )
            )
        else:
            parsed.append(raw)

    dedup = deduplicate(parsed)
    duplicates = [
        {
            "copy": copy,
            "original": original,
            "overlap": round(dedup.overlap[copy], 3),
            "dropped": dedup.dropped[copy],
            "kept": dedup.kept[copy],
        }
        for copy, original in dedup.copies.items()
    ]
    chunks: list[Chunk] = []
    for p in parsed:
        chunks.extend(chunk_document(p.doc, sections(p), settings))
    return BuildResult(docs, chunks, loaded.problems, duplicates, ocr_reports)


def corpus_fingerprint(corpus_dir: Path, settings: Settings) -> tuple[str, dict[str, str]]:
    """A hash of every corpus file and of the settings that shape chunks."""
    files: dict[str, str] = {}
    for path in [*corpus_files(corpus_dir), corpus_dir / MANIFEST_NAME]:
        if path.is_file():
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    shape = {
        "chunking_version": CHUNKING_VERSION,
        "target": settings.chunk_target_words,
        "max": settings.chunk_max_words,
        "min": settings.chunk_min_words,
        "overlap": settings.chunk_overlap_words,
        "embedder": settings.embedder,
        "search_index_version": SEARCH_INDEX_VERSION,
    }
    blob = json.dumps({"files": files, "shape": shape}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest(), files


def _embed_sentences(chunks: list[Chunk], embedder: Embedder, cache: EmbeddingCache) -> int:
    """Vectors for every sentence an answer may quote, cached now: otherwise the first question
    that reaches a passage waits about a second while its sentences are embedded."""
    texts = list(dict.fromkeys(s.text for c in chunks for s in statements(c)))
    if texts:
        cache.embed_passages(embedder, texts)
    return getattr(cache, "last_embedded", 0) if texts else 0


def ingest(
    settings: Settings, force: bool = False, embedder: Embedder | None = None
) -> IngestReport:
    """Build the index if the corpus or the settings changed (or `force`); else do nothing.

    `embedder` lets a long-lived caller (the app, the tests) reuse a loaded model.
    """
    started = time.perf_counter()
    fingerprint, files = corpus_fingerprint(settings.corpus_dir, settings)
    previous = current_build(settings.index_dir)
    old_meta = _read_meta(previous)
    if not force and old_meta and old_meta.get("fingerprint") == fingerprint:
        stats = old_meta.get("stats", {})
        return IngestReport(
            changed=False,
            seconds=time.perf_counter() - started,
            documents=stats.get("documents", 0),
            chunks_by_kind=stats.get("chunks_by_kind", {}),
        )

    reason = stale_reason(old_meta, settings) if old_meta else ""
    result = build_chunks(settings.corpus_dir, settings)
    embedder = embedder or load_embedder(settings.embedder)
    old_files = (old_meta or {}).get("files", {})
    by_kind = Counter(c.kind for c in result.chunks)
    report = IngestReport(
        changed=True,
        seconds=0.0,
        documents=len(result.documents),
        chunks_by_kind={k: by_kind[k] for k in CHUNK_KINDS if by_kind[k]},
        added=sorted(set(files) - set(old_files)),
        modified=sorted(n for n in files if n in old_files and old_files[n] != files[n]),
        removed=sorted(set(old_files) - set(files)),
        duplicates=result.duplicates,
        ocr=result.ocr,
        problems=result.problems,
        embedder=embedder.name,
        rebuild_reason=reason,
    )

    build = new_build(settings.index_dir)
    try:
        build.write_json("chunks.json", [asdict(c) for c in result.chunks])
        build.write_json(
            "documents.json",
            [
                {
                    "doc_id": d.doc_id,
                    "title": d.title,
                    "file": d.path.name,
                    "doc_kind": d.doc_kind,
                    "sha256": d.sha256,
                    "pages": len(d.page_starts) or None,
                    "copy_of": next(
                        (x["original"] for x in result.duplicates if x["copy"] == d.doc_id), None
                    ),
                }
                for d in result.documents
            ],
        )
        for d in result.documents:
            build.write_text(f"sources/{d.doc_id}.txt", d.text)
        LexicalIndex.build([lexical_text(c) for c in result.chunks], Analysis()).save(
            build.path / "lexical"
        )
        cache = EmbeddingCache(settings.embedding_cache)
        dense = DenseIndex.build(build.path / "chroma", result.chunks, embedder, cache)
        report.passages_embedded = getattr(cache, "last_embedded", 0)
        report.passages_cached = dense.size - report.passages_embedded
        report.sentences_embedded = _embed_sentences(result.chunks, embedder, cache)
        report.seconds = time.perf_counter() - started
        build.write_json(
            "meta.json",
            {
                "fingerprint": fingerprint,
                "files": files,
                "chunking_version": CHUNKING_VERSION,
                "search_index_version": SEARCH_INDEX_VERSION,
                "embedder": embedder.name,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "stats": {"documents": report.documents, "chunks_by_kind": report.chunks_by_kind},
                "report": report.to_dict(),
            },
        )
        build.commit()
    except BaseException:
        build.abandon()
        raise
    return report


def _read_meta(build: Path | None) -> dict | None:
    if build is None:
        return None
    try:
        return json.loads((build / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees of a chunk: its section heading carries words the body leaves out."""
    return f"{chunk.section}\n{chunk.text}"


class IndexStale(IndexMissing):
    """The index was built for other settings (embedding model, chunking); rebuild it."""


def stale_reason(meta: dict, settings: Settings) -> str:
    """Why an index built with `meta` cannot serve `settings` (empty when it can)."""
    built_with = meta.get("embedder")
    if built_with != settings.embedder:
        return (
            f"Indekset er bygget med embedding-modellen {built_with or 'ingen'}, "
            f"men {settings.embedder} er valgt"
        )
    if meta.get("chunking_version") != CHUNKING_VERSION:
        return "Indekset er bygget med en ældre opdeling af materialet"
    if meta.get("search_index_version") != SEARCH_INDEX_VERSION:
        return "Indekset er bygget med en ældre udgave af søgeindekset"
    return ""


def open_index(settings: Settings) -> StoredIndex:
    """The current index, or IndexStale when it cannot serve these settings."""
    index = StoredIndex.open(settings.index_dir)
    reason = stale_reason(index.meta, settings)
    if reason:
        raise IndexStale(f"{reason}. Byg det igen med: python -m rag ingest")
    return index


def ensure_index(settings: Settings, notify=print, embedder: Embedder | None = None) -> StoredIndex:
    """The current index; a stale one is rebuilt first, saying why (never silently wrong)."""
    try:
        return open_index(settings)
    except IndexStale as exc:
        notify(f"{str(exc).split('. Byg')[0]} – bygger indekset igen …")
        ingest(settings, force=True, embedder=embedder)
        return open_index(settings)
