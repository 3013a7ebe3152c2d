"""Danish idioms and workplace slang, read as the plain words they mean.

A manager asks "Hvordan får jeg folk med på vognen?" or "Det gik helt i skoven". The nouns of
an idiom are not what the question is about: searched as typed, "vognen" and "skoven" find
nothing, and the refusal gate counts them as topics the material lacks ("Materialet nævner ikke
vognen"). A Danish question is therefore searched and judged with each idiom of
rag/data/idioms-da.tsv replaced by its plain meaning ("med", "er gået skævt"). The list is written
by hand; no entry occurs in the material, so nothing the material says is rewritten away.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.config import PACKAGE_DATA


@lru_cache(maxsize=1)
def _idioms() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for line in (PACKAGE_DATA / "idioms-da.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, plain = line.split("\t")
        out.append((re.compile(rf"\b(?:{pattern})\b", re.I), plain))
    return out


def plain_words(text: str) -> str:
    """The question with every idiom of the list replaced by its plain meaning."""
    for pattern, plain in _idioms():
        text = pattern.sub(plain, text)
    return text
