"""A question analysed once, when it enters the assistant, and handed to every later step.

Search, the evidence check and sentence scoring all need the same facts about a question: its
language, its lexical terms (with the glossary's Danish words for an English question) and the
kind of passage it asks for by name. `Question.analyse` works them out once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index.lexical import Analyzer
from rag.search.language import danish_terms, detect_language

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Words that ask for a kind of passage, and the chunk kind they ask for.
_KIND_WORDS = {
    "checklist": ("tjekliste", "checkliste", "checklist"),
    "exercise": ("øvelse", "øvelser", "øvelsen", "exercise", "workshop"),
    "case": ("eksempel", "eksempler", "case", "cases", "erfaring", "erfaringer", "example"),
}


# What kind of answer a question asks for, from its question words (notes: answers without an
# LLM). Checked in order; the first that matches decides.
_ANSWER_TYPES = (
    (
        "count",
        r"\bhvor (mange|meget|stor(t|e)?( en)? (andel|del)|høj|lang tid|længe|ofte)\b|"
        r"\bhow (many|much|long|often)\b|\bwhat (share|percentage)\b|\bhvilken andel\b",
    ),
    ("time", r"\bhvornår\b|\bhvilket år\b|\bhvilken dato\b|\bwhen\b|\bwhat year\b"),
    (
        "who",
        r"\bhvem\b|\bhvilke(n|t)? (organisation\w*|parter|myndighed\w*|ministerie\w*|"
        r"forsker\w*|virksomhed\w*)\b|\bwho\b|\bwhich organi[sz]ations?\b",
    ),
    (
        "definition",
        r"^\s*(hvad (er|betyder|menes( der)? med|forstås( der)? ved|dækker|står \S+ for)|"
        r"what (is|are|does \S+ mean)\b|define\b)",
    ),
    ("why", r"\bhvorfor\b|\bhvad (får|vinder) (man|vi|en \w+)\b|\bwhy\b"),
    ("list", r"\bhvilke\b|\bnævn\b|\bwhich\b|\bhvad er de (tre|fire|fem|\w+)\b"),
    ("how", r"\bhvordan\b|\bhvad (kan|skal|bør) (jeg|vi|man|en leder)\b|\bhow\b"),
)
_LIST_OR_DIFFERENCE = re.compile(
    r"^\s*(hvad er|what are) (de|the) (\w+ )?\w+(er|ne|s)\b|forskellen", re.I
)


def answer_type(text: str) -> str | None:
    """count | time | who | definition | why | list | how, or None when the question says
    nothing about the kind of answer it wants."""
    low = text.lower()
    for name, pattern in _ANSWER_TYPES:
        if re.search(pattern, low):
            if name == "definition" and _LIST_OR_DIFFERENCE.search(low):
                return "list" if not re.search("forskellen", low) else "definition"
            return name
    return None


def requested_kind(text: str) -> str | None:
    """The kind of passage a question asks for by name, e.g. "en tjekliste" → checklist."""
    words = set(_WORD.findall(text.lower()))
    for kind, names in _KIND_WORDS.items():
        if words & set(names) or any(w.startswith(names[0]) for w in words):
            return kind
    return None


@dataclass(frozen=True)
class Question:
    """What the assistant knows about a question before it searches.

    `text` is what the user typed; `searched` is what is searched (the same, or a follow-up made
    standalone with the question before it). The language is the typed text's: it decides the
    labels of the answer, the fusion weights and the refusal bar.
    """

    text: str
    searched: str
    language: str
    glossary: str  # Danish words for an English question's domain terms ("" for Danish)
    lexical_terms: tuple[str, ...]  # analysed terms of `searched` and `glossary`, in order
    kind: str | None  # the kind of passage asked for by name
    answer_type: str | None = None  # count, time, who, definition, why, list, how

    @classmethod
    def analyse(cls, text: str, analyzer: Analyzer, searched: str | None = None) -> Question:
        searched = (searched or text).strip()
        language = detect_language(text)
        glossary = danish_terms(searched) if language == "en" else ""
        lexical = f"{searched} {glossary}" if language == "en" else searched
        return cls(
            text=text,
            searched=searched,
            language=language,
            glossary=glossary,
            lexical_terms=tuple(analyzer.terms(lexical)),
            kind=requested_kind(searched),
            answer_type=answer_type(text),
        )

    @property
    def english(self) -> bool:
        return self.language == "en"

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.lexical_terms)

    @property
    def lexical_query(self) -> str:
        """The text the lexical side reads: an English question carries its Danish terms."""
        return f"{self.searched} {self.glossary}" if self.english else self.searched
