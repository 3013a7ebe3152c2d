"""The checklist, exercise and case parts of an extract answer (rag/answer/compose.py).

A checklist, exercise or case among the top passages is shown as a part of its own, complete
enough to use: a checklist's items (those closest to the question when there are many), an
exercise's purpose, participants, duration and materials with the step the question is about,
the sentences of a case that answer. A part is built from the material's sentences only, and
`Citations` keeps the `[n]` markers of every quoted sentence, for the parts and the prose
around them alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from rag.answer.labels import label
from rag.answer.ranking import SentenceRanker, Unit, units_of
from rag.documents import Chunk, Citation
from rag.ingest.sentences import Sentence, split
from rag.search.question import Question
from rag.search.retrieve import Hit
from rag.text import plain_words, shingles, squash

STRUCTURED_KINDS = ("checklist", "exercise", "case")
# The material's sentences as quote matching compares them, remembered (every answer checks
# the units it considers against those already quoted).
_squashed = lru_cache(maxsize=8192)(squash)
_STEP = re.compile(r"^(\d{1,2}\.\s|Fase\s*\d|Trin\s*\d)", re.I)
# A step's duration on a line of its own under its name ("Varighed: 20-30 minutter").
STEP_DURATION = re.compile(r"^Varighed\s*:", re.I)
_EXERCISE_FIELDS = {
    "DELTAGERE": "participants",
    "VARIGHED": "duration",
    "RAMMER OG MATERIALER": "materials",
    "FREMGANGSMADE": "steps",
}


class Citations:
    """Numbers passages in order of first use; one `[n]` per chunk, one span per sentence."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, Citation] = {}
        self._texts: set[str] = set()  # the quoted sentences' words, whichever passage they are in

    def mark(self, chunk: Chunk, sentences: Sequence[Sentence]) -> str:
        c = self._by_chunk.get(chunk.chunk_id)
        self._texts.update(_squashed(s.text) for s in sentences)
        for s in sentences:
            if c is None:
                n = len(self._by_chunk) + 1
                c = self._by_chunk[chunk.chunk_id] = Citation(n, chunk, s.start, s.end)
            else:
                c.add(s.start, s.end)
        return f"[{c.n}]" if c else ""

    def all(self) -> list[Citation]:
        return list(self._by_chunk.values())

    def quoted(self, unit: Unit) -> bool:
        """Some sentence of the unit is already quoted (in a checklist, exercise or case part),
        from this passage or from another that holds the same sentence (passages overlap)."""
        if any(_squashed(p.text) in self._texts for p in unit.parts):
            return True
        c = self._by_chunk.get(unit.hit.chunk.chunk_id)
        return c is not None and any(a <= p.start < b for p in unit.parts for a, b in c.spans)


@dataclass
class Parts:
    """Builds the parts; `siblings` gives the passages a part spans (a case over two chunks)."""

    ranker: SentenceRanker
    siblings: Callable[[Chunk], list[Chunk]]
    max_items: int = 8
    step_margin: float = 0.0  # a step opens the exercise when this much closer than its purpose
    case_sentences: int = 4  # Settings.case_sentences
    purpose_sentences: int = 2  # Settings.purpose_sentences

    def part(self, hit: Hit, question: Question, query: np.ndarray, cites: Citations) -> list[str]:
        """A checklist, exercise or case as its own part: its title with markers, then its lines."""
        chunks = self.siblings(hit.chunk) or [hit.chunk]
        language = question.language
        kind = hit.chunk.kind
        near = self.ranker.adapt(query)  # items and steps met as the ranker meets sentences
        if kind == "checklist":
            body, used = self._checklist(chunks, near, language)
        elif kind == "exercise":
            body, used = self._exercise(chunks, question, near, language)
        else:
            body, used = self._case(chunks, question, query, hit)  # ranked: adapted there
        if not body:
            return []
        # One marker per passage, though its sentences may come in several groups.
        markers = "".join(dict.fromkeys(cites.mark(chunk, sentences) for chunk, sentences in used))
        title, kind_name = part_title(hit.chunk), label(language, kind)
        if not title.lower().startswith(kind_name.lower()):
            title = f"{kind_name}: {title}"
        # Prose lines of the part carry markers too: an introduction its passage's (the first
        # marked), a case's sentences every passage of the case they come from.
        first = re.match(r"\[\d+\]", markers)
        tag = markers if kind == "case" else (first.group(0) if first else "")
        body = [f"{line} {tag}" if not line.startswith(("-", " ")) else line for line in body]
        return [f"**{title}** {markers}", *body]

    def _checklist(self, chunks: list[Chunk], query: np.ndarray, language: str):
        """Each item as the source gives it: the question, then its first explaining sentence.
        A long checklist shows the items closest to the question, in the source's order."""
        items: list[tuple[Chunk, list[Sentence]]] = []
        intro: list[tuple[Chunk, Sentence]] = []
        for chunk, u in _once(chunks):
            if not items and not u.bullet and not u.heading and not u.source_line:
                intro.append((chunk, u))  # what the checklist is for, before its items
            elif u.bullet or (items and _own_question(u)):
                items.append((chunk, [u]))
            elif (
                items
                and items[-1][0] is chunk
                and len(items[-1][1]) == 1
                and not (u.heading or u.source_line)
            ):
                items[-1][1].append(u)
        shown = items
        if len(items) > self.max_items:
            sims = self.ranker.group_similarities([[s.text for s in i[1]] for i in items], query)
            best = set(np.argsort(-sims)[: self.max_items].tolist())
            shown = [item for k, item in enumerate(items) if k in best]
        lines = [
            f"- **{item[0].text}**" + (f" {item[1].text}" if len(item) > 1 else "")
            for _, item in shown
        ]
        if len(items) > len(shown):
            lines.append(f"- … {label(language, 'more_items', n=str(len(items) - len(shown)))}")
        purpose = _first_paragraph(intro, self.purpose_sentences)
        lines = [" ".join(u.text for _, u in purpose)] * bool(purpose) + lines
        return lines, _by_chunk_pairs(purpose) + _by_chunk(shown)

    def _exercise(
        self,
        chunks: list[Chunk],
        question: Question,
        query: np.ndarray,
        language: str,
    ):
        """Purpose, participants, duration and materials in full; the steps by name, and the
        step closest to the question with its instructions."""
        fields: dict[str, list[tuple[Chunk, Sentence]]] = {"intro": []}
        current = "intro"
        for chunk, u in _once(chunks):
            key = _EXERCISE_FIELDS.get(fold_heading(u.text)) if u.heading else None
            if key:
                current = key
                fields.setdefault(key, [])
            elif not u.source_line:
                fields.setdefault(current, []).append((chunk, u))
        intro = fields["intro"]
        steps = (
            fields.get("steps")
            or intro[
                next(
                    (k for k, (_, u) in enumerate(intro) if _STEP.match(u.text) or u.bullet),
                    len(intro),
                ) :
            ]
        )
        lines: list[str] = []
        used: list[tuple[Chunk, Sentence]] = []
        purpose = _first_paragraph(intro, self.purpose_sentences)
        first = purpose[0] if purpose else None
        groups = _step_groups(steps)
        focus = self._closest_step(groups, query)
        opening = None
        if focus is not None and not asks_for_an_exercise(question):
            others = [
                p for key in ("participants", "duration", "materials") for p in fields.get(key, [])
            ]
            opening = self._step_answer(first, others, groups[focus], query, question)
        if opening:
            # The question is about one step ("Hvordan arbejder man med delopgaver i øvelsen?"):
            # the answer opens with the step's sentence that answers; the exercise follows.
            head, sentences = opening
            lines.append(f"*{head[1].text}:* " + " ".join(u.text for _, u in sentences))
            used += sentences
        if purpose:
            lines.append(" ".join(u.text for _, u in purpose))
            used += purpose
        for key in ("participants", "duration", "materials"):
            if fields.get(key):
                lines += field_lines(label(language, key), [u for _, u in fields[key]])
                used += fields[key]
        if groups:
            lines.append(f"- *{label(language, 'steps')}:*")
            for k, (head, body) in enumerate(groups):
                name = head[1].text if head else ""
                if head and body and STEP_DURATION.match(body[0][1].text):
                    # "1. Kortlægning af opgaverne" over "Varighed: 20-30 minutter"
                    name += f" ({body[0][1].text.rstrip('.')})"
                    used.append(body[0])
                    body = body[1:]
                shown = k == focus or not head
                if head:
                    # A step shown by name only says how much of it the source has.
                    rest = ""
                    if body and not shown:  # its instructions as points, or as prose
                        kind = "step_points" if all(u.bullet for _, u in body) else "step_sentences"
                        rest = label(language, kind, n=str(len(body)))
                    lines.append(f"  - **{name}**" + (f" *({rest})*" if rest else ""))
                    used.append(head)
                if shown:
                    item = "    - " if head else "  - "
                    for c, u in body[: self.max_items]:
                        if opening and any(u is o for _, o in opening[1]):
                            continue  # opens the answer already
                        lines.append(item + u.text)
                        used.append((c, u))
                    if len(body) > self.max_items:
                        more = label(language, "more_in_list", n=str(len(body) - self.max_items))
                        lines.append(item + more)
        return (lines, _by_chunk_pairs(used)) if used else ([], [])

    def _closest_step(self, groups, query: np.ndarray) -> int | None:
        texts = [[*([h[1].text] if h else []), *(u.text for _, u in b)] for h, b in groups]
        if not any(texts):
            return None
        return int(np.argmax(self.ranker.group_similarities(texts, query)))

    def _step_answer(self, purpose, others, step, query: np.ndarray, question: Question):
        """(the step's heading, the sentence of it that answers) when the question points into
        the exercise ("i øvelsen", "fase 3") and a sentence of the step is closer to it than
        the sentence that says what the exercise is for and than every sentence of its other
        fields (`others`: participants, duration, materials) by `step_margin`; else None. A
        question whose best passage merely is an exercise keeps its purpose first, and a
        sentence that announces a list never opens (its items stay in the step)."""
        head, body = step
        if not head or not body or not points_into_an_exercise(question):
            return None
        sims = self.ranker.similarities([u.text for _, u in body], query)
        sims[[u.text.rstrip().endswith(":") for _, u in body]] = -1.0
        best = int(np.argmax(sims))
        rivals = [u.text for _, u in [*([purpose] if purpose else []), *others]]
        rival = float(self.ranker.similarities(rivals, query).max()) if rivals else -1.0
        if float(sims[best]) <= rival + self.step_margin:
            return None
        # A sentence that leans on the one before it ("Det kan gøres …") brings it along.
        start = best - 1 if best > 0 and body[best][1].depends else best
        return head, body[start : best + 1]

    def _case(self, chunks: list[Chunk], question: Question, query: np.ndarray, hit: Hit):
        """The sentences of the case that answer the question, in the source's order."""
        units = [u for c in chunks for u in units_of(Hit(hit.rank, hit.score, c, hit.channels))]
        if not units:
            return [], []
        # Words of the case's own name ("Økonomistyrelsen", "Viborg Arrest") are in every
        # question about it and in the sentences that introduce it, not in the one that answers.
        named = self.ranker.stats.terms(chunks[0].section)
        kept = tuple(t for t in question.lexical_terms if t not in named)
        if kept:
            question = replace(question, lexical_terms=kept)
        self.ranker.describe(question, [hit], units, query)
        for u in units:
            u.probability = self.ranker.model.probability(u.features)
        best: list[Unit] = []
        for u in sorted(units, key=lambda u: -u.probability):
            if len(best) == self.case_sentences:
                break
            if not any(u.overlaps(b) or word_pairs(u) & word_pairs(b) for b in best):
                best.append(u)
        best.sort(key=lambda u: (chunks.index(u.hit.chunk), u.sentence.index))
        return _case_lines(best), _by_chunk_pairs([(u.hit.chunk, p) for u in best for p in u.parts])


def _own_question(u: Sentence) -> bool:
    """A question on a line of its own under a checklist's items is one more item ("Hvem er
    ansvarlig for at følge op på denne tjekliste?"), not the item's explanation, which the
    source sets off with a dash ("– skal gerne kunne mærke en forskel?")."""
    return (
        u.text.endswith("?")
        and not u.continues
        and not u.heading
        and not u.text.startswith(("–", "-"))
    )


def _case_lines(units: list[Unit]) -> list[str]:
    """A case's chosen sentences as lines: prose joined by " … " where sentences of the case
    are left out between them, and a sentence that announces
    a list ("Det har de gjort ved at:") ends its line with the list's items under it."""
    lines: list[str] = []
    prose: list[str] = []
    before: Unit | None = None
    for u in units:
        text = " ".join(p.text for p in u.lead_in)
        if prose and before is not None and _follows(before, u):
            prose[-1] += f" {text}"  # the sentence right after: nothing left out between
        else:
            prose.append(text)
        before = u
        if u.items:
            lines.append(" … ".join(prose))
            prose = []
            for item in u.items:
                if item.continues and lines[-1].startswith("- "):
                    lines[-1] += f" {item.text}"
                else:
                    lines.append(f"- {item.text}")
    if prose:
        lines.append(" … ".join(prose))
    return lines


def _follows(a: Unit, b: Unit) -> bool:
    """`b` begins with the sentence right after `a`'s last, in the same passage."""
    same = a.hit.chunk.chunk_id == b.hit.chunk.chunk_id
    return same and b.parts[0].index == a.parts[-1].index + 1


def _once(chunks: list[Chunk]):
    """The units of consecutive chunks in order, each sentence once (chunks overlap)."""
    seen: set[str] = set()
    for chunk in chunks:
        for u in split(chunk):
            if u.heading or u.text not in seen:
                seen.add(u.text)
                yield chunk, u


def structured_parts(
    question: Question,
    hits: list[Hit],
    terms: Callable[[str], list[str]],
    max_cases: int = 3,
    rare: Callable[[str], bool] = lambda term: False,
) -> list[Hit]:
    """A checklist or exercise gets its own part when it is the best match or when the
    question asks for that kind; a case only when the question asks for an example or names
    the case's organisation (`names_the_case`; else its sentences compete for the lead like
    any other's). One part per kind: of several of the
    asked kind, the one whose own name shares most words with the question ("en tjekliste til
    at se, om kerneopgaven er klar" is "Er jeres kerneopgave klar?"), else the best ranked. A
    question after several examples ("Hvilke eksempler …") gets up to `max_cases` cases, one
    per case, from any document among the hits."""
    candidates: dict[str, list[Hit]] = {}
    for h in hits[:3]:
        kind = h.chunk.kind
        wanted = kind == question.kind or (h.rank == 1 and kind != "case")
        wanted = wanted or names_the_case(question, h.chunk, terms, rare)
        if kind in STRUCTURED_KINDS and wanted:
            candidates.setdefault(kind, []).append(h)
    asked = set(question.terms)

    def named(h: Hit) -> int:
        return len(asked & set(terms(part_title(h.chunk))))

    parts = [max(group, key=named) for group in candidates.values()]  # max keeps the first tie
    if question.kind == "case" and asks_for_examples(question):
        titles = {part_title(h.chunk) for h in parts}
        for h in hits:
            if h.chunk.kind == "case" and part_title(h.chunk) not in titles:
                if sum(p.chunk.kind == "case" for p in parts) >= max_cases:
                    break
                titles.add(part_title(h.chunk))
                parts.append(h)
    return parts


# Asking for an exercise as such ("Hvilken øvelse kan vi lave …", "Har I et forløb, vi kan
# køre?", "Is there an exercise …"), not about something inside one ("Hvad bruges de røde
# post-its til i øvelsen?").
_AN_EXERCISE = re.compile(
    r"\b(?:en|et|nogen|noget|nogle|hvilke[nt]?|an?|any|which|some)\s+(?:\w+\s+)?"
    r"(?:øvelser?|forløb|metoder?|værktøj(?:er)?|workshops?|aktivitet(?:er)?|"
    r"exercises?|activit(?:y|ies)|methods?|tools?)\b|\bøvelser\b|\bexercises\b",
    re.I,
)


# Pointing into an exercise already known: "i øvelsen", "samarbejdsøvelsen", "den øvelse,
# hvor …", "i den workshop med …", "the exercise", "that workshop", "fase 3", "trin 2".
_INTO_EXERCISE = re.compile(
    r"\b\w*øvelsen\b|\bworkshoppen\b|\b(?:den|denne|samme)\s+(?:\w+\s+)?(?:øvelse|workshop)\b|"
    r"\b(?:the|this|that)\s+(?:\w+\s+)?(?:exercise|workshop)\b|"
    r"\b(?:fase|trin|step|phase)\s*\d",
    re.I,
)


def points_into_an_exercise(question: Question) -> bool:
    """The question speaks of an exercise it knows, or of one of its steps."""
    return bool(_INTO_EXERCISE.search(question.text))


def asks_for_an_exercise(question: Question) -> bool:
    """The question asks for an exercise as a whole, not about one of its steps."""
    return bool(_AN_EXERCISE.search(question.text))


_PLURAL_EXAMPLES = re.compile(
    r"\b(eksempler|cases|erfaringer|examples|arbejdspladser|steder|kommuner|styrelser|"
    r"institutioner|organisationer|workplaces|agencies|organi[sz]ations|municipalities|"
    r"hvilke\s+(?:\w+\s+)?(?:projekter|indsatser|organisationer))\b",
    re.I,
)


def asks_for_examples(question: Question) -> bool:
    """The question asks for several cases: "Hvilke eksempler …", "Kender du statslige
    eksempler …", "Which cases …"."""
    return bool(_PLURAL_EXAMPLES.search(question.text))


_ACROSS_DOCUMENTS = re.compile(
    r"\b(pjecerne|hæfterne|publikationerne|materialerne|papirerne)\b"
    r"|\b(flere|alle|forskellige|begge|jeres)\s+(af\s+)?(jeres\s+|de\s+)?"
    r"(pjecer|hæfter|publikationer|dokumenter|papirer)\b"
    r"|\b(hver|hvert)\s+(pjece|hæfte)\b"
    r"|\b(the|your)\s+((different|various)\s+)?(booklets|pamphlets|publications)\b"
    r"|\b(across|in|between|all)\s+(of\s+)?(the|your)\s+((different|various)\s+)?"
    r"(documents|papers)\b"
    r"|\beach\s+(booklet|pamphlet|document)\b",
    re.I,
)


def asks_across_documents(question: Question) -> bool:
    """The question asks what the booklets each say: "Er der forskel på, hvordan hæfterne
    definerer social kapital?", "i de forskellige pjecer", "across the booklets"."""
    return bool(_ACROSS_DOCUMENTS.search(question.text))


def names_the_case(
    question: Question, chunk: Chunk, terms: Callable[[str], list[str]], rare: Callable[[str], bool]
) -> bool:
    """The question names the organisation a case is about ("Hvordan ændrede Økonomistyrelsen
    relationen til sine kunder?", "… i Glostrup"): the case answers with its own sentences that
    answer, from all of it, not the one passage the search found first. A name is a term of
    the case's organisation that few passages use (`rare`): "Glostrup", "Viborg", "politiet",
    not "Kommune" or "Styrelsen"."""
    if chunk.kind != "case":
        return False
    org = part_title(chunk).split(" – ")[0]
    names = {t for t in terms(org) if rare(t)}
    return bool(names & set(question.terms))


def part_title(chunk: Chunk) -> str:
    """The part's own name, e.g. "Er jeres kerneopgave klar?"."""
    parts = [p.strip() for p in chunk.section.split("›")]
    for p in reversed(parts):
        if p.lower().startswith(("tjekliste", "øvelse", "case")):
            return p.split(":", 1)[1].strip() if ":" in p else p
    return parts[-1] if parts else chunk.title


def word_pairs(unit: Unit) -> set:
    """The unit's word pairs: how much two units say alike."""
    return shingles(plain_words(unit.text), 2)


def field_lines(name: str, sentences: list[Sentence]) -> list[str]:
    """An exercise field as lines: its sentences after the label, or, when they are entries of
    a list the PDF set one per line ("Arrangørernes forberedelse: 1 time", "Lang planche (1 m x
    2-3 m)"), one entry per line under it, instead of run together into one false sentence."""
    texts = [u.text for u in sentences]
    if len(texts) > 1 and any(not re.search(r"[.!?:]$", t) for t in texts):
        return [f"- *{name}:*", *(f"  - {t}" for t in texts)]
    return [f"- *{name}:* " + " ".join(texts)]


def _first_paragraph(
    intro: list[tuple[Chunk, Sentence]], most: int
) -> list[tuple[Chunk, Sentence]]:
    """What an exercise or a checklist is for: the first prose sentence of its introduction
    and those that follow it on the same line of the source (its paragraph), `most` at most."""
    start = next((k for k, (_, u) in enumerate(intro) if not u.bullet and not u.heading), None)
    if start is None:
        return []
    found = [intro[start]]
    for chunk, u in intro[start + 1 :]:
        last_chunk, last = found[-1]
        same_line = chunk is last_chunk and "\n" not in chunk.text[last.end : u.start]
        if len(found) >= most or u.bullet or u.heading or not same_line:
            break
        found.append((chunk, u))
    return found


def _step_groups(steps: list[tuple[Chunk, Sentence]]):
    """Steps as (heading, lines) groups; lines before the first heading form a group alone."""
    groups: list[tuple[tuple[Chunk, Sentence] | None, list[tuple[Chunk, Sentence]]]] = []
    for c, u in steps:
        if _STEP.match(u.text):
            groups.append(((c, u), []))
        elif groups:
            groups[-1][1].append((c, u))
        else:
            groups.append((None, [(c, u)]))
    return groups


def _by_chunk(items: list[tuple[Chunk, list[Sentence]]]) -> list[tuple[Chunk, list[Sentence]]]:
    return _by_chunk_pairs([(c, s) for c, group in items for s in group])


def _by_chunk_pairs(pairs: list[tuple[Chunk, Sentence]]) -> list[tuple[Chunk, list[Sentence]]]:
    out: dict[str, tuple[Chunk, list[Sentence]]] = {}
    for c, s in pairs:
        out.setdefault(c.chunk_id, (c, []))[1].append(s)
    return list(out.values())


def fold_heading(text: str) -> str:
    """ "FREMGANGSMåDE" and "Fremgangsmåde" alike: the PDF mixed the case of headings."""
    return " ".join(plain_words(text)).upper()
