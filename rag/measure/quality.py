"""How well ingest reads documents it was not written for: one quality line per document.

`tillidsguiden quality [FOLDER]` ingests a folder (default: the test collection that
`make testdocs` fetches into .cache/testdocs/) without writing an index, and prints per
document: chunks, chunks that carry a running head, chunks that are table-of-contents lines,
headings found (distinct section names) and mean words per chunk.

The running heads and contents lines are counted from the PDF's plain pypdf text, not from what
the reader decided, so the same measure judges an old reader and a new one: a running head is
a first or last line of a page that recurs (digits folded) on three pages or more; a contents
line ends in dot leaders and a page number.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.config import PROJECT_ROOT, Settings
from rag.documents import Chunk, SourceDocument
from rag.ingest.pipeline import BuildResult, build_chunks

COLLECTION_DIR = PROJECT_ROOT / ".cache" / "testdocs"
COLLECTION_FILE = PROJECT_ROOT / "tests" / "collection" / "collection.json"
TOC_LINE = re.compile(r"(?:\s?\.){4,}\s*(?:\d{1,4}|[ivxlc]{1,5})\b")
# Contents entries run together: "… navne 1 3 Arkitektur 1 3.1 Netværk 2".
TOC_RUN = re.compile(r"[^\W\d_]{3,}\s+\d{1,3}\s+\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÆØÅ]")


@dataclass
class QualityLine:
    doc_id: str
    pages: int
    chunks: int
    running_heads: int
    toc: int
    headings: int
    mean_words: float

    def row(self) -> str:
        return (
            f"{self.doc_id:<32} {self.pages:>5} {self.chunks:>6} {self.running_heads:>8} "
            f"{self.toc:>5} {self.headings:>9} {self.mean_words:>9.1f}"
        )


HEADER = (
    f"{'dokument':<32} {'sider':>5} {'afsnit':>6} {'løbehov.':>8} {'indh.':>5} "
    f"{'overskr.':>9} {'ord/afsn.':>9}"
)


def fold(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.casefold().split()))


def running_heads(doc: SourceDocument) -> set[str]:
    """First and last lines of the PDF's pages that recur on three pages or more."""
    if doc.path.suffix.lower() != ".pdf":
        return set()
    from pypdf import PdfReader

    pages: Counter[str] = Counter()
    for page in PdfReader(str(doc.path)).pages:
        try:
            lines = [ln.strip() for ln in (page.extract_text() or "").splitlines() if ln.strip()]
        except Exception:
            continue
        pages.update({fold(ln) for ln in lines[:1] + lines[-1:]})
    return {k for k, n in pages.items() if n >= 3 and len(re.sub(r"[\W#]", "", k)) >= 6}


def head_spans(doc: SourceDocument, heads: set[str]) -> list[tuple[int, int]]:
    """Where in the document's text a page's first or last line is a running head."""
    if not doc.page_starts:
        return []
    spans = []
    for page_start, page_end in zip(
        doc.page_starts, [*doc.page_starts[1:], len(doc.text)], strict=True
    ):
        found = [
            (page_start + m.start(), page_start + m.end())
            for m in re.finditer(r"[^\n\f]+", doc.text[page_start:page_end])
            if m.group(0).strip()
        ]
        for a, b in found[:2] + found[-2:]:
            if fold(doc.text[a:b].strip()) in heads:
                spans.append((a, b))
    return spans


def covered(chunk: Chunk) -> list[tuple[int, int]]:
    """The stretches of the source file the chunk's text is made of."""
    anchors = chunk.anchors or [(0, chunk.start)]
    ends = [a for a, _ in anchors[1:]] + [len(chunk.text)]
    return [(src, src + (end - pos)) for (pos, src), end in zip(anchors, ends, strict=True)]


def has_running_head(chunk: Chunk, spans: list[tuple[int, int]], heads: set[str]) -> bool:
    if any(fold(part) in heads for part in chunk.section.split(" › ")):
        return True
    return any(a < hb and ha < b for a, b in covered(chunk) for ha, hb in spans)


def is_toc(chunk: Chunk) -> bool:
    return len(TOC_LINE.findall(chunk.text)) + len(TOC_RUN.findall(chunk.text)) >= 3


def headings_found(chunks: list[Chunk], title: str) -> int:
    names = {c.section.split(" › ")[-1] for c in chunks}
    return len(names - {title, "Indledning"})


def quality(result: BuildResult) -> list[QualityLine]:
    out = []
    for doc in result.documents:
        chunks = [c for c in result.chunks if c.doc_id == doc.doc_id]
        heads = running_heads(doc)
        spans = head_spans(doc, heads)
        words = [len(c.text.split()) for c in chunks]
        out.append(
            QualityLine(
                doc.doc_id,
                len(doc.page_starts),
                len(chunks),
                sum(has_running_head(c, spans, heads) for c in chunks),
                sum(is_toc(c) for c in chunks),
                headings_found(chunks, doc.title),
                sum(words) / len(words) if words else 0.0,
            )
        )
    return out


def measure_folder(folder: Path, settings: Settings) -> list[QualityLine]:
    return quality(build_chunks(folder, settings))


def format_quality(lines: list[QualityLine]) -> str:
    return "\n".join([HEADER, *(ln.row() for ln in lines)])


def as_dicts(lines: list[QualityLine]) -> list[dict]:
    return [asdict(ln) for ln in lines]
