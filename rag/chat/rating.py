"""One-click rating under each answer: a thumb saves at once, a comment can follow and updates
the same record, and each says so ("Tak – gemt") or says that it was not saved. The rating is
the current user's own (rag/chat/store.py keeps one row per answer and rater), so rating a
shared answer never changes the sharer's."""

from __future__ import annotations

import streamlit as st

from rag.chat import identity, links, resources
from rag.chat.store import ChatStore, StorageError

SAVED = {"rating": "Tak – din vurdering er gemt.", "comment": "Tak – gemt."}


def _rate(store: ChatStore, aid: str) -> None:
    value = st.session_state.get(f"thumbs-{aid}")
    if value is None:
        return
    try:
        store.rate(aid, identity.current_user().key, "up" if value == 1 else "down")
    except (StorageError, KeyError) as exc:
        message = str(exc) if isinstance(exc, StorageError) else "Svaret findes ikke længere."
        st.session_state[f"rate-error-{aid}"] = f"Vurderingen blev ikke gemt. {message}"
        return
    st.session_state[f"saved-{aid}"] = "rating"


def _comment(store: ChatStore, aid: str) -> None:
    try:
        store.comment(aid, identity.current_user().key, st.session_state.get(f"comment-{aid}", ""))
    except StorageError as exc:
        st.session_state[f"rate-error-{aid}"] = f"Kommentaren blev ikke gemt. {exc}"
        return
    except KeyError:
        st.session_state[f"rate-error-{aid}"] = "Kommentaren blev ikke gemt: vurder svaret først."
        return
    st.session_state[f"saved-{aid}"] = "comment"


def feedback_row(aid: str | None) -> None:
    """Thumbs, the comment field once rated, and the share link of one stored answer."""
    store, why = resources.store(resources.settings())
    if store is None or aid is None:
        st.caption(why or "Svaret er ikke gemt, så det kan ikke vurderes.")
        return
    cols = st.columns([1, 4, 2], vertical_alignment="center")
    with cols[0]:
        st.feedback("thumbs", key=f"thumbs-{aid}", on_change=_rate, args=(store, aid))
    error = st.session_state.pop(f"rate-error-{aid}", None)
    if st.session_state.get(f"thumbs-{aid}") is not None:
        cols[1].text_input(
            "Kommentar",
            key=f"comment-{aid}",
            on_change=_comment,
            args=(store, aid),
            placeholder="Tilføj evt. en kommentar og tryk Enter",
            label_visibility="collapsed",
        )
    with cols[2]:
        links.share(aid)
    saved = st.session_state.pop(f"saved-{aid}", None)  # said once, right after the save
    if error:
        st.warning(error)
    elif saved:
        st.markdown(f"<p class='saved' role='status'>{SAVED[saved]}</p>", unsafe_allow_html=True)
