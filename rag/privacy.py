"""Personal data in what a manager types: found, named by kind, and replaced before the text is
stored, logged, searched or sent to an LLM.

    cpr    a CPR number whose date exists ("010190-1234", "0101901234"; 310290-… is no date)
    email  an e-mail address
    phone  a Danish phone number: eight digits starting 2-9, optionally after +45 or 0045, as
           one run or grouped 2-2-2-2 or 4-4
    name   a person: a first name (gender-guesser's name list, any country) followed by a
           capitalised surname ("Jens Hansen", "Jody Gittell"); any capitalised word after "min
           medarbejder", "vores kollega", "lederen" …; a Danish first name capitalised inside a
           sentence ("… at Jens er sygemeldt": Danish does not capitalise nouns), or opening
           one unless the name is also a common Danish word ("Jens er …" is a name; "Per
           måned …", "Hans opgave …", "Liv og glade dage" are not)

`redact(text)` returns the text with each span replaced by «CPR-nummer», «e-mail», «telefon»
or «navn», and the kinds found. The assistant redacts a question where it enters, so nothing
downstream (answers, feedback, conversations, the question-vector cache, an LLM) ever sees the
original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

PLACEHOLDERS = {"cpr": "«CPR-nummer»", "email": "«e-mail»", "phone": "«telefon»", "name": "«navn»"}
KINDS = tuple(PLACEHOLDERS)

_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})[-‐ ]?(\d{4})(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[ -]?)?"
    r"(?:[2-9]\d(?:[ -]?\d\d){3}|[2-9]\d{3}[ -]\d{4})(?![\d])"
)
_WORD = r"[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?"
# "min medarbejder Jens", "vores kollega Hanne", "lederen Søren", "medarbejderen Ib"
_ROLE = re.compile(
    r"\b(?:min|mit|mine|vores|jeres|din|en|vores|den)?\s*"
    r"(?:medarbejder(?:en|e|s)?|kollega(?:en)?|kolleger|leder(?:en)?|chef(?:en)?|ansat(?:te)?|"
    r"elev(?:en)?|praktikant(?:en)?|vikar(?:en)?|tillidsrepræsentant(?:en)?|TR)"
    rf"\s+({_WORD}(?:\s+{_WORD})?)"
)
_NAME_PAIR = re.compile(rf"\b({_WORD})\s+({_WORD})")
_CAPITALISED = re.compile(rf"\b{_WORD}\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*|[-•–]\s+|\(\s*)$")
# First names that are also common Danish words: opening a sentence alone, they are words.
# (wordfreq folds case, so it cannot tell "rask" from "jens": both are frequent.)
NAMES_THAT_ARE_WORDS = frozenset(
    "Per Bo Line Lykke Hans Sten Dag Liv Bjørn Rose Tor Kaj Stig Dan Tage Mai Maj Eli Lis "
    "Alma Ella Ida Karen Vagn Sara".split()
)


@dataclass(frozen=True)
class Redacted:
    text: str  # the text with every span replaced by its placeholder
    kinds: tuple[str, ...]  # the kinds found, in the order of KINDS

    @property
    def found(self) -> bool:
        return bool(self.kinds)


@lru_cache(maxsize=2)
def first_names(danish_only: bool = True) -> frozenset[str]:
    """First names from the name list inside the gender-guesser package: those used in
    Denmark, or those of any country (for a first name followed by a surname)."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: set[str] = set()
    with data.open(encoding="utf-8") as f:
        for line in f:
            if line[:1] in "#=":
                continue
            if danish_only and (len(line) <= 46 or line[46] in " \n"):
                continue  # column 30 + 16 holds the name's frequency in Denmark
            name = line.split()[1]
            names |= {name.replace("+", sep) for sep in ("", " ", "-")}
    return frozenset(names)


def danish_first_names() -> frozenset[str]:
    return first_names(danish_only=True)


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


def _spans(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    found += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    found += [(m.start(), m.end(), "cpr") for m in _CPR.finditer(text) if _valid_cpr(m)]
    found += [(m.start(), m.end(), "phone") for m in _PHONE.finditer(text)]
    found += [(m.start(1), m.end(1), "name") for m in _ROLE.finditer(text)]
    anywhere, names = first_names(danish_only=False), danish_first_names()
    for m in _NAME_PAIR.finditer(text):
        if m.group(1) in anywhere:  # "Hanne Jensen", "Jody Gittell"
            found.append((m.start(), m.end(), "name"))
    for m in _CAPITALISED.finditer(text):
        word = m.group(0)
        if not (word in names or all(part in names for part in word.split("-"))):
            continue
        opens = bool(_SENTENCE_START.search(text[: m.start()]))
        if not opens or word not in NAMES_THAT_ARE_WORDS:
            found.append((m.start(), m.end(), "name"))
    return found


def redact(text: str) -> Redacted:
    """Replace every piece of personal data with its placeholder; say which kinds were found."""
    spans = sorted(_spans(text), key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in spans:  # the first and longest of overlapping spans wins
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, kind))
    out, pos = [], 0
    for start, end, kind in kept:
        out += [text[pos:start], PLACEHOLDERS[kind]]
        pos = end
    out.append(text[pos:])
    kinds = tuple(k for k in KINDS if any(kind == k for _, _, kind in kept))
    return Redacted("".join(out), kinds)
