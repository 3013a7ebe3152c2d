"""Text that remembers where each character came from in the source file.

Every repair (joining lines, undoing hyphenation, OCR fixes) works on a `MappedText`, so a
sentence of the repaired text can always be traced back to its exact span in the original:
that is what the app highlights when a manager opens a source.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MappedText:
    text: str
    src: array  # src[i] = source offset of text[i]

    @classmethod
    def from_source(cls, source: str, start: int, end: int) -> MappedText:
        return cls(source[start:end], array("l", range(start, end)))

    @classmethod
    def literal(cls, text: str, at: int) -> MappedText:
        """Text that is not in the source (e.g. a space that replaces a line break)."""
        return cls(text, array("l", [at] * len(text)))

    @classmethod
    def join(cls, parts: Iterable[MappedText]) -> MappedText:
        texts, src = [], array("l")
        for p in parts:
            texts.append(p.text)
            src.extend(p.src)
        return cls("".join(texts), src)

    @classmethod
    def join_with(cls, sep: str, parts: list[MappedText]) -> MappedText:
        """Join parts with a separator that maps to the start of the part it precedes."""
        out: list[MappedText] = []
        for k, p in enumerate(parts):
            if k:
                out.append(cls.literal(sep, p.src[0] if len(p) else 0))
            out.append(p)
        return cls.join(out)

    def __len__(self) -> int:
        return len(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    def slice(self, i: int, j: int) -> MappedText:
        return MappedText(self.text[i:j], self.src[i:j])

    def strip(self) -> MappedText:
        i, j = 0, len(self.text)
        while i < j and self.text[i].isspace():
            i += 1
        while j > i and self.text[j - 1].isspace():
            j -= 1
        return self.slice(i, j)

    def span(self) -> tuple[int, int]:
        """Source span covered by this text (first to last character)."""
        if not self.text:
            return (0, 0)
        return min(self.src), max(self.src) + 1

    def source_span(self, i: int, j: int) -> tuple[int, int]:
        return self.src[i], self.src[max(i, j - 1)] + 1

    def sub(
        self, pattern: re.Pattern[str] | str, repl: str | Callable[[re.Match[str]], str]
    ) -> MappedText:
        """Like `re.sub`, in one pass, keeping the source mapping of kept and replaced text."""
        if isinstance(pattern, str):
            pattern = re.compile(pattern)
        texts: list[str] = []
        src = array("l")
        pos = 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            new = repl(m) if callable(repl) else m.expand(repl)
            if new == m.group(0):
                continue
            texts.append(self.text[pos:a])
            src.extend(self.src[pos:a])
            texts.append(new)
            src.extend(self._map_replacement(a, b, new))
            pos = b
        if pos == 0 and not texts:
            return self
        texts.append(self.text[pos:])
        src.extend(self.src[pos:])
        return MappedText("".join(texts), src)

    def _map_replacement(self, a: int, b: int, new: str) -> array:
        """Source offsets for `new`, which replaces text[a:b].

        If `new` is a piece of the matched text (markup stripped, link text kept) it maps exactly;
        otherwise characters map proportionally onto the replaced span, its ends onto its ends.
        """
        old = self.text[a:b]
        if not new:
            return array("l")
        k = old.find(new) if len(new) <= len(old) else -1
        if k >= 0:
            return self.src[a + k : a + k + len(new)]
        if b == a:
            at = self.src[a] if a < len(self.src) else (self.src[-1] + 1 if self.src else 0)
            return array("l", [at] * len(new))
        n, m = len(new), b - a
        if n == 1:
            return array("l", [self.src[a]])
        # first onto first and last onto last, so the whole of `new` spans the whole of old
        return array("l", (self.src[a + i * (m - 1) // (n - 1)] for i in range(n)))

    def anchors(self) -> list[tuple[int, int]]:
        """Compressed mapping: (text position, source position) wherever the offset jumps."""
        out: list[tuple[int, int]] = []
        prev = None
        for i, s in enumerate(self.src):
            if prev is None or s != prev + 1:
                out.append((i, s))
            prev = s
        return out
