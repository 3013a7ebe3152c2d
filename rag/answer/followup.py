"""Follow-up questions made standalone before retrieval.

"Hvad med i staten?" or "Giv mig et eksempel på det" mean nothing to a search engine on their
own. Without an LLM the rule is simple and predictable: a question that opens like a follow-up,
or leans on "det/dem/that" with few words of its own, is searched together with the previous
standalone question. With an LLM, the model rewrites it (prompts/condense.md) and the rule is
the fallback.

A follow-up that changes the setting ("Hvad med i staten?", "Og for medarbejderne?", "What
about municipalities?") asks the previous question anew for the new setting: the setting it
names replaces the previous question's setting of the same kind (sector, who, field of work),
or is added to it, so the search does not simply find the previous answer again.
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
    return bool(_POINTERS.search(question)) and len(words) <= 2


# Settings a follow-up may move a question to, by kind; each pattern matches the inflected
# forms ("kommunen", "kommunerne", "kommunale") and the English words.
SETTINGS = {
    "sector": (
        r"stat(en|ens|slige?|sligt)?|kommun(e|en|er|erne|ens|ale?|alt)|"
        r"region(en|er|erne|ens|ale?|alt)?|den offentlige sektor|det offentlige|"
        r"(den |det )?privat(e)?( sektor| virksomheder)?|"
        r"the state|state|government|municipalit(y|ies)|councils?|regions?|"
        r"(the )?(public|private) sector"
    ),
    "who": (
        r"medarbejder(e|ne|nes)?|ansatte|leder(e|ne|en)?|mellemleder(e|ne)?|"
        r"topledelse(n)?|chef(er|erne|en)?|tillidsrepræsentant(en|er|erne)?|"
        r"kolleg(a|er|erne)|employees?|staff|managers?|(shop )?stewards?|colleagues"
    ),
    "field": (
        r"skole(n|r|rne)?|hospital(et|er|erne)?|sygehus(et|e|ene)?|ældrepleje(n)?|"
        r"daginstitution(en|er|erne)?|politi(et)?|fængsl(er|erne)|arresthus(e|ene)?|"
        r"bank(en|er|erne)?|plejehjem(met|mene)?|hjemmepleje(n)?|jobcent(er|ret|re|rene)|"
        r"børnehave(n|r|rne)?|vuggestue(n|r|rne)?|bibliotek(et|er|erne)?|"
        r"universitet(et|er|erne)?|"
        r"schools?|hospitals?|elderly care|police|prisons?|banks?|nursing homes?|home care|"
        r"job ?cent(re|er)s?|kindergartens?|librar(y|ies)|universit(y|ies)"
    ),
}
_SETTING = {k: re.compile(rf"\b({p})\b", re.I) for k, p in SETTINGS.items()}
_PREPOSITION = re.compile(r"^\s*(?:i|på|for|hos|blandt|in|for|at|among)\s+$", re.I)


def settings_in(text: str) -> dict[str, re.Match]:
    """The setting of each kind a text names (the first match of each kind)."""
    found = {}
    for kind, pattern in _SETTING.items():
        m = pattern.search(text)
        if m:
            found[kind] = m
    return found


def _with_preposition(text: str, m: re.Match) -> str:
    """The setting as named, with the preposition before it ("i staten", "for medarbejderne")."""
    before = text[: m.start()].split()[-1:] if text[: m.start()].strip() else []
    if before and _PREPOSITION.match(before[0] + " "):
        return f'{before[0]} "{m.group(0)}"'
    english = bool(re.search(r"\b(what|how|and|about)\b", text, re.I))
    return f'{"in" if english else "i"} "{m.group(0)}"'


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
            moved = f'{moved[:start]}"{m.group(0)}"{moved[end:]}'
        else:
            added.append(_with_preposition(question, m))
    moved = moved.strip()
    if added:
        moved = f"{moved.rstrip('?.! ')} {' '.join(added)}?"
    return moved


def standalone(question: str, previous: list[str]) -> str:
    """The question to search for, given the standalone questions asked before it."""
    question = question.strip()
    if not previous or not is_follow_up(question):
        return question
    moved = change_setting(question, previous[-1].strip())
    if moved is not None:
        return moved
    return f"{question} ({previous[-1].strip()})"
