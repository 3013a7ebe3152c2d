"""Whole, clean sentences of a chunk, with their offsets, for the answer to quote.

An extractive answer is only as good as its sentences: a chunk may begin or end mid-sentence
(chunks overlap), bullets are units of their own, and links or "Kilde:" lines are not answers.
Each `Sentence` keeps its offsets in the chunk text so a citation can point at the exact span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents import Chunk

BULLET = "•"
# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace and an
# upper-case letter, digit, bullet or quote; a line break ends a line-unit (bullets, headings).
_END = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[A-ZÆØÅ0-9•”\"“(])|\n+")
_URL = re.compile(r"https?://|www\.", re.I)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_STEP_NUMBER = re.compile(r"^•?\s*\d{1,2}\.$")
_SOURCE_LINE = re.compile(r"^(Kilde|Kilder|Læs mere|Se også)\s*:", re.I)


@dataclass(frozen=True)
class Sentence:
    """`text` is clean for display; `start`/`end` are offsets of the original in `chunk.text`."""

    text: str
    start: int
    end: int
    bullet: bool = False
    heading: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


def split(chunk: Chunk) -> list[Sentence]:
    """Every unit of the chunk: sentences, bullet items and heading lines, in order."""
    out: list[Sentence] = []
    text = chunk.text
    pos = 0
    for match in [*_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if match and _STEP_NUMBER.match(text[pos:end].strip()):
            continue  # "• 0. Forberedelse": a numbered step, not a sentence end
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            start = pos + lead
            bullet = body.startswith(BULLET)
            if bullet:
                body = body.lstrip(BULLET).strip()
            out.append(
                Sentence(
                    text=tidy(body),
                    start=start,
                    end=start + len(piece.strip()),
                    bullet=bullet,
                    heading=_is_heading(body),
                )
            )
        pos = match.end() if match else len(text)
    return out


def quotable(chunk: Chunk, sentences: list[Sentence] | None = None) -> list[Sentence]:
    """The sentences an answer may quote: whole, prose, not links, not cut at the chunk edges."""
    sentences = split(chunk) if sentences is None else sentences
    keep: list[Sentence] = []
    for i, s in enumerate(sentences):
        if s.heading or _URL.search(s.text) or _SOURCE_LINE.match(s.text):
            continue
        if not 5 <= s.words <= 70:
            continue
        if i == 0 and not s.bullet and _starts_mid_sentence(chunk.text):
            continue
        if i == len(sentences) - 1 and not _ends_sentence(s.text) and not s.bullet:
            continue
        if not _ends_sentence(s.text) and not s.bullet:
            continue
        if s.text.endswith(":"):
            continue  # introduces a list the quote would leave out
        keep.append(s)
    return keep


def statements(chunk: Chunk) -> list[Sentence]:
    """Quotable sentences that state something: no questions (a checklist's own), and no list
    items without a full stop (fragments out of their list). The sentences an answer ranks."""
    return [
        s
        for s in quotable(chunk)
        if not s.text.endswith("?") and s.text.rstrip('”"’) ').endswith((".", "!"))
    ]


def tidy(text: str) -> str:
    """Display form: one line, single spaces, a capital first letter (the PDF lost many)."""
    text = " ".join(text.split())
    m = _LETTER.search(text)
    if m and m.start() <= 2 and text[m.start()].islower():
        i = m.start()
        text = text[:i] + text[i].upper() + text[i + 1 :]
    return text


def _ends_sentence(text: str) -> bool:
    return text.rstrip('”"’) ').endswith((".", "!", "?", ":"))


def _starts_mid_sentence(text: str) -> bool:
    """A chunk that begins with a lower-case word or a comma continues a sentence before it."""
    head = text.lstrip()
    return bool(head) and (head[0] in ",;)" or (head[0].islower() and not head.startswith("i ")))


def _is_heading(text: str) -> bool:
    """A short line with no sentence punctuation, or an all-caps line (DELTAGERE, VARIGHED)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(text) < 60:
        return True
    return len(text.split()) <= 8 and not text.rstrip().endswith((".", "!", "?", ":", ","))
