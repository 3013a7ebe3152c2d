"""The Streamlit pages, driven by Streamlit's AppTest (no browser): the chat with its stored
conversations, its opening, one-click feedback, presentation mode, what a manager and a
maintainer each see, and the pages Materialet and Om svarene."""

from __future__ import annotations

import re

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


@pytest.fixture
def manager(env, monkeypatch):
    """The person at the machine as a manager (a laptop's default user is its maintainer)."""
    monkeypatch.setenv("TILLID_LOCAL_MAINTAINER", "0")
    return env


def everything_shown(at: AppTest) -> str:
    """Every text the page shows: Markdown, captions, labels, in the main area and sidebar."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [c.value for c in at.sidebar.caption] + [m.value for m in at.sidebar.markdown]
    parts += [e.label for e in at.expander] + [b.label for b in at.button]
    parts += [w.label for w in at.radio] + [w.label for w in at.selectbox]
    return "\n".join(parts)


def example_cards(at: AppTest) -> list:
    return [b for b in at.button if b.key and b.key.startswith("example-")]


def test_an_empty_conversation_offers_example_questions_and_a_click_asks_one(manager):
    at = page()
    cards = example_cards(at)
    assert 4 <= len(cards) <= 6
    kinds = {b.key.split("-")[1] for b in cards}
    assert {"checklist", "exercise", "case"} <= kinds
    opening = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Kom videre med social kapital" in opening  # what it answers from: the material
    checklist = next(b for b in cards if b.key.startswith("example-checklist"))
    checklist.click().run()
    assert not at.exception
    (answer,) = [a for _, a in turns(at)]
    assert answer.question == checklist.label and not answer.refused
    assert answer.citations[0].chunk.kind == "checklist"
    assert not example_cards(at)  # the opening gives way to the conversation


def test_a_manager_sees_no_offsets_variable_names_or_one_option_controls(manager):
    at = page()
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    shown = everything_shown(at)
    assert "Tegn " not in shown and "TILLID_" not in shown and "<details" not in shown
    assert not at.radio  # no "Svarform" with a single choice
    assert not [e for e in at.sidebar.expander if e.label == "Detaljer"]
    about = one_page("about")
    assert "eval/" not in everything_shown(about)


def test_a_maintainer_finds_the_technical_details_behind_detaljer(env):
    at = page()  # without sign-in, the person at the machine is its maintainer
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    where = [m.value for m in at.markdown if "<details class='where'>" in m.value]
    assert where and "<summary>Detaljer</summary>Tegn " in where[0]
    (details,) = [e for e in at.sidebar.expander if e.label == "Detaljer"]
    assert "TILLID_LLM" in " ".join(c.value for c in details.caption)
    about = one_page("about")
    (source,) = [e for e in about.expander if e.label == "Detaljer"]
    assert "eval/results/answers.md" in source.caption[0].value


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
    assert any("Tak – din vurdering er gemt." in m.value for m in at.markdown)
    (stored,) = store(env).feedback()
    assert stored["rating"] == "up" and stored["comment"] == ""
    assert stored["question"] == "Hvad er udfordringsretten?" and stored["mode"] == "uddrag"
    assert stored["sources"] and stored["answer"]
    at.text_input(key=f"comment-{aid}").input("Godt svar, men kort").run()
    assert any("Tak – gemt." in m.value for m in at.markdown)
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


def test_with_storing_off_nothing_is_kept_and_the_page_says_so(manager, monkeypatch):
    monkeypatch.setenv("TILLID_RETENTION_DAYS", "0")
    at = page()
    at.chat_input[0].set_value("Hvad er social kapital?").run()
    assert not at.exception and turns(at)[0][0] is None
    assert "samtale" not in at.query_params
    captions = " ".join(c.value for c in at.caption) + " ".join(c.value for c in at.sidebar.caption)
    assert "gemmes ikke" in captions and "TILLID_" not in captions
    assert not manager.exists()


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
    card = next(b for b in at.button if b.key and b.key.startswith("card-checklist"))
    card.click().run()
    assert not at.exception
    assert at.header[0].value == card.label
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


def search(at: AppTest, words: str) -> str:
    """Search Materialet; the status line it answers with."""
    at.text_input(key="materiale-soeg").input(words).run()
    assert not at.exception
    (line,) = [m.value for m in at.markdown if "role='status'" in m.value]
    return line


def test_the_material_search_counts_only_passages_that_contain_the_words(env):
    at = one_page("material")
    line = search(at, "tjekliste kerneopgave")
    n = int(line.split("<strong>")[1].split()[0])
    cards = [e for e in at.expander if any("class='hit'" in m.value for m in e.markdown)]
    assert 0 < n < 20 and len(cards) == min(n, 10)  # not always k, not the whole material
    for card in cards:  # each has both words, in its heading or its text
        passage = card.markdown[0].value
        seen = (card.label + passage).lower()
        assert "tjekliste" in seen and "kerneopgav" in seen
        assert "<mark>" in passage


def test_a_search_without_a_match_says_so_and_offers_words_the_material_uses(env):
    at = one_page("material")
    line = search(at, "xyzzy qwerty")
    assert "Ingen afsnit matcher »xyzzy qwerty«" in line
    assert not [m for m in at.markdown if "class='hit'" in m.value]
    assert [b for b in at.button if b.label.startswith("Søg efter »")]
    search(at, "tilid")  # a typo: the material's own word is offered, and searches
    offered = next(b for b in at.button if b.label == "Søg efter »tillid«")
    offered.click().run()
    (line,) = [m.value for m in at.markdown if "role='status'" in m.value]
    assert "afsnit matcher »tillid«" in line


def test_the_about_page_shows_each_held_out_figure_once_as_a_percentage_with_its_date(manager):
    at = one_page("about")
    text = " ".join(m.value for m in at.markdown)
    assert "Det kan den ikke" in text and "Kom videre med social kapital" in text
    assert "Senest målt " in text and re.search(r"Målt på \d+ spørgsmål", text)
    table = at.table[0].value
    measures, shares = list(table["Mål"]), list(table["Andel"])
    assert len(measures) == len(set(measures))  # each figure once
    assert "Henvisninger, der peger på et afsnit med det forventede indhold" in measures
    assert all(re.fullmatch(r"\d{1,3} %", v) for v in shares), shares
    assert "eval/" not in everything_shown(at)


def test_a_missing_index_gets_a_message_and_a_build_button(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "tom"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "ikke indlæst" in at.warning[0].value
    assert at.button[0].label == "Indlæs materialet nu"
