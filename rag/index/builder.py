"""The index stage: chunks → a committed index build (BM25, Chroma windows, sentence vectors).

`python -m rag ingest` calls `ingest`: the ingest stage (rag/ingest/pipeline.py) turns the
corpus into chunks, this module writes them, their lexical and dense indexes and the vectors of
every quotable sentence into a new build and commits it. It does no work when neither the corpus
nor the settings that shape the index changed since the current build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from chromadb.errors import ChromaError

from rag.config import Settings
from rag.documents import CHUNK_KINDS, KIND_LABELS_DA, Chunk, LoadProblem
from rag.index.embeddings import Embedder, EmbeddingCache, load_embedder, vector_cache
from rag.index.lexical import Analysis, LexicalIndex
from rag.index.store import (
    NAMES,
    IndexBuild,
    IndexDamaged,
    IndexMissing,
    StoredIndex,
    current_build,
    ingest_lock,
    new_build,
    remove_dead_builds,
)
from rag.index.vectors import DenseIndex, answer_texts, collection_name, drop_collections
from rag.ingest.loading import MANIFEST_NAME, corpus_files
from rag.ingest.pipeline import BuildResult, OcrReport, build_chunks
from rag.ingest.sentences import SENTENCES_VERSION
from rag.names import names_in
from rag.storage import storage_problem
from rag.text import lexical_text

# Bump when parsing or chunking changes the chunks, so every index is rebuilt.
CHUNKING_VERSION = "17"
# Bump when the lexical analysis or the dense windows change.
SEARCH_INDEX_VERSION = "4"


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
    warnings: list[LoadProblem] = field(default_factory=list)
    embedder: str = ""
    windows: int = 0
    notices: list[str] = field(default_factory=list)
    passages_embedded: int = 0
    passages_cached: int = 0
    sentences_embedded: int = 0
    rebuild_reason: str = ""

    @property
    def chunks(self) -> int:
        return sum(self.chunks_by_kind.values())

    def to_dict(self) -> dict:
        d = asdict(self)
        for name in ("problems", "warnings"):
            d[name] = [{"path": str(p.path), "reason": p.reason} for p in getattr(self, name)]
        d["chunks"] = self.chunks
        return d


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
        "ocr_suspect_rate": settings.ocr_suspect_rate,
        "sentences_version": SENTENCES_VERSION,
        "chroma_url": settings.chroma_url,
    }
    blob = json.dumps({"files": files, "shape": shape}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest(), files


def _embed_sentences(
    chunks: list[Chunk], embedder: Embedder, cache: EmbeddingCache, progress=None
) -> int:
    """Vectors for every text an answer scores (each quotable unit and each sentence, heading
    and list item: `answer_texts`), cached now: otherwise the first question that reaches a
    passage, a checklist or an exercise waits seconds while its sentences are embedded."""
    texts = list(dict.fromkeys(t for c in chunks for t in answer_texts(c)))
    return cache.embed_passages(embedder, texts, progress).embedded


class IngestError(Exception):
    """The index could not be built (no usable file, a full or read-only disk); the message is
    Danish and says that the previous index, if any, is still the one in use."""


Notify = Callable[[str], None]


def ingest(
    settings: Settings,
    force: bool = False,
    embedder: Embedder | None = None,
    notify: Notify | None = None,
) -> IngestReport:
    """Build the index if the corpus or the settings changed, the current build is damaged, or
    `force`; else do nothing. `notify` hears progress lines (phases, embedding batches).

    `embedder` lets a long-lived caller (the app, the tests) reuse a loaded model.
    """
    say = _never_failing(notify)
    try:
        with ingest_lock(settings.index_dir, say):
            remove_dead_builds(settings.index_dir)
            return _ingest(settings, force, embedder, say)
    except (OSError, sqlite3.Error, ChromaError) as exc:
        raise IngestError(storage_problem(exc, "Indekset")) from exc


def _never_failing(notify: Notify | None) -> Notify:
    """`notify`, except that a line it cannot deliver (its reader went away: `| head`, a closed
    terminal) is dropped: an ingest never stops because nobody reads its progress."""

    def say(line: str) -> None:
        if notify is not None:
            with contextlib.suppress(OSError):
                notify(line)

    return say


def _ingest(
    settings: Settings, force: bool, embedder: Embedder | None, say: Notify
) -> IngestReport:
    started = time.perf_counter()
    fingerprint, files = corpus_fingerprint(settings.corpus_dir, settings)
    current = current_build(settings.index_dir)
    old_meta = _read_meta(current)
    damage = verify_build(settings.index_dir) if old_meta else ""
    if not force and not damage and old_meta and old_meta.get("fingerprint") == fingerprint:
        stats = old_meta.get("stats", {})
        return IngestReport(
            changed=False,
            seconds=time.perf_counter() - started,
            documents=stats.get("documents", 0),
            chunks_by_kind=stats.get("chunks_by_kind", {}),
        )
    say("Læser materialet …")
    result = build_chunks(settings.corpus_dir, settings, notify=say)
    if not result.chunks:
        raise IngestError(no_material(settings.corpus_dir, result, current is not None))
    embedder = embedder or load_embedder(settings.embedder)
    report = _changes(result, files, old_meta or {}, embedder.name)
    report.rebuild_reason = damage or (stale_reason(old_meta, settings) if old_meta else "")
    build = new_build(settings.index_dir)
    try:
        say(f"Skriver indekset: {report.documents} dokumenter, {report.chunks} afsnit …")
        _write_build(build, result, settings, embedder, report, say)
        report.seconds = time.perf_counter() - started
        build.write_json(
            "meta.json", _meta(fingerprint, files, embedder.name, report, settings.chroma_url)
        )
        say("Tager det nye indeks i brug …")
        build.commit()
    except BaseException:
        build.abandon()
        if settings.chroma_url:
            _drop_server_collections(settings)
        raise
    if settings.chroma_url:
        _drop_server_collections(settings)
    return report


def _drop_server_collections(settings: Settings) -> None:
    """The Chroma server keeps the collections of the builds on disk, nothing else."""
    builds = {p.name for p in settings.index_dir.iterdir() if p.name.startswith("build-")}
    keep = {collection_name(settings.index_dir / b / "chroma", settings.chroma_url) for b in builds}
    with contextlib.suppress(Exception):  # a cleanup; the next ingest tries again
        drop_collections(settings.chroma_url, keep)


def no_material(corpus_dir: Path, result: BuildResult, has_index: bool) -> str:
    """Why an ingest found nothing to index, in Danish, with each skipped file's reason."""
    lines = [f"Der er ingen brugbar tekst i materialemappen {corpus_dir.name}/."]
    lines += [f"Sprunget over: {p.path.name}: {p.reason}" for p in result.problems]
    lines.append(
        "Læg .txt-, .md-, .pdf-, .docx- eller .html-filer med tekst i mappen og indlæs igen. "
        + ("Det hidtidige indeks bruges fortsat." if has_index else "Der er endnu intet indeks.")
    )
    return "\n".join(lines)


def verify_build(index_dir: Path) -> str:
    """What is wrong with the current build (empty when nothing): opened and searched the way
    a reader will, so ingest repairs what a reader would trip over."""
    try:
        with StoredIndex.open(index_dir) as index:
            lexical = LexicalIndex.load(index.path / "lexical")
            with DenseIndex.open(index.path / "chroma", index.meta.get("chroma_url", "")) as dense:
                dense.probe()
    except IndexDamaged as exc:
        return exc.reason
    except IndexMissing:
        return ""
    except Exception as exc:  # bm25s, numpy and Chroma raise many kinds on damaged files
        return f"Søgeindekset kunne ikke åbnes ({type(exc).__name__})"
    if lexical.size != len(index.chunks):
        return "Søgeindekset passer ikke til afsnittene"
    windows = index.meta.get("windows")
    if windows is not None and windows != dense.size:
        return "Vektorindekset passer ikke til afsnittene"
    return ""


def _changes(
    result: BuildResult, files: dict[str, str], old_meta: dict, embedder: str
) -> IngestReport:
    """The report of a rebuild: what was found, and which files differ from the last build."""
    old_files = old_meta.get("files", {})
    by_kind = Counter(c.kind for c in result.chunks)
    return IngestReport(
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
        warnings=result.warnings,
        embedder=embedder,
    )


def _write_build(
    build: IndexBuild,
    result: BuildResult,
    settings: Settings,
    embedder: Embedder,
    report: IngestReport,
    say: Notify,
) -> None:
    """Chunks, documents, source texts, BM25, Chroma and sentence vectors into `build`."""
    build.write_json("chunks.json", [asdict(c) for c in result.chunks])
    copy_of = {x["copy"]: x["original"] for x in result.duplicates}
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
                "copy_of": copy_of.get(d.doc_id),
            }
            for d in result.documents
        ],
    )
    for d in result.documents:
        build.write_text(f"sources/{d.doc_id}.txt", d.text)
    build.write_json(NAMES, names_in(d.text for d in result.documents))  # not personal data
    texts = [lexical_text(c) for c in result.chunks]
    LexicalIndex.build(texts, Analysis()).save(build.path / "lexical")
    cache = vector_cache(settings)
    if cache.notice:
        report.notices.append(cache.notice)
    with DenseIndex.build(
        build.path / "chroma",
        result.chunks,
        embedder,
        cache,
        progress=progress(say, "tekstvinduer"),
        url=settings.chroma_url,
    ) as dense:
        report.windows = dense.size
    report.passages_embedded = dense.embedded
    report.passages_cached = dense.size - dense.embedded
    report.sentences_embedded = _embed_sentences(
        result.chunks, embedder, cache, progress(say, "sætninger")
    )


def progress(say: Notify, what: str) -> Callable[[int, int], None]:
    """A progress callback that says how far embedding is, about every tenth of the way."""
    shown = [-1]

    def tell(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        if step != shown[0]:
            shown[0] = step
            say(f"Embedder {what}: {done}/{total} …")

    return tell


def _meta(
    fingerprint: str, files: dict[str, str], embedder: str, report: IngestReport, chroma_url: str
) -> dict:
    return {
        "chroma_url": chroma_url,
        "fingerprint": fingerprint,
        "files": files,
        "chunking_version": CHUNKING_VERSION,
        "search_index_version": SEARCH_INDEX_VERSION,
        "embedder": embedder,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "stats": {"documents": report.documents, "chunks_by_kind": report.chunks_by_kind},
        "windows": report.windows,
        "report": report.to_dict(),
    }


def _read_meta(build: Path | None) -> dict | None:
    if build is None:
        return None
    try:
        meta = json.loads((build / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None  # a damaged meta.json: build anew


class IndexStale(IndexMissing):
    """The index was built for other settings (embedding model, chunking); rebuild it.

    `reason` says why in one Danish sentence without the advice to rebuild, for a page that
    offers a button instead of a command.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}. Byg det igen med: python -m rag ingest")
        self.reason = reason


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
    if meta.get("chroma_url", "") != settings.chroma_url:
        built, wanted = meta.get("chroma_url") or "indeksmappen", settings.chroma_url
        return f"Vektorindekset ligger i {built}, men {wanted or 'indeksmappen'} er valgt"
    return ""


def open_index(settings: Settings) -> StoredIndex:
    """The current index, or IndexStale when it cannot serve these settings."""
    index = StoredIndex.open(settings.index_dir)
    reason = stale_reason(index.meta, settings)
    if reason:
        index.close()
        raise IndexStale(reason)
    return index


def ensure_index(settings: Settings, notify=print, embedder: Embedder | None = None) -> StoredIndex:
    """The current index; a stale one is rebuilt first, saying why (never silently wrong)."""
    try:
        return open_index(settings)
    except IndexStale as exc:
        notify(f"{exc.reason} – bygger indekset igen …")
        ingest(settings, force=True, embedder=embedder)
        return open_index(settings)


def format_report(r: IngestReport) -> str:
    """The ingest summary as `python -m rag ingest` prints it, in Danish."""
    if not r.changed:
        return (
            f"Ingen ændringer i materialet – indekset er uændret "
            f"({r.documents} dokumenter, {r.chunks} afsnit; {r.seconds:.2f} s)."
        )
    lines = [f"Indlæst {r.documents} dokumenter og {r.chunks} afsnit på {r.seconds:.1f} s."]
    changes = [
        f"{label}: {', '.join(names)}"
        for label, names in (("tilføjet", r.added), ("ændret", r.modified), ("fjernet", r.removed))
        if names
    ]
    if changes:
        lines.append("Filer " + "; ".join(changes) + ".")
    if r.rebuild_reason:
        lines.append(f"Bygget igen: {r.rebuild_reason}.")
    lines.append(
        f"Søgeindeks: {r.passages_embedded} tekstvinduer embedded og {r.passages_cached} "
        f"hentet fra de medfølgende vektorer eller cachen ({r.embedder}); "
        f"{r.sentences_embedded} nye sætninger embedded."
    )
    lines.append("Afsnit pr. slags:")
    for kind, n in r.chunks_by_kind.items():
        lines.append(f"  {KIND_LABELS_DA.get(kind, kind):<12} ({kind}): {n}")
    for d in r.duplicates:
        lines.append(
            f"Dubletter: {d['copy']} gentager {d['original']} ({d['overlap']:.0%} af teksten); "
            f"{d['dropped']} afsnit droppet, {d['kept']} kun i kopien beholdt."
        )
    if not r.duplicates:
        lines.append("Dubletter: ingen fundet.")
    for o in r.ocr:
        lines.append(
            f"OCR-rettelser i {o.doc_id}: {o.repaired} ord rettet; ordforrådsdækning "
            f"{o.coverage_before:.1%} før og {o.coverage_after:.1%} efter ({o.tokens} ord)."
        )
    if not r.ocr:
        lines.append("OCR-rettelser: ingen.")
    for p in r.problems:
        lines.append(f"Sprunget over: {p.path.name}: {p.reason}")
    lines.extend(r.notices)
    for w in r.warnings:
        lines.append(f"Indlæst med advarsel fra PDF-læseren: {w.path.name}: {w.reason}")
    return "\n".join(lines)
