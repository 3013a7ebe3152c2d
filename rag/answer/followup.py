"""Follow-up questions made standalone before retrieval.

"Hvad med i staten?" or "Giv mig et eksempel på det" mean nothing to a search engine on their
own. Without an LLM the rule is simple and predictable: a question that opens like a follow-up,
or leans on "det/dem/that" with few words of its own, is searched together with the previous
standalone question. With an LLM, the model rewrites it (prompts/condense.md) and the rule is
the fallback.
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
    """True when the question needs the previous one to be understood."""
    words = content_words(question)
    if _OPENERS.match(question) and len(words) <= 3:
        return True
    return bool(_POINTERS.search(question)) and len(words) <= 2


def standalone(question: str, previous: list[str]) -> str:
    """The question to search for, given the standalone questions asked before it."""
    question = question.strip()
    if not previous or not is_follow_up(question):
        return question
    return f"{question} ({previous[-1].strip()})"
