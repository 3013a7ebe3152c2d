"""The page "Spørg": the chat, its conversations and the trainers' presentation mode.

A conversation is stored as it goes (rag/chat/conversations.py, rag/chat/store.py) and its id is
in the URL (?samtale=…), so a reload, a bookmark or a link opens it again; someone else's link
opens read-only and ?svar=… opens one shared answer (rag/chat/links.py). Filters,
answer form and presentation mode are in the URL too. The steps of an answer are shown while
it is made, then the text streams; each answer can be rated with one click.
"""

from __future__ import annotations

import html
import logging
import re

import streamlit as st

from rag.answer.assistant import check_question, normalise
from rag.answer.labels import kind_label, label
from rag.answer.render import highlighted, plain, safe_markdown, to_handout, to_markdown
from rag.chat import (
    answering,
    conversations,
    identity,
    links,
    opening,
    rating,
    resources,
    services,
    theme,
)
from rag.chat.store import ChatStore, storage_notice
from rag.config import Settings
from rag.documents import Answer
from rag.index.store import IndexMissing, StoredIndex
from rag.privacy import notice as personal_data_notice
from rag.privacy import redact

log = logging.getLogger("tillidsguiden")

# Turns shown in full, with source cards and rating; older ones are folded into one block.
FULL_TURNS = 3


# --- one answer -------------------------------------------------------------------------------


def show_answer(answer: Answer, turn: int, aid: str | None, presentation: bool) -> None:
    lang = answer.language
    for notice in (personal_data_notice(answer.personal_data, lang), answer.notice):
        if notice:
            st.info(notice)
    if answer.standalone and answer.standalone != answer.question.strip():
        st.caption(f"{label(lang, 'standalone')}: {plain(answer.standalone)}")
    text = re.sub(r"\[(\d+)\]", rf"[[\1]](#kilde-{turn}-\1)", safe_markdown(answer.text))
    if presentation and answer.citations:
        left, right = st.columns([3, 2], gap="large")
        left.markdown(text)
        with right:
            source_cards(answer, turn, presentation, open_first=True)
    else:
        st.markdown(text)
        source_cards(answer, turn, presentation)
    with st.container(key=f"turn-end-{turn}"):  # drawn last: the answer is complete
        rating.feedback_row(aid)


def source_cards(answer: Answer, turn: int, presentation: bool, open_first: bool = False) -> None:
    lang = answer.language
    maintainer = not presentation and identity.current_user().may("maintainer")
    for c in answer.citations:
        d = c.to_dict()
        page = f" · {label(lang, 'page')} {d['page']}" if d["page"] else ""
        title = f"[{c.n}] {kind_label(d['kind'], lang)} · {d['title']} › {d['section']}{page}"
        # Where the passage sits in its source file: for a maintainer checking the material,
        # folded away; a manager never sees it.
        where = (
            "<details class='where'><summary>Detaljer</summary>"
            f"Tegn {d['start']}–{d['end']} i {html.escape(d['doc_id'])}</details>"
            if maintainer
            else ""
        )
        with st.expander(title, expanded=open_first and c.n == 1):
            st.markdown(  # one element per card: every element costs each rerun
                f"<div class='passage' id='kilde-{turn}-{c.n}'>{highlighted(c)}</div>{where}",
                unsafe_allow_html=True,
            )


# --- asking -----------------------------------------------------------------------------------


def ask(question: str, choice: dict, presentation: bool) -> None:
    """Show the steps, stream the answer, store it and show it with its sources; a failure is
    one Danish line here and a traceback in the server's log only."""
    s = resources.settings()
    instead = answering.take_extracts(question)  # the user chose not to wait for the model
    assistant = resources.assistant(s).with_llm(None if instead else choice["llm"])
    history = [a for _, a in conversations.turns()]
    view = answering.AnswerView(question)
    try:
        final = view.follow(
            assistant.stream(question, history, doc=choice["doc"], kind=choice["kind"])
        )
    except IndexMissing as exc:
        view.clear()
        view.area.error(f"{getattr(exc, 'reason', '') or 'Indekset kan ikke læses'}.")
        st.cache_resource.clear()
        return
    except Exception:
        log.exception("answer failed")
        view.clear()
        view.area.error(
            "Der gik noget galt med svaret. Prøv igen, eller stil spørgsmålet anderledes."
        )
        return
    final = answering.noted(final, instead)
    store, _ = services.store(s)
    aid = conversations.keep(store, final)
    conversations.turns().append((aid, final))
    with view.area.container():
        show_answer(final, len(conversations.turns()) - 1, aid, presentation)


def show_kept(answer: Answer, turn: int, aid: str | None, presentation: bool) -> None:
    """An answer already given, in the slots `ask` drew it in (answering.AnswerView: the
    steps' line, the answer's area, the offer to take the extracts), so the next run redraws
    it in place: a source card a manager opened stays open when they then rate the answer."""
    st.empty()
    area = st.empty()
    st.empty()
    with area.container():
        show_answer(answer, turn, aid, presentation)


def sidebar(index: StoredIndex, store: ChatStore | None, why: str) -> dict:
    s = resources.settings()
    st.sidebar.button(
        "Ny samtale",
        on_click=conversations.new_conversation,
        key="new-side",
        icon=":material/add:",
    )
    # Filled at the end of the run, so a conversation started by this run is listed too.
    history = st.sidebar.container()
    st.sidebar.divider()
    docs = {d["doc_id"]: d["title"] for d in index.documents if not d.get("copy_of")}
    doc = st.sidebar.selectbox(
        "Dokument",
        [None, *docs],
        format_func=lambda d: "Alle dokumenter" if d is None else docs[d],
        key="dokument",
        bind="query-params",
        placeholder="Vælg et dokument",
    )
    kinds = sorted({c.kind for c in index.chunks})
    kind = st.sidebar.selectbox(
        "Slags",
        [None, *kinds],
        format_func=lambda k: "Alle slags" if k is None else kind_label(k),
        key="slags",
        bind="query-params",
        placeholder="Vælg en slags",
    )
    llm, _ = resources.llm(s)
    llm = answering.answer_form(llm, s.llm)
    presentation = st.sidebar.toggle(
        "Præsentationstilstand",
        key="praesentation",
        bind="query-params",
        help="Til undervisning: store spørgsmålskort, stor skrift, kilden ved siden af svaret",
    )
    st.sidebar.caption(why or storage_notice(s.retention_days))
    if identity.current_user().may("maintainer"):
        with st.sidebar.expander("Detaljer", icon=":material/build:"):
            for line in resources.details(s):
                st.caption(line)
    return {
        "doc": doc,
        "kind": kind,
        "llm": llm,
        "presentation": presentation,
        "history": history,
    }


def question_box() -> str | None:
    """The question field of presentation mode, under the title; the question when sent."""
    with st.form("praesentation-form", clear_on_submit=True, border=False):
        left, right = st.columns([6, 1], vertical_alignment="bottom")
        text = left.text_input(
            "Spørgsmål",
            key="praesentation-spoergsmaal",
            placeholder="Stil et spørgsmål, fx: Hvordan styrker vi samarbejdet på tværs?",
            label_visibility="collapsed",
        )
        sent = right.form_submit_button("Spørg", type="primary", width="stretch")
    return text if sent and text.strip() else None


def _pending(question: str) -> None:
    """A card was clicked: its question is asked in the run this click starts."""
    st.session_state["pending"] = question


def page() -> None:
    s: Settings = resources.settings()
    if not resources.ready_or_offer_ingest(s):
        return
    index = resources.index(s)
    store, why = services.store(s)
    choice = sidebar(index, store, why)
    presentation = choice["presentation"]
    if presentation:
        theme.presentation()
    links.follow_url(store)

    top = st.columns([5, 1], vertical_alignment="center")
    top[0].title("Tillidsguiden", anchor=False)
    top[1].button(
        "Ny samtale",
        on_click=conversations.new_conversation,
        key="new-main",
        icon=":material/add:",
    )
    subtitle = st.empty()  # a slot either way, so what follows keeps its place between runs
    if not presentation and conversations.turns():  # an empty one says it in its opening
        subtitle.caption("Svar om tillid, samarbejde og social kapital – altid med kilden.")
    links.copy_error()

    shared = st.query_params.get("svar")
    if shared and links.shared_answer(store, shared, show_answer, presentation):
        conversations.conversation_list(store, choice["history"])
        return

    past = conversations.turns()
    if conversations.read_only():  # someone else's: read it, or go on with a copy
        links.read_only_banner(store)
        if presentation:
            show_presentation(past, None, choice)
        else:
            show_chat(past, None, choice)
        conversations.conversation_list(store, choice["history"])
        return
    if presentation:  # a box on top: the chat box would scroll the question out of view
        typed = question_box()
    else:
        typed = st.chat_input("Stil et spørgsmål, fx: Hvordan styrker vi samarbejdet på tværs?")
    question = typed or st.session_state.pop("pending", None)
    if presentation:
        show_presentation(past, question, choice)
        with st.expander("Eksempelspørgsmål", expanded=not past and not question):
            opening.presentation_cards(_pending)
    else:
        first = st.container()  # filled last: the rest of the page does not wait for it
        show_chat(past, question, choice)
    conversations.conversation_list(store, choice["history"])
    downloads([a for _, a in conversations.turns()])
    if not presentation and not past and not question:
        with first:
            opening.show(index, choice, _pending)


def downloads(answers: list[Answer]) -> None:
    """The conversation as Markdown and as a handout, made when clicked."""
    if not answers:
        return
    cols = st.columns(2)
    cols[0].download_button(
        "Hent samtalen (Markdown)",
        lambda: to_markdown(answers),
        file_name="tillidsguiden-samtale.md",
        mime="text/markdown",
    )
    cols[1].download_button(
        "Handout til deltagerne (HTML)",
        lambda: to_handout(answers),
        file_name="tillidsguiden-handout.html",
        mime="text/html",
    )


def _ask_or_warn(question: str, choice: dict, presentation: bool) -> None:
    problem = check_question(question)
    if problem:
        st.warning(problem)
    else:
        ask(question, choice, presentation)


def compact(answer: Answer) -> str:
    """An earlier turn as one Markdown block: the question, the answer, its sources' quotes."""
    lines = [f"**{plain(answer.question)}**", "", safe_markdown(answer.text), ""]
    lines += [
        f"{c.n}. {plain(c.chunk.title)} › {plain(c.chunk.section)}: »{plain(c.quote[:300])}«"
        for c in answer.citations
    ]
    return "\n".join(lines) + "\n\n---"


def shown_question(question: str) -> str:
    """The question as it will be kept: as text, with personal data already replaced."""
    problem = check_question(question)
    if problem:
        return plain(question[:2000])
    public = resources.index(resources.settings()).public_names  # the material's people
    return plain(redact(normalise(question), public).text)


def show_chat(past: list, question: str | None, choice: dict) -> None:
    """The conversation: the newest turns in full, older ones folded into one compact block
    (every element on the page is redrawn on every question, so a long conversation would
    otherwise get slower with each question)."""
    older = max(0, len(past) + bool(question) - FULL_TURNS)
    if older:
        with st.expander(f"Tidligere i samtalen ({older} spørgsmål)"):
            for _, answer in past[:older]:
                st.markdown(compact(answer), unsafe_allow_html=False)
    for turn, (aid, answer) in enumerate(past[older:], start=older):
        with st.chat_message("user"):
            st.markdown(plain(answer.question))
        with st.chat_message("assistant"):
            show_kept(answer, turn, aid, False)
    if question:
        with st.chat_message("user"):
            st.markdown(shown_question(question))
        with st.chat_message("assistant"):
            _ask_or_warn(question, choice, False)


def show_presentation(past: list, question: str | None, choice: dict) -> None:
    """The newest question on top in large type, its answer under it with the cited passage
    beside it; earlier questions folded away below."""
    earlier = list(past)
    if question:
        st.header(shown_question(question), anchor=False)
        _ask_or_warn(question, choice, True)
    elif past:
        aid, answer = past[-1]
        earlier = past[:-1]
        st.header(plain(answer.question), anchor=False)
        show_kept(answer, len(past) - 1, aid, True)
    if earlier:
        with st.expander(f"Tidligere i samtalen ({len(earlier)})"):
            for turn, (_, answer) in enumerate(earlier):
                st.markdown(f"**{plain(answer.question)}**")
                st.markdown(safe_markdown(answer.text))
                if turn < len(earlier) - 1:
                    st.divider()
