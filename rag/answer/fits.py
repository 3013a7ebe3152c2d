"""Does a sentence contain the kind of answer the question asks for?

One short function per answer type (see `rag.search.question.answer_type`), picked by name
from `FITS`. Each gets the sentence's text and a `stem` function with the question's terms, so
a definition can be recognised as being of the thing asked about ("Social kapital er …").
These feed the sentence ranker (a lead with the number a "hvor mange" question wants) and the
partial answer ("Materialet nævner ikke et antal …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from rag.text import MONTHS_DA

_NUMBER_WORDS = (
    r"to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|femten|tyve|tredive|fyrre|halvtreds|"
    r"hundrede|tusind|mio|mia|million\w*|milliard\w*|halvdelen|tredjedel\w*|fjerdedel\w*|"
    r"procent|pct|flertal\w*|mindretal\w*|dobbelt\w*|én|et par|hver(t)? (dag|uge|måned|år)|"
    r"two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|percent|half"
)
_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I)
_SHARE = re.compile(r"\b\d+\s*(procent|pct|%)|\bhalvdelen\b|\b\w+del(en)? af\b", re.I)
_DURATION = re.compile(
    rf"(\d+|\b({_NUMBER_WORDS}))\S*\s+(minut\w*|timer?|dage?|døgn|uger?|måned\w*|år)\b", re.I
)
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
_MONTHS = "|".join(MONTHS_DA)
_TIME = re.compile(
    rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b(foråret|sommeren|efteråret|vinteren|"
    r"i dag|i går|hver dag|dagligt|ugentligt|årligt|senest|inden for|efter|før|"
    r"mandag|tirsdag|onsdag|torsdag|fredag|kl\.)\b",
    re.I,
)
_ORGANISATION = re.compile(
    r"\b\w*(styrelse\w*|ministerie\w*|kommune\w*|region\w*|forbund\w*|organisation\w*|"
    r"sekretariat\w*|center|centret|udvalg\w*|råd\w*|universitet\w*|hospital\w*)\b",
    re.I,
)
_DEFINING = re.compile(
    r"^\s*(\([^)]{1,40}\)\s*)?(er|var|handler (ikke kun )?om|betyder|dækker( over)?|defineres|"
    r"består (af|i)|kaldes|står for|forstås|drejer sig om|angår|beskriver|går ud på|"
    r"[–-]\s*dvs|, dvs|, det vil sige|is|are|means)\b",
    re.I,
)
_DETERMINERS = frozenset(
    [
        "den",
        "det",
        "de",
        "en",
        "et",
        "begrebet",
        "ordet",
        "udtrykket",
        "selve",
        "hele",
        "the",
        "a",
        "an",
    ]
)
_REASON = re.compile(
    r"\b(fordi|derfor|for at|så (at|de|man)|skyldes|årsag\w*|giver|bidrager|medvirker|øger|"
    r"styrker|betyder,? at|hvilket|med til at|gevinst\w*|værdi\w*|resultat\w*|effekt\w*)\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(ved at|skal|bør|kan du|kan I|kan man|du kan|sørg for|sørge for|gennem|"
    r"involv\w+|inddrag\w*|afklar\w*|lyt\w*|giv\w*|sæt\w*|lav\w*|brug\w*)\b",
    re.I,
)


@dataclass(frozen=True)
class Focus:
    """The question's terms and how to stem a word the same way (to find them in a sentence)."""

    terms: frozenset[str]
    stem: Callable[[str], list[str]]

    def positions(self, text: str) -> list[re.Match]:
        """Words of `text` that are (or start a compound with) one of the question's terms."""
        return [m for m, stems in _stemmed_words(text, self.stem) if stems & self.terms]


_WORD = re.compile(r"[^\W\d_]+")
# Per analyzer (the owner of a `Focus.stem`, alive as long as its index): text → its words
# with their stems. Emptied when it holds `_STEMMED_TEXTS` texts.
_STEMMED: WeakKeyDictionary[object, dict[str, list[tuple[re.Match, frozenset[str]]]]] = (
    WeakKeyDictionary()
)
_STEMMED_TEXTS = 20000


def _stemmed_words(text: str, stem: Callable[[str], list[str]]):
    """The words of `text` with their stems, remembered per analyzer: answers test the same
    sentences of the material against every question's terms."""
    owner = getattr(stem, "__self__", None)
    if owner is None:
        return [(m, frozenset(stem(m.group(0)))) for m in _WORD.finditer(text)]
    memo = _STEMMED.setdefault(owner, {})
    found = memo.get(text)
    if found is None:
        if len(memo) >= _STEMMED_TEXTS:
            memo.clear()
        found = memo[text] = [(m, frozenset(stem(m.group(0)))) for m in _WORD.finditer(text)]
    return found


def count(text: str, focus: Focus) -> bool:
    """A number or quantity word right before a word of the question, the thing counted
    ("35 kommuner", "syv statslige arbejdspladser", "93 procent af FOA’s medlemmer"); a number
    elsewhere in the sentence counts something else ("… fem pladser")."""
    for word in focus.positions(text):
        before = text[max(0, word.start() - 40) : word.start()].split()[-3:]
        words = [w.strip("(,.") for w in before]
        if any((_NUMBER.fullmatch(w) or w.isdigit()) and not _YEAR.match(w) for w in words):
            return True
    return bool(_SHARE.search(text)) and bool(focus.positions(text))


def duration(text: str, focus: Focus) -> bool:
    """A length of time: a number with a unit ("Mindst 1 time", "20-30 minutter", "to dage")."""
    return bool(_DURATION.search(text))


def time(text: str, focus: Focus) -> bool:
    """A year, a month, a season or a time phrase ("i sommeren 2013", "den 17. marts")."""
    return bool(_TIME.search(text))


def who(text: str, focus: Focus) -> bool:
    """A name the question does not already give: a capitalised word inside the sentence, an
    acronym or an organisation ("Hvem er direktør for X?" is not answered by "X indsamler …")."""
    names = re.findall(r"(?<=[\s(,])(?<![.!?:] )[A-ZÆØÅ][\w’'-]+|\b[A-ZÆØÅ]{2,}\b", text)
    names += [m.group(0) for m in _ORGANISATION.finditer(text)]
    return any(not set(focus.stem(name)) & focus.terms for name in names)


def definition(text: str, focus: Focus) -> bool:
    """The thing asked about as the subject, then what it is: "X er …", "X – dvs. …",
    "Interprofessionel læring og samarbejde (ipls) er …". Only a determiner or a genitive may
    come before it: "Forbindende social kapital drejer sig om …" defines a kind of X, not X."""
    found = focus.positions(text)
    if not found:
        return False
    before = re.findall(r"[^\W\d_]+", text[: found[0].start()])
    modified = any(w.lower() not in _DETERMINERS and not w.endswith("s") for w in before[:3])
    acronym = re.search(r"\(\s*\w+\s*\)\s*$", text[: found[0].end() + 1])
    if modified and not acronym:
        return False
    return any(_DEFINING.match(text[m.end() : m.end() + 60].lstrip(")")) for m in found)


def why(text: str, focus: Focus) -> bool:
    """A reason or an effect: "fordi", "for at", "giver", "øger"."""
    return bool(_REASON.search(text))


# What came of an effort: a result named as one, or a change it brought ("er mindsket",
# "har ført til", "blev styrket"); "en øget indsats" names no result.
_RESULT = re.compile(
    r"\b(resultat\w*|effekt(en|er|erne)?|gevinst\w*|udbytte\w*)\b|"
    r"\b(har|havde) (ført til|betydet)\b|"
    r"\b(er|blev|er blevet|var) (mindsket|reduceret|nedbragt|halveret|forbedret|styrket|øget|"
    r"steget|faldet)\b",
    re.I,
)


def result(text: str, focus: Focus) -> bool:
    """What came of something: "Resultatet er …", "Sygefraværet … er mindsket"."""
    return bool(_RESULT.search(text))


def how(text: str, focus: Focus) -> bool:
    """An action: an instruction, "ved at", "skal", "kan du"."""
    return bool(_ACTION.search(text))


def listing(text: str, focus: Focus) -> bool:
    """A list: announced with a colon, or three things in a row ("tillid, retfærdighed og …")."""
    return text.rstrip().endswith(":") or bool(re.search(r"\w+, \w+(,? \w+)* og \w+", text))


FITS: dict[str, Callable[[str, Focus], bool]] = {
    "duration": duration,
    "count": count,
    "time": time,
    "who": who,
    "definition": definition,
    "why": why,
    "result": result,
    "how": how,
    "list": listing,
}

# Types whose absence a manager notices: a "hvor mange" answer without a number is no answer.
FACT_TYPES = ("duration", "count", "time", "who")
# Types whose fitting sentence leads even when the ranker put it a little lower.
PROMOTED_TYPES = (*FACT_TYPES, "definition", "result")


_VAGUE_DURATION = re.compile(
    r"\b(et par|nogle|flere|få|mange|en|et)\s+"
    r"(minut\w*|timer?|dage?|døgn|uger?|måned\w*|år)\b",
    re.I,
)
# A point in time a "hvornår" question can be answered with: a year, a month, a season, a
# weekday or a clock time ("efter" or "senest" alone name none).
_DATE = re.compile(
    rf"\b(1[89]\d\d|20\d\d)\b|\b({_MONTHS})\b|\b(foråret|sommeren|efteråret|vinteren)\b|"
    r"\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)\b|\bkl\.\s*\d",
    re.I,
)
_ANY_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS}|ca\.|cirka|omkring)\b", re.I)
_NAME = re.compile(r"(?<=[\s(,])(?<![.!?:] )[A-ZÆØÅ][\w’'-]+|\b[A-ZÆØÅ]{2,}\b")


def holds_kind(answer_type: str | None, text: str) -> bool:
    """Does a passage hold a fact of the kind asked for anywhere: any number ("ca. 400.000",
    "halvdelen"), a date ("17. september"), a duration, also in words ("et par uger til flere
    måneder"), a name? A hedge ("Materialet nævner ikke et antal …") is true only when none of
    the passages an answer is built from holds one."""
    if answer_type == "count":
        return bool(_ANY_NUMBER.search(text))
    if answer_type == "duration":
        return bool(_DURATION.search(text) or _VAGUE_DURATION.search(text))
    if answer_type == "time":
        return bool(_DATE.search(text))
    if answer_type == "who":
        return bool(_NAME.search(text) or _ORGANISATION.search(text))
    return True


# A measure a question can ask for by name, and how a passage gives one. "Hvor mange procent
# svarede …" asks for a share: "1054 offentligt ansatte svarede" holds a number, not a share.
# A share the question states itself ("Vi skal finde 8 procent i budgettet …") is its setting,
# not what it asks for.
# (A sum of money was tried as a second measure on the tuning half: the passage holding the
# sum was often not among the top three, so it refused answerable questions.)
_ASKED_MEASURES = (
    (
        "share",
        re.compile(
            r"\b(procent\w*|pct|andel(en|e|s)?|percent\w*|proportion|share)\b|hvor stor en del",
            re.I,
        ),
    ),
)
_MEASURE_GIVEN = {
    "share": re.compile(
        r"\d\s*(%|procent\b|pct\b)|\b(halvdel|tredjedel|fjerdedel|femtedel|flertal|mindretal)\w*|"
        r"\bhver (anden|tredje|fjerde|femte)\b|\d+ (ud )?af \d+",
        re.I,
    ),
}


_STATED_NUMBER = re.compile(
    r"(\d[\d,.]*|\b(?:to|tre|fire|fem|seks|syv|otte|ni|ti|tyve|halvtreds|two|three|four|five|ten|twenty|fifty))\s*$",
    re.I,
)


def asked_measure(question: str) -> str | None:
    """ "share" for a question after a percentage or a share ("Hvor mange procent …", "Hvor
    stor en andel …", "What percentage …"), else None. A share the question states itself
    ("Vi skal finde 8 procent …") is its setting, not what it asks for."""
    for name, asks in _ASKED_MEASURES:
        if any(not _STATED_NUMBER.search(question[: m.start()]) for m in asks.finditer(question)):
            return name
    return None


def holds_measure(measure: str, text: str) -> bool:
    """Does a passage give a measure of that kind: a share in figures or words ("93 procent",
    "18 %", "halvdelen", "hver tredje")?"""
    return bool(_MEASURE_GIVEN[measure].search(text))


def fits(answer_type: str | None, text: str, focus: Focus) -> bool:
    rule = FITS.get(answer_type or "")
    return bool(rule and rule(text, focus))
