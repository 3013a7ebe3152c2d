"""Follow-up questions made standalone before retrieval.

"Hvad med i staten?" or "Giv mig et eksempel på det" mean nothing to a search engine on their
own. Without an LLM the rule is simple and predictable: a question that opens like a follow-up,
or leans on "det/dem/that" with few words of its own, is searched together with the previous
standalone question. With an LLM, the model rewrites it (prompts/condense.md) and the rule is
the fallback.

A follow-up that changes the setting ("Hvad med i staten?", "Og for medarbejderne?", "What
about municipalities?") asks the previous question anew for the new setting: the setting it
names replaces the previous question's setting of the same kind (sector, who, field of work,
country), or is added to it, so the search does not simply find the previous answer again;
sentences still set where the previous question was are then left out of the answer
(`left_behind`, `set_in`). "Noget tilsvarende/lignende", "something similar" is a follow-up
too, and "herhjemme" is searched as "Danmark", the word the material uses.
"""

from __future__ import annotations

import re

from rag.index.lexical import danish_stopwords
from rag.search.language import ENGLISH_WORDS

_OPENERS = re.compile(
    r"^\s*(og|men|så|hvad med|hvad så med|hvad hvis|hvordan med|hvad mere|mere om|uddyb|"
    r"giv mig|kan du give|fortæl mere|fortæl om|et eksempel|eksempel|også|"
    r"and|but|what about|how about|and what|give me|tell me more|more on|an example|example)\b",
    re.I,
)
# Openers that move the previous question elsewhere, however many words follow ("Hvad med et
# sted med døgnvagter, fx et arresthus – er der erfaringer derfra?"); "Og har nogen dansk
# kommune …" is a question of its own.
_MOVES = re.compile(r"^\s*(hvad med|hvad så med|hvordan med|what about|how about)\b", re.I)
_POINTERS = re.compile(
    r"\b(det|dette|den|denne|dem|de|der|her|deres|sådan|that|this|it|them|those|these)\b", re.I
)
# "Er der noget tilsvarende herhjemme?", "Something similar for schools?": the previous
# question is what it is like.
_LIKE = re.compile(r"\b(tilsvarende|lignende|similar|the same)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# English function words (the language detector's list) plus words every follow-up uses.
_ENGLISH_STOP = ENGLISH_WORDS | {"more", "example", "give", "tell", "me"}


def content_words(text: str) -> list[str]:
    stop = danish_stopwords() | _ENGLISH_STOP
    return [w for w in _WORD.findall(text.lower()) if w not in stop and len(w) > 1]


def is_follow_up(question: str) -> bool:
    """True when the question needs the previous one to be understood: it opens like a
    follow-up with few words of its own, or opens so and names a new setting ("Hvad med et
    sted med døgnvagter, fx et arresthus – er der erfaringer derfra?"), or points back with
    hardly a word of its own ("Giv mig et eksempel på det")."""
    words = content_words(question)
    if _OPENERS.match(question) and len(words) <= 3:
        return True
    if _MOVES.match(question) and settings_in(question):
        return True
    if _LIKE.search(question) and len(words) <= 4:
        return True
    return bool(_POINTERS.search(question)) and len(words) <= 2


# Settings a follow-up may move a question to, by kind, one pattern per setting; each matches
# the inflected forms ("kommunen", "kommunerne", "kommunale") and the English words.
SETTINGS = {
    "sector": (
        r"stat(en|ens|slige?|sligt)?|the state|state|government",
        r"kommun(e|en|er|erne|ens|ale?|alt)|municipalit(y|ies)|councils?",
        r"region(en|er|erne|ens|ale?|alt)?|regions?",
        r"den offentlige sektor|det offentlige|(the )?public sector",
        r"(den |det )?privat(e)?( sektor| virksomheder)?|(the )?private sector",
    ),
    "who": (
        r"medarbejder(e|ne|nes)?|ansatte|employees?|staff",
        r"leder(e|ne|en)?|chef(er|erne|en)?|managers?",
        r"mellemleder(e|ne)?|middle managers?",
        r"topledelse(n)?|top management",
        r"tillidsrepræsentant(en|er|erne)?|(shop )?stewards?",
        r"kolleg(a|er|erne)|colleagues",
    ),
    "field": (
        r"skole(n|r|rne)?|schools?",
        r"hospital(et|er|erne)?|sygehus(et|e|ene)?|hospitals?",
        r"ældrepleje(n)?|elderly care",
        r"daginstitution(en|er|erne)?|børnehave(n|r|rne)?|vuggestue(n|r|rne)?|kindergartens?",
        r"politi(et)?|police",
        r"fængsl(er|erne)|arresthus(e|ene)?|prisons?",
        r"bank(en|er|erne)?|banks?",
        r"plejehjem(met|mene)?|nursing homes?",
        r"hjemmepleje(n)?|home care",
        r"jobcent(er|ret|re|rene)|job ?cent(re|er)s?",
        r"bibliotek(et|er|erne)?|librar(y|ies)",
        r"universitet(et|er|erne)?|universit(y|ies)",
    ),
    "country": (
        r"herhjemme|her i landet|danmark|dansk(e)?|denmark|danish",
        r"norge|norsk(e)?|norway|norwegian",
        r"sverige|svensk(e)?|sweden|swedish",
    ),
}
_VALUES = {
    k: tuple(re.compile(rf"\b({p})\b", re.I) for p in values) for k, values in SETTINGS.items()
}
_SETTING = {k: re.compile(rf"\b({'|'.join(values)})\b", re.I) for k, values in SETTINGS.items()}
_PREPOSITION = re.compile(r"^\s*(?:i|på|for|hos|blandt|in|for|at|among)\s+$", re.I)


def settings_in(text: str) -> dict[str, re.Match]:
    """The setting of each kind a text names (the first match of each kind)."""
    found = {}
    for kind, pattern in _SETTING.items():
        m = pattern.search(text)
        if m:
            found[kind] = m
    return found


# Settings named by where the asker is rather than by name: the material names the place.
_HERE = {"herhjemme": "Danmark", "her i landet": "Danmark"}


def _named(m: re.Match) -> str:
    """The setting as the material would name it: "herhjemme" is "Danmark"."""
    return _HERE.get(m.group(0).lower(), m.group(0))


def _with_preposition(text: str, m: re.Match) -> str:
    """The setting as named, with the preposition before it ("i staten", "for medarbejderne")."""
    before = text[: m.start()].split()[-1:] if text[: m.start()].strip() else []
    if before and _PREPOSITION.match(before[0] + " "):
        return f'{before[0]} "{_named(m)}"'
    english = bool(re.search(r"\b(what|how|and|about)\b", text, re.I))
    return f'{"in" if english else "i"} "{_named(m)}"'


def change_setting(question: str, previous: str) -> str | None:
    """The previous question moved to the setting the follow-up names, or None when the
    follow-up names no setting. The new setting stands in quotes ('… et eksempel fra en
    "hospital" …'): it is what the follow-up asks about, so the search weighs it twice
    (rag/search/question.py), and the page shows what was searched for."""
    new = settings_in(question)
    if not new:
        return None
    moved = previous
    added = []
    for kind, m in new.items():
        old = _SETTING[kind].search(moved)
        if old:
            start, end = old.start(), old.end()
            if moved[start - 1 : start] == '"' and moved[end : end + 1] == '"':
                start, end = start - 1, end + 1  # a setting an earlier follow-up put in quotes
            moved = f'{moved[:start]}"{_named(m)}"{moved[end:]}'
        else:
            added.append(_with_preposition(question, m))
    moved = moved.strip()
    if added:
        moved = f"{moved.rstrip('?.! ')} {' '.join(added)}?"
    return moved


def _value(kind: str, text: str) -> int | None:
    return next((k for k, p in enumerate(_VALUES[kind]) if p.fullmatch(text)), None)


def left_behind(question: str, previous: str) -> list[tuple[str, int]]:
    """The settings a follow-up moves the previous question away from, as (kind, setting):
    after "Hvad gik det norske program ud på?", "Er der noget tilsvarende herhjemme?" leaves
    Norway behind. Empty when the question is no follow-up or names no other setting."""
    if not is_follow_up(question):
        return []
    left = []
    for kind, m in settings_in(question).items():
        old = _SETTING[kind].search(previous)
        if old and _value(kind, old.group(0)) != _value(kind, m.group(0)):
            left.append((kind, _value(kind, old.group(0))))
    return [(kind, value) for kind, value in left if value is not None]


def set_in(text: str, upto: int, left: list[tuple[str, int]]) -> bool:
    """Is the text, read up to `upto`, set in a setting left behind: is the last setting of
    that kind it names before there one of them? ("I Norge har 138 kvalitetskommuner … Et
    nyt program med 100 kommuner …": the second sentence is still about Norway.)"""
    for kind, value in left:
        named = list(_SETTING[kind].finditer(text[:upto]))
        if named and _value(kind, named[-1].group(0)) == value:
            return True
    return False


def standalone(question: str, previous: list[str]) -> str:
    """The question to search for, given the standalone questions asked before it."""
    question = question.strip()
    if not previous or not is_follow_up(question):
        return question
    moved = change_setting(question, previous[-1].strip())
    if moved is not None:
        return moved
    return f"{question} ({previous[-1].strip()})"
