"""Restore æ, ø and å in an OCR copy, using words the clean documents know.

The scanner misreads the Danish letters in a handful of ways (see the manifest and the scan):
æ as ae, ee, e, a, z, ze, ea, eae or ac; ø as o, g, e or @; å as a, d, dd, é, éa, éd or &.
For every known word with æ/ø/å we precompute how the scanner could have spelled it; an
unknown scanned word is replaced only when exactly one known word could have produced it.
Words we do not know are left alone.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rag.ingest.lexicon import WORD_RE, Lexicon
from rag.ingest.mapped import MappedText

CONFUSIONS: dict[str, tuple[str, ...]] = {
    "æ": ("æ", "ae", "ee", "e", "a", "z", "ze", "ea", "eae", "ac"),
    "ø": ("ø", "o", "g", "e", "@"),
    "å": ("å", "a", "d", "dd", "é", "éa", "éd", "&"),
}
# Words with many Danish letters would explode combinatorially; they are rare and long enough
# that OCR rarely garbles every letter, so variants are only made for up to this many.
MAX_DIACRITICS = 4

TOKEN_RE = re.compile(r"[@&]?[^\W\d_]+")


@dataclass(frozen=True)
class OcrStats:
    tokens: int
    known_before: int
    known_after: int
    repaired: int

    @property
    def coverage_before(self) -> float:
        return self.known_before / self.tokens if self.tokens else 1.0

    @property
    def coverage_after(self) -> float:
        return self.known_after / self.tokens if self.tokens else 1.0


class OcrRepairer:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        variants: dict[str, set[str]] = {}
        for word in lexicon.counts:
            positions = [i for i, c in enumerate(word) if c in CONFUSIONS]
            if not positions or len(positions) > MAX_DIACRITICS:
                continue
            options = [CONFUSIONS[word[i]] for i in positions]
            for combo in itertools.product(*options):
                chars = list(word)
                for i, rep in zip(positions, combo, strict=True):
                    chars[i] = rep
                variants.setdefault("".join(chars), set()).add(word)
        # A spelling is only trusted if it points to one word and is not itself a known word.
        self._fix = {
            v: next(iter(words))
            for v, words in variants.items()
            if len(words) == 1 and v not in lexicon.counts
        }

    def suggest(self, token: str) -> str | None:
        """The known word this scanned token stands for, or None if we cannot tell."""
        lower = token.lower()
        if lower in self.lexicon.counts:
            return None
        fixed = self._fix.get(lower)
        if fixed is None:
            return None
        return _match_case(token, fixed)

    def repair(self, text: MappedText) -> tuple[MappedText, int]:
        count = 0

        def fix(m: re.Match[str]) -> str:
            nonlocal count
            new = self.suggest(m.group(0))
            if new is None:
                return m.group(0)
            count += 1
            return new

        return text.sub(TOKEN_RE, fix), count

    def coverage(self, texts: list[str]) -> tuple[int, int]:
        """(word tokens, tokens the lexicon knows) over `texts`."""
        tokens = known = 0
        for t in texts:
            for m in WORD_RE.finditer(t):
                for part in m.group(0).split("-"):
                    tokens += 1
                    known += part.lower() in self.lexicon.counts
        return tokens, known


def _match_case(original: str, word: str) -> str:
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if original[:1].isupper() or original[:1] in "@&":
        return word[:1].upper() + word[1:]
    return word
