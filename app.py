"""Tillidsguiden in the browser. Thin on purpose: what it shows comes from the `rag` package."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from rag.config import Settings
from rag.documents import KIND_LABELS_DA
from rag.ingest import ingest
from rag.store import IndexMissing, StoredIndex

st.set_page_config(page_title="Tillidsguiden", page_icon="🤝", layout="wide")
settings = Settings.load()


@st.cache_resource(show_spinner=False)
def load_index(build_marker: str) -> StoredIndex:
    """Read once per process and build; `build_marker` changes when a new build is committed."""
    return StoredIndex.open(settings.index_dir)


def current_marker() -> str:
    pointer = settings.index_dir / "CURRENT"
    return pointer.read_text(encoding="utf-8") if pointer.exists() else ""


st.title("Tillidsguiden")
st.caption("Svar om tillid, samarbejde og social kapital – altid med kilden.")

try:
    index = load_index(current_marker())
except IndexMissing:
    st.warning("Materialet er ikke indlæst endnu.")
    if st.button("Indlæs materialet nu"):
        with st.spinner("Indlæser materialet …"):
            ingest(settings)
        st.rerun()
    st.stop()

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
st.info("Chatten kommer, når søgningen er bygget.")
