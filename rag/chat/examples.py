"""Example questions drawn from the material that is actually indexed, for an empty conversation.

A fixed list would be tied to the documents of today; organisations add their own. So the
questions are made from the material's own headings, one per kind a manager can ask for: a
definition ("Hvad er IPLS?", or a key term the material defines), a how-to (a heading that is an
instruction, "Styrk samarbejde og koordinering" → "Hvordan kan vi styrke samarbejde og
koordinering?"), a checklist, an exercise and a case. Each candidate is asked once and kept only
when the assistant answers it from the very passage it was drawn from, so a click never ends in
a refusal. English questions put the material's Danish names in quotes, or its domain terms in
English where the glossary knows them.

Pure functions of the chunks and an `ask` callable: the page caches the result per build.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rag.config import PACKAGE_DATA
from rag.documents import Answer, Chunk
from rag.index.lexical import danish_stopwords
from rag.text import fold_spelling

# The kinds an opening offers, in the order they are shown.
KINDS = ("definition", "howto", "checklist", "exercise", "case")
# How many a page shows at most, and the fewest worth a heading.
MOST, FEWEST = 6, 4
# Candidates asked per kind before giving up on it (each costs one answer, ~0.1-0.3 s).
TRIES = 4
# The word a unit's heading starts with, per kind ("Tjekliste: …", "Øvelse: …", "Case: …").
LEAD_WORDS = {"checklist": "tjekliste", "exercise": "øvelse", "case": "case"}
_NUMBERED = re.compile(r"^\s*\w+\s+\d+\s*[:.–-]\s*")  # "Udfordring 2: ", "Anbefaling 10 – "
_PAREN = re.compile(r"\s*\([^)]*\)\s*$")
_WORD = re.compile(r"[^\W\d_]+")
_QUESTION_HEADING = re.compile(r"^(hvad er|hvad betyder|hvad er en|hvad er et)\s+(.+?)\?$", re.I)


@dataclass(frozen=True)
class Example:
    """One card: what kind of question it is, the question, and the passage it came from."""

    kind: str
    question: str
    chunk_id: str
    doc_id: str
    source_kind: str  # the kind of the passage it came from (for the page's kind filter)


@dataclass(frozen=True)
class Candidate:
    kind: str
    questions: dict[str, str]  # language → question
    chunk: Chunk
    unit: str  # the section path of the unit the question is about


# --- names from headings ---------------------------------------------------------------------


def parts(chunk: Chunk) -> list[str]:
    return [p.strip() for p in chunk.section.split("›") if p.strip()]


def bare(heading: str) -> str:
    """A heading without its numbering ("Udfordring 2: ") and a closing parenthesis."""
    return _PAREN.sub("", _NUMBERED.sub("", heading)).strip()


def unit_of(chunk: Chunk) -> tuple[str, str] | None:
    """(section path of the unit, its heading) for a checklist, exercise or case: the deepest
    heading that starts with the kind's word, else the deepest heading."""
    path = parts(chunk)
    if not path:
        return None
    lead = LEAD_WORDS.get(chunk.kind)
    for i in range(len(path) - 1, -1, -1):
        if lead and path[i].lower().startswith(lead):
            return " › ".join(path[: i + 1]), path[i]
    return " › ".join(path), path[-1]


def name_after_lead(heading: str, kind: str) -> str | None:
    """ "Tjekliste: Leder du på tværs?" → "Leder du på tværs?"; None without a colon."""
    lead = LEAD_WORDS.get(kind, "")
    if heading.lower().startswith(lead) and ":" in heading[: len(lead) + 2]:
        return heading.split(":", 1)[1].strip() or None
    return None


def infinitives(text: str) -> frozenset[str]:
    """Words the material uses after "at" (lower case): its infinitives, near enough."""
    return frozenset(re.findall(r"\bat ([^\W\d_]+)", text.lower()))


def infinitive(heading: str, after_at: frozenset[str]) -> str | None:
    """The heading as "<infinitive> …" when its first word is an instruction: the word plus
    -e (or its last letter doubled plus -e) is used after "at" in the material itself ("Stil
    skarpt på …" → "stille skarpt på …"); None for headings that are not instructions."""
    words = heading.split()
    if not words:
        return None
    first = words[0].strip(":,").lower().replace("é", "e")
    if len(first) < 3 or not first.isalpha() or first in danish_stopwords():
        return None
    if first[-1] in "aeiouyæøå":
        return None
    for form in (first + "e", first + first[-1] + "e"):
        if form in after_at:
            return " ".join([form, *words[1:]])
    return None


# --- English terms from the glossary ---------------------------------------------------------


@lru_cache(maxsize=1)
def _english_for() -> dict[str, str]:
    """Danish word or phrase (folded) → the first English term the glossary gives for it."""
    out: dict[str, str] = {}
    for line in (PACKAGE_DATA / "glossary-en-da.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, danish = line.partition("\t")
        danish = danish.strip().lower()
        if not danish:
            continue
        keys = [danish] if " " in danish and len(danish.split()) == 2 else danish.split()
        for key in keys:
            out.setdefault(fold_spelling(key), english.strip())
    return out


def english_terms(text: str, most: int = 2) -> list[str]:
    """The domain terms of a Danish text in English, phrases first, in order of appearance."""
    words = [fold_spelling(w.lower()) for w in _WORD.findall(text)]
    table = _english_for()
    found: list[str] = []
    i = 0
    while i < len(words) and len(found) < most:
        pair = " ".join(words[i : i + 2])
        if pair in table:
            term, i = table[pair], i + 2
        elif words[i] in table:
            term, i = table[words[i]], i + 1
        else:
            i += 1
            continue
        if term not in found:
            found.append(term)
    return found


# --- candidates per kind ---------------------------------------------------------------------


def definition_candidates(chunks: list[Chunk]) -> list[Candidate]:
    """Headings that ask "Hvad er X?", then the material's most used domain terms that some
    sentence defines ("Social kapital er …")."""
    out: list[Candidate] = []
    for c in chunks:
        heading = parts(c)[-1] if parts(c) else ""
        m = _QUESTION_HEADING.match(heading)
        if m:
            term = m.group(2)
            en = english_terms(term, most=1)
            out.append(
                Candidate(
                    "definition",
                    {"da": heading, "en": f"What is {en[0] if en else term}?"},
                    c,
                    c.section,
                )
            )
    out += _defined_terms(chunks)
    return out


def _defined_terms(chunks: list[Chunk]) -> list[Candidate]:
    """Domain terms (the glossary's Danish side) that a sentence of the material defines
    ("Social kapital er …"), the most used first."""
    table = _english_for()
    counts: Counter[str] = Counter()
    where: dict[str, Chunk] = {}
    for c in chunks:
        folded = fold_spelling(c.text.lower())
        words = _WORD.findall(folded)
        present = set(words) | {" ".join(p) for p in itertools.pairwise(words)}
        for term in present.intersection(table):
            if len(term) < 5 or term in danish_stopwords():
                continue
            counts[term] += 1
            if term not in where and re.search(
                rf"(?:^|[.!?]\s+){re.escape(term)} (?:er|betyder)\b", folded
            ):
                where[term] = c
    out = []
    for term in sorted(where, key=lambda t: -counts[t]):
        chunk = where[term]
        questions = {
            "da": f"Hvad er {_as_written(term, chunk.text)}?",
            "en": f"What is {table[term]}?",
        }
        out.append(Candidate("definition", questions, chunk, chunk.section))
    return out


def _as_written(folded_term: str, text: str) -> str:
    """The term spelt as the material spells it (æ, ø, å back), in lower case."""
    n = len(folded_term.split())
    words = _WORD.findall(text)
    for i in range(len(words) - n + 1):
        phrase = " ".join(words[i : i + n])
        if fold_spelling(phrase.lower()) == folded_term:
            return phrase.lower()
    return folded_term


def howto_candidates(chunks: list[Chunk], text: str) -> list[Candidate]:
    """Headings that are instructions, as "Hvordan kan vi …?"; one per heading."""
    after_at = infinitives(text)
    out, seen = [], set()
    for c in chunks:
        path = parts(c)
        for i, heading in enumerate(path):
            name = bare(heading)
            todo = infinitive(name, after_at)
            unit = " › ".join(path[: i + 1])
            if not todo or unit in seen:
                continue
            seen.add(unit)
            questions = {
                "da": f"Hvordan kan vi {todo.rstrip('?.')}?",
                "en": f"What does the material advise on »{name}«?",
            }
            out.append(Candidate("howto", questions, c, unit))
    return out


def unit_candidates(chunks: list[Chunk], kind: str) -> list[Candidate]:
    """Checklists, exercises and cases, one candidate per unit (its first passage)."""
    out, seen = [], set()
    for c in chunks:
        if c.kind != kind:
            continue
        found = unit_of(c)
        if not found or found[0] in seen:
            continue
        unit, heading = found
        seen.add(unit)
        out.append(Candidate(kind, _unit_questions(kind, heading), c, unit))
    return out


def _unit_questions(kind: str, heading: str) -> dict[str, str]:
    """The Danish and English question about one checklist, exercise or case, naming it as
    the material does (a heading that is itself the kind's name is quoted whole)."""
    named = name_after_lead(heading, kind)
    name = named or bare(heading)
    if kind == "case":
        subject = name.split(" – ")[0].strip() if " – " in name else f"»{name}«"
        return {
            "da": f"Hvad kan vi lære af casen om {subject}?",
            "en": f"What can we learn from the case of {subject}?",
        }
    noun = {"checklist": ("tjeklisten", "the checklist"), "exercise": ("øvelsen", "the exercise")}
    da, en = noun[kind]
    whole = not named and name.lower().startswith(LEAD_WORDS[kind])
    if kind == "checklist":
        return {
            "da": f"Vis mig »{name}«" if whole else f"Vis mig {da} »{name}«",
            "en": f"Show me »{name}«" if whole else f"Show me {en} »{name}«",
        }
    ask = "" if name.endswith("?") else "?"
    return {
        "da": f"Hvordan laver vi »{name}«{ask}"
        if whole
        else f"Hvordan laver vi {da} »{name}«{ask}",
        "en": f"How do we do »{name}«{ask}" if whole else f"How do we do {en} »{name}«{ask}",
    }


def candidates(chunks: list[Chunk]) -> dict[str, list[Candidate]]:
    """Every candidate per kind, best first."""
    text = " ".join(c.text for c in chunks)
    return {
        "definition": definition_candidates(chunks),
        "howto": howto_candidates(chunks, text),
        "checklist": unit_candidates(chunks, "checklist"),
        "exercise": unit_candidates(chunks, "exercise"),
        "case": unit_candidates(chunks, "case"),
    }


# --- choosing what the assistant really answers ----------------------------------------------


def answered_from(answer: Answer, candidate: Candidate) -> bool:
    """The answer is not a refusal and cites the unit the question was drawn from."""
    if answer.refused or answer.partial or not answer.citations:
        return False
    return any(
        c.chunk.doc_id == candidate.chunk.doc_id
        and (c.chunk.section + " ›").startswith(candidate.unit + " ›")
        for c in answer.citations
    )


def choose(
    chunks: Iterable[Chunk],
    ask: Callable[[str], Answer],
    language: str = "da",
    most: int = MOST,
) -> list[Example]:
    """Up to `most` examples (one per kind in KINDS order), spread over documents and their
    top-level sections where the material allows, each one answered from its own passage. When
    some kind has nothing to offer (a material without exercises), other kinds fill up to one
    card per kind."""
    pool = candidates([c for c in chunks if c.text.strip()])
    chosen: list[tuple[Example, Candidate]] = []

    def crowding(cand: Candidate) -> tuple[int, int]:
        """How many chosen examples share the candidate's document, and its top section."""
        docs = sum(c.chunk.doc_id == cand.chunk.doc_id for _, c in chosen)
        tops = sum(c.chunk.doc_id == cand.chunk.doc_id and _top(c) == _top(cand) for _, c in chosen)
        return tops, docs

    def take(kind: str) -> bool:
        units = {c.unit for _, c in chosen}
        fresh = [c for c in pool[kind] if c.unit not in units]
        for cand in sorted(fresh, key=crowding)[:TRIES]:  # sorted() keeps the best-first order
            question = cand.questions.get(language) or cand.questions["da"]
            try:
                answer = ask(question)
            except Exception:  # a candidate that cannot be asked (QuestionError) is skipped
                continue
            if answered_from(answer, cand):
                c = cand.chunk
                example = Example(kind, question, c.chunk_id, c.doc_id, c.kind)
                chosen.append((example, cand))
                return True
        return False

    for kind in KINDS:
        take(kind)
    target = min(most, len(KINDS))
    for kind in KINDS:
        while len(chosen) < target and take(kind):
            pass
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted((e for e, _ in chosen[:most]), key=lambda e: order[e.kind])


def _top(c: Candidate) -> str:
    path = parts(c.chunk)
    return path[0] if path else ""
