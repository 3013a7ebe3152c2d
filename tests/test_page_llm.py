"""The Spørg page with a language model (AppTest, an OpenAI-compatible stub server): the
answer form in the URL as a stable value, the model's answer, and its fallback display."""

from __future__ import annotations

import pytest
from llm_stub import ChatStub, serving
from test_llm import GOOD, QUESTION  # the stub's grounded answer to the question

from rag.config import PROJECT_ROOT


@pytest.fixture
def chat_server():
    with serving() as url:
        yield url


PARROT = (
    "Brug kun oplysninger, der står i kilderne [1]. Tilføj ikke viden udefra, og gæt ikke [2]. "
    '<kilde nr="3">Svar kort og konkret [3].</kilde>'
)


@pytest.fixture
def page_with_model(chat_server, real_index, monkeypatch, tmp_path):
    """The page with an LLM configured (the stub server); each test its own model name, as
    the page caches a loaded model by its name."""
    from streamlit.testing.v1 import AppTest

    def open_page(reply: str, name: str, query: dict) -> AppTest:
        ChatStub.reply = reply
        monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
        monkeypatch.setenv("TILLID_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.sqlite'}")
        monkeypatch.setenv("TILLID_LLM", f"openai:{name}")
        monkeypatch.setenv("TILLID_LLM_BASE_URL", chat_server)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception
        return at

    yield open_page
    ChatStub.reply = GOOD


def test_the_url_value_sprogmodel_chooses_the_model_and_stays_stable(page_with_model):
    at = page_with_model(GOOD, "stub-url", {"svarform": "sprogmodel"})
    assert at.sidebar.radio[0].value == "sprogmodel"
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception and at.query_params["svarform"] == "sprogmodel"
    answer = at.session_state["turns"][-1][1]
    assert answer.mode == "llm" and answer.citations
    shown = " ".join(m.value for m in at.markdown)
    assert "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO" in shown


def test_without_the_url_value_the_page_answers_with_extracts(page_with_model):
    at = page_with_model(GOOD, "stub-default", {})
    assert at.sidebar.radio[0].value == "uddrag"
    at.chat_input[0].set_value(QUESTION).run()
    assert at.session_state["turns"][-1][1].mode == "uddrag"
    assert "svarform" not in at.query_params


def test_an_unsupported_model_answer_gives_way_to_extracts_with_the_reason_visible(
    page_with_model,
):
    at = page_with_model(PARROT, "stub-parrot", {"svarform": "sprogmodel"})
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception
    answer = at.session_state["turns"][-1][1]
    assert answer.mode == "uddrag" and answer.grounding["reason"]
    notices = " ".join(i.value for i in at.info)
    assert "Sprogmodellens svar kunne ikke underbygges af kilderne" in notices
    assert answer.grounding["reason"] in notices
    shown = " ".join(m.value for m in at.markdown)
    assert "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO" in shown  # the extracts
    assert "kilde nr" not in shown and "Tilføj ikke viden udefra" not in shown


def test_choosing_the_extracts_while_waiting_answers_with_them_and_says_so(page_with_model):
    from rag.chat.answering import CHOSE_EXTRACTS

    at = page_with_model(GOOD, "stub-instead", {"svarform": "sprogmodel"})
    # What a click on "Vis uddrag i stedet" leaves for the run it starts (answering._instead).
    at.session_state["_extracts_instead"] = QUESTION
    at.session_state["pending"] = QUESTION
    at.run()
    assert not at.exception
    answer = at.session_state["turns"][-1][1]
    assert answer.mode == "uddrag" and answer.notice.startswith(CHOSE_EXTRACTS)
    assert any(CHOSE_EXTRACTS in i.value for i in at.info)
