"""The page "Materialet": search the material, and read each document section by section.

The search box tells the truth (rag/search/matching.py): how many passages contain the searched
words, the words marked in them, and "Ingen afsnit matcher »…«" with words to try instead when
none does. The count is a status line a screen reader reads out; the passages are Streamlit
expanders, opened with the keyboard; a suggestion is a button that searches again. The reader
shows every passage under its section path with its kind, and bullets as bullets.

The page is a list of sections (`SECTIONS`), so another module can add one (an upload for
maintainers) without touching these.
"""

from __future__ import annotations

import html
import re

import streamlit as st

from rag.answer.labels import kind_label
from rag.answer.render import plain, safe_markdown
from rag.chat import adding, resources
from rag.config import Settings
from rag.documents import Chunk
from rag.index.store import StoredIndex
from rag.search import matching

_BULLET = re.compile(r"^\s*(?:[•●▪◦·–-]|o(?=\s))\s*")
# Passages shown at first, and how many more each "Vis flere" adds.
SHOWN = 10
SEARCH_KEY = "materiale-soeg"


def readable(text: str) -> str:
    """A passage as Markdown: bullet lines as a list, other lines as paragraphs."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if _BULLET.match(line):
            out.append("- " + safe_markdown(_BULLET.sub("", line)))
        else:
            out.append(("\n" if out else "") + safe_markdown(line) + "\n")
    return "\n".join(out)


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """A passage as HTML with the searched words in <mark>: bullet lines as a list, other
    lines as paragraphs; every character of the text escaped."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces += [html.escape(text[pos:start]), "\0", html.escape(text[start:end]), "\1"]
        pos = end
    pieces.append(html.escape(text[pos:]))
    body = "".join(pieces)
    out, items = [], []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if _BULLET.match(line):
            items.append(f"<li>{_BULLET.sub('', line)}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        out.append(f"<p>{line}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    return "".join(out).replace("\0", "<mark>").replace("\1", "</mark>")


def chunk_label(chunk: Chunk) -> str:
    label = f"{kind_label(chunk.kind)} · {chunk.section}"
    return f"{label} · s. {chunk.page}" if chunk.page else label


def show_chunk(chunk: Chunk, expanded: bool = False) -> None:
    with st.expander(chunk_label(chunk), expanded=expanded):
        st.markdown(readable(chunk.text))


def status(text: str) -> None:
    """The search's result in one line that a screen reader announces when it changes."""
    st.markdown(
        f"<p class='search-status' role='status'><strong>{html.escape(text)}</strong></p>",
        unsafe_allow_html=True,
    )


def _search_for(words: str) -> None:
    st.session_state[SEARCH_KEY] = words


def _show_more(query: str) -> None:
    shown = st.session_state.get("_materiale_vist", (query, SHOWN))
    st.session_state["_materiale_vist"] = (query, shown[1] + SHOWN)


def offer(words: list[str], query: str, unknown: list[str]) -> None:
    """Buttons that search for a suggested word (in place of the unknown ones)."""
    cols = st.columns(len(words))
    for col, word in zip(cols, words, strict=True):
        instead = " ".join(w for w in query.split() if w not in unknown) + f" {word}"
        col.button(
            f"Søg efter »{word}«",
            key=f"forslag-{word}",
            on_click=_search_for,
            args=(instead.strip(),),
            width="stretch",
        )


def search_section(s: Settings, index: StoredIndex) -> None:
    query = st.text_input(
        "Søg i materialet",
        key=SEARCH_KEY,
        placeholder="Fx: tjekliste kerneopgave – tryk Enter for at søge",
    )
    if not query.strip():
        return
    searcher = resources.assistant(s).searcher
    asked, limit = st.session_state.get("_materiale_vist", (query, SHOWN))
    limit = limit if asked == query else SHOWN
    found = matching.find(searcher, query, shown=limit)
    shown_query = plain(found.query)
    passages = found.hits or found.partial
    if not found.words:
        status(f"»{shown_query}« har ingen ord at søge efter. Skriv fx et emne eller et navn.")
    elif found.hits:
        n = len(found.hits)
        status(
            f"{n} afsnit matcher »{shown_query}«" if n > 1 else f"1 afsnit matcher »{shown_query}«"
        )
    elif found.partial:
        status(
            f"Ingen afsnit indeholder alle ordene i »{shown_query}«. "
            f"{len(found.partial)} afsnit indeholder nogle af dem."
        )
    else:
        status(f"Ingen afsnit matcher »{shown_query}«.")
    if found.unknown:
        unknown = ", ".join(f"»{plain(w)}«" for w in found.unknown)
        if found.suggestions:
            st.markdown(f"Materialet bruger ikke {unknown}. Mente du:")
            offer(found.suggestions, found.query, found.unknown)
        elif not passages:
            common = matching.common_words(searcher)
            st.markdown(f"Materialet bruger ikke {unknown}. Prøv et andet ord, fx:")
            offer(common, "", [])
    for n, hit in enumerate(passages[:limit]):
        spans = matching.marks(hit.chunk.text, found.terms, searcher.lexical.analyzer)
        st.markdown(f"**{plain(hit.chunk.title)}**")
        with st.expander(chunk_label(hit.chunk), expanded=n == 0):
            st.markdown(
                f"<div class='hit'>{marked(hit.chunk.text, spans)}</div>", unsafe_allow_html=True
            )
    if len(passages) > limit:
        more = min(SHOWN, len(passages) - limit)
        st.button(f"Vis {more} mere", key="materiale-flere", on_click=_show_more, args=(query,))
    st.divider()


def reader_section(s: Settings, index: StoredIndex) -> None:
    docs = [d for d in index.documents if not d.get("copy_of")]
    titles = {d["doc_id"]: d["title"] for d in docs}
    doc = st.selectbox(
        "Dokument",
        list(titles),
        format_func=titles.get,
        key="materiale-dok",
        placeholder="Vælg et dokument",
    )
    chunks = [c for c in index.chunks if c.doc_id == doc]
    st.caption(f"{len(chunks)} afsnit")
    for chunk in chunks:
        show_chunk(chunk)


# The page's sections, in order; each takes the settings and the index. The first is the
# maintainer's upload, list and removal (rag/chat/adding.py); others see nothing of it.
SECTIONS = [adding.section, search_section, reader_section]


def page() -> None:
    s = resources.settings()
    if not resources.ready_or_offer_ingest(s):
        return
    index = resources.index(s)
    st.title("Materialet", anchor=False)
    st.caption("Søg i materialet, eller læs dokumenterne afsnit for afsnit.")
    for section in SECTIONS:
        section(s, index)
