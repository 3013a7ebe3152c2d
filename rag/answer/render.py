"""An answer rendered for a medium: the terminal (`rag ask`), the page's source cards (the
passage as HTML with each quoted sentence marked) and the Markdown export of a conversation."""

from __future__ import annotations

import html
import time

from rag.answer.labels import label, source_heading
from rag.documents import Answer, Citation


def format_answer(answer: Answer) -> str:
    """The answer as a terminal shows it: notice, text, then each source with its quote."""
    lang = answer.language
    lines = []
    if answer.notice:
        lines += [f"({answer.notice})", ""]
    if answer.standalone and answer.standalone != answer.question.strip():
        lines += [f"{label(lang, 'standalone')}: {answer.standalone}", ""]
    lines.append(answer.text)
    if answer.citations:
        lines += ["", f"{label(lang, 'sources')}:"]
    for c in answer.citations:
        d = c.to_dict()
        lines.append(
            f"[{c.n}] {source_heading(c, lang)}; {d['doc_id']} tegn {d['start']}-{d['end']})"
        )
        quote = d["quote"] if len(d["quote"]) <= 300 else d["quote"][:300] + " …"
        lines.append(f"    »{quote}«")
    return "\n".join(lines)


def to_markdown(answers: list[Answer]) -> str:
    """The conversation with each answer's sources and quotes, for a trainer's notes."""
    lines = ["# Samtale med Tillidsguiden", "", time.strftime("%Y-%m-%d %H:%M"), ""]
    for a in answers:
        lang = a.language
        lines += [f"## {a.question}", ""]
        if a.notice:
            lines += [f"> {a.notice}", ""]
        lines += [a.text, ""]
        if a.citations:
            lines += [f"**{label(lang, 'sources')}:**", ""]
        lines += [f"{c.n}. {source_heading(c, lang)}): »{c.quote}«" for c in a.citations]
        lines.append("")
    return "\n".join(lines)


def highlighted(citation: Citation) -> str:
    """The whole passage as HTML, each quoted sentence marked on its own (two sentences of one
    passage are two marks, never the range between them)."""
    text = citation.chunk.text
    pieces, pos = [], 0
    for start, end in citation.spans:
        pieces += [html.escape(text[pos:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        pos = end
    pieces.append(html.escape(text[pos:]))
    return "".join(pieces).replace("\n", "<br>")
