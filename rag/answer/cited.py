"""From an LLM's text to an answer whose every marker is true, or to the reason there is none.

markers naming no source   removed, and listed (`flagged`)
each sentence              held against what it cites (rag/answer/grounding.py); the
                           unsupported ones dropped, or the whole answer refused
the markers left           renumbered 1..n in order of first use; each citation points
                           at the span of its source that supports the sentence citing it
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.answer.excerpts import Source
from rag.answer.grounding import MARKER, Grounding, GroundingCheck, strip_markup
from rag.answer.labels import label
from rag.documents import Citation
from rag.text import plain_words

_REFUSAL_PHRASES = ("kan jeg ikke finde", "kan ikke finde", "cannot find", "can't find")


@dataclass
class Checked:
    """The answer to show (when `reason` is None) and what the checks found."""

    text: str
    citations: list[Citation]
    flagged: list[str] = field(default_factory=list)
    grounding: Grounding | None = None
    refused: bool = False

    @property
    def reason(self) -> str | None:
        if self.refused:
            return None
        return self.grounding.reason if self.grounding else "svaret var tomt"

    def notice(self, language: str) -> str | None:
        """What the shown answer lost: markers that named no source, dropped sentences."""
        notes = []
        if self.flagged:
            notes.append(label(language, "flagged", markers=", ".join(self.flagged)))
        if self.grounding and self.grounding.dropped:
            notes.append(label(language, "llm_dropped", n=str(len(self.grounding.dropped))))
        return " ".join(notes) or None

    def report(self) -> dict:
        """The verdicts for `ask --json` and the stored answer."""
        return self.grounding.to_dict() if self.grounding else {"reason": self.reason}


def fallback_notice(language: str, checked: Checked | str) -> tuple[str, dict]:
    """The notice above the extracts, and the verdicts, when the model's answer is not
    shown: `checked` is the LLM's failure (a reason) or an answer that did not hold."""
    if isinstance(checked, str):
        return label(language, "llm_failed", reason=checked), {"reason": checked}
    return label(language, "llm_unsupported", reason=checked.reason or ""), checked.report()


def check_answer(
    raw: str, sources: Sequence[Source], check: GroundingCheck, prompt: str
) -> Checked:
    """`prompt`: the question and the instructions (what a parroting model repeats)."""
    text, flagged = remove_unknown_markers(strip_markup(raw), len(sources))
    if not MARKER.search(text) and sounds_like_refusal(text):
        return Checked(tidy(text), [], flagged, None, refused=True)
    grounding = check.check(text, sources, prompt)
    if grounding.reason:
        return Checked("", [], flagged, grounding)
    shown, citations = renumber(grounding, sources)
    return Checked(shown, citations, flagged, grounding)


def remove_unknown_markers(text: str, sources: int) -> tuple[str, list[str]]:
    flagged: list[str] = []

    def keep(match: re.Match) -> str:
        kept = []
        for raw in re.split(r"\s*[,;]\s*", match.group(1)):
            if 1 <= int(raw) <= sources:
                kept.append(raw)
            else:
                flagged.append(f"[{int(raw)}]")
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    return MARKER.sub(keep, text), flagged


def renumber(grounding: Grounding, sources: Sequence[Source]) -> tuple[str, list[Citation]]:
    """The kept sentences with markers 1..n by first use, and one citation per source used
    holding the spans that support the sentences citing it."""
    numbers: dict[int, int] = {}
    citations: dict[int, Citation] = {}
    for v in grounding.verdicts:
        if not v.supported:
            continue
        for n in v.claim.cites:
            numbers.setdefault(n, len(numbers) + 1)
            source = sources[n - 1]
            span = v.span if v.source == n and v.span else closest_span(source, v.claim.plain)
            if n in citations:
                citations[n].add(*span)
            else:
                citations[n] = Citation(numbers[n], source.chunk, *span)

    def swap(match: re.Match) -> str:
        found = [int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))]
        return "".join(f"[{numbers[n]}]" for n in dict.fromkeys(found) if n in numbers)

    text = tidy(MARKER.sub(swap, grounding.text))
    return text, sorted(citations.values(), key=lambda c: c.n)


def closest_span(source: Source, claim: str) -> tuple[int, int]:
    """The sent sentence sharing most words with the claim (for a second cited source)."""
    words = set(plain_words(claim))
    if not source.sentences:
        return 0, len(source.chunk.text)
    best = max(
        source.sentences,
        key=lambda s: len(words & set(plain_words(s.text))) / (len(plain_words(s.text)) + 3),
    )
    return best.start, best.end


def tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", text).strip()


def sounds_like_refusal(text: str) -> bool:
    low = text.lower()
    return any(p in low for p in _REFUSAL_PHRASES)
