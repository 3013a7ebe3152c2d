"""The ingest stage: the files of the corpus folder → repaired, deduplicated, structured chunks.

load (rag/ingest/loading.py) → repair and OCR (repair.py, ocr.py, lexicon.py) → blocks
(layout.py) → sections (structure.py) → drop what a copy repeats (dedup.py) → chunks
(chunking.py). Nothing here touches an index; rag/index/builder.py writes one from the chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.documents import Chunk, LoadProblem, SourceDocument
from rag.ingest.chunking import chunk_document
from rag.ingest.dedup import deduplicate
from rag.ingest.layout import ParsedDocument, parse
from rag.ingest.lexicon import Lexicon, diacritic_rate
from rag.ingest.loading import load_corpus
from rag.ingest.ocr import OcrRepairer
from rag.ingest.structure import sections
from rag.ingest.typeset import TypesetStats, parse_typeset


@dataclass
class OcrReport:
    doc_id: str
    repaired: int
    tokens: int
    coverage_before: float
    coverage_after: float


@dataclass
class BuildResult:
    documents: list[SourceDocument]
    chunks: list[Chunk]
    problems: list[LoadProblem]
    duplicates: list[dict]
    ocr: list[OcrReport]
    warnings: list[LoadProblem]
    # Typeset documents (PDF, Word, web pages): what their reader found, by document id.
    typeset: dict[str, TypesetStats] = field(default_factory=dict)


def build_chunks(corpus_dir: Path, settings: Settings, notify=None) -> BuildResult:
    """Everything between the files on disk and the list of chunks; no index is touched.

    `notify` hears a line per file read (file and pages), for a progress view."""
    loaded = load_corpus(corpus_dir, settings.max_file_mb, notify)
    docs = loaded.documents
    # Below this share of æ/ø/å among letters a Danish text is probably a damaged OCR copy.
    suspect_rate = settings.ocr_suspect_rate
    clean = [d for d in docs if not d.ocr and diacritic_rate(d.text) >= suspect_rate]
    lexicon = Lexicon(d.text for d in clean)
    repairer = OcrRepairer(lexicon)

    parsed: list[ParsedDocument] = []
    ocr_reports: list[OcrReport] = []
    typeset_stats: dict[str, TypesetStats] = {}
    for doc in docs:
        if doc.lines:
            typeset, stats = parse_typeset(doc, lexicon)
            parsed.append(typeset)
            typeset_stats[doc.doc_id] = stats
            continue
        suspect = doc.ocr or (doc not in clean and diacritic_rate(doc.text) < suspect_rate)
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
    return BuildResult(
        docs, chunks, loaded.problems, duplicates, ocr_reports, loaded.warnings, typeset_stats
    )
