"""The material search box: which passages really contain the searched words, how many there
are, which words to mark in them, and what to try when nothing matches.

The ranked search (retrieve.py) always returns k passages, since the dense side finds a
nearest passage for anything, even "xyzzy qwerty". A search box must tell the truth instead:
a passage matches when it contains every searched word, as the lexical index sees words
(folded spelling, stems, and the parts of compounds: "tillid" finds "tillidsrepræsentant").
An English word counts through the glossary's Danish terms. The passages that match are
ordered by the hybrid search; when none contains them all, the ones with some of them are
offered as such, and when none contains any, close words the material does use are suggested.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import numpy as np

from rag.documents import Chunk
from rag.index.lexical import Analyzer
from rag.privacy import redact
from rag.search.language import ENGLISH_WORDS, danish_terms, glossary_matches
from rag.search.retrieve import Hit, Searcher
from rag.text import fold_spelling

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMBERING = re.compile(r"[^\W\d_]+\s+\d+")  # "Udfordring 2", "Anbefaling 10"
_ADJECTIVE = ("ig", "ige", "igt")
# Close words suggested for a word the material never uses, at most.
SUGGESTIONS = 3


@dataclass(frozen=True)
class Word:
    """One searched word (or an English term) and the index terms any of which count for it:
    its stem (not the parts of a compound typed: "kerneopgave" is not "opgave"), or the stems
    of the glossary's Danish words for it."""

    text: str
    terms: frozenset[str]
    # For a phrase ("social capital" → social kapital): each of these must be there too.
    phrase: tuple[str, ...] = ()


@dataclass
class Found:
    """What the search box shows. `hits` contain every word; when there are none, `partial`
    holds the passages with some of them; `unknown` are the words no passage contains, with
    `suggestions` the material's own words closest to them."""

    query: str
    words: list[Word]
    hits: list[Hit] = field(default_factory=list)
    partial: list[Hit] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for w in self.words for t in w.terms)


def searched_words(query: str, searcher: Searcher) -> list[Word]:
    """The words of a query that can be searched. Stopwords drop out; a word the material
    does not use but the glossary translates (an English "checklist", or "core task" as one
    term) counts through its Danish words; English function words drop out unless the material
    uses them."""
    analyzer = searcher.lexical.analyzer
    vocabulary = searcher.lexical.words.vocab_dict

    def stems(text: str) -> list[str]:
        """One term per word: its stem (the first of the analyzer's terms)."""
        return [t[0] for t in (analyzer.terms(w) for w in _WORD.findall(text)) if t]

    def known(terms) -> bool:
        return any(t in vocabulary for t in terms)

    words: list[Word] = []
    taken: set[str] = set()
    for english, danish in glossary_matches(query):
        if len(english) > 1 and danish:  # a term of several words
            found = stems(danish)
            # "social kapital" is a phrase (every word needed); "kerneopgave kerneopgaven"
            # are spellings of one word (any will do).
            phrase = tuple(found) if len(set(found)) == len(found) > 1 else ()
            words.append(Word(" ".join(english), frozenset(found), phrase))
            taken |= set(english)
    for token in _WORD.findall(query):
        terms = stems(token)
        if not terms or token.lower() in taken:
            continue
        if not known(terms):
            danish = danish_terms(token)
            if danish:
                terms = stems(danish)
            elif token.lower() in ENGLISH_WORDS:
                continue
        if all(w.terms != frozenset(terms) for w in words):
            words.append(Word(token, frozenset(terms)))
    return words


def containing(searcher: Searcher, word: Word) -> np.ndarray:
    """A boolean per passage: does it contain the word (any of its terms; for a phrase, all)?"""

    def has(term: str) -> np.ndarray:
        return searcher.lexical.scores("", terms=[term]) > 0

    if word.phrase:
        return np.logical_and.reduce([has(t) for t in word.phrase])
    found = np.zeros(len(searcher.chunks), dtype=bool)
    for term in word.terms:
        found |= has(term)
    return found


def find(searcher: Searcher, query: str, shown: int = 10) -> Found:
    """The passages for `query`, best first: all that match are counted, `shown` of them are
    ranked by the hybrid search (the rest follow in BM25 order)."""
    query = redact(query.strip()).text  # nothing typed here reaches a cache unredacted
    found = Found(query, searched_words(query, searcher))
    if not found.words or not searcher.chunks:
        return found
    masks = [containing(searcher, w) for w in found.words]
    found.unknown = [w.text for w, m in zip(found.words, masks, strict=True) if not m.any()]
    every = np.logical_and.reduce(masks)
    some = np.logical_or.reduce(masks)
    if every.any():
        found.hits = _ranked(searcher, query, every, shown)
    elif some.any():
        found.partial = _ranked(searcher, query, some, shown)
    if found.unknown:
        found.suggestions = suggest(searcher, found.unknown)
    return found


def _ranked(searcher: Searcher, query: str, mask: np.ndarray, shown: int) -> list[Hit]:
    """Every passage in `mask` as a Hit: the hybrid order for the best, then BM25's."""
    wanted = set(np.flatnonzero(mask).tolist())
    position = {c.chunk_id: i for i, c in enumerate(searcher.chunks)}
    depth = min(len(searcher.chunks), max(shown * 3, 30))
    ordered = [
        h.chunk for h in searcher.search(query, k=depth) if position[h.chunk.chunk_id] in wanted
    ][:shown]
    seen = {c.chunk_id for c in ordered}
    scores = searcher.lexical.scores(searcher.analyse(query).lexical_query)
    rest = sorted(
        (i for i in wanted if searcher.chunks[i].chunk_id not in seen), key=lambda i: -scores[i]
    )
    chunks = ordered + [searcher.chunks[i] for i in rest]
    return [Hit(n, float(scores[position[c.chunk_id]]), c) for n, c in enumerate(chunks, 1)]


def suggest(searcher: Searcher, words: list[str]) -> list[str]:
    """The material's own words closest to words it never uses, as the material spells them."""
    if searcher not in _SPELLINGS:
        _SPELLINGS[searcher] = spellings(searcher.chunks)
    spelled = _SPELLINGS[searcher]
    analyzer = searcher.lexical.analyzer
    out: list[str] = []
    stems: set[str] = set()
    for word in words:
        folded = fold_spelling(word.lower())
        for close in difflib.get_close_matches(folded, list(spelled), n=10, cutoff=0.75):
            stem = _terms_of(analyzer, close)[:1]
            if stem and stem[0] not in stems:  # "tillid", not also "tillids" and "tilliden"
                stems.add(stem[0])
                out.append(spelled[close])
    return out[:SUGGESTIONS]


def common_words(searcher: Searcher, n: int = SUGGESTIONS) -> list[str]:
    """Words the material's headings use most (as spelt there), numbering words ("Udfordring
    1") left out: something to try when a search names nothing the material uses."""
    if searcher not in _COMMON:
        analyzer = searcher.lexical.analyzer
        counts: Counter[str] = Counter()
        spelled: dict[str, str] = {}
        for c in searcher.chunks:
            heading = _NUMBERING.sub(" ", c.section)
            for w in {w.lower() for w in _WORD.findall(heading) if len(w) >= 6 and w.isalpha()}:
                if w.endswith(_ADJECTIVE):  # "ordentlige": topics are nouns
                    continue
                stem = _terms_of(analyzer, w)[:1]
                if stem:
                    counts[stem[0]] += 1
                    spelled.setdefault(stem[0], w)
        _COMMON[searcher] = [spelled[t] for t, _ in counts.most_common(n)]
    return _COMMON[searcher][:n]


# Per searcher (one per build), computed on the first search that needs it.
_SPELLINGS: WeakKeyDictionary[Searcher, dict[str, str]] = WeakKeyDictionary()
_COMMON: WeakKeyDictionary[Searcher, list[str]] = WeakKeyDictionary()
_TERMS: WeakKeyDictionary[Analyzer, dict[str, tuple[str, ...]]] = WeakKeyDictionary()


def spellings(chunks: list[Chunk]) -> dict[str, str]:
    """Folded word → its most common spelling in the material (words of four letters or more)."""
    counts: dict[str, Counter[str]] = {}
    for c in chunks:
        for w in _WORD.findall(c.text):
            if len(w) >= 4 and w.isalpha():
                counts.setdefault(fold_spelling(w.lower()), Counter())[w.lower()] += 1
    return {k: v.most_common(1)[0][0] for k, v in counts.items()}


def marks(text: str, terms: frozenset[str], analyzer: Analyzer) -> list[tuple[int, int]]:
    """Spans of `text` to mark: the words whose own terms include a searched one."""
    spans = []
    for m in _WORD.finditer(text):
        if terms.intersection(_terms_of(analyzer, m.group())):
            spans.append(m.span())
    return spans


def _terms_of(analyzer: Analyzer, word: str) -> tuple[str, ...]:
    cache = _TERMS.setdefault(analyzer, {})
    if word not in cache:
        cache[word] = tuple(analyzer.terms(word))
    return cache[word]
