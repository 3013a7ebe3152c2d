"""The Spørg page's answer while it is being made, and the choice of answer form.

With a language model the page never takes back what it showed without saying so: the model's
text streams into an area marked as provisional ("Sprogmodellen skriver …"), with its markup
removed, until the checks (rag/answer/grounding.py) have held it against the sources; if it
does not hold, the area gives way to the extracts with the reason above them. While other
questions are ahead in the model's queue the page says "Venter på sprogmodellen …" with the
place, and the user may take the extracts instead of waiting.

The answer form is in the URL as a stable value (`?svarform=sprogmodel` or `uddrag`), not as
the label with the model's name, so a trainer's link survives a change of `TILLID_LLM`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import streamlit as st

from rag.answer.assistant import Step
from rag.answer.grounding import strip_markup
from rag.answer.labels import label
from rag.answer.llm import LLM
from rag.answer.render import safe_markdown
from rag.documents import Answer

EXTRACTS, MODEL = "uddrag", "sprogmodel"
FORMS = {EXTRACTS: "Uddrag fra materialet", MODEL: "Sprogmodel"}
PROVISIONAL = (
    "Sprogmodellen skriver … Foreløbig tekst: den vises som svar, når hver sætning er "
    "tjekket mod kilderne."
)
CHOSE_EXTRACTS = "Du valgte uddrag frem for at vente på sprogmodellen."
_INSTEAD = "_extracts_instead"


def answer_form(llm: LLM | None, model_name: str) -> LLM | None:
    """The sidebar's choice of answer form, read from and written to `?svarform=`; the LLM
    to answer with, or None for the extracts."""
    if not llm:  # nothing to choose; why not is in the maintainer's "Detaljer" (ask.py)
        st.query_params.pop("svarform", None)
        return None
    forms = [EXTRACTS, MODEL]
    wanted = str(st.query_params.get("svarform", EXTRACTS)).lower()
    if "svarform-valg" not in st.session_state:
        st.session_state["svarform-valg"] = wanted if wanted in forms else EXTRACTS
    chosen = st.sidebar.radio("Svarform", forms, format_func=FORMS.__getitem__, key="svarform-valg")
    if chosen == EXTRACTS:
        st.query_params.pop("svarform", None)
    else:
        st.query_params["svarform"] = chosen
    if chosen == MODEL:
        st.sidebar.caption(f"Sprogmodel: {model_name}")
    return llm if chosen == MODEL else None


def take_extracts(question: str) -> bool:
    """True when the user asked for the extracts of this question instead of waiting."""
    return st.session_state.pop(_INSTEAD, None) == question


def _instead(question: str) -> None:
    st.session_state[_INSTEAD] = question
    st.session_state["pending"] = question  # asked again in the run this click starts


class AnswerView:
    """The elements one answer is drawn in while it is made (the page keeps the rest)."""

    def __init__(self, question: str) -> None:
        self.question = question
        self.status = st.empty()
        self.area = st.empty()
        self.offer = st.empty()
        self.shown = ""
        self.writing = False

    def follow(self, pieces: Iterator[Step | str | Answer]) -> Answer | None:
        """Draw the steps and text of `pieces`; the finished answer."""
        final = None
        for piece in pieces:
            if isinstance(piece, Answer):
                final = piece
            elif isinstance(piece, Step):
                self.step(piece)
            else:
                self.text(piece)
        self.clear()
        return final

    def step(self, step: Step) -> None:
        if step.name == "queue":
            self.status.caption(label("da", "step_queue", ahead=str(step.ahead)))
            self._offer_extracts()
        elif step.name == "llm":
            self.writing = True
            self.status.caption(PROVISIONAL)
            self._offer_extracts()
        else:
            if self.writing:  # the model's text did not hold: say so until the notice shows
                self.area.empty()
                self.offer.empty()
                self.writing = False
            self.status.caption(label("da", f"step_{step.name}"))

    def text(self, piece: str) -> None:
        self.shown += piece
        if self.writing:
            box = self.area.container(border=True)
            box.caption("Foreløbig tekst fra sprogmodellen")
            box.markdown(safe_markdown(strip_markup(self.shown)))
        else:
            self.status.empty()
            self.area.markdown(safe_markdown(self.shown))

    def _offer_extracts(self) -> None:
        self.offer.button(
            "Vis uddrag i stedet",
            key="extracts-instead",
            on_click=_instead,
            args=(self.question,),
            help="Svar med materialets egne sætninger nu i stedet for at vente",
        )

    def clear(self) -> None:
        self.status.empty()
        self.area.empty()
        self.offer.empty()


def noted(answer: Answer, chose_extracts: bool) -> Answer:
    """The answer with a note that the user chose the extracts over waiting."""
    if not chose_extracts:
        return answer
    return replace(answer, notice=" ".join(n for n in (CHOSE_EXTRACTS, answer.notice) if n))
