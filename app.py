"""Tillidsguiden in the browser. Thin on purpose: what it shows comes from the `rag` package."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from rag.config import Settings
from rag.documents import KIND_LABELS_DA
from rag.embeddings import Embedder, load_embedder
from rag.ingest import IndexStale, ingest, open_index
from rag.retrieve import Searcher
from rag.store import IndexMissing, StoredIndex

st.set_page_config(page_title="Tillidsguiden", page_icon="🤝", layout="wide")
settings = Settings.load()


@st.cache_resource(show_spinner=False)
def load_embedder_once() -> Embedder:
    return load_embedder(settings.embedder)


@st.cache_resource(show_spinner=False)
def load_index(build_marker: str) -> StoredIndex:
    """Read once per process and build; `build_marker` changes when a new build is committed."""
    return open_index(settings)


@st.cache_resource(show_spinner=False)
def load_searcher(build_marker: str) -> Searcher:
    return Searcher.open(load_index(build_marker), load_embedder_once())


def current_marker() -> str:
    pointer = settings.index_dir / "CURRENT"
    return pointer.read_text(encoding="utf-8") if pointer.exists() else ""


st.title("Tillidsguiden")
st.caption("Svar om tillid, samarbejde og social kapital – altid med kilden.")

try:
    index = load_index(current_marker())
except IndexMissing as exc:
    stale = isinstance(exc, IndexStale)
    st.warning(str(exc).split(". Byg")[0] + "." if stale else "Materialet er ikke indlæst endnu.")
    if st.button("Byg indekset igen" if stale else "Indlæs materialet nu"):
        with st.spinner("Indlæser materialet …"):
            ingest(settings, force=stale, embedder=load_embedder_once())
        st.rerun()
    st.stop()

query = st.text_input(
    "Søg i materialet", placeholder="Fx: Hvordan styrker vi samarbejdet på tværs?"
)
if query.strip():
    hits = load_searcher(current_marker()).search(query, k=5)
    if not hits:
        st.info("Ingen afsnit matcher søgningen.")
    for hit in hits:
        c = hit.chunk
        page = f", s. {c.page}" if c.page else ""
        with st.expander(
            f"{hit.rank}. {KIND_LABELS_DA.get(c.kind, c.kind)} · {c.title} › {c.section}{page}"
        ):
            st.write(c.text)

counts = Counter(c.kind for c in index.chunks)
st.subheader("Det indekserede materiale")
st.write(f"{len(index.documents)} dokumenter, {len(index.chunks)} afsnit.")
st.table(
    [
        {
            "Dokument": d["title"],
            "Id": d["doc_id"],
            "Afsnit": sum(1 for c in index.chunks if c.doc_id == d["doc_id"]),
            "Bemærkning": f"kopi af {d['copy_of']}" if d.get("copy_of") else "",
        }
        for d in index.documents
    ]
)
st.write(", ".join(f"{KIND_LABELS_DA.get(k, k)}: {n}" for k, n in counts.most_common()))
st.info("Chatten med svar og kildehenvisninger kommer i næste udgave.")
