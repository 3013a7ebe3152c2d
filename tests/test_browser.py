"""End to end in a real browser: `streamlit run app.py` driven by Debian's headless Chromium.

Skipped only when Chromium or chromedriver is missing; `make test` installs both (and axe-core
from the npm registry for the accessibility check). The server and browser helpers are the ones
`python -m rag bench --page` times the page with. Screenshots go to $TILLID_SCREENSHOTS (the
screenshots in docs/ come from `TILLID_SCREENSHOTS=docs pytest tests/test_browser.py`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import unavailable

from rag.chat.store import ChatStore
from rag.config import PROJECT_ROOT
from rag.measure.pagebench import ChatPage, browser_available, chromium, streamlit_app

QUESTION = "Hvem står bag projektet om at styrke tillid og samarbejde i staten?"
AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

MISSING = (
    "Chromium og chromedriver mangler: installér dem med "
    "'sudo apt-get install chromium chromium-driver' (Debian/Ubuntu); make test prøver selv."
)


@pytest.fixture(autouse=True)
def needs_a_browser():
    """Skipped with a clear reason on a laptop without Chromium; in CI a missing browser fails."""
    if not browser_available():
        unavailable(MISSING)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser") / "chat.sqlite"


@pytest.fixture(scope="module")
def server(real_index, db):
    """One page server for the module (starting one costs seconds); each test its own browser."""
    if not browser_available():  # module fixtures come before the autouse check above
        unavailable(MISSING)
    with streamlit_app(
        real_index.data_dir,
        db.parent / "streamlit.log",
        cache_dir=real_index.cache_dir,
        settings={"TILLID_DATABASE_URL": f"sqlite:///{db}"},
    ) as url:
        yield url


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "profile") as driver:
        yield driver


def rated(db: Path, question: str) -> list[dict]:
    """The ratings stored for answers to `question` (the server is shared by the module)."""
    with ChatStore(f"sqlite:///{db}") as store:
        return [e for e in store.feedback() if e["question"] == question]


def shot(driver, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TILLID_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"screenshot-{name}.png"
    time.sleep(0.5)  # let the last repaint land
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def wait_for(driver, condition, timeout: float = 90):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def text_in_main(driver, text: str, timeout: float = 90) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    wait_for(driver, ec.text_to_be_present_in_element((By.TAG_NAME, "main"), text), timeout)


def real_click(driver, locator) -> None:
    """A real click on what `locator` finds. The page may still scroll itself (the chat keeps
    to the bottom while content grows), so scroll it into view and retry a few times."""
    from selenium.common.exceptions import ElementClickInterceptedException
    from selenium.webdriver.support import expected_conditions as ec

    for attempt in range(6):
        element = wait_for(driver, ec.element_to_be_clickable(locator))
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
        )
        time.sleep(0.3)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == 5:
                raise


def click_thumb_up(driver) -> None:
    from selenium.webdriver.common.by import By

    real_click(driver, (By.CSS_SELECTOR, "[class*='st-key-thumbs-'] button"))


def in_view(driver, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;",
        element,
    )


def test_a_manager_asks_sees_sources_opens_one_and_rates_with_one_click(
    server, browser, db, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    page = ChatPage(browser, server)
    page.open()
    timing = page.ask(QUESTION)
    assert 0 < timing.first_text_ms <= timing.answered_ms
    card = wait_for(
        browser,
        ec.presence_of_element_located(
            (By.XPATH, "//*[@data-testid='stExpander']//summary[contains(., '[1]')]")
        ),
    )
    text_in_main(browser, "SKAF og OAO")
    assert "Inspiration til tillid og samarbejde" in card.text
    real_click(browser, (By.XPATH, "//*[@data-testid='stExpander']//summary[contains(., '[1]')]"))
    wait_for(  # the opened card shows the quote marked in its passage
        browser,
        lambda d: any(
            "Moderniseringsstyrelsen" in m.text
            for m in d.find_elements(By.CSS_SELECTOR, ".passage mark")
            if m.is_displayed()
        ),
    )
    browser.set_window_size(1400, 1250)  # the question, the answer and the open card in one view
    shot(browser, "answer", tmp_path)

    click_thumb_up(browser)  # one click, nothing more
    deadline = time.monotonic() + 30
    while not rated(db, QUESTION) and time.monotonic() < deadline:
        time.sleep(0.2)
    (entry,) = rated(db, QUESTION)
    assert entry["rating"] == "up" and entry["sources"]
    assert browser.execute_script("return document.documentElement.lang") == "da"


def test_a_reload_keeps_the_conversation_and_a_shared_answer_opens_in_another_browser(
    server, browser, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    page = ChatPage(browser, server)
    page.open()
    page.ask("Hvad er social kapital?")
    page.ask("Hvad er udfordringsretten?")
    wait_for(browser, lambda d: "samtale=" in d.current_url)
    browser.refresh()
    text_in_main(browser, "Hvad er udfordringsretten?")
    messages = browser.find_elements(By.CSS_SELECTOR, "[data-testid=stChatMessage]")
    assert len(messages) == 4  # two questions, two answers: nothing lost
    assert "Hvad er social kapital?" in messages[0].text

    link = wait_for(
        browser, ec.presence_of_element_located((By.XPATH, "//a[contains(., 'Del svaret')]"))
    )
    shared_url = link.get_attribute("href")
    assert "svar=" in shared_url
    with chromium(tmp_path / "colleague") as colleague:  # a second browser, nothing shared
        colleague.get(shared_url)
        text_in_main(colleague, "delt med dig")
        text_in_main(colleague, "Hvad er social kapital?")
        assert colleague.find_elements(By.CSS_SELECTOR, "[data-testid=stExpander]")


def test_filters_and_presentation_mode_are_written_to_the_url(server, browser):
    from selenium.webdriver.common.by import By

    ChatPage(browser, server).open()
    real_click(browser, (By.CSS_SELECTOR, ".st-key-praesentation label"))
    wait_for(browser, lambda d: "praesentation=true" in d.current_url)
    browser.refresh()
    wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[contains(., 'tjekliste')]"))


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_presentation_mode_on_a_projector_keeps_the_question_and_its_source_in_view(
    server, browser, tmp_path, width, height
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.set_window_size(width, height)
    browser.get(f"{server}/?praesentation=true")
    card = "//*[contains(@class, 'st-key-card-')]//button[contains(., 'Er der en tjekliste om')]"
    real_click(browser, (By.XPATH, card))  # a question card in the main area
    heading = wait_for(
        browser,
        ec.visibility_of_element_located(
            (By.XPATH, "//h2[contains(., 'Er der en tjekliste om kerneopgaven?')]")
        ),
    )
    wait_for(browser, ec.presence_of_element_located((By.CSS_SELECTOR, ".st-key-turn-end-0")))
    assert in_view(browser, heading)  # the asked question stays on screen while it answers
    passage = browser.find_element(By.CSS_SELECTOR, ".passage")
    box = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return {top: r.top, left: r.left, height: innerHeight, width: innerWidth}",
        passage,
    )
    assert passage.is_displayed()  # the source beside the answer, its first lines on screen
    assert box["left"] > box["width"] / 2 and 0 <= box["top"] < box["height"] - 100, box
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector("
        "'[data-testid=stMainBlockContainer] .passage')).fontSize)"
    )
    assert size >= 20  # large type (1.3rem for passages, more for the answer)
    if width == 1920:
        shot(browser, "presentation", tmp_path)


def test_the_material_page_reads_and_searches_the_material(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(f"{server}/materialet")
    box = wait_for(
        browser, ec.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-materiale-soeg input"))
    )
    box.send_keys("tjekliste kerneopgave", Keys.ENTER)
    text_in_main(browser, "afsnit om")
    opened = wait_for(
        browser, ec.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=stExpander] li"))
    )
    assert opened.text
    shot(browser, "material-search", tmp_path)


def test_on_a_phone_the_main_actions_work_without_the_sidebar(server, browser, db, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.set_window_size(390, 844)
    page = ChatPage(browser, server)
    page.open()
    page.ask("Hvad er udfordringsretten?")
    real_click(browser, (By.XPATH, "//*[@data-testid='stExpander']//summary"))
    wait_for(browser, ec.visibility_of_element_located((By.CSS_SELECTOR, ".passage")))
    click_thumb_up(browser)
    wait_for(browser, lambda _: rated(db, "Hvad er udfordringsretten?"), 30)
    shot(browser, "phone", tmp_path)
    assert browser.find_element(By.CSS_SELECTOR, ".st-key-new-main button").is_displayed()
    real_click(browser, (By.CSS_SELECTOR, ".st-key-new-main button"))
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=stChatMessage]"))


# --- accessibility -------------------------------------------------------------------------

# Markup the project writes itself (everything else on the page is Streamlit's).
OURS = (".passage", ".shared-banner", "stMarkdownContainer", "st-key-turn-end", "st-key-card-")


def axe_violations(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map("
        "n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}))));"
    )


def test_no_serious_accessibility_violations_in_our_own_markup(server, browser, tmp_path):
    """axe-core in each page; serious or critical violations in the project's markup fail,
    Streamlit's own are written to the report (and listed in docs/app.md)."""
    if not AXE.exists():
        unavailable("axe-core mangler (hentes med npm): make axe")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    report = {}
    page = ChatPage(browser, server)
    page.open()
    page.ask("Hvad er social kapital?")
    report["Spørg"] = axe_violations(browser)
    for name, path, marker in (
        ("Materialet", "materialet", "Materialet"),
        ("Om svarene", "om-svarene", "Om svarene"),
    ):
        browser.get(f"{server}/{path}")
        wait_for(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), marker))
        time.sleep(0.5)
        report[name] = axe_violations(browser)
        shot(browser, path, tmp_path)
    ours, theirs = [], []
    for page_name, violations in report.items():
        for v in violations:
            if v["impact"] not in ("serious", "critical"):
                continue
            for node in v["nodes"]:
                item = f"{page_name}: {v['id']} ({v['impact']}) {node['target']}"
                is_ours = any(o in node["target"] or o in node["html"] for o in OURS)
                (ours if is_ours else theirs).append(item)
    out = Path(os.environ.get("TILLID_SCREENSHOTS", tmp_path)) / "accessibility.json"
    out.write_text(json.dumps({"ours": ours, "streamlit": theirs, "all": report}, indent=1))
    print(f"\naxe-core: {len(ours)} serious/critical in our markup, {len(theirs)} in Streamlit's")
    for item in theirs:
        print("  Streamlit:", item)
    assert not ours, ours
