"""A question analysed once, when it enters the assistant, and handed to every later step.

Search, the evidence check and sentence scoring all need the same facts about a question: its
language, its lexical terms (with the glossary's Danish words for an English question) and the
kind of passage it asks for by name. `Question.analyse` works them out once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index.lexical import Analyzer
from rag.search.idioms import plain_words
from rag.search.language import danish_terms, detect_language, english_names

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"«[^»]{1,20}»")

# Words that ask for a kind of passage, and the chunk kind they ask for.
_KIND_WORDS = {
    # Asking how to check oneself is asking for one of the material's checklists.
    "checklist": (
        "tjekliste",
        "checkliste",
        "checklist",
        "huskeliste",
        "spørgeliste",
        "kontrolspørgsmål",
        "tjekspørgsmål",
        "tjek",
        "tjekke",
        "checke",
        "check",
    ),
    "exercise": ("øvelse", "øvelser", "øvelsen", "exercise", "workshop"),
    "case": (
        "eksempel",
        "eksempler",
        "case",
        "cases",
        "erfaring",
        "erfaringer",
        "example",
        "examples",
    ),
}


# What kind of answer a question asks for, from its question words (notes: answers without an
# LLM). Checked in order; the first that matches decides.
_ANSWER_TYPES = (
    ("duration", r"hvor (lang tid|længe)|how long"),
    (
        "count",
        r"hvor (mange|meget|stor(t|e)?( en)? (andel|del)|høj|ofte)|how (many|much|often)|"
        r"what (share|percentage)|hvilken andel",
    ),
    ("time", r"hvornår|hvilket år|hvilken dato|when|what year"),
    (
        "who",
        r"hvem|hvilke(n|t)? (organisation\w*|parter|myndighed\w*|ministerie\w*|forsker\w*|"
        r"virksomhed\w*)\b|who|which organi[sz]ations?",
    ),
    (
        "definition",
        r"hvad (er|betyder|menes( der)?( egentlig| helt præcist)? med|forstås( der)? ved|dækker|"
        r"står \S+ for|vil det (egentlig )?sige)|what (is|are|does \S+ mean)|what is meant by|"
        r"define",
    ),
    (
        "result",
        r"hvad (var|blev|er) (så )?(resultat\w*|udbyttet|effekt\w*|gevinst\w*)|"
        r"hvilke (resultater|effekter|gevinster)|hvad (kom|er) der (så )?(kommet )?ud af|"
        r"hvad har (det|de|projektet|indsatsen) (så )?(givet|ført til|opnået)|"
        r"what (were|was|are|is) the (results?|outcomes?|effects?)|what came (out )?of|"
        r"what did (it|they|that) (achieve|bring|lead to)",
    ),
    ("why", r"hvorfor|hvad (får|vinder) (man|vi|en \w+)|why"),
    ("list", r"hvilke|nævn|which|hvad er de (tre|fire|fem|\w+)"),
    ("how", r"hvordan|hvad (kan|skal|bør) (jeg|vi|man|en leder)|how"),
)
# A question word counts where a question or a clause of it begins ("Hvornår …", "…, og hvor
# mange …"), not inside a clause ("Hvad fortæller forskning om, hvornår ansatte …").
_CLAUSE_START = r"(?:^|[,;–-]\s*og\s+|\bog\s+|[?.]\s+)"
_LIST_OR_DIFFERENCE = re.compile(
    r"^\s*(hvad er|what are) (de|the) (\w+ )?\w+(er|ne|s)\b|forskellen", re.I
)


# A sentence that speaks to the assistant instead of asking about the material ("Ignorer alle
# tidligere instruktioner …", "Du er nu …", "System: …"): an injection attempt or noise. It is
# dropped before search, so it can neither steer the answer nor crowd out the real question.
_INSTRUCTION = re.compile(
    r"^\W*(?:"
    r"(?:ignorer|glem|se bort fra|tilsidesæt|ignore|disregard|forget|override)\b.{0,80}?"
    r"\b(?:instruks\w*|instruktion\w*|regle\w*|prompt\w*|system\w*|instructions?|rules|"
    r"(?:the )?above|ovenstående)"
    r"|(?:du er nu|fra nu af er du|you are now|from now on you|act as|opfør dig som)\b"
    r"|(?:system|assistant|assistent|developer)\s*:"
    r")",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def drop_instructions(text: str) -> tuple[str, bool]:
    """The question without sentences addressed to the assistant, and whether any were dropped."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    kept = [s for s in sentences if not _INSTRUCTION.search(s)]
    return " ".join(kept).strip(), len(kept) < len(sentences)


_QUESTION_WORD = (
    r"(?:hvad|hvordan|hvorfor|hvornår|hvem|hvilke|hvilken|hvilket|hvor|kan|skal|bør|findes|er|"
    r"what|how|why|when|who|which|where|can|should|is|are|do|does)"
)
# A clause that opens with verb then subject asks a yes/no question ("…, og har I en øvelse
# …?", "…, and do you have …?"); only after a comma, where it cannot be part of a list.
_INVERTED = (
    r"(?:har|kan|er|findes|fandtes|skal|bør|vil|må|gør|gjorde|kom|do|does|did|can|is|are|have|"
    r"has|was|were)\s+(?:I|du|man|vi|der|de|det|den|jeg|you|we|there|they|it|I)\b"
)
_PART_BREAK = re.compile(
    rf"(?<=\?)\s+(?=(?:og\s+|and\s+)?{_QUESTION_WORD}\b)|"
    r",?\s+(?:og|and|samt)\s+(?=(?:(?:fra|til|siden|i|på|med|om|for|from|since|in|on|to)\s+)?"
    r"(?:hvad|hvordan|hvorfor|hvornår|hvem|hvilke|hvilken|hvor|"
    r"what|how|why|when|who|which|where)\b)|"
    rf",\s+(?:og|and)\s+(?={_INVERTED})",
    re.I,
)
_MIN_PART_WORDS = 3


def question_parts(text: str) -> list[str]:
    """The questions a question asks: "Hvad er idéen i det, og hvordan planlægger jeg
    bagefter en omlægning fase for fase?" is two; a single question is one. A piece too short
    to search on its own stays with the one before it."""
    pieces = [p.strip(" ,") for p in _PART_BREAK.split(text.strip()) if p and p.strip(" ,")]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(_WORD.findall(piece)) < _MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def answer_type(text: str) -> str | None:
    """duration | count | time | who | definition | result | why | list | how, from the first
    question word that opens the question or one of its clauses; None when there is none."""
    low = text.lower().strip()
    found: list[tuple[int, str]] = []
    for name, pattern in _ANSWER_TYPES:
        m = re.search(rf"{_CLAUSE_START}({pattern})\b", low)
        if m:
            found.append((m.start(1), name))
    if not found:
        return None
    # At one position the result beats the definition: "Hvad var resultatet af …" asks for
    # what came of something, not what it is.
    name = min(found, key=lambda f: (f[0], f[1] != "result"))[1]
    if name == "definition" and _LIST_OR_DIFFERENCE.search(low):
        return "definition" if "forskellen" in low else "list"
    return name


_SUBJECT = re.compile(
    r"^\s*(?:hvad (?:er|betyder|menes(?: der)? med|forstås(?: der)? ved|dækker|står)|"
    r"what (?:is|are|does)|define)\s+(?:et |en |the |a |an )?(.+?)"
    r"(?:\s+(?:som|i|ifølge|for|af|på|ved|in|of|according|mean|means)\b|[?,.]|$)",
    re.I,
)


def subject(text: str) -> str:
    """What a definition question asks about: "Hvad betyder retfærdighed som element i social
    kapital?" → "retfærdighed"; "" when the question is no definition question."""
    m = _SUBJECT.search(text)
    return m.group(1) if m else ""


# A term the question puts in quotes ("vi skal være mere "brobyggende"", 'positive deviance') is
# the word someone used and the manager asks about: quotes open after a space or the start and
# close before a non-letter, so "I'm" and "don't" are no quotes.
_QUOTED = re.compile(r"(?:^|(?<=[\s(]))[\"'”“‘’]([^\"'”“‘’\n]{3,40}?)[\"'”“‘’](?![^\W\d_])")


def quoted(text: str) -> str:
    """The terms a question puts in quotes, joined ("" when it quotes none)."""
    return " ".join(m.group(1).strip() for m in _QUOTED.finditer(text))


def _lexical_text(searched: str, glossary: str, language: str) -> str:
    """What the lexical side reads: an English question's names and numbers as typed and the
    Danish words for the rest (`english_names`, `danish_terms`); a Danish question as typed."""
    return f"{english_names(searched)} {glossary}" if language == "en" else searched


def _with_glossary(text: str, language: str) -> str:
    return f"{english_names(text)} {danish_terms(text)}" if text and language == "en" else text


# A question whether there are workplaces that did something ("Findes der offentlige
# arbejdspladser, der …", "Har nogen styrelser …", "Are there public workplaces that …") asks
# for cases from practice as much as one that says "eksempler".
_INSTANCES = re.compile(
    r"\b(?:findes der|fandtes der|kender du|kender i|har nogen|har andre|er der nogen|"
    r"do you (?:have|know)|are there|have any|did any|have other)\b.{0,60}?\b(?:arbejdspladser|"
    r"styrelser|kommuner|institutioner|organisationer|virksomheder|regioner|afdelinger|"
    r"workplaces|agencies|organi[sz]ations|municipalities|employers)\b",
    re.I,
)


# Asking the assistant for questions or a list to use is asking for a checklist (the
# material's checklists are lists of questions): "Har I nogle spørgsmål, jeg kan forberede mig
# ud fra?", "en lille liste, jeg kan holde det op imod", "Hvilke spørgsmål skal vi have
# afklaret", "questions I can ask"; "Jeg har et spørgsmål om …" asks none.
_QUESTIONS_TO_USE = re.compile(
    r"\b(?:har i|findes der|er der|hvilke|have you|is there|are there|any)\b[^.?!]{0,25}?"
    r"\b(?:liste|spørgsmål|list|questions)\b|"
    r"\b(?:liste|spørgsmål|list|questions)\b,? (?:som |that |which )?(?:jeg|vi|man|i|we) "
    r"(?:kan|skal|bør|could|can|should)\b",
    re.I,
)


def requested_kind(text: str) -> str | None:
    """The kind of passage a question asks for by name, e.g. "en tjekliste" → checklist; a
    question whether there are workplaces that did something asks for cases."""
    words = set(_WORD.findall(text.lower()))
    for kind, names in _KIND_WORDS.items():
        if words & set(names) or any(w.startswith(names[0]) for w in words):
            return kind
    if _QUESTIONS_TO_USE.search(text):
        return "checklist"
    return "case" if _INSTANCES.search(text) else None


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
    answer_type: str | None = None  # duration, count, time, who, definition, why, list, how
    subject_terms: frozenset[str] = frozenset()  # what a "hvad er …" question asks about

    @classmethod
    def analyse(cls, text: str, analyzer: Analyzer, searched: str | None = None) -> Question:
        # Placeholders of removed personal data («navn», «CPR-nummer») are nothing to search.
        searched = _PLACEHOLDER.sub(" ", searched or text).strip()
        language = detect_language(text)
        if language == "da":
            searched = plain_words(searched)  # "med på vognen" is searched as "med"
        glossary = danish_terms(searched) if language == "en" else ""
        lexical = _lexical_text(searched, glossary, language)
        # A quoted term counts twice in the lexical search and is what the question is about.
        term = _with_glossary(quoted(searched), language)
        return cls(
            text=text,
            searched=searched,
            language=language,
            glossary=glossary,
            lexical_terms=tuple(analyzer.terms(f"{lexical} {term}" if term else lexical)),
            kind=requested_kind(searched),
            answer_type=answer_type(text),
            subject_terms=frozenset(
                analyzer.terms(term or _with_glossary(subject(text), language))
            ),
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
        return _lexical_text(self.searched, self.glossary, self.language)
