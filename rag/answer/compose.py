"""The default answer mode, "uddrag": an answer made only of the material's own sentences.

No LLM. The lead is the unit the sentence ranker (rag/answer/ranking.py) finds most likely to
answer: a sentence, with the sentence it leans on or the list it announces, read with the
sentence after it in its passage (which so often says what the first sets up). The bullets are
the next units that are nearly as likely, each labelled with its place when it comes from
another part of the material than the lead (always, under a part shown whole: an exercise's
bullet names its exercise, "Vurdér jeres relationelle koordinering – Varighed"). A
checklist, exercise or case among the top passages gets its own part (rag/answer/parts.py),
complete: all checklist items (or those that fit the question when there are many), every
field of an exercise and the step the question is about, the sentences of a case that
answer. When a "hvor mange"/"hvornår"/"hvem" question's fact is not in the best sentences,
the answer says so before giving what the material does say. The only words added are the
labels in rag/answer/labels.py; every quote carries a marker `[n]` whose citation holds
exactly the quoted sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rag.answer.fits import FACT_TYPES, holds_kind
from rag.answer.labels import label
from rag.answer.parts import (
    STEP_DURATION,
    STRUCTURED_KINDS,
    Citations,
    Parts,
    asks_across_documents,
    asks_for_examples,
    names_the_case,
    part_title,
    structured_parts,
    word_pairs,
)
from rag.answer.ranking import SentenceRanker, Unit, units_of
from rag.documents import Chunk, Citation
from rag.ingest.sentences import split
from rag.search.question import Question
from rag.search.retrieve import Hit

# A booklet's pointer onward, which the layout marks as a heading: "Læs mere", a web address.
_LINK_LINE = re.compile(r"^(læs mere\b.*|(https?://|www\.)\S+)$", re.I)
_PART_PREFIX = re.compile(r"^(Case|Tjekliste|Øvelse|Anbefaling)\b", re.I)


@dataclass
class Composition:
    text: str
    citations: list[Citation]
    partial: bool


@dataclass
class Composer:
    """Builds the extract answer; the constructor holds the defaults, `compose` the question."""

    ranker: SentenceRanker
    siblings: Callable[[Chunk], list[Chunk]]
    # The items of the catalogue a passage is one item of ("Videnscentre": Kompetencesekretariatet,
    # Samarbejdssekretariatet, …), in the source's order; [] for a passage that is none.
    catalogue: Callable[[Chunk], list[Chunk]] = lambda chunk: []
    max_bullets: int = 3
    bullet_ratio: float = 0.5  # a bullet is at least this share as likely as the lead
    bullet_floor: float = 0.05  # and at least this likely (Settings.bullet_floor)
    # The bullets left after those are filled in order down to this share and this floor.
    bullet_fill_ratio: float = 0.5
    bullet_fill_floor: float = 0.05
    max_items: int = 8
    fit_reach: int = 4  # a unit this far down may lead when it alone has what is asked
    carry_ratio: float = 0.0  # the next sentence this likely (share of the lead) is read with it

    max_cases: int = 3  # cases shown for "which examples …"; the rest are named
    max_parts: int = 3
    max_listed: int = 5  # catalogue items a "which …" question lists; the rest are named
    list_margin: float = 0.04  # 3 items at most this far below the lead's similarity

    step_margin: float = 0.0  # Settings.exercise_step_margin
    purpose_sentences: int = 2  # Settings.purpose_sentences
    case_sentences: int = 4  # Settings.case_sentences
    case_name_passages: int = 4  # Settings.case_name_passages
    rare_passages: int = 3  # Settings.rare_term_passages

    def _case_name(self, term: str) -> bool:
        """A term of a case's organisation few passages use names the case."""
        return 0 < self.ranker.stats.df(term) <= self.case_name_passages

    def __post_init__(self) -> None:
        self.parts = Parts(
            self.ranker,
            self.siblings,
            self.max_items,
            self.step_margin,
            self.case_sentences,
            self.purpose_sentences,
        )

    def compose(
        self,
        question: Question,
        hits: list[Hit],
        ranked: list[Unit],
        query: np.ndarray,
        must: Sequence[Unit] = (),
        cases: Sequence[Hit] = (),
        uncovered: Sequence[str] = (),
    ) -> Composition:
        """`must`: the best unit for each further part of a two-part question; each is shown
        right after the lead. `cases`: the cases a question after several examples may be
        answered with beyond those among the hits (a search for cases alone). `uncovered`: the
        parts of the question the material does not answer, named first."""
        language = question.language
        cites = Citations()
        terms = self.ranker.stats.analyzer.terms
        rare = self._case_name
        structured = structured_parts(question, [*hits, *cases], terms, self.max_cases, rare)
        listed = self._listed(question, hits, query, ranked[0]) if ranked else []
        if listed and self.catalogue(hits[0].chunk):
            # The best passage is an item of the catalogue listed ("Hvilke studier … peger
            # pjecen med gode eksempler på?"): the list answers, not cases.
            structured = [h for h in structured if h.chunk.kind != "case"]
        # The part the question asks for, or the part of the best passage, comes first.
        asked_for = [
            h
            for h in structured
            if h.chunk.kind == question.kind
            or h.rank == 1
            or names_the_case(question, h.chunk, terms, rare)
        ]
        shown = {h.chunk.chunk_id for h in structured}
        prose = _promote_fit(
            [u for u in ranked if u.hit.chunk.chunk_id not in shown], self.fit_reach
        )
        first_parts = [self.parts.part(hit, question, query, cites) for hit in asked_for]
        partial = _partial(question, prose, first_parts, self.ranker)

        blocks: list[list[str]] = []
        if label(language, "lead"):
            blocks.append([label(language, "lead")])
        blocks += [[_part_uncovered(part, language)] for part in uncovered]
        if partial:
            blocks.append([label(language, f"partial_{question.answer_type}")])
        blocks += first_parts  # the checklist/exercise/case the question asks for comes first
        lead = prose[0] if prose else None
        if not lead or asked_for or lead is not ranked[0]:
            listed = []
        limit = self.max_bullets - 1 if asked_for else self.max_bullets
        # Nothing twice: a bullet never repeats what a part above already quotes; a part of a
        # two-part question answered inside a checklist, exercise or case shown above gets its
        # sentence all the same when the part does not quote it.
        must = [u for u in must if not cites.quoted(u)]
        fresh = [u for u in prose if not cites.quoted(u)]
        if lead and not asked_for and not listed:
            lead = self._carried_on(lead, fresh)
        if listed:
            bullets = self._list_bullets(listed, lead, must)
        else:
            rare = self._rare_terms(question)
            bullets = self._bullets(
                fresh,
                lead,
                limit,
                skip_lead=not asked_for,
                must=must,
                rare=rare,
                across=asks_across_documents(question),
                fill_free=not uncovered,
            )
            if lead and not asked_for:
                lead, bullets = adjoin(lead, bullets, before=not lead.features.get("fits"))
            bullets = adjoined(bullets)
        if lead and not asked_for:
            # A case's sentence says whose experience it is: "*Case: Glostrup Hospital:* …", an
            # exercise's or checklist's which it is from ("*Øvelse: Vurdér jeres relationelle
            # koordinering:* Læg op til …"), an item of a catalogue listed which item it is.
            place = _lead_place(lead, language)
            place = _item_name(lead) if listed and self.catalogue(lead.hit.chunk) else place
            blocks.append(_quote(lead, cites, place=place, language=language))
        if bullets:
            lines = [f"**{label(language, 'more')}:**"]
            for u in bullets:
                # Under a checklist, exercise or case shown whole, a bullet always says where
                # it is from: the lead it would be compared with is not shown.
                elsewhere = asked_for or (lead and _elsewhere(u, lead))
                place = _place(u) if elsewhere else None
                place = _item_name(u) if u in listed else place
                lines += _quote(u, cites, place, bullet=True, language=language)
            blocks.append(lines)
        blocks.append(self._more_listed(listed, lead, bullets, language))
        for hit in structured:
            if hit not in asked_for:
                blocks.append(self.parts.part(hit, question, query, cites))
        if not listed:
            blocks.append(_more_cases(question, [*hits, *cases], structured, language))
        text = "\n\n".join("\n".join(b) for b in blocks if b)
        return Composition(text, cites.all(), partial or bool(uncovered))

    def _bullets(
        self,
        prose: list[Unit],
        lead: Unit | None,
        limit: int,
        skip_lead: bool,
        must: Sequence[Unit] = (),
        rare: frozenset[str] = frozenset(),
        across: bool = False,
        fill_free: bool = True,
    ) -> list[Unit]:
        """Next units that add something: nearly as likely as the lead, not repeating it. The
        answers to a two-part question's other parts come first, then, among units nearly as
        likely, one from each document not yet quoted (a question across the booklets gets
        each booklet's answer; one that asks across the booklets by name, `across`, gets it
        however likely), and one from each other document whose sentence names a `rare`
        term of the question however likely ("nulfejlskultur" in two booklets), then the rest
        in order, down to `bullet_fill_ratio` of the lead: when the lead is not sure, the unit
        that answers is often the second or third. Not when part of the question is not
        covered (`fill_free` off): loose bullets under "Materialet svarer ikke på denne del …" make
        an answer to the rest look surer than it is."""
        if lead is None or limit <= 0:
            return []
        bar = max(self.bullet_floor, self.bullet_ratio * lead.probability)
        fill = (
            max(self.bullet_fill_floor, self.bullet_fill_ratio * lead.probability)
            if fill_free
            else bar
        )
        chosen: list[Unit] = []
        seen = [word_pairs(lead)] if skip_lead else []
        wanted = [u for u in must if not (skip_lead and u.overlaps(lead))]
        likely = [u for u in prose if u.probability >= bar]
        docs = {lead.hit.chunk.doc_id}
        other_docs = []
        for u in likely:
            if u.hit.chunk.doc_id not in docs:
                docs.add(u.hit.chunk.doc_id)
                other_docs.append(u)
        if across:  # "hvordan definerer hæfterne …": each booklet's best, however likely,
            for u in prose:  # beside the bullets any answer gets
                if u.hit.chunk.doc_id not in docs:
                    docs.add(u.hit.chunk.doc_id)
                    wanted.append(u)
                    limit += 1
        for u in prose if rare else []:  # another booklet names a rare word of the question
            elsewhere = u.hit.chunk.doc_id not in docs and u.probability >= self.bullet_floor
            if elsewhere and rare & self.ranker.traits(u).sentence:
                docs.add(u.hit.chunk.doc_id)
                wanted.append(u)  # ahead of `other_docs`, and exempt from the bar
        for u in [*wanted, *other_docs, *prose]:
            if len(chosen) == limit:
                break
            if u.probability < fill and u.key not in {w.key for w in wanted}:
                continue
            if (skip_lead and (u is lead or u.overlaps(lead))) or any(
                u.overlaps(c) for c in chosen
            ):
                continue
            grams = word_pairs(u)
            if any(grams and len(grams & g) > 0.5 * len(grams) for g in seen):
                continue
            seen.append(grams)
            chosen.append(u)
        return chosen

    def _carried_on(self, lead: Unit, prose: list[Unit]) -> Unit:
        """The lead is read with the sentence after it in its passage when that one is at
        least `carry_ratio` as likely: a sentence often sets up what the next one says ("I
        2011 stod styrelsen overfor et sparekrav på 70 stillinger." says nothing of how it
        went without the sentences after it)."""
        if not _plain(lead):
            return lead
        for u in prose:
            if _next_to(lead, u) and u.parts[0].index > lead.parts[-1].index:
                if u.probability >= self.carry_ratio * lead.probability:
                    return _joined(lead, u)
                break
        return lead

    def _rare_terms(self, question: Question) -> frozenset[str]:
        """The question's terms that at most `rare_passages` passages of the material use."""
        stats = self.ranker.stats
        return frozenset(t for t in question.terms if 0 < stats.df(t) <= self.rare_passages)

    # --- "which …" questions over a catalogue ---------------------------------------------------

    def _listed(
        self, question: Question, hits: list[Hit], query: np.ndarray, lead: Unit
    ) -> list[Unit]:
        """A "which …" question (`list`) whose best passages include an item of a catalogue
        (the booklet's knowledge centres, its studies): the best unit of every item of that
        catalogue, in the source's order, so the answer names all of them."""
        if question.answer_type != "list":
            return []
        items = next((self.catalogue(h.chunk) for h in hits[:3] if self.catalogue(h.chunk)), [])
        if not items:
            return []
        found = {h.chunk.chunk_id: h for h in hits}
        top = hits[0].score if hits else 1.0
        item_hits = [found.get(c.chunk_id) or Hit(len(hits) + 1, 0.0, c, {}) for c in items]
        units = [u for h in item_hits for u in units_of(h)]
        if not units:
            return []
        self.ranker.describe(question, [Hit(1, top, hits[0].chunk, {}), *item_hits], units, query)
        terms = self.ranker.stats.analyzer.terms
        by_item: dict[str, list[Unit]] = {}
        for u in units:
            u.probability = self.ranker.model.probability(u.features)
            by_item.setdefault(u.hit.chunk.chunk_id, []).append(u)
        found_items = [by_item[c.chunk_id] for c in items if c.chunk_id in by_item]
        # The question is about the catalogue when an item is at least as close to it as the
        # lead and three items are nearly as close; else (items that happened to be among the
        # hits: "Hvilke parter står bag projektet …?") no list.
        closest = [max(u.features["sim"] for u in us) for us in found_items]
        near = [sim for sim in closest if sim >= lead.features["sim"] - self.list_margin]
        if not closest or max(closest) < lead.features["sim"] or len(near) < 3:
            return []
        return [_naming(us, terms) for us in found_items]

    def _list_bullets(self, listed: list[Unit], lead: Unit, must: Sequence[Unit]) -> list[Unit]:
        """The parts' answers, then one unit per catalogue item the lead does not already hold."""
        chosen: list[Unit] = []
        items = [u for u in listed if u.hit.chunk.chunk_id != lead.hit.chunk.chunk_id]
        for u in [*must, *items]:
            if u.overlaps(lead) or any(u.overlaps(c) for c in chosen):
                continue
            chosen.append(u)
            if sum(c in listed for c in chosen) == self.max_listed:
                break
        return chosen

    def _more_listed(
        self, listed: list[Unit], lead: Unit | None, shown: list[Unit], language: str
    ) -> list[str]:
        """The catalogue items beyond `max_listed`, by name."""
        if not listed or lead is None:
            return []
        seen = {u.hit.chunk.chunk_id for u in [lead, *shown]}
        rest = [_item_name(u) for u in listed if u.hit.chunk.chunk_id not in seen]
        if not rest:
            return []
        return [label(language, "more_listed", n=str(len(rest)), names="; ".join(rest)) + "."]


def _part_uncovered(part: str, language: str) -> str:
    """ "Materialet svarer ikke på denne del af spørgsmålet: »hvordan beregner jeg
    overtidsbetaling?«." """
    return label(language, "part_uncovered", part=part.strip(" ,.?")) + "."


def _promote_fit(prose: list[Unit], reach: int) -> list[Unit]:
    """A definition or fact question leads with a unit of the kind it asks for ("X er …", the
    number, the date, the name) when the best unit is not one and one of the next few is."""
    if not prose or prose[0].features.get("fits") or not prose[0].features.get("typed"):
        return prose
    for k, u in enumerate(prose[1:reach], 1):
        if u.features.get("fits"):
            return [u, *prose[:k], *prose[k + 1 :]]
    return prose


def _partial(
    question: Question, prose: list[Unit], parts: list[list[str]], ranker: SentenceRanker
) -> bool:
    """A fact question (a length of time, a number, a time, a name) whose kind of fact is in
    none of the passages of the three best sentences (the answer's lead and bullets): only
    then does the answer say the material does not give it."""
    if question.answer_type not in FACT_TYPES or not (prose or parts):
        return False
    passages = {u.hit.chunk.chunk_id: u.hit.chunk.text for u in prose[:3]}
    texts = [*passages.values(), *(line for part in parts for line in part[1:])]
    return not any(holds_kind(question.answer_type, t) for t in texts)


def _plain(unit: Unit) -> bool:
    """Prose only: no list items, no heading, no bullet item of its own."""
    return not unit.items and not any(p.bullet or p.heading for p in unit.parts)


def _next_to(a: Unit, b: Unit) -> bool:
    """`b` is the sentence (or sentences) of `a`'s passage right before or right after it."""
    if a.hit.chunk.chunk_id != b.hit.chunk.chunk_id or not (_plain(a) and _plain(b)):
        return False
    first_a, last_a = a.parts[0].index, a.parts[-1].index
    first_b, last_b = b.parts[0].index, b.parts[-1].index
    return last_a + 1 == first_b or last_b + 1 == first_a


def _joined(a: Unit, b: Unit) -> Unit:
    """Two neighbouring units as one, in the source's order, as likely as the likelier."""
    parts = sorted([*a.parts, *b.parts], key=lambda p: p.index)
    best = a if a.probability >= b.probability else b
    return Unit(best.hit, parts[-1], parts, best.features, best.probability)


def adjoin(lead: Unit, bullets: list[Unit], before: bool = True) -> tuple[Unit, list[Unit]]:
    """A bullet that is the sentence right after the lead in its passage is read with the
    lead: "KL og KTO tilbød i juni 2013 alle kommuner fem pladser på en uddannelse i
    innovation. 35 kommuner har sendt cirka 250 medarbejdere på uddannelse." rather than the
    second as a bullet of its own; so is the sentence right before it (`before`), unless the
    lead holds what the question asks for ("Resultatet er, at …"), which then opens the
    answer."""
    rest = []
    for u in bullets:
        after = u.parts[0].index > lead.parts[-1].index
        if _next_to(lead, u) and (after or before):
            lead = _joined(lead, u)
        else:
            rest.append(u)
    return lead, rest


def adjoined(bullets: list[Unit]) -> list[Unit]:
    """Bullets that are neighbouring sentences of one passage become one bullet, in the
    source's order, where the likelier of them stood."""
    out: list[Unit] = []
    for u in bullets:
        k = next((i for i, o in enumerate(out) if _next_to(o, u)), None)
        if k is None:
            out.append(u)
        else:
            out[k] = _joined(out[k], u)
    return out


def _quote(
    unit: Unit, cites: Citations, place: str | None, bullet: bool = False, language: str = "da"
) -> list[str]:
    """A unit as answer lines: its prose with the marker, then the items of its list, and how
    many more the source has when the sentence announces more than the passage holds ("ti
    råd:" with eight items in this passage)."""
    marker = cites.mark(unit.hit.chunk, unit.parts)
    prose = " ".join(p.text for p in unit.lead_in)
    where = f"*{place}:* " if place else ""
    head = f"- {where}{prose} {marker}" if bullet else f"{where}{prose} {marker}"
    indent = "  - " if bullet else "- "
    lines = [head]
    for item in unit.items:
        if item.continues and len(lines) > 1:
            lines[-1] += f" {item.text}"  # the rest of a bullet item on its line
        else:
            lines.append(f"{indent}{item.text}")
    shown = sum(1 for item in unit.items if not item.continues)
    announced = announced_count(unit.sentence.text)
    if shown and announced and announced > shown:
        lines.append(f"{indent}{label(language, 'more_in_list', n=str(announced - shown))}")
    return lines


_COUNT_WORDS = {
    "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8, "ni": 9, "ti": 10,
    "elleve": 11, "tolv": 12, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ANNOUNCED = re.compile(
    r"\b(\d{1,2}|" + "|".join(_COUNT_WORDS) + r")\s+(?:[a-zæøå]+\s+){0,2}?"
    r"(råd|anbefalinger|elementer|forudsætninger|trin|faser|spørgsmål|punkter|ting|krav|"
    r"principper|måder|veje|temaer|perspektiver|områder|gode råd|dimensioner)\b",
    re.I,
)


def announced_count(text: str) -> int | None:
    """How many things a sentence announces ("følgende ti råd:", "tre vigtige
    forudsætninger"), or None."""
    m = _ANNOUNCED.search(text)
    if not m:
        return None
    word = m.group(1).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


def _more_cases(question: Question, hits: list[Hit], shown: list[Hit], language: str) -> list[str]:
    """For a question after several examples, the further cases among the hits by name."""
    if question.kind != "case" or not asks_for_examples(question):
        return []
    named = {part_title(h.chunk) for h in shown if h.chunk.kind == "case"}
    rest = []
    for h in hits:
        title = part_title(h.chunk)
        if h.chunk.kind == "case" and title not in named and title not in rest:
            rest.append(title)
    if not rest:
        return []
    return [label(language, "more_cases", n=str(len(rest)), names="; ".join(rest)) + "."]


def _naming(units: list[Unit], terms: Callable[[str], list[str]]) -> Unit:
    """The unit that says what a catalogue item is, short: of those that name it most
    ("MindLab skaber nye løsninger …" for Mindlab), the one that opens the item or a section of
    it, else one without a list, else the most likely."""
    name = set(terms(_item_name(units[0])))

    def named(u: Unit) -> float:
        return len(name & set(terms(" ".join(p.text for p in u.lead_in)))) / (len(name) or 1)

    return max(
        units,
        key=lambda u: (named(u), u.features["opening"], not u.items, u.probability),
    )


def _item_name(unit: Unit) -> str:
    """A catalogue item's own name: the last part of its section ("Mindlab")."""
    return unit.hit.chunk.section.split("›")[-1].strip() or unit.hit.chunk.title


def _elsewhere(unit: Unit, lead: Unit) -> bool:
    return _place(unit) != _place(lead)


def _step_name(heading: str) -> str:
    """A field or step heading of an exercise as a label names it: "VARIGHED" → "Varighed",
    "1. Kortlægning af opgaverne Varighed: 20-30 minutter" → "1. Kortlægning af opgaverne";
    "" for a line that is no name (a web address, a long sentence)."""
    name = re.split(r"\s+varighed\b", heading, maxsplit=1, flags=re.I)[0].strip()
    if re.search(r"/|www\.|\.dk\b", name) or len(name.split()) > 6:
        return ""
    return name.capitalize() if name.isupper() else name


def _lead_place(lead: Unit, language: str) -> str | None:
    """The label of a lead from a case, an exercise or a checklist; None for other text."""
    kind = lead.hit.chunk.kind
    if kind not in STRUCTURED_KINDS:
        return None
    place = _place(lead)
    name = label(language, kind)
    return place if kind == "case" or place.lower().startswith(name.lower()) else f"{name}: {place}"


def _place(unit: Unit) -> str:
    """Where a unit comes from, short: the subsection heading it sits under in its passage
    ("Tre forskellige relationer"; a case's with the case's name), else its section: "Case:
    Glostrup Hospital", "Anbefaling 3"."""
    heading = next(
        (
            s.text
            for s in reversed(split(unit.hit.chunk)[: unit.parts[0].index])
            if s.heading and not STEP_DURATION.match(s.text)  # a step's "Varighed: 20 min"
        ),
        None,
    )
    chunk = unit.hit.chunk
    if chunk.kind in ("exercise", "checklist"):
        # "Varighed" alone does not say whose exercise: the label names the exercise first.
        title = part_title(chunk)
        step = _step_name(heading) if heading and heading != title else ""
        return f"{title} – {step}" if step else title
    parts = [p.strip() for p in chunk.section.split("›")]
    # "Læs mere http://…" closes the item before this one: it names no place.
    if heading and not _LINK_LINE.match(heading):
        # "TR med ved bordet" does not say whose experience it is: a case's subsection is
        # named with its case, "Case: Styrelsen for Forskning og Innovation – TR med ved bordet".
        case = next((p.split(" – ")[0] for p in parts if p.startswith("Case")), None)
        return f"{case} – {heading}" if case and chunk.kind == "case" else heading
    for p in parts:
        if _PART_PREFIX.match(p):
            return (
                re.split(r" – |: (?=[A-ZÆØÅ])", p, maxsplit=1)[0]
                if not p.startswith("Case")
                else p.split(" – ")[0]
            )
    last = parts[-1] if parts else chunk.title
    words = last.split()
    return last if len(words) <= 7 else " ".join(words[:7]) + " …"
