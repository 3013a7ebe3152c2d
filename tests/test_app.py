"""The Streamlit page, driven by Streamlit's AppTest (no browser)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from rag.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


def page(real_index, monkeypatch) -> AppTest:
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    monkeypatch.delenv("TILLID_LLM", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at


def test_a_danish_question_gets_a_cited_answer_with_source_cards(real_index, monkeypatch):
    at = page(real_index, monkeypatch)
    at.chat_input[0].set_value(
        "Hvem står bag projektet om at styrke tillid og samarbejde i staten?"
    )
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO" in text
    assert "(#kilde-0-1)" in text  # the marker links to its card
    cards = [e for e in at.expander if e.label.startswith("[1] ")]
    assert cards and "Inspiration til tillid og samarbejde" in cards[0].label
    assert any("<mark>" in m.value for m in at.markdown)


def test_follow_ups_use_the_conversation(real_index, monkeypatch):
    at = page(real_index, monkeypatch)
    at.chat_input[0].set_value(
        "Hvordan inddrager man tillidsrepræsentanterne i en omstrukturering?"
    )
    at.run()
    at.chat_input[0].set_value("Giv mig et eksempel på det").run()
    assert not at.exception
    assert len(at.session_state["answers"]) == 2
    assert any(c.value.startswith("Forstået som:") for c in at.caption)


def test_out_of_scope_is_refused_kindly(real_index, monkeypatch):
    at = page(real_index, monkeypatch)
    at.chat_input[0].set_value("Hvad er den bedste opskrift på æblekage?").run()
    assert any("Det kan jeg ikke finde i materialet." in m.value for m in at.markdown)


def test_empty_huge_and_wordless_input_get_a_friendly_message(real_index, monkeypatch):
    at = page(real_index, monkeypatch)
    for text, message in [("x" * 2500, "for langt"), ("?!? 42", "skal indeholde ord")]:
        at.chat_input[0].set_value(text).run()
        assert not at.exception
        assert message in at.warning[-1].value
    assert at.session_state["answers"] == []


def test_feedback_is_stored_with_question_answer_sources_and_mode(real_index, monkeypatch):
    at = page(real_index, monkeypatch)
    at.chat_input[0].set_value("Hvad er udfordringsretten?").run()
    at.text_input(key="comment-0").input("Godt svar")
    at.session_state["thumbs-0"] = 1
    at.run()
    at.button(key="send-0").click().run()
    assert not at.exception
    entry = json.loads(
        (real_index.data_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    )
    assert entry["rating"] == "up" and entry["comment"] == "Godt svar"
    assert entry["question"] == "Hvad er udfordringsretten?" and entry["mode"] == "uddrag"
    assert entry["sources"] and entry["answer"]


def test_the_sidebar_offers_filters_modes_trainer_examples_and_the_documents(
    real_index, monkeypatch
):
    at = page(real_index, monkeypatch)
    assert [s.label for s in at.sidebar.selectbox][:2] == ["Dokument", "Slags"]
    assert "ikke tilgængelig" in " ".join(c.value for c in at.sidebar.caption)
    at.sidebar.toggle[0].set_value(True).run()
    example = next(b for b in at.sidebar.button if "tjekliste om kerneopgaven" in b.label)
    example.click().run()
    assert not at.exception
    assert at.session_state["answers"][-1].question == "Er der en tjekliste om kerneopgaven?"
    at.sidebar.selectbox[1].select("checklist").run()
    at.chat_input[0].set_value("Hvordan lykkes forandringer?").run()
    assert all(c.chunk.kind == "checklist" for c in at.session_state["answers"][-1].citations)


def test_a_missing_index_gets_a_message_and_a_build_button(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "tom"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "ikke indlæst" in at.warning[0].value
    assert at.button[0].label == "Indlæs materialet nu"
