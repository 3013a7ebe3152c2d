"""An answer rendered for a medium: the terminal (`rag ask`), the page's source cards (the
passage as HTML with each quoted sentence marked) and the Markdown export of a conversation."""

from __future__ import annotations

import html
import re
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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_BRACKETED = r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"  # "[text]", one level of "[…]" inside
_IMAGE = re.compile(rf"!{_BRACKETED}\([^)]*\)")
_LINK = re.compile(rf"{_BRACKETED}\((?!#kilde-)[^)]*\)")
_TAG = re.compile(r"<(/?[a-zA-Z][^>]*)>")


def plain(text: str) -> str:
    """User text for a Markdown renderer: shown as typed, never as Markdown or HTML (an image
    in a question must not make the browser fetch it)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def safe_markdown(text: str) -> str:
    """An answer's Markdown without what could reach out of the page (an LLM that obeys text
    injected into a passage could make the browser fetch an image that carries the
    conversation): inline images become their alt text and links to other places their
    text; any image syntax left ("![a][x]", "![a]") is shown as text, and no link reference
    definition ("[x]: http://…") survives, so no reference-style link or image resolves;
    HTML tags are shown as text. Bold, lists and the `[n]` markers stay."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = text.replace("![", "!\\[").replace("]:", "\\]:")
    return _TAG.sub(lambda m: "&lt;" + m.group(1) + "&gt;", text)


def to_markdown(answers: list[Answer]) -> str:
    """The conversation with each answer's sources and quotes, for a trainer's notes."""
    lines = ["# Samtale med Tillidsguiden", "", time.strftime("%Y-%m-%d %H:%M"), ""]
    for a in answers:
        lang = a.language
        lines += [f"## {plain(a.question)}", ""]
        if a.notice:
            lines += [f"> {safe_markdown(a.notice)}", ""]
        lines += [safe_markdown(a.text), ""]
        if a.citations:
            lines += [f"**{label(lang, 'sources')}:**", ""]
        lines += [
            f"{c.n}. {safe_markdown(source_heading(c, lang))}): »{safe_markdown(c.quote)}«"
            for c in a.citations
        ]
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


HANDOUT_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.source { border-left: 3px solid #b9b9b9; padding-left: 1rem; margin: 1rem 0; }
.source h3 { font-size: 1rem; margin: 0 0 .3rem; } mark { background: #fff1a8; }
.notice { font-style: italic; } footer { margin-top: 2rem; font-size: .85rem; color: #555; }
@media print { body { margin: 0; } .source { break-inside: avoid; } }
"""


def to_handout(answers: list[Answer], title: str = "Tillidsguiden") -> str:
    """A printable HTML page for course participants: each question, its answer and every
    source in full with the quoted sentences marked. All text is escaped; nothing is fetched."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{HANDOUT_STYLE}</style></head><body>",
    ]
    for a in answers:
        lang = a.language
        parts.append(f"<h1>{html.escape(a.question)}</h1>")
        if a.notice:
            parts.append(f"<p class='notice'>{html.escape(a.notice)}</p>")
        parts.append(md.render(safe_markdown(a.text)))
        if a.citations:
            parts.append(f"<h2>{html.escape(label(lang, 'sources'))}</h2>")
        for c in a.citations:
            heading = html.escape(f"[{c.n}] {source_heading(c, lang)})")
            parts.append(f"<div class='source'><h3>{heading}</h3><p>{highlighted(c)}</p></div>")
    parts.append(
        f"<footer>Tillidsguiden · {time.strftime('%d.%m.%Y')} · Svarene er uddrag af "
        "materialet; kilderne står i fuld længde.</footer></body></html>"
    )
    return "\n".join(parts)
