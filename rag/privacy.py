"""Personal data in what a manager types: found, named by kind, and replaced before the text is
stored, logged or sent to an LLM.

    cpr        a CPR number whose date exists ("010190-1234", "0101901234"; 310290-… is no date)
    email      an e-mail address
    phone      a Danish phone number: eight digits starting 2-9, optionally after +45 or 0045, as
               one run or grouped 2-2-2-2 or 4-4
    name       a person's whole name, lower-case names after a role word, first names of any
               origin (rag/names.py); the material's own people are passed in as `public`
    health, religion, politics, union, ethnicity, sexuality, criminal
               the special categories (GDPR art. 9 and 10), when they concern a person
               (rag/sensitive.py)

`redact(text, public)` returns the text with each span replaced by its placeholder («navn»,
«helbredsoplysning» …), the kinds found, and `searchable`: the same text where each special
category detail is its topic instead ("stress", "sygefravær", "religion"), so search still finds
what the question is about while nothing says who it concerns. The assistant redacts a question
where it enters; only search (in memory) sees `searchable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rag import sensitive
from rag.names import name_spans

PLACEHOLDERS = {
    "cpr": "«CPR-nummer»",
    "email": "«e-mail»",
    "phone": "«telefon»",
    "name": "«navn»",
    **sensitive.PLACEHOLDERS,
}
KINDS = tuple(PLACEHOLDERS)
SPECIAL = sensitive.CATEGORIES
PLACEHOLDER = re.compile(r"«[^»]{1,20}»")

_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[-‐ ]?(\d{4})(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[ -]?)?"
    r"(?:[2-9]\d(?:[ -]?\d\d){3}|[2-9]\d{3}[ -]\d{4})(?![\d])"
)


@dataclass(frozen=True)
class Redacted:
    text: str  # the text with every span replaced by its placeholder
    kinds: tuple[str, ...]  # the kinds found, in the order of KINDS
    searchable: str = ""  # `text`, with each special-category detail as its topic instead
    topics: tuple[str, ...] = ()  # those topics, in the order of their placeholders in `text`

    @property
    def found(self) -> bool:
        return bool(self.kinds)

    def with_topics(self, text: str) -> str:
        """`text` (this text, or a follow-up made standalone from it) with the topics in place
        of the special-category placeholders, in order; topics left over are appended."""
        topics = iter(self.topics)
        special = {PLACEHOLDERS[k] for k in SPECIAL}
        out = PLACEHOLDER.sub(
            lambda m: next(topics, "") if m.group(0) in special else m.group(0), text
        )
        rest = " ".join(topics)
        return f"{out} {rest}" if rest else out


def _valid_cpr(m: re.Match) -> bool:
    day, month, yy, serial = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
    seventh = int(serial[0])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    try:
        date(century + yy, month, day)
    except ValueError:
        return False
    return True


def _spans(text: str, public: Iterable[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, topic) of every piece of personal data; topic only for the special
    categories."""
    found: list[tuple[int, int, str, str]] = []
    found += [(m.start(), m.end(), "email", "") for m in _EMAIL.finditer(text)]
    found += [(m.start(), m.end(), "cpr", "") for m in _CPR.finditer(text) if _valid_cpr(m)]
    found += [(m.start(), m.end(), "phone", "") for m in _PHONE.finditer(text)]
    names = name_spans(text, public)
    found += [(s, e, "name", "") for s, e in names]
    found += [(d.start, d.end, d.kind, d.topic) for d in sensitive.details(text, names)]
    return found


def redact(text: str, public: Iterable[str] = ()) -> Redacted:
    """Replace every piece of personal data with its placeholder; say which kinds were found.
    `public` are names that are not personal data (the material's people, `names_in`)."""
    spans = sorted(_spans(text, tuple(public)), key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str, str]] = []
    for span in spans:  # the first and longest of overlapping spans wins
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    out, searchable, pos = [], [], 0
    for start, end, kind, topic in kept:
        out += [text[pos:start], PLACEHOLDERS[kind]]
        searchable += [text[pos:start], topic or PLACEHOLDERS[kind]]
        pos = end
    out.append(text[pos:])
    searchable.append(text[pos:])
    kinds = tuple(k for k in KINDS if any(kind == k for _, _, kind, _ in kept))
    topics = tuple(topic for _, _, kind, topic in kept if kind in SPECIAL)
    return Redacted("".join(out), kinds, "".join(searchable), topics)


def without_placeholders(text: str) -> str:
    """The text with the placeholders of removed personal data taken out (nothing to search)."""
    return PLACEHOLDER.sub(" ", text).strip()


# What the page says about what it found (rag/chat/ask.py shows it above the answer).
NOTICE = {
    "da": {
        "kinds": {
            "cpr": "et CPR-nummer",
            "email": "en e-mailadresse",
            "phone": "et telefonnummer",
            "name": "et navn",
            "health": "helbredsoplysninger",
            "religion": "religiøs overbevisning",
            "politics": "politisk holdning",
            "union": "fagforeningsforhold",
            "ethnicity": "etnisk oprindelse",
            "sexuality": "seksuel orientering",
            "criminal": "strafbare forhold",
        },
        "and": "og",
        "plain": "Du har skrevet {what}. Det er fjernet, før spørgsmålet blev søgt, og gemmes "
        "ikke.",
        "special": "Du har skrevet {what}. Det gemmes ikke: samtalen gemmes med {placeholders} i "
        "stedet, og søgningen har kun fået emnet med, ikke hvem det gælder.",
    },
    "en": {
        "kinds": {
            "cpr": "a CPR number",
            "email": "an e-mail address",
            "phone": "a phone number",
            "name": "a name",
            "health": "health information",
            "religion": "religious belief",
            "politics": "a political opinion",
            "union": "trade-union membership",
            "ethnicity": "ethnic origin",
            "sexuality": "sexual orientation",
            "criminal": "criminal matters",
        },
        "and": "and",
        "plain": "You wrote {what}. It was removed before the question was searched, and is not "
        "stored.",
        "special": "You wrote {what}. It is not stored: the conversation keeps {placeholders} "
        "instead, and search was given only the topic, not whom it concerns.",
    },
}


def _joined(words: list[str], conjunction: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def notice(kinds: Iterable[str], language: str = "da") -> str | None:
    """What the page tells the manager it found and that it is not kept; None for nothing."""
    kinds = [k for k in KINDS if k in set(kinds)]
    if not kinds:
        return None
    words = NOTICE.get(language, NOTICE["da"])
    what = _joined([words["kinds"][k] for k in kinds], words["and"])
    if not any(k in SPECIAL for k in kinds):
        return words["plain"].format(what=what)
    placeholders = _joined([PLACEHOLDERS[k] for k in kinds], words["and"])
    return words["special"].format(what=what, placeholders=placeholders)
