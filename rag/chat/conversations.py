"""The conversation on screen and the user's own list of conversations in the sidebar.

What is on screen lives in the session (`turns`, the stored conversation's id, and whether it
is someone else's, read-only); what is stored lives in rag/chat/store.py, which checks the
ownership again. The list shows the user's conversations only. Deleting asks first: the
"Slet" button opens a confirmation in place, and only its "Slet samtalen" deletes.
"""

from __future__ import annotations

import time

import streamlit as st

from rag.chat import audit, identity
from rag.chat.store import ChatStore, NotYours, StorageError
from rag.documents import Answer

# The sidebar lists this many of the user's latest conversations.
LISTED = 10


def turns() -> list[tuple[str | None, Answer]]:
    """(answer id, answer) of the conversation on screen; the id is None when not stored."""
    return st.session_state.setdefault("turns", [])


def read_only() -> bool:
    """True when the conversation on screen is someone else's (opened by its link)."""
    return bool(st.session_state.get("read_only"))


def new_conversation() -> None:
    st.session_state["turns"] = []
    st.session_state.pop("conversation", None)
    st.session_state.pop("read_only", None)
    st.query_params.pop("samtale", None)
    st.query_params.pop("svar", None)


def show(conversation_id: str, answers: list, mine: bool) -> None:
    """Put a stored conversation on screen (read-only when it is not the user's)."""
    st.session_state["conversation"] = conversation_id
    st.session_state["turns"] = list(answers)
    st.session_state["read_only"] = not mine
    st.query_params["samtale"] = conversation_id


def keep(store: ChatStore | None, answer: Answer) -> str | None:
    """Store the answer in the user's conversation on screen (a new one, titled by its first
    question, when there is none or it is gone); the answer id, or None when nothing is stored.
    Answers on screen that could not be saved before (the database did not answer) are saved
    first, in their place."""
    if store is None:
        return None
    owner = identity.current_user().key
    try:
        cid = None if read_only() else st.session_state.get("conversation")
        if cid is not None:
            try:
                _catch_up(store, cid, owner)
                return store.add(cid, answer, owner)
            except (KeyError, NotYours):  # deleted in another tab, or not the user's
                pass
        first = next((a.question for aid, a in turns() if aid is None), answer.question)
        cid = store.start(owner, first)
        st.query_params.pop("svar", None)  # a shared answer's link gives way to the new one
        show(cid, turns(), mine=True)
        forget_list()
        _catch_up(store, cid, owner)
        return store.add(cid, answer, owner)
    except StorageError as exc:
        st.warning(str(exc))
        return None


def _catch_up(store: ChatStore, cid: str, owner: str) -> None:
    on_screen = turns()
    for i, (aid, answer) in enumerate(on_screen):
        if aid is None:
            on_screen[i] = (store.add(cid, answer, owner), answer)


def forget_list() -> None:
    """The sidebar's list is read again on the next run."""
    st.session_state.pop("_recent", None)


def recent(store: ChatStore, owner: str):
    """The sidebar's list, read once a minute or after this session changed it (not on every
    question: every rerun of every session would query the database)."""
    cached = st.session_state.get("_recent")
    if cached is None or cached[1] != owner or time.time() - cached[0] > 60:
        cached = (time.time(), owner, store.recent(owner, limit=LISTED))
        st.session_state["_recent"] = cached
    return cached[2]


def conversation_list(store: ChatStore | None, box) -> None:
    """The user's recent conversations, newest first, each to open or delete."""
    if store is None:
        return
    error = st.session_state.pop("_delete_error", None)
    if error:
        box.warning(error)
    try:
        listed = recent(store, identity.current_user().key)
    except StorageError as exc:
        box.warning(str(exc))
        return
    if listed:
        box.markdown("**Seneste samtaler**")
    asked = st.session_state.get("_confirm_delete")
    for conv in listed:
        left, right = box.columns([5, 1], vertical_alignment="center")
        current = conv.id == st.session_state.get("conversation")
        left.button(
            conv.title[:60],
            key=f"open-{conv.id}",
            type="primary" if current else "secondary",
            on_click=_open,
            args=(conv.id,),
        )
        right.button(
            "Slet",
            key=f"del-{conv.id}",
            icon=":material/delete:",
            help="Slet samtalen",
            on_click=_ask_delete,
            args=(conv.id,),
        )
        if asked == conv.id:
            _confirm(box, store, conv)


def _confirm(box, store: ChatStore, conv) -> None:
    with box.container(key=f"confirm-{conv.id}", border=True):
        st.markdown(f"Slet »{conv.title[:60]}« og dens vurderinger? Det kan ikke fortrydes.")
        yes, no = st.columns(2)
        yes.button(
            "Slet samtalen",
            key=f"del-yes-{conv.id}",
            type="primary",
            on_click=_delete,
            args=(store, conv.id),
        )
        no.button("Behold den", key=f"del-no-{conv.id}", on_click=_ask_delete, args=(None,))


def _open(conversation_id: str) -> None:
    st.query_params["samtale"] = conversation_id
    st.query_params.pop("svar", None)


def _ask_delete(conversation_id: str | None) -> None:
    st.session_state["_confirm_delete"] = conversation_id


def _delete(store: ChatStore, conversation_id: str) -> None:
    st.session_state.pop("_confirm_delete", None)
    user = identity.current_user()
    try:
        store.delete(conversation_id, user.key)
    except (StorageError, NotYours) as exc:
        st.session_state["_delete_error"] = str(exc)
        audit.log("delete", user, conversation_id, outcome="refused")
        return
    audit.log("delete", user, conversation_id, outcome="deleted")
    forget_list()
    if conversation_id == st.session_state.get("conversation"):
        new_conversation()
