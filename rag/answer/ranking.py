"""Which sentences of the retrieved passages answer the question, best first.

A candidate is a `Unit`: one quotable sentence, together with the sentence before it when it
leans on that one ("Men …", "Dette …") and with the items of the list it announces ("… tre
elementer:"), so whatever is quoted reads on its own. Each unit gets named features and the
`sentence` model (rag/answer/model.py) turns them into the probability that it holds the
answer:

    sim            e5 cosine similarity of the unit's text to the question (vectors cached)
    sim_gap        how far below the best candidate's similarity it is
    window         similarity of the ~40-word window around it (the context it lacks alone)
    subject        share of the question's IDF weight in the sentence's first five words
                   (the sentence is about what was asked: "Social kapital er …")
    coverage       share of the question's IDF weight in the sentence
    unit_coverage  the same over the whole unit (the sentence leant on, the list items)
    title          share of the question's IDF weight in the passage's section path
    passage        the passage's hybrid score relative to the best passage
    first_hit      the passage is the best hit
    fits           the unit holds what the question type asks for (rag/answer/fits.py)
    depends        the sentence leans on the one before it (and brings it along)
    announces      the sentence announces a list (and brings its items)
    short          the sentence has fewer than 8 words
    opening        the sentence opens its section or passage (definitions often do)

Foreword, "how this booklet is built", back-cover, table-of-contents and literature sections
never compete unless the question asks for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from rag.answer.evidence import TermStats
from rag.answer.fits import PROMOTED_TYPES, Focus, fits
from rag.answer.model import LinearModel
from rag.documents import Chunk
from rag.index.embeddings import Embedder, EmbeddingCache
from rag.index.vectors import answer_texts, window_spans
from rag.ingest.sentences import QuoteUnit, Sentence, list_head, quote_units, split
from rag.search.question import Question
from rag.search.retrieve import Hit

# Sections a booklet has around its content; quoted only when the question asks for them.
_FRAME_SECTION = re.compile(
    r"^(forord|sådan er hæftet bygget op|indhold|indholdsfortegnelse|om hæftet|om pjecen)$"
    r"|\(bagsiden\)$",
    re.I,
)
# The material speaking of itself: booklet-structure text, not an answer.
_SELF_REFERENCE = re.compile(
    r"\b(hæfte\w*|pjece\w*|kapitl\w*|kapitel|visionsark\w*|dette materiale)\b", re.I
)
_ASKS_FOR_LITERATURE = re.compile(
    r"\b(bøger|bog|litteratur|læse? mere|referencer|kilder|books?|literature|reading|references"
    r"|hvor (kan|skal) (jeg|man|vi|i) (læse|finde|hente)"
    r"|where (can|do|should) (i|we|one) (read|find))\b",
    re.I,
)
# A sentence that sends the reader to another publication instead of saying something: "Læs
# pjecen 'Inspiration om tillid og samarbejde' (pdf), hvor I finder …", "Se mere på www.…".
_POINTER = re.compile(
    r"^\W*(læs|se|hent|download|klik|read|see)\b[^.]*(\((pdf|link)\)|www\.|https?://|\bher\b)",
    re.I,
)


@dataclass
class Unit:
    """A sentence as it would be quoted, with what it needs to read on its own."""

    hit: Hit
    sentence: Sentence
    parts: list[Sentence]  # in source order: [sentence leant on], sentence, [list items]
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.parts)

    @property
    def items(self) -> list[Sentence]:
        return [p for p in self.parts if p.index > self.sentence.index]

    @property
    def lead_in(self) -> list[Sentence]:
        """The sentence before and the sentence itself: what is quoted as prose."""
        return [p for p in self.parts if p.index <= self.sentence.index]

    @property
    def key(self) -> tuple[str, int]:
        return self.hit.chunk.chunk_id, self.sentence.index

    def overlaps(self, other: Unit) -> bool:
        if self.hit.chunk.chunk_id != other.hit.chunk.chunk_id:
            return False
        mine = {p.index for p in self.parts}
        return bool(mine & {p.index for p in other.parts})


def _may_be_frame(unit: Unit) -> bool:
    """What `in_frame_section` finds without the question: literature, or frame text itself."""
    chunk = unit.hit.chunk
    if chunk.kind == "reference":
        return True
    if not _FRAME_SECTION.search(chunk.section.split("›")[-1].strip()):
        return False
    return not any(s.heading for s in split(chunk)[: unit.parts[0].index])


def in_frame_section(unit: Unit, question: Question) -> bool:
    """Literature, or text of the foreword, "Sådan er hæftet bygget op", the table of contents
    or the back cover itself (not the content subsections a booklet puts under them, which
    start at a heading line), and the question does not ask for it ("Hvem underskrev forordet
    …?", "Hvilke bøger anbefales?")."""
    chunk = unit.hit.chunk
    if chunk.kind == "reference":
        return not _ASKS_FOR_LITERATURE.search(question.text)
    frame = _FRAME_SECTION.search(chunk.section.split("›")[-1].strip())
    if not frame:
        return False
    if any(s.heading for s in split(chunk)[: unit.parts[0].index]):
        return False  # under a subsection heading: content, not frame
    named = {w for w in re.findall(r"\w{6,}", frame.group(0).lower().strip("()"))}
    asked = re.findall(r"\w+", question.text.lower())
    return not any(a.startswith(w[:-1]) for a in asked for w in named)


def units_of(hit: Hit) -> list[Unit]:
    """Every quotable unit of a passage (rag/ingest/sentences.py: `quote_units`)."""
    return [Unit(hit, q.sentence, list(q.parts)) for q in quote_units(hit.chunk)]


def points_elsewhere(unit: Unit) -> bool:
    """The sentence points to another publication ("Læs om projektet i
    forhandlingsprotokollatet (pdf).") rather than saying what it holds: an answer only to a
    question that asks where to read."""
    return bool(_POINTER.search(unit.sentence.text))


def about_the_booklet(unit: Unit) -> bool:
    """The sentence, or the sentence that introduces its list, talks about the booklet itself
    ("Dette hæfte beskæftiger sig …", "Hvert kapitel består af …")."""
    if _SELF_REFERENCE.search(unit.sentence.text):
        return True
    first = unit.parts[0]
    if first.bullet or first.continues:
        head = list_head(split(unit.hit.chunk), first.index)
        return bool(head and _SELF_REFERENCE.search(head.text))
    return False


class Traits(NamedTuple):
    """What a unit's features read of it that no question changes, worked out once per unit
    (in `SentenceRanker.prepare`) instead of on every answer that scores it."""

    text: str  # the unit's text (`Unit.text`)
    opening: frozenset[str]  # the terms of its sentence's first five words
    sentence: frozenset[str]  # the terms of its sentence
    unit: frozenset[str]  # the terms of its text
    section: frozenset[str]  # the terms of its passage's section path
    lead_in: str  # `_lead_in_text`
    window: str  # the embedded window around its sentence (`SentenceRanker._window`)
    may_be_frame: bool  # `in_frame_section` needs the question only when this holds
    about_booklet: bool  # `about_the_booklet`
    points_away: bool  # `points_elsewhere`
    opens: bool  # `_opens`


class SentenceRanker:
    """Scores every unit of the top passages with the sentence model."""

    def __init__(
        self,
        stats: TermStats,
        embedder: Embedder,
        model: LinearModel,
        cache: EmbeddingCache | None = None,
        passages: int = 5,
        adapt: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.stats = stats
        self.embedder = embedder
        self.model = model
        self.cache = cache
        self.passages = passages
        # The question vector a unit's `sim` and `window` are measured with: through the dense
        # channel's question map (`Searcher.adapted`), which brings a manager's words nearer
        # the sentence that answers as well as its passage.
        self.adapt = adapt or (lambda vector: vector)
        self._memory: dict[str, np.ndarray] = {}
        # Per chunk (the index's chunks never change under a ranker): its quotable units and
        # the windows its sentences sit in, worked out once instead of on every answer.
        self._quotes: dict[str, list[QuoteUnit]] = {}
        self._windows: dict[str, list[tuple[int, int, str]]] = {}
        self._traits: dict[tuple, Traits] = {}

    def prepare(self, chunks: list[Chunk]) -> None:
        """Work out now what answers would otherwise work out while the user waits: each
        chunk's quote units and windows, the terms of the texts a unit is scored by, and the
        vectors of its sentences and units that ingest stored (nothing is embedded here)."""
        texts: list[str] = []
        for chunk in chunks:
            quotes = self._quotes[chunk.chunk_id] = quote_units(chunk)
            self._windows[chunk.chunk_id] = window_spans(chunk)
            self.stats.terms(chunk.section)
            hit = Hit(0, 0.0, chunk, {})
            for q in quotes:
                self.traits(Unit(hit, q.sentence, list(q.parts)))
            texts += answer_texts(chunk, quotes)
        if self.cache is not None:
            self._memory.update(self.cache.stored(self.embedder.name, texts))

    def units(self, hit: Hit) -> list[Unit]:
        """`units_of(hit)`, with the chunk's quote units remembered."""
        chunk = hit.chunk
        quotes = self._quotes.get(chunk.chunk_id)
        if quotes is None:
            quotes = self._quotes[chunk.chunk_id] = quote_units(chunk)
        return [Unit(hit, q.sentence, list(q.parts)) for q in quotes]

    def traits(self, unit: Unit) -> Traits:
        """The unit's `Traits`, remembered per chunk, sentence and parts."""
        chunk = unit.hit.chunk
        key = (chunk.chunk_id, unit.sentence.index, tuple(p.index for p in unit.parts))
        found = self._traits.get(key)
        if found is None:
            terms = self.stats.terms
            found = self._traits[key] = Traits(
                text=unit.text,
                opening=terms(" ".join(unit.sentence.text.split()[:5])),
                sentence=terms(unit.sentence.text),
                unit=terms(unit.text),
                section=terms(chunk.section),
                lead_in=_lead_in_text(unit),
                window=self._window(unit),
                may_be_frame=_may_be_frame(unit),
                about_booklet=about_the_booklet(unit),
                points_away=points_elsewhere(unit),
                opens=_opens(unit.hit, unit.sentence),
            )
        return found

    def candidates(self, question: Question, hits: list[Hit]) -> list[Unit]:
        """The units of the top passages, without frame text the question does not ask for."""
        asks_about_booklet = bool(_SELF_REFERENCE.search(question.text))
        asks_where_to_read = bool(_ASKS_FOR_LITERATURE.search(question.text))
        out = []
        for h in hits[: self.passages]:
            for u in self.units(h):
                traits = self.traits(u)
                if traits.may_be_frame and in_frame_section(u, question):
                    continue
                if traits.points_away and not asks_where_to_read:
                    continue
                if asks_about_booklet or not traits.about_booklet:
                    out.append(u)
        return out

    def rank(self, question: Question, hits: list[Hit], query: np.ndarray) -> list[Unit]:
        """The candidates with their features and probability, best first."""
        units = self.candidates(question, hits)
        self.describe(question, hits, units, query)
        for u in units:
            u.probability = self.model.probability(u.features)
        return sorted(units, key=lambda u: -u.probability)

    def best(self, question: Question, hits: list[Hit], query: np.ndarray) -> Unit | None:
        """The unit most likely to answer `question` (one part of a two-part question)."""
        ranked = self.rank(question, hits, query)
        return ranked[0] if ranked else None

    def describe(
        self, question: Question, hits: list[Hit], units: list[Unit], query: np.ndarray
    ) -> None:
        """Fill in each unit's features (also used to fit the model)."""
        if not units:
            return
        traits = [self.traits(u) for u in units]
        query = self.adapt(query)
        sims = self.similarities([t.text for t in traits], query)
        around = self.similarities([t.window for t in traits], query)
        best = float(sims.max())
        top_score = hits[0].score if hits and hits[0].score > 0 else 1.0
        focus = Focus(question.terms, self.stats.analyzer.terms)
        subject = Focus(question.subject_terms or question.terms, self.stats.analyzer.terms)
        fit_focus = subject if question.answer_type == "definition" else focus
        # `TermStats.coverage` of the question's terms, their weights looked up once per
        # question rather than four times per unit (the same sums, in the same order).
        weights = [(t, self.stats.idf(t)) for t in question.terms]
        total = sum(w for _, w in weights)

        def coverage(found: frozenset[str]) -> float:
            return sum(w for t, w in weights if t in found) / total if total else 0.0

        typed = float(question.answer_type in PROMOTED_TYPES)
        for u, t, sim, window in zip(units, traits, sims, around, strict=True):
            hit = u.hit
            u.features = {
                "sim": float(sim),
                "sim_gap": float(sim) - best,
                "window": float(window),
                "subject": coverage(t.opening),
                "coverage": coverage(t.sentence),
                "unit_coverage": coverage(t.unit),
                "title": coverage(t.section),
                "passage": max(hit.score, 0.0) / top_score,
                "first_hit": float(hit.rank == 1),
                "fits": float(fits(question.answer_type, t.lead_in, fit_focus)),
                "typed": typed,
                "depends": float(len(u.lead_in) > 1),
                "announces": float(bool(u.items)),
                "short": float(u.sentence.words < 8),
                "opening": float(t.opens),
            }

    def _window(self, unit: Unit) -> str:
        """The embedded window of the passage that holds the unit's sentence."""
        chunk = unit.hit.chunk
        spans = self._windows.get(chunk.chunk_id)
        if spans is None:
            spans = self._windows[chunk.chunk_id] = window_spans(chunk)
        start = unit.sentence.start
        return next((text for a, b, text in spans if a <= start < b), spans[-1][2])

    def similarities(self, texts: list[str], query: np.ndarray) -> np.ndarray:
        return self.vectors(texts) @ query

    def group_similarities(self, groups: list[list[str]], query: np.ndarray) -> np.ndarray:
        """Similarity of each group of sentences (a checklist item, an exercise step) to the
        question: of the mean of its sentences' vectors, which ingest embedded, so scoring
        never embeds anything while the user waits."""
        means = []
        for texts in groups:
            kept = [t for t in texts if t.strip()]
            v = self.vectors(kept).mean(axis=0) if kept else np.zeros_like(query)
            norm = float(np.linalg.norm(v))
            means.append(v / norm if norm else v)
        return np.stack(means) @ query

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memory]
        if missing:
            if self.cache is not None:
                fresh = self.cache.embed_passages(self.embedder, missing).vectors
            else:
                fresh = self.embedder.embed_passages(missing)
            self._memory.update(zip(missing, fresh, strict=True))
        return np.stack([self._memory[t] for t in texts])


def _lead_in_text(unit: Unit) -> str:
    """What the unit itself says (its list items are details: a list of relation types does
    not define social capital because one item says "Samlende social kapital handler om")."""
    return " ".join(p.text for p in unit.lead_in)


def _opens(hit: Hit, s: Sentence) -> bool:
    """The first sentence of the passage, or the first after a heading line."""
    if s.index == 0:
        return True
    before = split(hit.chunk)[s.index - 1]
    return before.heading
