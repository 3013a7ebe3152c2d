"""Text helpers every stage shares: two ways of folding Danish, word shingles, and what BM25
reads of a chunk.

The two folds answer different questions and must not be swapped:
- `fold_spelling(word)` gives a word one spelling whether it was typed with æ/ø/å, with
  ae/oe/aa or without diacritics at all ("kraever", "Aarhus"); the lexical index and quote
  matching compare words this way.
- `plain_words(text)` splits text into bare ASCII words without case, diacritics or
  punctuation; copy detection (a scan against its original) and near-duplicate checks compare
  word sequences this way, where OCR noise in the letters must not break a 3-gram.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from rag.config import PACKAGE_DATA

if TYPE_CHECKING:
    from rag.documents import Chunk

_ASCII_WORD = re.compile(r"[a-z0-9]+")
# The Danish months, in order: dates in answers, in the figures' dates and in ingest's repairs.
MONTHS_DA = (
    "januar februar marts april maj juni juli august september oktober november december"
).split()


class _Uncombined(dict):
    """str.translate's table that drops combining marks: each character is looked up in
    Unicode once per process, then translate runs in C (a per-character generator made
    folding ~6 ms of every answer, which squashes every quoted sentence)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_UNCOMBINED = _Uncombined()


def fold_spelling(word: str) -> str:
    """One spelling for Danish typed with or without æ/ø/å (and for OCR'd diacritics)."""
    word = word.lower()
    word = word.replace("æ", "a").replace("ø", "o").replace("å", "a")
    word = word.replace("ae", "a").replace("oe", "o").replace("aa", "a")
    if word.isascii():  # nothing to decompose
        return word
    return unicodedata.normalize("NFKD", word).translate(_UNCOMBINED)


_MARKUP = re.compile(r"<[^>]+>|[#*_`\\]")
_NOT_ALNUM = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """Letters and digits only, folded: what matching an expected quote compares (case,
    whitespace, line-end hyphenation, markup and æ/ø/å spelling do not matter)."""
    return _NOT_ALNUM.sub("", fold_spelling(_MARKUP.sub(" ", text)))


def plain_words(text: str) -> list[str]:
    """Words compared without case, diacritics or punctuation (OCR and clean text meet here)."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _ASCII_WORD.findall(text)


def shingles(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    """The word n-grams of a sequence (the whole sequence when it is shorter than n)."""
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def lexical_text(chunk: Chunk) -> str:
    """What BM25 sees of a chunk: its section heading carries words the body leaves out."""
    return f"{chunk.section}\n{chunk.text}"


@cache
def word_classes() -> dict[str, frozenset[str]]:
    """word → {"noun", "verb", "adj", "name", "other"} from rag/data/words-da.tsv (derived from
    Debian's hunspell-da by scripts/derive_word_data.py): ingest tells a verb from a noun with
    it, the answer step a topic noun from other words."""
    out: dict[str, frozenset[str]] = {}
    path = PACKAGE_DATA / "words-da.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, classes = line.partition("\t")
            out[word] = frozenset(classes.split(","))
    return out
