"""The maintainers' loop in a real browser (`streamlit run app.py`, headless Chromium): a
thumbs-down given in Spørg shows up in Kvalitet and becomes an evaluation case in two clicks; a
refused question is in the gaps list. That a manager cannot reach the page is checked on
tests/test_browser.py's manager server (one server start fewer)."""

from __future__ import annotations

import json
import time

import pytest
from conftest import unavailable
from test_browser import MISSING, real_click, text_in_main, wait_for

from rag.chat.store import ChatStore
from rag.measure.pagebench import ChatPage, browser_available, chromium, streamlit_app

DOWN = "Hvad er udfordringsretten?"
REFUSED = "Hvordan søger jeg om kørselsgodtgørelse til min bil?"


@pytest.fixture(autouse=True)
def needs_a_browser():
    if not browser_available():
        unavailable(MISSING)


def thumbs(db, question: str) -> list[str]:
    with ChatStore(f"sqlite:///{db}") as store:
        return [e["rating"] for e in store.feedback() if e["question"] == question]


def test_a_thumbs_down_becomes_an_evaluation_case_in_two_clicks(real_index, tmp_path):
    from selenium.webdriver.common.by import By

    db, cases = tmp_path / "chat.sqlite", tmp_path / "cases.jsonl"
    settings = {"TILLID_DATABASE_URL": f"sqlite:///{db}", "TILLID_CASES_FILE": str(cases)}
    with (
        streamlit_app(
            real_index.data_dir, tmp_path / "st.log", real_index.cache_dir, settings=settings
        ) as url,
        chromium(tmp_path / "profile") as browser,
    ):
        page = ChatPage(browser, url)
        page.open()
        page.ask(DOWN)
        # The thumb row of the first answer: thumbs down is its second button.
        real_click(browser, (By.XPATH, "(//*[contains(@class, 'st-key-thumbs-')]//button)[2]"))
        deadline = time.monotonic() + 30
        while thumbs(db, DOWN) != ["down"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert thumbs(db, DOWN) == ["down"]
        page.ask(REFUSED)
        text_in_main(browser, "Det kan jeg ikke finde i materialet.")

        browser.get(f"{url}/kvalitet")  # the person at the machine is its maintainer
        text_in_main(browser, DOWN)
        card = f"//*[contains(@class, 'st-key-kvalitet-') and contains(., '{DOWN}')]"
        wait_for(browser, lambda d: d.find_elements(By.XPATH, card))
        assert "👎" in browser.find_element(By.XPATH, card).text

        real_click(browser, (By.XPATH, card + "//button[contains(., 'Lav evalueringscase')]"))
        choice = card + "//button[contains(., 'Dette afsnit burde svare')]"
        real_click(browser, (By.XPATH, choice))  # the second click writes the case
        text_in_main(browser, "er skrevet i cases.jsonl")
        (case,) = [json.loads(line) for line in cases.read_text(encoding="utf-8").splitlines()]
        assert case["question"] == DOWN and case["answerable"] is True
        assert case["origin"] == "thumbs-down" and case["split"] in ("tune", "heldout")
        assert case["sources"][0]["doc"] and 5 <= len(case["sources"][0]["quote"].split()) <= 15

        real_click(browser, (By.XPATH, "//*[@data-testid='stTab' and contains(., 'Huller')]"))
        text_in_main(browser, "kørselsgodtgørelse")  # the refused question's topic, counted
        real_click(browser, (By.XPATH, "//summary[contains(., 'kørselsgodtgørelse')]"))
        text_in_main(browser, REFUSED)
