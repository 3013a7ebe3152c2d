"""Cut sections into citable chunks of about 150-400 words, following the document's structure.

Chunks break at section boundaries where they can, never join two units (two cases, two
checklists, two recommendations), and overlap a little when a long section must be split.
"""

from __future__ import annotations

import re

from rag.config import Settings
from rag.documents import Chunk, SourceDocument
from rag.ingest.layout import Block
from rag.ingest.mapped import MappedText
from rag.ingest.structure import Section

SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[A-ZÆØÅ•–0-9])")
TINY_UNIT_WORDS = 40


def chunk_document(doc: SourceDocument, secs: list[Section], settings: Settings) -> list[Chunk]:
    pieces: list[tuple[int, str, tuple[str, ...], MappedText]] = []  # (unit, kind, path, text)
    for sec in secs:
        for b in sec.blocks:
            text = render(b)
            if text.text.strip():
                pieces.append((sec.unit, sec.kind, sec.path, text))

    drafts: list[_Draft] = []
    for unit_pieces in _by_unit(pieces):
        drafts.extend(_chunk_unit(unit_pieces, settings))
    drafts = _attach_tiny_units(drafts)

    chunks = []
    for n, d in enumerate(drafts, start=1):
        text = MappedText.join_with("\n", d.texts)
        start, end = text.span()
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}#{n:03d}",
                doc_id=doc.doc_id,
                title=doc.title,
                section=" › ".join(_shown_path(d.path)) or doc.title,
                kind=d.kind,
                start=start,
                end=end,
                page=doc.page_at(start),
                text=text.text,
                anchors=text.anchors(),
            )
        )
    return chunks


def _shown_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """A deep path as a reader can take it in: the top and the last two headings."""
    return path if len(path) <= 3 else (path[0], *path[-2:])


def render(b: Block) -> MappedText:
    """A block as it reads in a chunk: list items keep their bullet."""
    if b.type == "item":
        return MappedText.join(
            [MappedText.literal("• ", b.text.src[0] if len(b.text) else 0), b.text]
        )
    return b.text


class _Draft:
    def __init__(self, unit: int, kind: str) -> None:
        self.unit, self.kind = unit, kind
        self.entries: list[tuple[tuple[str, ...], MappedText]] = []
        self.words = 0

    def add(self, path: tuple[str, ...], text: MappedText) -> None:
        self.entries.append((path, text))
        self.words += len(text.text.split())

    @property
    def texts(self) -> list[MappedText]:
        return [t for _, t in self.entries]

    @property
    def paths(self) -> list[tuple[str, ...]]:
        return [p for p, _ in self.entries]

    @property
    def path(self) -> tuple[str, ...]:
        """The common path of everything in the chunk (a unit's title, not one subsection)."""
        if not self.paths:
            return ()
        common = list(self.paths[0])
        for p in self.paths[1:]:
            k = 0
            while k < min(len(common), len(p)) and common[k] == p[k]:
                k += 1
            common = common[:k]
        return tuple(common)


def _by_unit(pieces):
    group: list = []
    for piece in pieces:
        if group and group[-1][0] != piece[0]:
            yield group
            group = []
        group.append(piece)
    if group:
        yield group


def _chunk_unit(pieces, settings: Settings) -> list[_Draft]:
    unit, kind = pieces[0][0], pieces[0][1]
    # A unit's kind is that of its body; a trailing reference list does not change it.
    kinds = [k for _, k, _, _ in pieces if k != "reference"]
    kind = kinds[0] if kinds else kind
    drafts: list[_Draft] = [_Draft(unit, kind)]
    prev_path = None
    for _, _, path, text in pieces:
        for part in _split_long(text, settings.chunk_max_words):
            cur = drafts[-1]
            n = len(part.text.split())
            new_section = prev_path is not None and path != prev_path
            if cur.words and (
                cur.words + n > settings.chunk_max_words
                or (new_section and cur.words >= settings.chunk_min_words)
            ):
                nxt = _Draft(unit, kind)
                if not new_section:
                    overlap = _overlap(cur.texts[-1], settings.chunk_overlap_words)
                    if overlap is not None:
                        nxt.add(cur.paths[-1], overlap)
                drafts.append(nxt)
                cur = nxt
            cur.add(path, part)
            prev_path = path
    # A short tail joins the chunk before it when that keeps it within the maximum.
    if len(drafts) > 1 and drafts[-1].words < settings.chunk_min_words:
        tail, before = drafts[-1], drafts[-2]
        if before.words + tail.words <= settings.chunk_max_words * 1.15:
            for p, t in tail.entries:
                before.add(p, t)
            drafts.pop()
    return [d for d in drafts if d.entries]


def _attach_tiny_units(drafts: list[_Draft]) -> list[_Draft]:
    """A stray one-line section ("Få konkret inspiration på ...") joins the chunk before it."""
    out: list[_Draft] = []
    for d in drafts:
        if (
            out
            and d.words < TINY_UNIT_WORDS
            and d.kind in ("section", "reference")
            and out[-1].path[:1] == d.path[:1]
        ):
            for t in d.texts:
                out[-1].add(out[-1].paths[-1], t)
            continue
        out.append(d)
    return out


def _split_long(text: MappedText, max_words: int) -> list[MappedText]:
    """A single paragraph longer than a chunk is cut at sentence ends."""
    if len(text.text.split()) <= max_words:
        return [text]
    parts, start = [], 0
    for m in SENTENCE_END.finditer(text.text):
        if len(text.text[start : m.start()].split()) >= max_words * 0.6:
            parts.append(text.slice(start, m.start()))
            start = m.end()
    parts.append(text.slice(start, len(text)))
    return [p for p in parts if p.text.strip()]


def _overlap(text: MappedText, max_words: int) -> MappedText | None:
    """The last sentences of `text`, up to `max_words`, repeated at the top of the next chunk."""
    ends = [m.end() for m in SENTENCE_END.finditer(text.text)]
    for cut in ends:
        tail = text.slice(cut, len(text))
        if len(tail.text.split()) <= max_words:
            return tail if tail.text.strip() else None
    return None
