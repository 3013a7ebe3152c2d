"""The page "Materialet": read each document section by section, and search the material.

The search box runs the same hybrid search as `rag search`; a hit opens where it sits. The
reader shows every passage under its section path with its kind, and bullets as bullets.
"""

from __future__ import annotations

import re

import streamlit as st

from rag.answer.labels import kind_label
from rag.answer.render import plain, safe_markdown
from rag.chat import resources
from rag.documents import Chunk

_BULLET = re.compile(r"^\s*(?:[•●▪◦·–-]|o(?=\s))\s*")


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


def show_chunk(chunk: Chunk, expanded: bool = False) -> None:
    label = f"{kind_label(chunk.kind)} · {chunk.section}"
    if chunk.page:
        label += f" · s. {chunk.page}"
    with st.expander(label, expanded=expanded):
        st.markdown(readable(chunk.text))


def page() -> None:
    s = resources.settings()
    if not resources.ready_or_offer_ingest(s):
        return
    index = resources.index(s)
    st.title("Materialet")
    st.caption("Læs dokumenterne afsnit for afsnit, eller søg i dem.")

    query = st.text_input(
        "Søg i materialet",
        key="materiale-soeg",
        placeholder="Fx: tjekliste kerneopgave – tryk Enter for at søge",
    )
    if query.strip():
        searcher = resources.assistant(s).searcher
        hits = searcher.search(query, k=8)
        st.markdown(f"**{len(hits)} afsnit om »{plain(query.strip())}«**")
        if not hits:
            st.info("Ingen afsnit matcher. Prøv andre ord.")
        for h in hits:
            st.markdown(f"**{plain(h.chunk.title)}**")
            show_chunk(h.chunk, expanded=h.rank == 1)
        st.divider()

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
