"""Tillidsguiden in the browser. Thin on purpose: answers, sources and feedback come from `rag`."""

from __future__ import annotations

import contextlib
import logging
import re

import streamlit as st

from rag.answer.assistant import Assistant, check_question, load_llm, normalise
from rag.answer.labels import kind_label, label, personal_data_notice
from rag.answer.llm import LLM, LLMError
from rag.answer.render import highlighted, plain, safe_markdown, to_markdown
from rag.chat.feedback import FeedbackStore, StorageError, storage_notice
from rag.config import Settings
from rag.documents import Answer
from rag.index.builder import IngestError, ingest, open_index
from rag.index.embeddings import Embedder, load_embedder
from rag.index.store import IndexMissing, StoredIndex
from rag.privacy import redact

st.set_page_config(page_title="Tillidsguiden", page_icon="🤝", layout="wide")
settings = Settings.load()
log = logging.getLogger("tillidsguiden")

# Curated for trainers: one click runs the question (themes of the material).
EXAMPLES = {
    "Kerneopgaven": [
        "Hvordan stiller man skarpt på kerneopgaven?",
        "Er der en tjekliste om kerneopgaven?",
    ],
    "Samarbejde på tværs": [
        "Hvordan styrker man samarbejdet mellem faggrupper?",
        "Hvilken øvelse kan vi bruge til at se, hvordan vi samarbejder om vigtige opgaver?",
    ],
    "Ordentlige forandringer": [
        "Hvordan gennemfører man forandringer, så tilliden holder?",
        "Giv mig et eksempel på en forandring, hvor tillidsrepræsentanterne blev inddraget",
    ],
    "Tillidsreformen": [
        "Hvad anbefaler OAO i visionen om en tillidsreform?",
        "Hvad er udfordringsretten?",
    ],
}


@st.cache_resource(show_spinner=False)
def load_embedder_once() -> Embedder:
    return load_embedder(settings.embedder)


@st.cache_resource(show_spinner=False)
def load_index(build_marker: str) -> StoredIndex:
    """Read once per process and build; `build_marker` changes when a new build is committed."""
    return open_index(settings)


@st.cache_resource(show_spinner=False)
def load_assistant(build_marker: str) -> Assistant:
    return Assistant.open(settings, embedder=load_embedder_once(), index=load_index(build_marker))


@st.cache_resource(show_spinner=False)
def load_llm_once() -> tuple[LLM | None, str]:
    """The configured LLM, or None and the reason it is unavailable."""
    if not settings.llm:
        return None, "Ingen sprogmodel er sat op (TILLID_LLM)."
    try:
        return load_llm(settings), ""
    except LLMError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False)
def feedback_store() -> FeedbackStore:
    """One store per process; records past the retention period are purged as it opens."""
    store = FeedbackStore(settings.data_dir / "feedback.jsonl", settings.retention_days)
    # A full disk must not stop the page; the purge is tried again within a day.
    with contextlib.suppress(StorageError):
        store.purge()
    return store


def current_marker() -> str:
    pointer = settings.index_dir / "CURRENT"
    return pointer.read_text(encoding="utf-8") if pointer.exists() else ""


def show_answer(answer: Answer, turn: int) -> None:
    lang = answer.language
    notice = personal_data_notice(answer.personal_data, lang)
    if notice:
        st.info(notice)
    if answer.notice:
        st.info(answer.notice)
    if answer.standalone and answer.standalone != answer.question.strip():
        st.caption(f"{label(lang, 'standalone')}: {plain(answer.standalone)}")
    # Each marker links to its source card below.
    text = safe_markdown(answer.text)
    st.markdown(re.sub(r"\[(\d+)\]", rf"[[\1]](#kilde-{turn}-\1)", text))
    for c in answer.citations:
        d = c.to_dict()
        page = f" · {label(lang, 'page')} {d['page']}" if d["page"] else ""
        title = f"[{c.n}] {kind_label(d['kind'], lang)} · {d['title']} › {d['section']}{page}"
        with st.expander(title):
            st.markdown(
                f"<div class='passage' id='kilde-{turn}-{c.n}'>{highlighted(c)}</div>",
                unsafe_allow_html=True,
            )
            st.caption(f"{d['doc_id']}, tegn {d['start']}–{d['end']}")
    feedback(answer, turn)


def feedback(answer: Answer, turn: int) -> None:
    done = st.session_state.setdefault("rated", set())
    if turn in done:
        st.caption("Tak for din vurdering.")
        return
    cols = st.columns([1, 4, 1])
    rating = cols[0].feedback("thumbs", key=f"thumbs-{turn}")
    comment = cols[1].text_input(
        "Kommentar (valgfri)",
        key=f"comment-{turn}",
        label_visibility="collapsed",
        placeholder="Kommentar til svaret (valgfri)",
    )
    if cols[2].button("Send vurdering", key=f"send-{turn}", disabled=rating is None):
        try:
            feedback_store().record(answer, "up" if rating == 1 else "down", comment)
        except StorageError as exc:
            st.error(str(exc))
            return
        done.add(turn)
        st.rerun()


def sidebar(index: StoredIndex, llm_reason: str) -> dict:
    st.sidebar.header("Indstillinger")
    docs = {d["doc_id"]: d["title"] for d in index.documents if not d.get("copy_of")}
    doc = st.sidebar.selectbox(
        "Dokument", [None, *docs], format_func=lambda d: "Alle dokumenter" if d is None else docs[d]
    )
    kinds = sorted({c.kind for c in index.chunks})
    kind = st.sidebar.selectbox(
        "Slags", [None, *kinds], format_func=lambda k: "Alle slags" if k is None else kind_label(k)
    )
    modes = ["Uddrag (uden sprogmodel)"] + (
        [f"Sprogmodel ({settings.llm})"] if not llm_reason else []
    )
    mode = st.sidebar.radio("Svarform", modes)
    if llm_reason:
        st.sidebar.caption(f"Sprogmodel: ikke tilgængelig. {llm_reason}")
    trainer = st.sidebar.toggle("Trænertilstand", help="Eksempelspørgsmål og stor skrift")
    if trainer:
        st.markdown(
            "<style>.stMarkdown p, .stMarkdown li {font-size: 1.35rem;}</style>",
            unsafe_allow_html=True,
        )
        for theme, questions in EXAMPLES.items():
            st.sidebar.markdown(f"**{theme}**")
            for q in questions:
                if st.sidebar.button(q, key=f"ex-{q}"):
                    st.session_state["pending"] = q
    with st.sidebar.expander("Læs materialet"):
        browse = st.selectbox("Dokument at læse", list(docs), format_func=docs.get, key="browse")
        for c in (c for c in index.chunks if c.doc_id == browse):
            with st.expander(f"{kind_label(c.kind)} · {c.section}"):
                st.markdown(safe_markdown(c.text))
    st.sidebar.caption(storage_notice(settings.retention_days))
    return {"doc": doc, "kind": kind, "llm": mode != modes[0]}


st.title("Tillidsguiden")
st.caption("Svar om tillid, samarbejde og social kapital – altid med kilden.")


def offer_ingest(exc: IndexMissing) -> None:
    """No usable index: say why in one line and offer to (re)build it; nothing else runs."""
    reason = getattr(exc, "reason", "")  # stale or damaged; a missing index has none
    st.warning(f"{reason}." if reason else "Materialet er ikke indlæst endnu.")
    if st.button("Byg indekset igen" if reason else "Indlæs materialet nu"):
        try:
            with st.spinner("Indlæser materialet …"):
                ingest(settings, force=bool(reason), embedder=load_embedder_once())
        except IngestError as failed:
            st.error(str(failed))
            st.stop()
        st.cache_resource.clear()
        st.rerun()
    st.stop()


def answer(question: str, answers: list[Answer], choice: dict) -> None:
    """Stream one answer into the page, then show it with its sources; a failure is one
    Danish line here and a traceback in the server's log only."""
    final: list[Answer] = []
    placeholder = st.empty()
    shown = ""
    try:
        for piece in assistant.stream(question, answers, doc=choice["doc"], kind=choice["kind"]):
            if isinstance(piece, Answer):
                final.append(piece)
            else:
                shown += piece
                placeholder.markdown(safe_markdown(shown))
    except IndexMissing as exc:
        placeholder.empty()
        st.error(f"{getattr(exc, 'reason', '') or 'Indekset kan ikke læses'}. Genindlæs siden.")
        st.cache_resource.clear()
        return
    except Exception:
        log.exception("answer failed")
        placeholder.empty()
        st.error("Der gik noget galt med svaret. Prøv igen, eller stil spørgsmålet anderledes.")
        return
    placeholder.empty()
    answers.append(final[0])
    show_answer(final[0], len(answers) - 1)


try:
    index = load_index(current_marker())
    assistant = load_assistant(current_marker())
except IndexMissing as exc:
    offer_ingest(exc)

llm, llm_reason = load_llm_once()
choice = sidebar(index, llm_reason)
assistant = assistant.with_llm(llm if choice["llm"] else None)

answers: list[Answer] = st.session_state.setdefault("answers", [])
for turn, past in enumerate(answers):
    with st.chat_message("user"):
        st.markdown(plain(past.question))
    with st.chat_message("assistant"):
        show_answer(past, turn)

typed = st.chat_input("Stil et spørgsmål, fx: Hvordan styrker vi samarbejdet på tværs?")
question = typed or st.session_state.pop("pending", None)
if question:
    problem = check_question(question)
    with st.chat_message("user"):
        # Shown as it will be kept: as text, with personal data already replaced.
        st.markdown(plain(question[:2000] if problem else redact(normalise(question)).text))
    with st.chat_message("assistant"):
        if problem:
            st.warning(problem)
        else:
            answer(question, answers, choice)

if answers:
    st.download_button(
        "Hent samtalen (Markdown)",
        to_markdown(answers),
        file_name="tillidsguiden-samtale.md",
        mime="text/markdown",
    )
