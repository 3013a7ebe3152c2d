"""Lexical search: BM25 over Danish-normalised tokens.

Danish defeats plain word matching three ways, and each has a switch in `Analysis` so the
evaluation can measure it (`python -m rag eval --ablation`):
- folding: managers type "ogsa", "kraever", "aa" for "å"; both sides are folded to one
  spelling (æ/ae → a, ø/oe → o, å/aa → a) before anything else;
- stemming: Snowball Danish strips inflection ("samarbejdsudvalgene" → "samarbejdsudvalg");
- compounds: "samarbejdsrelationerne" shares no word with "samarbejde" or "relationer", so
  long words are split against the corpus vocabulary and the parts are indexed beside the whole;
  optionally, character 4-grams are indexed as a second field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from rag.config import PACKAGE_DATA
from rag.text import fold_spelling

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def acronym_meanings() -> dict[str, str]:
    """rag/data/acronym-meanings-da.tsv: lower-case acronym → the word it stands for."""
    table = {}
    for line in (PACKAGE_DATA / "acronym-meanings-da.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            short, word = line.split("\t")
            table[short.lower()] = word.lower()
    return table


@dataclass(frozen=True)
class Analysis:
    """Which normalisations run; the defaults are the ones the evaluation kept."""

    fold: bool = True
    stopwords: bool = True
    stem: bool = True
    decompound: bool = True
    ngrams: bool = False
    ngram_weight: float = 0.3


@lru_cache(maxsize=1)
def danish_stopwords() -> frozenset[str]:
    lines = (PACKAGE_DATA / "stopwords-da.txt").read_text(encoding="utf-8").splitlines()
    words = {w for line in lines if not line.startswith("#") for w in line.split()}
    return frozenset(words | {fold_spelling(w) for w in words})


_stemmer = Stemmer.Stemmer("danish")
# Linking letters between compound parts: "samarbejd-s-udvalg", "børn-e-have".
_LINKS = ("", "s", "e")
MIN_PART = 4
MIN_COMPOUND = 9


class Analyzer:
    """Turns text into index terms; holds the corpus vocabulary that compound splitting needs."""

    def __init__(self, analysis: Analysis, vocabulary: Counter[str] | None = None) -> None:
        self.analysis = analysis
        self.vocabulary: Counter[str] = vocabulary or Counter()
        self._stems = {self._stem(w) for w in self.vocabulary}
        self._splits: dict[str, list[str]] = {}

    @staticmethod
    def words(text: str) -> list[str]:
        return [w.lower() for w in _WORD_RE.findall(unicodedata.normalize("NFC", text))]

    @classmethod
    def learn(cls, analysis: Analysis, texts: list[str]) -> Analyzer:
        vocabulary: Counter[str] = Counter()
        for text in texts:
            vocabulary.update(
                fold_spelling(w) if analysis.fold else w
                for w in cls.words(text)
                if len(w) >= MIN_PART
            )
        return cls(analysis, vocabulary)

    def _stem(self, word: str) -> str:
        return _stemmer.stemWord(word) if self.analysis.stem else word

    def terms(self, text: str) -> list[str]:
        if text.isalpha():  # one word: answers look words up one at a time, again and again
            return list(self._word_terms(text))
        return self._terms(text)

    @lru_cache(maxsize=65536)  # noqa: B019 - analyzers live as long as their index
    def _word_terms(self, word: str) -> tuple[str, ...]:
        return tuple(self._terms(word))

    def _terms(self, text: str) -> list[str]:
        out: list[str] = []
        stop = danish_stopwords() if self.analysis.stopwords else frozenset()
        for word in self.words(text):
            if word in stop:
                continue
            if self.analysis.fold:
                word = fold_spelling(word)
                if word in stop:
                    continue
            stem = self._stem(word)
            out.append(stem)
            if self.analysis.decompound and len(stem) >= MIN_COMPOUND:
                out.extend(self._stem(p) for p in self.split(stem)[1:])
            out.extend(self._meaning(word, stem))
        return out

    def _meaning(self, word: str, stem: str) -> list[str]:
        """ "tr" is also "tillidsrepræsentant", and "tillidsrepræsentanterne" also "tr"
        (rag/data/acronym-meanings-da.tsv)."""
        table = self._acronyms()
        if word in table:
            return [table[word]]  # the word whole: "tillid" is not what "tr" says
        short = table.get(stem)
        return [short] if short else []

    @lru_cache(maxsize=1)  # noqa: B019 - analyzers live as long as their index
    def _acronyms(self) -> dict[str, str]:
        """Each acronym → its word's stem, and that stem → the acronym, as this analyzer
        spells them."""
        out = {}
        for short, word in acronym_meanings().items():
            stem = self._stem(fold_spelling(word) if self.analysis.fold else word)
            out[short], out[stem] = stem, short
        return out

    def ngrams(self, text: str, n: int = 4) -> list[str]:
        grams: list[str] = []
        for word in self.words(text):
            w = f"#{fold_spelling(word) if self.analysis.fold else word}#"
            grams.extend(w[i : i + n] for i in range(max(len(w) - n + 1, 1)))
        return grams

    def split(self, word: str) -> list[str]:
        """[word] or [word, part1, part2, ...] when the corpus knows every part.

        Words are split after stemming, so inflections ("-erne") never become parts. Parts
        must each be at least MIN_PART letters and known to the corpus as words or stems:
        naive splitting adds noise (Pedersen 2007), known parts keep it honest.
        """
        if word not in self._splits:
            parts = self._best_split(word)
            self._splits[word] = [word, *parts] if len(parts) > 1 else [word]
        return self._splits[word]

    def _known(self, part: str) -> bool:
        return len(part) >= MIN_PART and (
            part in self.vocabulary or self._stem(part) in self._stems
        )

    @lru_cache(maxsize=65536)  # noqa: B019 - analyzers live as long as their index
    def _best_split(self, word: str) -> tuple[str, ...]:
        if self._known(word) and len(word) < 2 * MIN_PART:
            return (word,)
        best: tuple[float, tuple[str, ...]] = (0.0, ())
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:i], word[i:]
            for link in _LINKS:
                if link and not head.endswith(link):
                    continue
                base = head[: len(head) - len(link)]
                if not (self._known(base) or self._known(base + "e")):
                    continue
                rest = self._best_split(tail)
                if not rest:
                    continue
                parts = (base, *rest)
                # Prefer few, frequent parts.
                score = min(self.vocabulary.get(p, 1) for p in parts) / len(parts) ** 2
                if score > best[0]:
                    best = (score, parts)
        if best[1]:
            return best[1]
        return (word,) if self._known(word) else ()


@dataclass
class LexicalIndex:
    """BM25 (bm25s) over chunk texts, plus an optional character 4-gram field."""

    analyzer: Analyzer
    words: bm25s.BM25
    grams: bm25s.BM25 | None = None
    size: int = 0

    @classmethod
    def build(cls, texts: list[str], analysis: Analysis | None = None) -> LexicalIndex:
        analysis = analysis or Analysis()
        analyzer = Analyzer.learn(analysis, texts)
        words = bm25s.BM25(k1=1.2, b=0.75)
        words.index([analyzer.terms(t) or [""] for t in texts], show_progress=False)
        grams = None
        if analysis.ngrams:
            grams = bm25s.BM25(k1=1.2, b=0.75)
            grams.index([analyzer.ngrams(t) or [""] for t in texts], show_progress=False)
        return cls(analyzer, words, grams, len(texts))

    def scores(
        self,
        query: str,
        mask: np.ndarray | None = None,
        terms: Sequence[str] | None = None,
    ) -> np.ndarray:
        """A BM25 score for every indexed text (0 where masked out or nothing matches).

        `terms` are the query's analysed terms when the caller has them already.
        """
        terms = self.analyzer.terms(query) if terms is None else list(terms)
        total = self._field_scores(self.words, terms, mask)
        if self.grams is not None:
            grams = self._field_scores(self.grams, self.analyzer.ngrams(query), mask)
            if total.max() > 0 and grams.max() > 0:
                total = total / total.max() + self.analyzer.analysis.ngram_weight * (
                    grams / grams.max()
                )
        return total

    def _field_scores(
        self, index: bm25s.BM25, terms: list[str], mask: np.ndarray | None
    ) -> np.ndarray:
        known = [t for t in terms if t in index.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        if mask is not None:
            return index.get_scores(known, weight_mask=mask.astype(np.float32))
        return index.get_scores(known)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.words.save(str(folder / "words"))
        if self.grams is not None:
            self.grams.save(str(folder / "grams"))
        meta = {
            "analysis": asdict(self.analyzer.analysis),
            "size": self.size,
            "vocabulary": dict(self.analyzer.vocabulary),
        }
        (folder / "analyzer.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        meta = json.loads((folder / "analyzer.json").read_text(encoding="utf-8"))
        analyzer = Analyzer(Analysis(**meta["analysis"]), Counter(meta["vocabulary"]))
        words = bm25s.BM25.load(str(folder / "words"))
        grams = bm25s.BM25.load(str(folder / "grams")) if (folder / "grams").is_dir() else None
        return cls(analyzer, words, grams, meta["size"])
