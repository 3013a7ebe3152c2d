"""Readability lint for extract answers: what makes a manager stop reading.

One short function per rule, each taking the answer's quoted lines (markers and labels
removed, in order) and returning True when the rule is broken. `lint(text)` names the rules an
answer breaks. The lead is the first quoted line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.ingest.sentences import ABBREVIATIONS, depends_on_previous, split_text
from rag.measure.evaluate import squash

_MARKER = re.compile(r"\s*\[\d+\]")
_LABEL_ONLY = re.compile(r"^\*\*[^*]+:\*\*$|^[^\[\]]*:$")  # "**Det siger materialet også:**"
_PART_HEADING = re.compile(r"^\*\*[^*]+\*\*\s*(\[\d+\])*$")  # "**Tjekliste: …** [2][3]"
_FIELD = re.compile(r"^\*[^*]+:\*\s*")  # "*Deltagere:* …"
_FROM = re.compile(r"^\*[^*]+\*\s*[–-]?\s*")  # "*Fra Case: Glostrup Hospital* – …"
_REFERENCE = re.compile(r"\(\d{4}[a-z]?\)\s*:?\s*[”\"“]|^kilde\b|\.{4,}|^læs mere\b", re.I)
_TOC = re.compile(r"^(Anbefaling|Udfordring|Kapitel)\s+\d+.*\s\d{1,3}$")
_ENDS = (".", "!", "?", ":", "”", '"', "’", ")")


def quoted_lines(text: str) -> list[str]:
    """The lines of an answer that quote the material, without markers, bullets or labels."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or ("[" not in line and not line.startswith("- ")):  # a list item at any depth
            continue  # a label, a notice or a blank line: no quote
        if _PART_HEADING.match(line) or _LABEL_ONLY.match(line):
            continue
        line = re.sub(r"^[-*]\s+", "", line)
        line = _FIELD.sub("", line)
        line = _FROM.sub("", line) if line.startswith("*") else line
        line = _MARKER.sub("", line).replace("**", "").strip()
        if line and not line.startswith("…"):
            lines.append(line)
    return lines


def fragment_lead(lines: list[str]) -> bool:
    """The lead is not a whole sentence: it starts mid-sentence or stops without an end."""
    if not lines:
        return False
    lead = lines[0]
    starts_badly = lead[0].islower() or lead[0] in ",;)–-" or bool(re.match(r"^\d+ [A-ZÆØÅ]", lead))
    return starts_badly or not lead.rstrip().endswith(_ENDS) or len(lead.split()) < 3


def dangling_colon(lines: list[str]) -> bool:
    """A quoted line announces a list (ends with a colon) and no list line follows it."""
    for i, line in enumerate(lines):
        if line.endswith(":") and (i + 1 == len(lines) or lines[i + 1].endswith(":")):
            return True
    return False


def dependent_lead(lines: list[str]) -> bool:
    """The lead opens with a connective or pointer ("Men …", "Dette …") with nothing before it."""
    if not lines:
        return False
    first = split_text(lines[0])
    return bool(first) and depends_on_previous(first[0].text)


def duplicate(lines: list[str]) -> bool:
    """The same sentence is quoted twice."""
    seen: set[str] = set()
    for line in lines:
        for s in split_text(line):
            key = squash(s.text)
            if len(key) > 20 and key in seen:
                return True
            seen.add(key)
    return False


def abbreviation_cut(lines: list[str]) -> bool:
    """A sentence was cut at an abbreviation ("(mål nr.", "… bl.a.") or starts with the rest."""
    for line in lines:
        last = re.search(r"([\w.]+)\.$", line.rstrip('”"’) '))
        if last and last.group(1).lower().lstrip("(") in ABBREVIATIONS:
            return True
        if re.match(r"^\d+\s+[A-ZÆØÅ]", line):
            return True  # "3 Om nye rammer …": the rest of "(mål nr. 3 Om …"
    return False


def toc_or_reference(lines: list[str]) -> bool:
    """A table-of-contents line, a literature reference or a "Kilde:" line is quoted."""
    return any(_REFERENCE.search(line) or _TOC.match(line) for line in lines)


RULES: dict[str, Callable[[list[str]], bool]] = {
    "fragment_lead": fragment_lead,
    "dangling_colon": dangling_colon,
    "dependent_lead": dependent_lead,
    "duplicate": duplicate,
    "abbreviation_cut": abbreviation_cut,
    "toc_or_reference": toc_or_reference,
}


def lint(text: str) -> list[str]:
    """The names of the rules an answer breaks (empty when it reads cleanly)."""
    lines = quoted_lines(text)
    return [name for name, rule in RULES.items() if rule(lines)]
