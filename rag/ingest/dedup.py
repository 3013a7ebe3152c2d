"""Find documents that repeat another one (a scanned copy of a pamphlet) from their content.

A passage already present in the original is not indexed twice; a passage only the copy has
is kept. The manifest's `same_as` is not needed: overlap of word 3-grams decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.ingest.layout import ParsedDocument
from rag.text import plain_words, shingles

COPY_THRESHOLD = 0.5  # share of a document's 3-grams found in another to call it a copy
BLOCK_THRESHOLD = 0.5  # share of a passage's 3-grams found in the original to drop it


@dataclass
class DedupResult:
    copies: dict[str, str] = field(default_factory=dict)  # copy doc_id -> original doc_id
    overlap: dict[str, float] = field(default_factory=dict)  # copy doc_id -> share repeated
    dropped: dict[str, int] = field(default_factory=dict)  # doc_id -> passages dropped
    kept: dict[str, int] = field(default_factory=dict)  # doc_id -> passages only the copy has


def deduplicate(docs: list[ParsedDocument]) -> DedupResult:
    """Drop, in place, the blocks of copy documents that their original already has."""
    result = DedupResult()
    grams = {
        p.doc.doc_id: shingles([w for b in p.blocks for w in plain_words(b.text.text)])
        for p in docs
    }
    by_id = {p.doc.doc_id: p for p in docs}
    for p in docs:
        own = grams[p.doc.doc_id]
        if not own:
            continue
        best, share = None, 0.0
        for other_id, other in grams.items():
            if other_id == p.doc.doc_id or not other:
                continue
            s = len(own & other) / len(own)
            if s > share:
                best, share = other_id, s
        if best is None or share < COPY_THRESHOLD:
            continue
        # Of two documents that repeat each other, the copy is the OCR one, else the shorter.
        back = len(grams[best] & own) / len(grams[best])
        if back >= COPY_THRESHOLD and not _is_copy(p, by_id[best], back, share):
            continue
        result.copies[p.doc.doc_id] = best
        result.overlap[p.doc.doc_id] = share
    for copy_id, original_id in result.copies.items():
        copy, original_grams = by_id[copy_id], grams[original_id]
        original_text = " ".join(
            " ".join(plain_words(b.text.text)) for b in by_id[original_id].blocks
        )
        kept_blocks, dropped, kept = [], 0, 0
        for b in copy.blocks:
            words = plain_words(b.text.text)
            if b.type in ("heading", "title"):
                kept_blocks.append(b)  # headings carry structure, never indexed on their own
                continue
            if len(words) < 5:  # too short for 3-grams: look for the words in sequence
                duplicate = " ".join(words) in original_text
            else:
                g = shingles(words)
                duplicate = len(g & original_grams) / len(g) >= BLOCK_THRESHOLD
            if duplicate:
                dropped += 1
            else:
                kept += 1
                kept_blocks.append(b)
        copy.blocks = kept_blocks
        result.dropped[copy_id] = dropped
        result.kept[copy_id] = kept
    return result


def _is_copy(
    p: ParsedDocument, other: ParsedDocument, share_other: float, share_self: float
) -> bool:
    if p.doc.ocr != other.doc.ocr:
        return p.doc.ocr
    return share_self >= share_other
