"""One-click rating under each answer: a thumb saves at once, a comment can follow and updates
the same record, and each says so ("Tak – gemt") or says that it was not saved. The rating is
the current user's own (rag/chat/store.py keeps one row per answer and rater), so rating a
shared answer never changes the sharer's.

A thumb that could not be saved (the database did not answer) says so and is kept in the
session: it is saved on the first run the database answers again, and a comment saves its
thumb first when the thumb's row is missing, so nothing typed after the recovery is dropped."""

from __future__ import annotations

import streamlit as st

from rag.chat import identity, links, resources, services
from rag.chat.store import ChatStore, StorageError

SAVED = {"rating": "Tak – din vurdering er gemt.", "comment": "Tak – gemt."}
RATING = {1: "up", 0: "down"}
UNSAVED_COMMENT = (
    "Kommentaren blev ikke gemt, fordi samtalerne ikke kan gemmes lige nu. Prøv igen om lidt."
)
NOT_NOW = "Svaret kan ikke vurderes lige nu, fordi samtalerne ikke kan gemmes."


def _rate(store: ChatStore, aid: str) -> bool:
    """Save the thumb in the widget (or the one waiting to be saved); False when it was not."""
    value = st.session_state.get(f"thumbs-{aid}", st.session_state.get(f"rate-pending-{aid}"))
    if value is None:
        return True
    try:
        store.rate(aid, identity.current_user().key, RATING[value])
    except StorageError:
        st.session_state[f"rate-pending-{aid}"] = value
        st.session_state[f"rate-error-{aid}"] = services.UNSAVED_RATING
        return False
    except KeyError:
        st.session_state[f"rate-error-{aid}"] = (
            "Vurderingen blev ikke gemt: svaret findes ikke længere."
        )
        st.session_state.pop(f"rate-pending-{aid}", None)
        return True
    st.session_state.pop(f"rate-pending-{aid}", None)
    st.session_state[f"saved-{aid}"] = "rating"
    return True


def _comment(store: ChatStore, aid: str) -> None:
    me, text = identity.current_user().key, st.session_state.get(f"comment-{aid}", "")
    try:
        try:
            store.comment(aid, me, text)
        except KeyError:  # the thumb's row is not there (not saved, or purged): thumb first
            if st.session_state.get(f"thumbs-{aid}") is None:
                raise
            store.rate(aid, me, RATING[st.session_state[f"thumbs-{aid}"]])
            store.comment(aid, me, text)
    except StorageError:
        st.session_state[f"rate-error-{aid}"] = UNSAVED_COMMENT
        return
    except KeyError:
        st.session_state[f"rate-error-{aid}"] = "Kommentaren blev ikke gemt: vurder svaret først."
        return
    st.session_state[f"saved-{aid}"] = "comment"


def feedback_row(aid: str | None) -> None:
    """Thumbs, the comment field once rated, and the share link of one stored answer."""
    s = resources.settings()
    store, why = services.store(s)
    pending = st.session_state.get(f"rate-pending-{aid}")
    if store is not None and pending is not None and _rate(store, aid):
        st.session_state[f"thumbs-{aid}"] = pending  # saved now: the widget shows it again
    if store is None or aid is None:
        error = st.session_state.pop(f"rate-error-{aid}", None)
        if error:
            st.warning(error)
        if store is None and s.retention_days > 0:
            why = NOT_NOW
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
