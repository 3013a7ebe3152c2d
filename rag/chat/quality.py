"""The page "Kvalitet", for maintainers only: what managers ask, how they rated the answers,
what the material lacks, and the way from a thumbs-down to an evaluation case.

The role is checked on the server at the top of the page (`identity.require`), not only by
leaving the page out of a manager's navigation. The figures come from rag/chat/insights.py,
the explanation from rag/chat/why.py, the cases from rag/chat/cases.py.

Two clicks from a rated or refused question to a case: "Lav evalueringscase" opens the choice
under the question, and one of "Dette afsnit burde svare" (beside each passage the search
found, or found with the material search there) or "Uden for materialet" writes it.
"""

from __future__ import annotations

import streamlit as st

from rag.answer.render import plain, safe_markdown
from rag.chat import audit, cases, identity, insights, resources, services, why
from rag.chat.insights import Filters, Item
from rag.chat.store import ChatStore, StorageError
from rag.config import Settings
from rag.documents import Chunk

PERIODS = {7: "Seneste 7 dage", 30: "Seneste 30 dage", 90: "Seneste 90 dage", None: "Hele perioden"}
RATINGS = {None: "Alle", "down": "👎 Tommel ned", "up": "👍 Tommel op"}
OUTCOMES = {
    None: "Alle svar",
    "gaps": "Afviste og delvise",
    "refused": "Afviste",
    "partial": "Delvise",
}
SHOWN = 40  # items drawn per list (each is several elements; the rest are counted)


def page() -> None:
    user = identity.require("maintainer")
    s: Settings = resources.settings()
    st.title("Kvalitet")
    st.caption(
        "Hvad lederne spørger om, hvordan svarene blev vurderet, og hvad materialet mangler. "
        "Spørgsmålene står, som de er gemt: uden personoplysninger."
    )
    store, reason = services.store(s)  # None while the database does not answer
    if store is None:
        st.warning(reason or "Der er ingen gemte samtaler at vise.")
        return
    try:
        f = filters(store)
        tabs = st.tabs(
            ["Vurderinger og afvisninger", "Huller i materialet", "Mest spurgt", "Pr. uge"]
        )
        with tabs[0]:
            feedback_list(store, s, f, user)
        with tabs[1]:
            gap_list(store, s, f)
        with tabs[2]:
            most_asked(store, f)
        with tabs[3]:
            per_week(store, f)
    except StorageError as exc:
        st.warning(str(exc))


def filters(store: ChatStore) -> Filters:
    cols = st.columns(4)
    days = cols[0].selectbox(
        "Periode", list(PERIODS), index=1, format_func=PERIODS.get, key="q-periode"
    )
    rating = cols[1].selectbox(
        "Vurdering", list(RATINGS), format_func=RATINGS.get, key="q-vurdering"
    )
    docs = [None, *insights.documents(store)]
    doc = cols[2].selectbox(
        "Dokument", docs, format_func=lambda d: d or "Alle dokumenter", key="q-dokument"
    )
    outcome = cols[3].selectbox("Svar", list(OUTCOMES), format_func=OUTCOMES.get, key="q-svar")
    return Filters(days, rating, doc, outcome)


# --- the list of thumbs, comments and refusals --------------------------------------------------


def feedback_list(store: ChatStore, s: Settings, f: Filters, user) -> None:
    items = insights.listed(store, f)
    if not items:
        st.info("Ingen vurderinger eller afviste spørgsmål med disse filtre.")
        return
    down = sum(i.rating == "down" for i in items)
    st.caption(
        f"{len(items)} i alt: {down} tommel ned, {sum(i.rating == 'up' for i in items)} "
        f"tommel op, {sum(i.outcome == 'refused' for i in items)} afvist, "
        f"{sum(i.outcome == 'partial' for i in items)} delvist."
        + (f" De {SHOWN} nyeste vises." if len(items) > SHOWN else "")
    )
    chunks = chunk_lookup(s)
    for item in items[:SHOWN]:
        card(item, store, s, chunks, user)


def card(item: Item, store: ChatStore, s: Settings, chunks: dict[str, Chunk], user) -> None:
    key = f"{item.answer_id}-{item.rating or item.outcome}"
    with st.container(border=True, key=f"kvalitet-{key}"):
        mark = insights.RATING_NAMES.get(item.rating, "").strip()
        outcome = insights.OUTCOME_NAMES[item.outcome]
        st.markdown(
            f"{mark} **{plain(item.question)}**  \n{item.when} · {outcome} · {item.answer.mode}"
        )
        if item.comment:
            st.markdown(f"> {plain(item.comment)}")
        with st.expander("Svaret og kilderne"):
            st.markdown(safe_markdown(item.answer.text))
            for c in item.answer.citations:
                where = f"{plain(c.chunk.title)} › {plain(c.chunk.section)}"
                st.caption(f"[{c.n}] {where}: »{plain(c.quote[:300])}«")
        left, right = st.columns(2)
        showing_why = left.toggle("Hvorfor dette svar?", key=f"hvorfor-{key}")
        right.button(
            "Lav evalueringscase",
            key=f"case-{key}",
            icon=":material/playlist_add:",
            on_click=_open_case,
            args=(key,),
        )
        if showing_why:
            why.show(item.answer)
        if st.session_state.get("case-open") == key:
            case_choice(item, key, store, s, chunks, user)
        result = st.session_state.get(f"case-result-{key}")
        if result:
            (st.success if result[0] == "ok" else st.error)(result[1])


def _open_case(key: str) -> None:
    st.session_state["case-open"] = None if st.session_state.get("case-open") == key else key


# --- from a question to an evaluation case --------------------------------------------------------


def case_choice(
    item: Item, key: str, store: ChatStore, s: Settings, chunks: dict[str, Chunk], user
) -> None:
    """The second click: the passage that should have answered, or "uden for materialet"."""
    with st.container(border=True, key=f"case-valg-{key}"):
        st.markdown("**Hvilket afsnit burde have svaret?**")
        st.button(
            "Uden for materialet",
            key=f"udenfor-{key}",
            icon=":material/block:",
            on_click=_write,
            args=(item, None, key, store, s, user),
        )
        found = [chunks[p["chunk_id"]] for p in item.answer.passages if p.get("chunk_id") in chunks]
        for chunk in found[:5]:
            _passage_choice(item, chunk, key, store, s, user, "top")
        query = st.text_input(
            "Find afsnittet i materialet",
            key=f"case-sog-{key}",
            placeholder="Søg i materialet, fx: udfordringsretten",
        )
        if query.strip():
            hits = resources.assistant(s).searcher.search(query, k=5)
            for h in hits:
                _passage_choice(item, h.chunk, key, store, s, user, "sog")


def _passage_choice(item, chunk: Chunk, key, store, s, user, where: str) -> None:
    cols = st.columns([5, 2], vertical_alignment="center")
    cols[0].markdown(
        f"{plain(chunk.title)} › {plain(chunk.section)}  \n"
        f"<span class='where'>»{plain(cases.best_quote(chunk, item.question))}«</span>",
        unsafe_allow_html=True,
    )
    cols[1].button(
        "Dette afsnit burde svare",
        key=f"valg-{where}-{key}-{chunk.chunk_id}",
        on_click=_write,
        args=(item, chunk, key, store, s, user),
    )


def _write(item: Item, chunk: Chunk | None, key: str, store: ChatStore, s: Settings, user) -> None:
    try:
        case = cases.make_case(item, chunk, earlier=cases.history(store, item))
        new = cases.write_case(s.cases_file, case)
    except (cases.CaseError, ValueError, StorageError) as exc:
        st.session_state[f"case-result-{key}"] = ("error", str(exc))
        return
    audit.log("eval_case", user, answer=item.answer_id, outcome="added" if new else "replaced")
    st.session_state["case-open"] = None
    what = "uden for materialet" if chunk is None else f"svaret findes i {chunk.doc_id}"
    st.session_state[f"case-result-{key}"] = (
        "ok",
        f"Casen {case['id']} ({what}, {case['split']}) er {'skrevet' if new else 'opdateret'} "
        f"i {s.cases_file.name}. `tillidsguiden eval` læser den med resten – commit filen.",
    )


def chunk_lookup(s: Settings) -> dict[str, Chunk]:
    return {c.chunk_id: c for c in resources.index(s).chunks}


# --- the counts --------------------------------------------------------------------------------


def gap_list(store: ChatStore, s: Settings, f: Filters) -> None:
    topics = insights.gaps(store, f, insights.topic_finder(resources.assistant(s)))
    if not topics:
        st.info("Ingen afviste eller delvise svar med disse filtre.")
        return
    st.caption(
        "Afviste og delvise svar efter emne: det ord i spørgsmålet, materialet aldrig bruger, "
        "ellers spørgsmålets mest særlige ord."
    )
    for t in topics:
        with st.expander(f"{t.name} · {t.count} ({t.refused} afvist, {t.partial} delvist)"):
            for item in t.questions[:SHOWN]:
                outcome = insights.OUTCOME_NAMES[item.outcome]
                st.markdown(f"- {plain(item.question)} · {item.when} · {outcome}")


def most_asked(store: ChatStore, f: Filters) -> None:
    rows = insights.asked(store, f, n=20)
    if not rows:
        st.info("Intet spørgsmål er stillet mere end én gang eller vurderet i perioden.")
        return
    st.dataframe(
        [
            {
                "spørgsmål": r.question,
                "gange": r.count,
                "👍": r.up,
                "👎": r.down,
                "afvist": r.refused,
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    latest = {r.latest: r.question for r in rows}
    chosen = st.selectbox(
        "Hvorfor dette svar? Vælg et spørgsmål (det seneste svar på det)",
        [None, *latest],
        format_func=lambda a: "–" if a is None else latest[a],
        key="q-hvorfor-mest",
    )
    found = insights.item(store, chosen) if chosen else None
    if found is not None:
        st.markdown(f"**{plain(found.question)}** · {found.when}")
        why.show(found.answer)


def per_week(store: ChatStore, f: Filters) -> None:
    rows = insights.weekly(store, f)
    if not rows:
        st.info("Ingen spørgsmål i perioden.")
        return
    st.bar_chart(rows, x="uge", y=["spørgsmål", "afvist", "delvis"], stack=False)
    st.dataframe(rows, hide_index=True, width="stretch")
