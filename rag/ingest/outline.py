"""Section paths and kinds of a typeset document from its heading levels.

A heading opens its level and closes every deeper one, so a block's path is the chain of open
headings ("7 Kom i gang › 7.3 Brugerhåndtering › 7.3.2 Søg, ændr og slet brugere"; a chunk
shows the first and the last two of a deeper path). The kind comes from what a heading calls
itself (Tjekliste, Øvelse, Case, Anbefaling, Litteratur, and the English words) and holds for
everything under it. Chunks may join small sections under one heading of the three top levels,
never across one.
"""

from __future__ import annotations

import re

from rag.ingest.layout import Block

KIND_WORDS = [
    (re.compile(r"\b(?:tjeklister?|checklists?|spørgeskema)\b", re.I), "checklist"),
    (re.compile(r"\b(?:øvelse[rn]?|exercises?|værktøj)\b", re.I), "exercise"),
    (re.compile(r"\b(?:case[ns]?|casen|eksempel fra|case stud(?:y|ies))\b", re.I), "case"),
    (re.compile(r"\b(?:anbefaling(?:er)?|recommendations?)\b", re.I), "recommendation"),
    (
        re.compile(
            r"^(?:[\d.]+\s+)?(?:litteratur(?:liste)?|referencer|kilder|references|"
            r"bibliography|litteraturhenvisninger)\b",
            re.I,
        ),
        "reference",
    ),
]
UNIT_LEVELS = 3  # a heading of these levels closes a unit: chunks never cross it


def heading_kind(title: str) -> str | None:
    for pattern, kind in KIND_WORDS:
        if pattern.search(title):
            return kind
    return None


def outline_labels(blocks: list[Block], doc_title: str) -> list[tuple | None]:
    stack: list[tuple[int, str, str | None]] = []  # (level, title, kind it names)
    unit = 0
    labels: list[tuple | None] = []
    for b in blocks:
        if b.type == "heading":
            title = " ".join(b.text.text.split())
            if b.level <= 0:
                labels.append(None)  # the document's own title
                continue
            while stack and stack[-1][0] >= b.level:
                stack.pop()
            stack.append((b.level, title, heading_kind(title)))
            if b.level <= UNIT_LEVELS or stack[-1][2]:
                unit += 1
            labels.append(None)
            continue
        titles = [t for _, t, _ in stack]
        kinds = [k for _, _, k in stack if k]
        path = tuple(titles) or (doc_title,)
        labels.append((path, kinds[-1] if kinds else "section", unit))
    return labels
