"""The Streamlit pages, driven by Streamlit's AppTest (no browser): the chat with its stored
conversations, one-click feedback, presentation mode, and the pages Materialet and Om svarene."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rag.chat.store import ChatStore
from rag.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def env(real_index, monkeypatch, tmp_path):
    """The real index; conversations in a database of this test's own."""
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    monkeypatch.setenv("TILLID_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.sqlite'}")
    monkeypatch.delenv("TILLID_LLM", raising=False)
    monkeypatch.delenv("TILLID_RETENTION_DAYS", raising=False)
    return tmp_path / "chat.sqlite"


def page(query: dict | None = None, path: str = APP) -> AppTest:
    at = AppTest.from_file(path, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def turns(at: AppTest) -> list:
    return at.session_state["turns"] if "turns" in at.session_state else []  # noqa: SIM401


_OPENED: list[ChatStore] = []


@pytest.fixture(autouse=True)
def _close_stores():
    """Every store a test opens with `store` is closed when it ends (the page's own are
    bounded by its cache)."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def store(db) -> ChatStore:
    opened = ChatStore(f"sqlite:///{db}")
    _OPENED.append(opened)
    return opened


def test_a_danish_question_gets_a_cited_answer_with_source_cards(env):
    at = page()
    at.chat_input[0].set_value(
        "Hvem står bag projektet om at styrke tillid og samarbejde i staten?"
    ).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO" in text
    assert "(#kilde-0-1)" in text  # the marker links to its card
    cards = [e for e in at.expander if e.label.startswith("[1] ")]
    assert cards and "Inspiration til tillid og samarbejde" in cards[0].label
    assert any("<mark>" in m.value for m in at.markdown)


def test_a_conversation_is_stored_and_its_id_put_in_the_url(env):
    at = page()
    at.chat_input[0].set_value("Hvad er social kapital?").run()
    at.chat_input[0].set_value("Giv mig et eksempel på det").run()
    assert not at.exception
    cid = at.query_params["samtale"]
    found = store(env).conversation(cid)
    assert found.title == "Hvad er social kapital?"
    assert [a.question for _, a in found.answers] == [
        "Hvad er social kapital?",
        "Giv mig et eksempel på det",
    ]
    assert found.answers[0][1].citations[0].quote == turns(at)[0][1].citations[0].quote


def test_a_long_conversation_keeps_the_newest_turns_in_full_and_folds_the_rest(env):
    at = page()
    questions = [
        "Hvad er social kapital?",
        "Hvad er udfordringsretten?",
        "Hvad er kerneopgaven?",
        "Hvordan styrker man samarbejdet mellem faggrupper?",
    ]
    for q in questions:
        at.chat_input[0].set_value(q).run()
    assert not at.exception
    folded = next(e for e in at.expander if e.label.startswith("Tidligere i samtalen"))
    assert folded.label == "Tidligere i samtalen (1 spørgsmål)"
    assert "**Hvad er social kapital?**" in folded.markdown[0].value
    assert len(at.chat_message) == 2 * 3  # three turns in full
    assert len(turns(at)) == 4


def test_a_reload_with_the_conversation_in_the_url_shows_it_again(env):
    at = page()
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    cid = at.query_params["samtale"]
    again = page({"samtale": cid})  # a new session: a reload or a bookmark
    assert [a.question for _, a in turns(again)] == ["Hvad er udfordringsretten?"]
    text = " ".join(m.value for m in again.markdown)
    assert "udfordringsret" in text.lower()
    assert any(e.label.startswith("[1] ") for e in again.expander)


def test_the_sidebar_lists_recent_conversations_and_opens_and_deletes_them(env):
    at = page()
    at.chat_input[0].set_value("Hvad er social kapital?").run()
    at.sidebar.button(key="new-side").click().run()
    assert turns(at) == [] and "samtale" not in at.query_params
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    titles = [b.label for b in at.sidebar.button if b.key and b.key.startswith("open-")]
    assert titles == ["Hvad er udfordringsretten?", "Hvad er social kapital?"]  # newest first
    first = next(b for b in at.sidebar.button if b.label == "Hvad er social kapital?")
    first.click().run()
    assert [a.question for _, a in turns(at)] == ["Hvad er social kapital?"]
    cid = at.query_params["samtale"]
    at.sidebar.button(key=f"del-{cid}").click().run()  # asks first
    assert store(env).conversation(cid) is not None
    assert "Det kan ikke fortrydes" in " ".join(m.value for m in at.sidebar.markdown)
    at.sidebar.button(key=f"del-no-{cid}").click().run()  # kept
    assert store(env).conversation(cid) is not None
    assert not [b for b in at.sidebar.button if b.key == f"del-yes-{cid}"]
    at.sidebar.button(key=f"del-{cid}").click().run()
    at.sidebar.button(key=f"del-yes-{cid}").click().run()
    assert store(env).conversation(cid) is None
    assert turns(at) == []
    titles = [b.label for b in at.sidebar.button if b.key and b.key.startswith("open-")]
    assert titles == ["Hvad er udfordringsretten?"]


def test_a_stale_conversation_link_says_so_and_starts_afresh(env):
    at = page({"samtale": "findes-ikke"})
    assert "findes ikke" in at.warning[0].value
    assert turns(at) == []


def test_a_thumb_alone_stores_the_rating_and_a_comment_updates_it(env):
    at = page()
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    aid = turns(at)[0][0]
    at.feedback(key=f"thumbs-{aid}").set_value(1).run()  # one click
    assert not at.exception
    (stored,) = store(env).feedback()
    assert stored["rating"] == "up" and stored["comment"] == ""
    assert stored["question"] == "Hvad er udfordringsretten?" and stored["mode"] == "uddrag"
    assert stored["sources"] and stored["answer"]
    at.text_input(key=f"comment-{aid}").input("Godt svar, men kort").run()
    assert store(env).feedback()[0]["comment"] == "Godt svar, men kort"
    assert len(store(env).feedback()) == 1


def test_a_shared_answer_link_opens_that_answer_with_its_sources(env):
    at = page()
    at.chat_input[0].set_value("Hvad er social kapital?").run()
    aid = turns(at)[0][0]
    assert any(f"?svar={aid}" in m.value for m in at.markdown)
    shared = page({"svar": aid})
    assert "delt med dig" in " ".join(m.value for m in shared.markdown)
    assert shared.header[0].value == "Hvad er social kapital?"
    assert any(e.label.startswith("[1] ") for e in shared.expander)


def test_with_storing_off_nothing_is_kept_and_the_page_says_so(env, monkeypatch, real_index):
    monkeypatch.setenv("TILLID_RETENTION_DAYS", "0")
    at = page()
    at.chat_input[0].set_value("Hvad er social kapital?").run()
    assert not at.exception and turns(at)[0][0] is None
    assert "samtale" not in at.query_params
    captions = " ".join(c.value for c in at.caption) + " ".join(c.value for c in at.sidebar.caption)
    assert "gemmes ikke" in captions
    assert not env.exists()


def test_out_of_scope_is_refused_kindly(env):
    at = page()
    at.chat_input[0].set_value("Hvad er den bedste opskrift på æblekage?").run()
    assert any("Det kan jeg ikke finde i materialet." in m.value for m in at.markdown)


def test_empty_huge_and_wordless_input_get_a_friendly_message(env):
    at = page()
    for text, message in [("x" * 2500, "for langt"), ("?!? 42", "skal indeholde ord")]:
        at.chat_input[0].set_value(text).run()
        assert not at.exception
        assert message in at.warning[-1].value
    assert turns(at) == []


def test_filters_and_presentation_mode_are_read_from_the_url(env):
    """The browser test checks that changing them writes the URL (the frontend does that)."""
    at = page()
    assert [s.label for s in at.sidebar.selectbox][:2] == ["Dokument", "Slags"]
    assert "ikke tilgængelig" in " ".join(c.value for c in at.sidebar.caption)
    again = page({"slags": "Tjekliste", "praesentation": "true"})  # a reload keeps them
    assert again.sidebar.selectbox(key="slags").value == "checklist"
    assert again.sidebar.toggle(key="praesentation").value is True
    ask_on_top(again, "Hvordan lykkes forandringer?")
    assert all(c.chunk.kind == "checklist" for c in turns(again)[-1][1].citations)


def ask_on_top(at: AppTest, question: str) -> None:
    """Presentation mode's question box (a form) on top of the page."""
    at.text_input(key="praesentation-spoergsmaal").input(question)
    next(b for b in at.button if b.label == "Spørg").click().run()
    assert not at.exception


def test_presentation_mode_has_question_cards_and_keeps_the_question_on_top(env):
    at = page({"praesentation": "true"})
    card = next(b for b in at.button if "tjekliste om kerneopgaven" in b.label)
    card.click().run()
    assert not at.exception
    assert at.header[0].value == "Er der en tjekliste om kerneopgaven?"
    assert turns(at)[-1][1].citations[0].chunk.kind == "checklist"
    assert not [m for m in at.markdown if "class='where'" in m.value]  # no technical captions
    assert not at.chat_input  # the question box is on top instead
    ask_on_top(at, "Hvad er udfordringsretten?")
    assert at.header[0].value == "Hvad er udfordringsretten?"
    assert any(e.label.startswith("Tidligere i samtalen") for e in at.expander)
    handout = [b for b in at.get("download_button") if "Handout" in b.proto.label]
    assert handout


def one_page(name: str) -> AppTest:
    """A page of the app on its own (the app's navigation runs pages as functions)."""
    at = AppTest.from_string(f"from rag.chat import {name}\n{name}.page()", default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_the_material_page_reads_documents_section_by_section_with_bullets(env):
    at = one_page("material")
    assert at.title[0].value == "Materialet"
    at.selectbox(key="materiale-dok").select("kom-videre-med-social-kapital").run()
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Tjekliste · ") for label in labels)
    assert any(m.value.startswith("- ") for m in at.markdown)  # bullets as a list


def test_the_material_page_search_finds_a_passage(env):
    at = one_page("material")
    at.text_input(key="materiale-soeg").input("tjekliste kerneopgave").run()
    assert not at.exception
    assert any("afsnit om" in m.value for m in at.markdown)
    assert any("kerneopgave" in e.label.lower() for e in at.expander)


def test_the_about_page_says_what_it_answers_and_shows_the_held_out_figures(env):
    at = one_page("about")
    text = " ".join(m.value for m in at.markdown)
    assert "Det kan den ikke" in text and "Kom videre med social kapital" in text
    table = at.table[0].value
    assert "Spørgsmål helt uden for emnet, der afvises" in list(table["Mål"])


def test_a_missing_index_gets_a_message_and_a_build_button(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "tom"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "ikke indlæst" in at.warning[0].value
    assert at.button[0].label == "Indlæs materialet nu"
