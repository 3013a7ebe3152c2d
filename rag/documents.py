"""Typed data passed between the steps of the flow (load → repair → chunk → index → answer)."""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

# What a chunk is, in words a manager and a trainer use (docs/ingestion.md, "Chunk kinds").
CHUNK_KINDS = (
    "section",
    "case",
    "checklist",
    "exercise",
    "recommendation",
    "initiative",
    "research",
    "reference",
)

KIND_LABELS_DA = {
    "section": "Afsnit",
    "case": "Case",
    "checklist": "Tjekliste",
    "exercise": "Øvelse",
    "recommendation": "Anbefaling",
    "initiative": "Initiativ",
    "research": "Forskning",
    "reference": "Litteratur",
}


@dataclass(frozen=True)
class StyledLine:
    """One printed line of a typeset document (PDF, Word, web page) and how it looks.

    `start`/`end` point into `SourceDocument.text`. `size` is the font size in points, `x`/`y`
    the line's start on its page (PDF: points from the bottom left; 0 where there is no page).
    `level` is a heading level the format states itself (Word's "Heading 2", HTML's h2; 0 =
    none stated, the reader infers it), `item` a list item the format marks as one.
    """

    start: int
    end: int
    page: int
    size: float
    bold: bool = False
    x: float = 0.0
    y: float = 0.0
    level: int = 0
    item: bool = False
    gap_after: bool = False  # the format ends a paragraph here (Word, HTML)


@dataclass(frozen=True)
class SourceDocument:
    """One file of the corpus as read from disk; `text` is what spans point into."""

    doc_id: str
    title: str
    path: Path
    text: str
    doc_kind: str = "document"
    language: str = "da"
    ocr: bool = False
    same_as: str | None = None
    # For PDFs: character offset in `text` where each page starts (page 1 first).
    page_starts: tuple[int, ...] = ()
    sha256: str = ""
    # Typeset documents: every line with its look; empty for plain text and Markdown.
    lines: tuple[StyledLine, ...] = ()
    # What the reader noticed while reading (Danish), e.g. pages without a text layer.
    notes: tuple[str, ...] = ()

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read; the reason is shown to the user in Danish."""

    path: Path
    reason: str


@dataclass
class Chunk:
    """A citable passage: repaired text plus where it sits in the source file."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    kind: str
    start: int
    end: int
    page: int | None
    text: str
    # (position in `text`, position in the source file) at every point where the mapping jumps;
    # lets a sentence of `text` be traced back to its exact span in the source.
    anchors: list[tuple[int, int]] = field(default_factory=list)

    def source_span(self, i: int, j: int) -> tuple[int, int]:
        """Source-file span of `text[i:j]`."""
        return _map_pos(self.anchors, i), _map_pos(self.anchors, max(i, j - 1)) + 1

    def public_dict(self) -> dict:
        d = asdict(self)
        d.pop("anchors")
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        d = dict(d)
        d["anchors"] = [tuple(a) for a in d.get("anchors", [])]
        return cls(**d)


def _map_pos(anchors: list[tuple[int, int]], pos: int) -> int:
    if not anchors:
        return pos
    keys = [a[0] for a in anchors]
    k = max(0, bisect.bisect_right(keys, pos) - 1)
    text_pos, src_pos = anchors[k]
    return src_pos + (pos - text_pos)


@dataclass
class Citation:
    """What a marker `[n]` in an answer points at: the exact sentences quoted from one chunk.

    `spans` are the quoted stretches in `chunk.text`, in order and never overlapping: two
    sentences quoted from one passage are two spans, not the whole range between them.
    `text_start`/`text_end` enclose them all.
    """

    n: int
    chunk: Chunk
    text_start: int  # offsets in chunk.text
    text_end: int
    spans: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.spans:
            self.spans = [(self.text_start, self.text_end)]

    def add(self, start: int, end: int) -> None:
        """Quote one more stretch of the same chunk (merged with any it touches)."""
        merged: list[tuple[int, int]] = []
        for a, b in sorted([*self.spans, (start, end)]):
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self.spans = merged
        self.text_start, self.text_end = merged[0][0], merged[-1][1]

    def span_quotes(self) -> list[str]:
        return [" ".join(self.chunk.text[a:b].split()) for a, b in self.spans]

    @property
    def quote(self) -> str:
        """The quoted sentences; a gap between two of them is shown as " … "."""
        return " … ".join(self.span_quotes())

    @property
    def span(self) -> tuple[int, int]:
        """Offsets of the whole quote in the source file."""
        return self.chunk.source_span(self.text_start, self.text_end)

    def record(self) -> dict:
        """Everything needed to show this citation again later, even after the index changed."""
        return {
            "n": self.n,
            "chunk": asdict(self.chunk),
            "text_start": self.text_start,
            "text_end": self.text_end,
            "spans": [list(s) for s in self.spans],
        }

    @classmethod
    def from_record(cls, d: dict) -> Citation:
        spans = [(int(a), int(b)) for a, b in d["spans"]]
        return cls(d["n"], Chunk.from_dict(d["chunk"]), d["text_start"], d["text_end"], spans)

    def to_dict(self) -> dict:
        c = self.chunk
        start, end = self.span
        return {
            "n": self.n,
            "doc_id": c.doc_id,
            "title": c.title,
            "section": c.section,
            "kind": c.kind,
            "page": c.page,
            "quote": self.quote,
            "start": start,
            "end": end,
            "spans": [
                dict(zip(("start", "end"), c.source_span(a, b), strict=True), quote=q)
                for (a, b), q in zip(self.spans, self.span_quotes(), strict=True)
            ],
            "chunk_id": c.chunk_id,
        }


@dataclass
class Answer:
    """One answer as shown to the user; `standalone` is the question as it was searched."""

    question: str
    text: str
    refused: bool
    mode: str  # "uddrag" (extracts, no LLM) or "llm"
    citations: list[Citation]
    language: str = "da"
    standalone: str = ""
    notice: str | None = None  # e.g. the LLM failed and extracts were used instead
    flagged: list[str] = field(default_factory=list)  # markers removed as unsupported
    strength: float = 0.0
    seconds: float = 0.0
    # The material covers the topic but not what was asked (a number, a date, a name, or
    # some of the question's terms); the answer says so before giving what it has.
    partial: bool = False
    # The signals the answer/partial/refuse decision was made from, by name (rag ask --json).
    evidence: dict = field(default_factory=dict)
    # Kinds of personal data the question held (rag.privacy.KINDS: cpr, email, phone, name,
    # health, religion, …); `question` holds placeholders instead, and the original is nowhere
    # in the answer.
    personal_data: list[str] = field(default_factory=list)
    # The LLM mode's check of each sentence against its source (rag/answer/grounding.py),
    # and why the model's answer was not shown, if it was not.
    grounding: dict = field(default_factory=dict)
    # The passages the search returned, best first, with their scores (no text: the chunk id
    # finds it), kept so a maintainer can later see why the answer came out as it did.
    passages: list[dict] = field(default_factory=list)

    def record(self) -> dict:
        """The answer as stored with a conversation (`from_record` shows it again)."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "citations"}
        return {**d, "citations": [c.record() for c in self.citations]}

    @classmethod
    def from_record(cls, d: dict) -> Answer:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        values["citations"] = [Citation.from_record(c) for c in d.get("citations", [])]
        return cls(**values)

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "question": self.question,
            "standalone": self.standalone,
            "language": self.language,
            "notice": self.notice,
            "flagged": self.flagged,
            "strength": round(self.strength, 4),
            "partial": self.partial,
            "personal_data": self.personal_data,
            "evidence": self.evidence,
            "grounding": self.grounding,
            "seconds": round(self.seconds, 3),
        }
