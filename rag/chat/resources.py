"""What every page of the chat app shares, loaded once per server process: the embedding model,
the index, the assistant, the LLM and the conversation store.

Each cached loader takes the values it depends on as arguments (the index folder and the name
of its current build, the store's URL), so a new build or other settings load anew and two
test runs in one process never share the wrong thing. The caches are bounded: an index or
assistant pushed out is released (its build's lease, its Chroma client) once no session still
uses it, so an ingest can remove the old build and a process never gathers open files.
"""

from __future__ import annotations

import contextlib

import streamlit as st

from rag.answer.assistant import Assistant, load_llm
from rag.answer.llm import LLM, LLMError
from rag.chat import audit, identity
from rag.chat.store import ChatStore, StorageError, database_url
from rag.config import Settings
from rag.index.builder import IngestError, ingest, open_index
from rag.index.embeddings import Embedder, load_embedder
from rag.index.store import POINTER, IndexMissing, StoredIndex


def settings() -> Settings:
    """Read on every run: cheap, and a changed environment takes effect on the next page."""
    return Settings.load()


@st.cache_resource(show_spinner=False)
def embedder(spec: str) -> Embedder:
    return load_embedder(spec)


def build_marker(s: Settings) -> str:
    """The name of the current build; a commit changes it, and with it every cache key."""
    pointer = s.index_dir / POINTER
    with contextlib.suppress(OSError):
        return pointer.read_text(encoding="utf-8").strip()
    return ""


# The current build and the one before it (sessions still on it finish their answer).
BUILDS_KEPT = 2


@st.cache_resource(show_spinner=False, max_entries=BUILDS_KEPT)
def _index(_s: Settings, index_dir: str, marker: str) -> StoredIndex:
    return open_index(_s)


@st.cache_resource(show_spinner=False, max_entries=BUILDS_KEPT)
def _assistant(_s: Settings, index_dir: str, marker: str) -> Assistant:
    return Assistant.open(_s, embedder=embedder(_s.embedder), index=_index(_s, index_dir, marker))


def index(s: Settings) -> StoredIndex:
    return _index(s, str(s.index_dir), build_marker(s))


def assistant(s: Settings) -> Assistant:
    return _assistant(s, str(s.index_dir), build_marker(s))


@st.cache_resource(show_spinner=False)
def _llm(_s: Settings, spec: str) -> tuple[LLM | None, str]:
    if not spec:
        return None, "Ingen sprogmodel er sat op (TILLID_LLM)."
    try:
        return load_llm(_s), ""
    except LLMError as exc:
        return None, str(exc)


def llm(s: Settings) -> tuple[LLM | None, str]:
    """The configured LLM, or None and the reason it is unavailable."""
    return _llm(s, s.llm)


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(url: str, retention_days: int, connect_timeout: float) -> ChatStore:
    return ChatStore(url, retention_days, connect_timeout)


def store_url(s: Settings) -> str:
    return database_url(s)


def open_store(s: Settings) -> tuple[ChatStore | None, str, str]:
    """The conversation store, or None, why in Danish and the technical reason (a setting, a
    failing disk, a database that does not answer). Pages use rag/chat/services.py's `store`,
    which also knows whether the store works right now."""
    if s.retention_days <= 0:
        return None, "Samtaler og vurderinger gemmes ikke.", ""
    try:
        return _store(database_url(s), s.retention_days, s.database_connect_seconds), "", ""
    except StorageError as exc:
        return None, str(exc), exc.detail


def store(s: Settings) -> tuple[ChatStore | None, str]:
    """The conversation store, or None and why nothing is stored."""
    opened, why, _ = open_store(s)
    return opened, why


def details(s: Settings) -> list[str]:
    """What a maintainer needs to know about this installation (settings by their variable
    names), for the "Detaljer" the pages show maintainers only."""
    llm_, reason = llm(s)
    lines = [
        f"Sprogmodel: {s.llm} (TILLID_LLM)" if llm_ else f"Sprogmodel: ikke tilgængelig. {reason}"
    ]
    if s.retention_days <= 0:
        lines.append("Samtaler gemmes ikke (TILLID_RETENTION_DAYS=0).")
    else:
        kind = database_url(s).split(":", 1)[0].split("+", 1)[0]
        lines.append(f"Samtaler: {kind}, {s.retention_days} dage (TILLID_RETENTION_DAYS).")
    marker = build_marker(s)
    if marker:
        lines.append(f"Indeks: {marker}")
    return lines


def ready_or_offer_ingest(s: Settings) -> bool:
    """True when the index can be used; else say why in one line, offer a maintainer to
    (re)build it (anyone else is told to ask one) and return False (the caller stops)."""
    try:
        index(s)
        assistant(s)
        return True
    except IndexMissing as exc:
        reason = getattr(exc, "reason", "")  # stale or damaged; a missing index has none
    st.warning(f"{reason}." if reason else "Materialet er ikke indlæst endnu.")
    user = identity.current_user(s)
    if user is None or not user.may("maintainer"):  # only a maintainer (re)builds the index
        st.caption("Bed en vedligeholder af Tillidsguiden om at indlæse materialet.")
        return False
    if st.button("Byg indekset igen" if reason else "Indlæs materialet nu"):
        audit.log("rebuild_index", user)
        try:
            with st.spinner("Indlæser materialet …"):
                ingest(s, force=bool(reason), embedder=embedder(s.embedder))
        except IngestError as failed:
            st.error(str(failed))
            return False
        _index.clear()
        _assistant.clear()
        st.rerun()
    return False
