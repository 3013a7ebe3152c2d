"""Words the clean documents use, learnt from the corpus itself.

Repairs consult it instead of guessing: a line-end hyphen is undone when the joined word is
known, an OCR-damaged word is restored only when exactly one known word fits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
LETTERS_RE = re.compile(r"[^\W\d_]+")
DANISH_LETTERS = set("æøåÆØÅ")


class Lexicon:
    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.counts: Counter[str] = Counter()  # lower-cased word -> count
        self.hyphenated: Counter[str] = Counter()  # lower-cased "a-b" forms seen mid-line
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        for line in text.splitlines():
            # A hyphen at the end of a line is usually hyphenation, not part of the word.
            line = re.sub(r"-\s*$", " ", line)
            for m in WORD_RE.finditer(line):
                word = m.group(0).lower()
                if "-" in word:
                    self.hyphenated[word] += 1
                for part in LETTERS_RE.findall(word):
                    self.counts[part] += 1

    def __contains__(self, word: str) -> bool:
        return word.lower() in self.counts

    def count(self, word: str) -> int:
        return self.counts.get(word.lower(), 0)

    def knows_hyphenated(self, left: str, right: str) -> bool:
        return f"{left}-{right}".lower() in self.hyphenated

    def __len__(self) -> int:
        return len(self.counts)


def diacritic_rate(text: str) -> float:
    """Share of letters that are æ, ø or å: about 2 % in Danish prose, near 0 in a bad OCR copy."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(c in DANISH_LETTERS for c in letters) / len(letters)
