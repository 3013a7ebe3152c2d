"""The Streamlit page, driven by Streamlit's AppTest (no browser)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from rag.config import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")


def test_the_page_lists_the_material_and_searches_it(real_index, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("dokumenter" in m.value for m in at.markdown)
    at.text_input[0].input("Hvad står IPLS for?").run()
    assert not at.exception
    assert at.expander and "IPLS" in at.expander[0].label


def test_a_missing_index_gets_a_message_and_a_build_button(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "tom"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "ikke indlæst" in at.warning[0].value
    assert at.button[0].label == "Indlæs materialet nu"
