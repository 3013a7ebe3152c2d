"""End to end in a real browser: `streamlit run app.py` driven by Debian's headless Chromium.

Skipped only when Chromium or chromedriver is missing; `make test` installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
QUESTION = "Hvem står bag projektet om at styrke tillid og samarbejde i staten?"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian chromium and chromium-driver are not installed (make test installs them)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(real_index, tmp_path):
    port = free_port()
    env = {**os.environ, "TILLID_DATA_DIR": str(real_index.data_dir)}
    env.pop("TILLID_LLM", None)
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(PROJECT_ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + (tmp_path / "streamlit.log").read_text())
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_a_manager_asks_sees_sources_opens_one_and_rates_the_answer(
    server, browser, real_index, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 90)
    browser.get(server)
    box = wait.until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[data-testid=stChatInputTextArea]"))
    )
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)

    card = wait.until(
        ec.presence_of_element_located(
            (By.XPATH, "//*[@data-testid='stExpander']//summary[contains(., '[1]')]")
        )
    )
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "SKAF og OAO"))
    assert "Inspiration til tillid og samarbejde" in card.text
    card.click()
    mark = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".passage mark")))
    assert "Moderniseringsstyrelsen" in mark.text
    screenshot = Path(os.environ.get("TILLID_SCREENSHOT", tmp_path / "answer.png"))
    browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000

    thumbs = wait.until(
        ec.element_to_be_clickable(
            (By.CSS_SELECTOR, "[data-testid=stFeedback] button, [data-testid=stButtonGroup] button")
        )
    )
    thumbs.click()
    send = wait.until(
        ec.element_to_be_clickable((By.XPATH, "//button[.//p[text()='Send vurdering']]"))
    )
    time.sleep(0.5)
    send.click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "Tak for din vurdering"))
    entry = json.loads(
        (real_index.data_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    )
    assert entry["question"] == QUESTION and entry["rating"] == "up"
