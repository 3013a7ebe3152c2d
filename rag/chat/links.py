"""Links that share without handing over.

- `?samtale=<id>` opens a conversation. The owner goes on with it; anyone else reads it only,
  with "Fortsæt som ny samtale", which copies it into their own list to go on from.
- `?svar=<id>` is a deliberate share of one answer: read-only, with its sources. A visitor's
  thumb is the visitor's own rating, never the sharer's (rag/chat/rating.py rates as the user).

Ids are 96-bit random (rag/chat/store.py), so a link cannot be guessed from another; the store
checks ownership again on every write. Opening someone else's link is in the audit trail.
"""

from __future__ import annotations

import html

import streamlit as st

from rag.answer.render import plain
from rag.chat import audit, conversations, identity, resources, services
from rag.chat.store import ChatStore, StorageError

SHARE_HELP = (
    "Modtageren ser kun dette spørgsmål og svar med kilderne – ikke resten af samtalen – "
    "og kan ikke ændre noget."
)


def follow_url(store: ChatStore | None) -> None:
    """Open the conversation the URL names, once per id; a stale id is said and dropped."""
    wanted = st.query_params.get("samtale")
    if not wanted or wanted == st.session_state.get("conversation"):
        return
    try:
        found = store.conversation(wanted) if store else None
    except StorageError:
        store = None
    if store is None:  # the link stays: it opens once the database answers again
        st.warning(services.link_unavailable(resources.settings(), "Samtalen"))
        return
    if found is None:
        st.warning("Samtalen findes ikke (længere). Her er en ny.")
        conversations.new_conversation()
        return
    user = identity.current_user()
    mine = found.owner == user.key
    if not mine:
        audit.log("link_opened", user, found.id, outcome="read_only")
    conversations.show(found.id, found.answers, mine)
    load_ratings(store, [aid for aid, _ in found.answers])


def load_ratings(store: ChatStore, answer_ids: list[str]) -> None:
    """The user's own thumbs and comments on these answers, into their widgets."""
    me = identity.current_user().key
    for aid in answer_ids:
        if f"thumbs-{aid}" in st.session_state:
            continue
        try:
            rated = store.rating(aid, me)
        except StorageError:  # shown without; the banner says the database does not answer
            return
        if rated:
            st.session_state[f"thumbs-{aid}"] = 1 if rated["rating"] == "up" else 0
            st.session_state[f"comment-{aid}"] = rated["comment"]


def read_only_banner(store: ChatStore | None) -> None:
    """Above someone else's conversation: what it is, and the way to go on from it."""
    st.markdown(
        "<div class='shared-banner'>En samtale, som nogen har delt med dig. Du kan læse den; "
        "vil du spørge videre, så fortsæt den som din egen.</div>",
        unsafe_allow_html=True,
    )
    if store is not None:
        st.button(
            "Fortsæt som ny samtale",
            key="continue-copy",
            type="primary",
            icon=":material/fork_right:",
            on_click=_continue_as_new,
            args=(store,),
        )


def _continue_as_new(store: ChatStore) -> None:
    user = identity.current_user()
    source = st.session_state.get("conversation")
    try:
        copy = store.copy(source, user.key)
        found = store.conversation(copy)
    except (KeyError, StorageError) as exc:
        st.session_state["_copy_error"] = (
            str(exc) if isinstance(exc, StorageError) else "Samtalen findes ikke længere."
        )
        return
    audit.log("link_copied", user, source, outcome="copied")
    conversations.show(copy, found.answers, mine=True)
    conversations.forget_list()


def copy_error() -> None:
    error = st.session_state.pop("_copy_error", None)
    if error:
        st.warning(error)


def share_url(aid: str) -> str:
    """The full address of the answer's share link (relative where the page's own address is
    not known, as under AppTest; the browser completes it)."""
    here = st.context.url
    base = here.split("?")[0] if isinstance(here, str) and here.startswith("http") else ""
    return f"{base}?svar={aid}"


def share(aid: str) -> None:
    """ "Del svaret": what the recipient will see, the link, and "Kopiér link", which copies it
    (the click is handled by the page script of rag/chat/theme.py and says "Link kopieret")."""
    url = html.escape(share_url(aid), quote=True)
    with st.popover("Del svaret", icon=":material/share:", key=f"share-{aid}"):
        st.caption(SHARE_HELP)
        st.markdown(
            "<div class='share'>"
            f"<input class='share-url' type='text' readonly value='{url}' "
            "aria-label='Link til svaret'>"
            f"<button type='button' class='copy-link' data-copy='{url}'>Kopiér link</button>"
            "<span class='copied' role='status' aria-live='polite'></span></div>",
            unsafe_allow_html=True,
        )


def shared_answer(store: ChatStore | None, aid: str, show_answer, presentation: bool) -> bool:
    """The answer a shared link names, on its own; False when the link is stale."""
    try:
        found = store.answer(aid) if store else None
    except StorageError:
        store = None
    if store is None:  # the link stays: it opens once the database answers again
        st.warning(services.link_unavailable(resources.settings(), "Svaret"))
        return False
    if found is None:
        st.warning("Svaret findes ikke (længere).")
        st.query_params.pop("svar", None)
        return False
    conversation_id, answer = found
    if st.session_state.get("_shared_seen") != aid:
        st.session_state["_shared_seen"] = aid
        audit.log("share_opened", identity.current_user(), conversation_id, aid)
        load_ratings(store, [aid])
    st.markdown(
        "<div class='shared-banner'>Et svar, som nogen har delt med dig. Din vurdering af "
        "svaret er din egen.</div>",
        unsafe_allow_html=True,
    )
    st.header(plain(answer.question), anchor=False)  # typed text, never Markdown
    show_answer(answer, 0, aid, presentation)
    st.button("Stil selv et spørgsmål", on_click=conversations.new_conversation, type="primary")
    return True
