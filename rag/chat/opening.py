"""What an empty conversation shows: one line on what the assistant answers from (the material
that is indexed now) and example questions to click, in Danish or English after the browser's
language. The examples come from rag/chat/examples.py, worked out once per build and language;
a click asks the question at once. Presentation mode shows the same questions as large cards.
"""

from __future__ import annotations

import streamlit as st

from rag.answer.assistant import Assistant
from rag.chat import examples, resources
from rag.chat.examples import Example
from rag.index.store import StoredIndex

# Browser languages that read Danish: the material's own language is shown to them.
READS_DANISH = ("da", "nb", "nn", "no", "sv")
ICONS = {
    "definition": ":material/lightbulb:",
    "howto": ":material/route:",
    "checklist": ":material/checklist:",
    "exercise": ":material/groups:",
    "case": ":material/work:",
}
TEXTS = {
    "da": {
        "lead": "Tillidsguiden svarer ud fra {what} om tillid, samarbejde og social kapital – "
        "og viser altid, hvor svaret står.",
        "material": "Materialet",
        "try": "Prøv et af spørgsmålene, eller skriv dit eget nederst.",
        "try_top": "Prøv et af spørgsmålene, eller skriv dit eget ovenfor.",
        "heading": "Eksempler fra materialet",
        "one": "ét dokument",
        "many": "{n} dokumenter",
        "more": "og {n} flere",
    },
    "en": {
        "lead": "Tillidsguiden answers from {what} on trust, cooperation and social capital "
        "(in Danish) – and always shows where the answer is.",
        "material": "The material",
        "try": "Try one of the questions, or write your own below.",
        "try_top": "Try one of the questions, or write your own above.",
        "heading": "Examples from the material",
        "one": "one document",
        "many": "{n} documents",
        "more": "and {n} more",
    },
}
# Documents named under the opening line; more are counted.
NAMED = 6


def language_of(locale: str | None, accept_language: str | None) -> str:
    """ "da" or "en" from the browser: Danish when its first language reads Danish or Danish is
    among the languages it accepts; English otherwise (the only other language here)."""
    tags = [locale or ""] + [
        part.split(";")[0].strip() for part in (accept_language or "").split(",")
    ]
    primary = [t.split("-")[0].split("_")[0].lower() for t in tags if t.strip()]
    if not primary or primary[0] in READS_DANISH or "da" in primary:
        return "da"
    return "en"


def browser_language() -> str:
    headers = st.context.headers
    accept = headers.get("Accept-Language") if headers is not None else None
    locale = st.context.locale
    return language_of(
        locale if isinstance(locale, str) else None, accept if isinstance(accept, str) else None
    )


@st.cache_resource(show_spinner=False, max_entries=2 * resources.BUILDS_KEPT)
def _chosen(_assistant: Assistant, index_dir: str, marker: str, language: str) -> list[Example]:
    return examples.choose(_assistant.searcher.chunks, _assistant.ask, language)


def chosen(language: str, doc: str | None = None, kind: str | None = None) -> list[Example]:
    """The examples for this build and language that fit the page's filters."""
    s = resources.settings()
    found = _chosen(resources.assistant(s), str(s.index_dir), resources.build_marker(s), language)
    return [
        e for e in found if (not doc or e.doc_id == doc) and (not kind or e.source_kind == kind)
    ]


def material_line(index: StoredIndex, language: str) -> tuple[str, str]:
    """The opening's line on what the answers come from, and the documents' titles."""
    t = TEXTS[language]
    titles = [d["title"] for d in index.documents if not d.get("copy_of")]
    what = t["one"] if len(titles) == 1 else t["many"].format(n=len(titles))
    named = " · ".join(titles[:NAMED])
    if len(titles) > NAMED:
        named += " " + t["more"].format(n=len(titles) - NAMED)
    return t["lead"].format(what=what), f"{t['material']}: {named}"


def show(index: StoredIndex, choice: dict, ask) -> None:
    """The opening of an empty conversation; `ask(question)` is called by a card's click."""
    language = browser_language()
    t = TEXTS[language]
    with st.container(key="opening"):
        lead, titles = material_line(index, language)
        st.markdown(lead)
        st.caption(titles)
        found = chosen(language, choice.get("doc"), choice.get("kind"))
        if not found:
            return
        st.markdown(f"**{t['heading']}** · {t['try']}")
        cards(found, "example", ask)


def cards(found: list[Example], prefix: str, ask, columns: int = 2) -> None:
    """The examples as buttons in a grid (one column on a phone: Streamlit stacks columns)."""
    rows = [found[i : i + columns] for i in range(0, len(found), columns)]
    for r, row in enumerate(rows):
        cols = st.columns(columns)
        for c, (col, example) in enumerate(zip(cols, row, strict=False)):
            col.button(
                example.question,
                key=f"{prefix}-{example.kind}-{r * columns + c}",
                icon=ICONS.get(example.kind),
                width="stretch",
                on_click=ask,
                args=(example.question,),
            )


def presentation_cards(ask) -> None:
    """The trainers' cards: the same drawn questions, large, three to a row."""
    language = browser_language()
    st.caption(TEXTS[language]["try_top"])
    cards(chosen(language), "card", ask, columns=3)
