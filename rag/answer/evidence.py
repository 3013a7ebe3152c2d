"""Answer, partial or refuse: how well the material covers a question, from named signals.

Similarity alone cannot tell "Hvad koster en ny bil?" from a question the material answers:
both land near some passage. So the decision uses several signals that carry over to questions
nobody tuned on (`Evidence.features`):

    dense          best cosine similarity of a retrieved passage window (e5)
    coverage       share of the question's IDF weight found in the top passages
    focus          the same for the question's two most specific words only: a neighbouring
                   question shares its generic words with the material ("medarbejder",
                   "ansvar") but not its topic ("tillæg", "Kompetencefonden")
    unknown        share of the question's topic weight in words the material never uses
                   ("kørselsgodtgørelse", "VPN"); an unknown compound whose parts the material
                   knows ("sygefraværssamtale") counts half, an inflection of a known word none

A word's topic weight is its IDF in the material times how rare it is in the language at large
(`wordfreq`): "søger", "holde" or "after" say little about what a question is about,
"Kompetencefonden" or "whistleblower" say everything.
    best_sentence  best cosine similarity of one candidate sentence to the question
    lead_focus     `focus` in the passage of the best-ranked sentence alone: what the answer
                   would lead with must be about the question's topic, not only the top three
    fact_fits      for a number/time/duration/name question, one of the three best sentences
                   holds such a fact about what was asked (1 for other questions)
    measure        for a question after a share by name ("hvor mange procent", "hvor stor en
                   andel"), the lead's passage gives one (1), another top passage does (0.5)
                   or none does (0); 1 for other questions. A neighbouring question uses the
                   material's topic words ("Gallup-målingen", "tillidsreformen") to ask for
                   what it does not hold
    topic          the `topic` model's logit for the question's own vector: the material's
                   subjects or the HR and legal questions beside them (rag/answer/model.py)
    english        the question is English (it meets the Danish text with lower similarity)

A question about someone the material never names ("Hvem er Mette Frederiksen?", "Who wrote
Hamlet?") has the name taken out before search (rag/privacy.py); when no topic is left beside
it, coverage, focus and lead_focus are 0 and unknown is 1, not the "nothing to miss" of an
empty question.

The `answerable` model (rag/answer/model.py, fitted on the tuning half) turns them into the
probability that the material answers (a signal the fitted model does not name, one added
after the last `--fit`, is computed and shown by `ask --json` but not weighed); below the bar
(Settings.refuse_below, default the bar fitted with the model) the answer is a refusal that
names the words the material lacks.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wordfreq import zipf_frequency

from rag.answer.fits import FACT_TYPES, asked_measure, holds_measure
from rag.answer.model import LinearModel, VectorModel
from rag.documents import Chunk
from rag.index.lexical import Analyzer, danish_stopwords
from rag.privacy import PLACEHOLDERS
from rag.search.language import ENGLISH_WORDS, glossary_pairs, glossary_words, translations
from rag.search.lemmas import compound_parts as lemma_parts
from rag.search.lemmas import is_topic, keys, lemma, synonyms, words
from rag.search.question import Question
from rag.search.retrieve import Hit
from rag.text import fold_spelling, lexical_text

# Words every question uses that say nothing about its topic.
QUESTION_WORDS = frozenset(
    [
        "hvad",
        "hvordan",
        "hvorfor",
        "hvornår",
        "hvem",
        "hvor",
        "hvilke",
        "hvilken",
        "hvilket",
        "mange",
        "meget",
        "kan",
        "skal",
        "jeg",
        "vi",
        "man",
        "min",
        "mine",
        "mit",
        "vores",
        "jeres",
        "gøre",
        "gør",
        "får",
        "give",
        "giver",
        "fortæl",
        "nævn",
        "materialet",
        "siger",
        "står",
        "please",
        "tell",
        "give",
        "explain",
        "describe",
        "does",
        "what",
        "how",
        "why",
        "when",
        "who",
        "which",
        "where",
        "many",
        "much",
    ]
)
_WORD = re.compile(r"[^\W\d_]+|\b[A-ZÆØÅ]{2,}\b")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n")
# Texts whose terms `TermStats.terms` remembers: more than the material's sentences, units and
# section paths (a few thousand), so the memo only empties when many new texts pass through.
MEMO_TEXTS = 50_000


# Prefixes that make a new word of a whole one without changing what it is about: a manager's
# "omorganisering" is the material's "organisering" done again, "genansættelse" "ansættelse".
# Such a word counts as a compound does (half), not as foreign. ("ud", "op", "af" and "til"
# make words of their own: "udbetaling" is not "betaling".)
_REDOING_PREFIXES = ("om", "re", "gen", "mis")


class TermStats:
    """Analysed terms of every chunk, their inverse document frequency, and which words the
    material knows at all."""

    def __init__(self, analyzer: Analyzer, chunks: list[Chunk], together: int = 2) -> None:
        self.analyzer = analyzer
        self.together = together
        self._terms = {c.chunk_id: set(analyzer.terms(lexical_text(c))) for c in chunks}
        self._df = Counter(t for terms in self._terms.values() for t in terms)
        self._n = max(len(chunks), 1)
        self._sorted = sorted(self._df)
        # Both read the material's words' lemmas; worked out once, here rather than in the
        # first answer that asks `said_together` (~0.3 s).
        lemma_keys: dict[str, set[str]] = {}
        self.lemmas = material_lemmas(chunks, lemma_keys)
        self._sentences = sentence_lemmas(chunks, lemma_keys)  # lemma → sentence numbers
        self._memo: dict[str, frozenset[str]] = {}
        self._idf = {t: self._idf_of(df) for t, df in self._df.items()}
        self._unknown_idf = self._idf_of(0)

    def _idf_of(self, df: int) -> float:
        return math.log(1 + self._n / (df + 0.5))

    def df(self, term: str) -> int:
        """How many passages of the material use the term."""
        return self._df.get(term, 0)

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    @property
    def max_idf(self) -> float:
        return self.idf("")

    def terms(self, text: str) -> frozenset[str]:
        """The text's analysed terms; remembered, since answers score the same sentences of
        the material again and again (the memo is emptied when it holds `MEMO_TEXTS`)."""
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= MEMO_TEXTS:
                self._memo.clear()
            found = self._memo[text] = frozenset(self.analyzer.terms(text))
        return found

    def chunk_terms(self, chunk: Chunk) -> set[str]:
        return self._terms.get(chunk.chunk_id) or self.terms(lexical_text(chunk))

    def coverage(self, query: frozenset[str] | set[str], found: set[str]) -> float:
        """Share of the query's IDF weight that `found` contains."""
        total = sum(self.idf(t) for t in query)
        return sum(self.idf(t) for t in query if t in found) / total if total else 0.0

    def known(self, word: str) -> float:
        """1 when the material uses the word (or an inflection of it), 0.5 when it knows the
        parts of the compound, 0 when the word is foreign to it."""
        terms = self.analyzer.terms(word)
        if not terms:
            return 1.0
        stem, parts = terms[0], terms[1:]
        if stem in self._df or self._has_prefix(stem):
            return 1.0
        if parts and all(p in self._df for p in parts):
            return 0.5
        return 0.5 if self.compound_parts(word) else 0.0

    def known_meaning(self, word: str) -> float:
        """How well the material knows a Danish word by meaning: 1 when it uses its lemma,
        an inflection or a synonym of it ("firmaer": virksomheder), 0.5 for a compound whose
        parts it uses ("sygefraværssamtale") or uses synonyms of ("hjerneskadeafsnittet":
        afsnit, afdeling), else what `known` says of the spelling."""
        spelled = self.known(word)
        if spelled == 1.0 or self.uses(word) or any(self.uses(s) for s in synonyms(word)):
            return 1.0
        parts = lemma_parts(word)
        if parts and all(fold_spelling(p) in self.lemmas for p in parts[:2]):
            return 1.0 if self.said_together(parts[:2]) else max(spelled, 0.5)
        if parts and all(self.uses(p) or any(map(self.uses, synonyms(p))) for p in parts[:2]):
            return max(spelled, 0.5)  # "hjerneskadeafsnittet": hjerneskade + afsnit (afdeling)
        return spelled

    def said_together(self, parts: Sequence[str]) -> bool:
        """The material says a compound's parts in one sentence at least `together` times, so
        the compound is its own words put together ("tillidsprojektet": "et projekt, der skal
        styrke tillid"), not a topic beside it ("sygefraværssamtale": sygefravær and samtale
        never meet)."""
        if self.together <= 0:
            return False
        found = [self._sentences.get(fold_spelling(p), frozenset()) for p in parts]
        return len(frozenset.intersection(*found)) >= self.together if found else False

    def uses(self, word: str) -> bool:
        """The material uses the word's lemma (or the word as a compound part)."""
        return bool(keys(word) & self.lemmas)

    def compound_parts(self, word: str) -> tuple[str, str] | None:
        """Two words the material knows that make up `word` ("teammøde" = team + møde,
        "sygefraværssamtale" = sygefravær + s + samtale), or a prefix that makes a word the
        material uses new again ("omorganisering" = om + organisering), or None."""
        w = fold_spelling(word)
        for prefix in _REDOING_PREFIXES:
            rest = w[len(prefix) :]
            if w.startswith(prefix) and len(rest) >= 6 and self._knows(rest, exact=True):
                return prefix, rest
        for i in range(3, len(w) - 2):
            head, tail = w[:i], w[i:]
            for link in ("", "s", "e"):
                base = head[: len(head) - len(link)] if head.endswith(link) else None
                whole = base and len(base) >= 3 and len(tail) >= 4
                if whole and self._knows(base, exact=True) and self._knows(tail):
                    return base, tail
        return None

    def _knows(self, word: str, exact: bool = False) -> bool:
        """The material uses the word (the tail of a compound may be inflected)."""
        terms = self.analyzer.terms(word)
        if not terms:
            return False
        return terms[0] in self._df or (not exact and self._has_prefix(terms[0]))

    def _has_prefix(self, stem: str) -> bool:
        """An inflection the stemmer missed: "partnerskabslaboratorium" and "…laboratorier"."""
        n = max(6, len(stem) - 3)
        if len(stem) < n:
            return False
        head = stem[:n]
        i = bisect.bisect_left(self._sorted, head)
        return i < len(self._sorted) and self._sorted[i].startswith(head)

    def weight(self, word: str, language: str = "da") -> float:
        """How much a word says about a question's topic: its IDF in the material (the most
        for unknown words) times its specificity in the language at large."""
        terms = self.analyzer.terms(word)
        return self.idf(terms[0]) * specificity(word, language) if terms else 0.0


def specificity(word: str, language: str = "da") -> float:
    """1 for a word general Danish (or English) hardly uses, down to 0.15 for the commonest."""
    return min(1.0, max(0.15, 1.0 - zipf_frequency(word.lower(), language) / 7.0))


@dataclass(frozen=True)
class TopicWord:
    text: str  # as typed (English words as typed, Danish glossary words as written there)
    weight: float
    known: float
    shown: str = ""  # what a refusal names: the English term a glossary word translates

    @property
    def named(self) -> str:
        return self.shown or self.text


def topic_words(question: Question, stats: TermStats) -> list[TopicWord]:
    """The words of a question that carry its topic, with their weight and how well the
    material knows them (by lemma, synonym or compound parts). A word that is no topic noun
    ("inddrog", "vandt", "overall") is never unknown: it is counted as known. English words
    the glossary or the lexicon translates are replaced by their Danish words; a loanword the
    material writes as English does ("budget", "coach", "feedback") is known as it stands."""
    stop = danish_stopwords() | ENGLISH_WORDS | QUESTION_WORDS
    if question.english:
        return _english_topic_words(question, stats, stop)
    out: dict[str, TopicWord] = {}
    for w in _WORD.findall(question.searched):
        low = w.lower()
        acronym = len(w) >= 2 and w.isupper()  # "IT", "HR", "MUS": never "it" or "mus"
        if (low in stop and not acronym) or (len(w) < 3 and not w.isupper()) or low in out:
            continue
        known = stats.known_meaning(w) if is_topic(w) else 1.0
        out[low] = TopicWord(w, stats.weight(w), known)
    return list(out.values())


def _english_topic_words(
    question: Question, stats: TermStats, stop: frozenset[str]
) -> list[TopicWord]:
    out: dict[str, TopicWord] = {}
    translated = glossary_words(question.searched)
    for english, danish in glossary_pairs(question.searched):
        for d in danish.split():
            if d.lower() not in stop and d.lower() not in out:
                out[d.lower()] = TopicWord(d, stats.weight(d), stats.known_meaning(d), english)
    for w in _WORD.findall(question.searched):
        low = w.lower()
        if low in stop or low in translated or len(w) < 3 or low in out:
            continue
        danish = [d for d in translations(w) if stats.uses(d)]
        if danish:  # an English word with a Danish counterpart in the material is known
            out[low] = TopicWord(danish[0], stats.weight(danish[0]), 1.0, w)
        elif _same_in_danish(w, stats):
            out[low] = TopicWord(w, stats.weight(w), 1.0)
        elif is_topic(w, "en"):
            out[low] = TopicWord(w, stats.max_idf * specificity(w, "en"), 0.0)
    return list(out.values())


def _same_in_danish(word: str, stats: TermStats) -> bool:
    """A name the material uses ("Glostrup", "OAO") or a loanword it writes as English does
    ("budget", "coach"): the same word in both languages."""
    if word[:1].isupper() and stats.known(word) == 1.0:
        return True
    return len(word) > 3 and stats.uses(word.lower())


def _lemma_keys(word: str, memo: dict[str, set[str]]) -> set[str]:
    """The lemmas (folded) and compound parts of a lower-cased word, remembered in `memo`."""
    found = memo.get(word)
    if found is None:
        found = memo[word] = keys(word) | {fold_spelling(p) for p in lemma_parts(word)}
    return found


def sentence_lemmas(
    chunks: list[Chunk], memo: dict[str, set[str]] | None = None
) -> dict[str, frozenset[int]]:
    """For every lemma (folded) and compound part of the material, the numbers of the
    sentences that use it (a sentence ends at . ! ? : or a line break)."""
    memo = {} if memo is None else memo
    where: dict[str, set[int]] = {}
    n = 0
    for chunk in chunks:
        for sentence in _SENTENCE.split(lexical_text(chunk)):
            for w in words(sentence):
                for k in _lemma_keys(w.lower(), memo):
                    where.setdefault(k, set()).add(n)
            n += 1
    return {k: frozenset(v) for k, v in where.items()}


def material_lemmas(chunks: list[Chunk], memo: dict[str, set[str]] | None = None) -> set[str]:
    """Every lemma (folded) and compound part the material's words have."""
    memo = {} if memo is None else memo
    vocabulary = {w.lower() for c in chunks for w in words(lexical_text(c))}
    found: set[str] = set()
    for w in vocabulary:
        found |= _lemma_keys(w, memo)
    return found


@dataclass(frozen=True)
class Evidence:
    features: dict[str, float]
    probability: float
    bar: float
    missing: list[str] = field(default_factory=list)  # topic words the material never uses

    @property
    def refused(self) -> bool:
        return self.probability < self.bar

    @property
    def margin(self) -> float:
        return self.probability - self.bar

    def to_dict(self, model: LinearModel | None = None) -> dict:
        d = {
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "p_answerable": round(self.probability, 4),
            "bar": round(self.bar, 4),
            "missing": self.missing,
        }
        if model is not None:
            d["contributions"] = {
                k: round(v, 3) for k, v in model.contributions(self.features).items()
            }
        return d


def features(
    question: Question,
    hits: list[Hit],
    stats: TermStats,
    ranked: Sequence[Any] = (),
    topic: float = 0.0,
    top: int = 3,
) -> tuple[dict[str, float], list[str]]:
    """The named signals for one question, and the topic words the material does not know.
    `ranked` are the candidate units best first (rag/answer/ranking.py `Unit`s)."""
    words = topic_words(question, stats)
    total = sum(w.weight for w in words)
    unknown = sum(w.weight * (1 - w.known) for w in words) / total if total else 0.0
    # Only topic nouns are named: "Materialet nævner ikke vandt og steg" reads as nonsense.
    language = "en" if question.english else "da"
    # Named once per lemma: "shifts" and "shift" are one word the material lacks.
    lacking: dict[str, str] = {}
    for w in sorted(words, key=lambda w: -w.weight):
        if w.known < 1.0 and is_topic(w.named, language):
            lacking.setdefault(lemma(w.named, language), w.named)
    missing = list(dict.fromkeys(lacking.values()))
    # "Hvem er Mette Frederiksen?", "Who wrote Hamlet?": a name the material never uses is
    # taken out before search (rag/privacy.py); when no topic is left besides it, the question
    # is about someone the material does not know, not a question with nothing to miss.
    about_a_stranger = PLACEHOLDERS["name"] in question.text and not any(
        is_topic(w.named, language) for w in words
    )
    if about_a_stranger:
        unknown = 1.0
    dense = max((h.channels.get("dense", 0.0) for h in hits), default=0.0)
    found = set().union(*(stats.chunk_terms(h.chunk) for h in hits[:top])) if hits else set()
    lead = ranked[0] if ranked else None
    passage = stats.chunk_terms(lead.hit.chunk) if lead else set()
    values = {
        "dense": dense,
        "coverage": 0.0 if about_a_stranger else stats.coverage(question.terms, found),
        "focus": 0.0 if about_a_stranger else _focus(words, found, stats),
        "lead_focus": 0.0 if about_a_stranger else _focus(words, passage, stats),
        "unknown": unknown,
        "best_sentence": max((u.features["sim"] for u in ranked), default=0.0),
        "fact_fits": _fact_fits(question, ranked),
        "measure": _measure_held(question, hits, lead, top),
        "topic": topic,
        "english": float(question.english),
    }
    return values, missing


def _fact_fits(question: Question, ranked: Sequence[Any], n: int = 3) -> float:
    """For a question after a number, a time, a duration or a name: does one of the best
    units hold one about what was asked (rag/answer/fits.py)? 1 for other questions. A
    neighbouring question ("Hvor mange medlemmer skal der sidde i MED-udvalget?") finds the
    topic, not the fact."""
    if question.answer_type not in FACT_TYPES:
        return 1.0
    return float(any(u.features.get("fits") for u in ranked[:n]))


def _measure_held(question: Question, hits: list[Hit], lead: Any, top: int = 3) -> float:
    """Is the measure the question asks for by name (a share) in what the answer is built
    from: 1 in the lead's passage, 0.5 in another of the `top` passages, 0 in none? 1 for a
    question that asks for no measure."""
    measure = asked_measure(question.searched)
    if measure is None:
        return 1.0
    if lead is not None and holds_measure(measure, lead.hit.chunk.text):
        return 1.0
    return 0.5 if any(holds_measure(measure, h.chunk.text) for h in hits[:top]) else 0.0


def _focus(words: list[TopicWord], found: set[str], stats: TermStats, n: int = 2) -> float:
    """Share of the weight of the question's `n` most specific topic words that the top
    passages hold, as typed, as lemma or as a synonym the material uses (longer words first
    among equals: compounds carry the topic)."""
    topics = [w for w in words if is_topic(w.text) or w.shown] or words
    specific = sorted(topics, key=lambda w: (-w.weight, -len(w.text)))[:n]
    total = sum(w.weight for w in specific)
    held = 0.0
    for w in specific:
        forms = [w.text, lemma(w.text), *synonyms(w.text)]
        if any(set(stats.analyzer.terms(f)[:1]) & found for f in forms):
            held += w.weight
        elif (parts := stats.compound_parts(w.text)) and all(
            set(stats.analyzer.terms(p)[:1]) & found for p in parts
        ):
            held += w.weight / 2  # the parts are there, not necessarily the compound's sense
    return held / total if total else 1.0


@dataclass(frozen=True)
class Gate:
    """Refuse when the probability that the material answers is below the bar."""

    model: LinearModel
    bar: float
    topic: VectorModel | None = None

    def assess(
        self,
        question: Question,
        hits: list[Hit],
        stats: TermStats,
        ranked: Sequence[Any] = (),
        vector: tuple[Any, str] | None = None,
    ) -> Evidence:
        """`vector`: the question's vector and the embedder's name, for the topic model."""
        prior = self.topic.logit(*vector) if self.topic and vector else 0.0
        values, missing = features(question, hits, stats, ranked, prior)
        probability = self.model.probability(values) if hits else 0.0
        return Evidence(values, probability, self.bar, missing[:3])
