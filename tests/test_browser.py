"""End to end in a real browser: `streamlit run app.py` driven by Debian's headless Chromium.

Skipped only when Chromium or chromedriver is missing; `make test` installs both (and axe-core
from the npm registry for the accessibility check). The server and browser helpers are the ones
`python -m rag bench --page` times the page with. Screenshots go to $TILLID_SCREENSHOTS (the
screenshots in docs/ come from `TILLID_SCREENSHOTS=docs pytest tests/test_browser.py`).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from conftest import unavailable

from rag.chat.store import ChatStore
from rag.chat.theme import DANISH, DANISH_PATTERNS
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
        # The person at the machine is a manager here (on a laptop without sign-in it would be
        # the maintainer, who sees technical details: tests/test_app.py checks both roles).
        settings={"TILLID_DATABASE_URL": f"sqlite:///{db}", "TILLID_LOCAL_MAINTAINER": "0"},
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
    """Wait until `condition` holds. Streamlit redraws elements while it reruns, so an element
    found a moment ago may be gone when its text is read: that counts as "not yet", not failure."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(condition)


def text_in_main(driver, text: str, timeout: float = 90) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    wait_for(driver, ec.text_to_be_present_in_element((By.TAG_NAME, "main"), text), timeout)


def real_click(driver, locator) -> None:
    """A real click on what `locator` finds. The page may still scroll itself (the chat keeps
    to the bottom while content grows), an expander may still be opening, a rerun may redraw
    the element: scroll it into view and retry a few times."""
    from selenium.common.exceptions import (
        ElementClickInterceptedException,
        ElementNotInteractableException,
        StaleElementReferenceException,
    )
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
        except (
            ElementClickInterceptedException,
            ElementNotInteractableException,
            StaleElementReferenceException,
        ):
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


# The window sizes every manager-facing point is checked at: a laptop and a phone.
SIZES = pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["1280", "390"])
EXAMPLE = "[class*='st-key-example-'] button"

# Every text node, label and title of the page (not scripts or styles): what a manager can see
# or a screen reader can read.
_TEXTS = """
const out = [];
for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]'))
  for (const a of ['aria-label', 'title', 'placeholder'])
    if (el.getAttribute(a)) out.push(el.getAttribute(a));
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
  n.parentElement.closest('script, style, noscript') ? NodeFilter.FILTER_REJECT
                                                     : NodeFilter.FILTER_ACCEPT});
while (walk.nextNode()) if (walk.currentNode.nodeValue.trim()) out.push(walk.currentNode.nodeValue);
return out;
"""


def page_texts(driver) -> list[str]:
    return [t.strip() for t in driver.execute_script(_TEXTS)]


def english_left(driver) -> list[str]:
    """Streamlit's English texts still on the page (the ones rag/chat/theme.py relabels)."""
    patterns = [re.compile(p) for p, _ in DANISH_PATTERNS]
    return [t for t in page_texts(driver) if t in DANISH or any(p.match(t) for p in patterns)]


def technical_left(driver) -> list[str]:
    """What a manager must never see: character offsets, variable names, file paths, decimals."""
    bad = re.compile(r"\bTegn \d|TILLID_|eval/|\.jsonl|\.md\b|\b0\.\d{3}\b")
    return [t for t in page_texts(driver) if bad.search(t)]


def fits_sideways(driver) -> bool:
    """Nothing on the page reaches past the window's width (no sideways scrolling)."""
    return driver.execute_script(
        "const w = document.documentElement.clientWidth;"
        "return document.documentElement.scrollWidth <= w && [...document.querySelectorAll("
        "'[data-testid=stMain] *')].every(e => e.getBoundingClientRect().right <= w + 1"
        " || e.closest('[data-testid=stSidebar], [data-testid=stTable], pre'));"
    )


def shows_unhidden(driver, element) -> bool:
    """The element is on screen and not covered (by Streamlit's header, say) at its middle."""
    return driver.execute_script(
        "const e = arguments[0], r = e.getBoundingClientRect();"
        "if (r.height === 0 || r.top < 0 || r.bottom > innerHeight) return false;"
        "const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 40), r.top + 8);"
        "return e.contains(hit);",
        element,
    )


def status_says(driver, text: str, timeout: float = 60) -> None:
    """A line with role=status (what a screen reader announces) says `text`."""
    from selenium.webdriver.common.by import By

    wait_for(
        driver,
        lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, "[role=status]")),
        timeout,
    )


def share_link(driver) -> str:
    """ "Del svaret" of the newest answer → "Kopiér link": the copied link, once it says so."""
    from selenium.webdriver.common.by import By

    real_click(driver, (By.XPATH, "(//*[contains(@class, 'st-key-share-')]//button)[last()]"))
    real_click(driver, (By.CSS_SELECTOR, "[data-testid=stPopoverBody] button.copy-link"))
    status_says(driver, "Link kopieret", 15)
    field = driver.find_element(By.CSS_SELECTOR, "[data-testid=stPopoverBody] input.share-url")
    return field.get_attribute("value")


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

    shared_url = share_link(browser)
    assert shared_url.startswith(server) and "svar=" in shared_url
    with chromium(tmp_path / "colleague") as colleague:  # a second browser, nothing shared
        colleague.get(shared_url)
        text_in_main(colleague, "delt med dig")
        text_in_main(colleague, "Hvad er udfordringsretten?")  # the newest answer's link
        assert colleague.find_elements(By.CSS_SELECTOR, "[data-testid=stExpander]")
        assert "Hvad er social kapital?" not in colleague.find_element(By.TAG_NAME, "main").text


def test_filters_and_presentation_mode_are_written_to_the_url(server, browser):
    from selenium.webdriver.common.by import By

    ChatPage(browser, server).open()
    real_click(browser, (By.CSS_SELECTOR, ".st-key-praesentation label"))
    wait_for(browser, lambda d: "praesentation=true" in d.current_url)
    browser.refresh()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[class*='st-key-card-'] button"))


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_presentation_mode_on_a_projector_keeps_the_question_and_its_source_in_view(
    server, browser, tmp_path, width, height
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.set_window_size(width, height)
    browser.get(f"{server}/?praesentation=true")
    card = "//*[contains(@class, 'st-key-card-checklist')]//button"
    asked = wait_for(browser, ec.visibility_of_element_located((By.XPATH, card))).text
    real_click(browser, (By.XPATH, card))  # a question card in the main area
    heading = wait_for(
        browser, ec.visibility_of_element_located((By.XPATH, "//h2[contains(., 'Vis mig')]"))
    )
    assert heading.text in asked
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


@SIZES
def test_a_first_visit_shows_examples_a_click_asks_and_every_control_confirms(
    server, browser, db, tmp_path, width, height
):
    """Spørg as a manager who has never seen it: example cards that fit the screen, a click
    asks, nothing technical, Danish labels, and each control says what it did."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    browser.set_window_size(width, height)
    browser.get(server)
    cards = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, EXAMPLE))
    assert 4 <= len(cards) <= 6
    text_in_main(browser, "Tillidsguiden svarer ud fra")
    assert fits_sideways(browser)
    skip = browser.find_element(By.CSS_SELECTOR, "[data-testid=stSkipToContent]")
    assert skip.get_attribute("textContent") == "Gå til indholdet"
    assert not english_left(browser), english_left(browser)
    shot(browser, "opening" if width > 1000 else "opening-phone", tmp_path)

    checklist = "[class*='st-key-example-checklist'] button"
    question = browser.find_element(By.CSS_SELECTOR, checklist).text.splitlines()[-1]
    real_click(browser, (By.CSS_SELECTOR, checklist))  # one click asks it
    wait_for(browser, ec.presence_of_element_located((By.CSS_SELECTOR, ".st-key-turn-end-0")))
    messages = browser.find_elements(By.CSS_SELECTOR, "[data-testid=stChatMessage]")
    assert question in messages[0].text and not browser.find_elements(By.CSS_SELECTOR, EXAMPLE)
    assert not technical_left(browser), technical_left(browser)
    assert not english_left(browser), english_left(browser)
    assert fits_sideways(browser)

    real_click(browser, (By.XPATH, "//a[contains(@href, '#kilde-0-1')]"))  # the marker [1]
    title = browser.find_element(By.XPATH, "//*[@id='kilde-0-1']/ancestor::details/summary")
    wait_for(browser, lambda d: shows_unhidden(d, title), 15)  # opened, its title in view
    # Its content shows once the card has unfolded (a moment after its title on a busy machine).
    wait_for(browser, lambda d: d.find_element(By.ID, "kilde-0-1").is_displayed(), 15)

    click_thumb_up(browser)
    status_says(browser, "Tak – din vurdering er gemt.")
    assert browser.find_element(By.ID, "kilde-0-1").is_displayed()  # the card stays open
    comment = wait_for(
        browser,
        ec.element_to_be_clickable((By.CSS_SELECTOR, "[class*='st-key-comment-'] input")),
    )
    comment.send_keys(f"Brugbar tjekliste ({width})", Keys.ENTER)
    status_says(browser, "Tak – gemt.")
    (entry,) = [e for e in rated(db, question) if e["comment"] == f"Brugbar tjekliste ({width})"]
    assert entry["rating"] == "up"

    link = share_link(browser)
    assert link.startswith(server) and "svar=" in link
    if width < 1000:
        shot(browser, "phone", tmp_path)
    real_click(browser, (By.CSS_SELECTOR, ".st-key-new-main button"))  # also on a phone
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, EXAMPLE))


def keyboard_to_search(driver) -> None:
    """From the top of Materialet with the keyboard only: Tab to "Gå til indholdet", Enter,
    Tab to the search field."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.activeElement && document.activeElement.blur()")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    active = driver.switch_to.active_element
    assert active.get_attribute("data-testid") == "stSkipToContent", active.text
    assert active.text == "Gå til indholdet"
    ActionChains(driver).send_keys(Keys.ENTER).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("aria-label") == "Søg i materialet"


@SIZES
def test_materialet_search_tells_the_truth_by_keyboard_and_om_svarene_shows_percentages(
    server, browser, tmp_path, width, height
):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    browser.set_window_size(width, height)
    browser.get(f"{server}/materialet")
    wait_for(browser, ec.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-materiale-soeg input")))
    keyboard_to_search(browser)
    ActionChains(browser).send_keys("xyzzy qwerty", Keys.ENTER).perform()
    status_says(browser, "Ingen afsnit matcher »xyzzy qwerty«.")
    assert not browser.find_elements(By.CSS_SELECTOR, ".hit")
    offered = wait_for(
        browser, lambda d: d.find_elements(By.XPATH, "//button[contains(., 'Søg efter »')]")
    )
    assert offered  # something to try instead, from the material's own words

    field = browser.find_element(By.CSS_SELECTOR, ".st-key-materiale-soeg input")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("tjekliste kerneopgave", Keys.ENTER)
    status_says(browser, "afsnit matcher »tjekliste kerneopgave«")
    line = next(
        e.text
        for e in browser.find_elements(By.CSS_SELECTOR, "[role=status]")
        if "matcher" in e.text
    )
    assert 0 < int(line.split()[0]) < 20  # the passages that have the words, not always k
    marks = wait_for(
        browser,
        lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, ".hit mark") if m.is_displayed()],
    )
    assert {m.text.lower()[:9] for m in marks} & {"kerneopga", "tjeklisten", "tjekliste"}
    assert fits_sideways(browser)
    assert not technical_left(browser) and not english_left(browser), english_left(browser)
    if width > 1000:
        shot(browser, "material-search", tmp_path)

    browser.get(f"{server}/om-svarene")
    text_in_main(browser, "Senest målt")
    text_in_main(browser, " %")  # the table of figures
    main = browser.find_element(By.TAG_NAME, "main").text
    assert re.search(r"\b\d{1,3} %", main) and not re.search(r"\b0\.\d{3}\b", main)
    assert not technical_left(browser), technical_left(browser)
    assert not english_left(browser), english_left(browser)
    assert fits_sideways(browser)


# --- accessibility -------------------------------------------------------------------------

# Markup the project writes itself (everything else on the page is Streamlit's).
OURS = (
    ".passage",
    ".shared-banner",
    "stMarkdownContainer",
    "st-key-turn-end",
    "st-key-card-",
    "st-key-example-",
    "st-key-share-",
    ".hit",
    ".share",
    "search-status",
)


def axe_violations(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map("
        "n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}))));"
    )


def test_a_manager_cannot_reach_the_kvalitet_page(server, browser):
    """The maintainers' page is neither in a manager's navigation nor served at its address."""
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/kvalitet")
    text_in_main(browser, "Tillidsguiden")  # the server has no such page for a manager
    nav = browser.find_elements(By.CSS_SELECTOR, "[data-testid=stSidebarNav] a")
    assert nav and not any("Kvalitet" in a.text for a in nav)
    assert "Vurderinger og afvisninger" not in browser.find_element(By.TAG_NAME, "main").text


def test_no_serious_accessibility_violations_in_our_own_markup(server, browser, tmp_path):
    """axe-core in each page; serious or critical violations in the project's markup fail,
    Streamlit's own are written to the report (and listed in docs/app.md)."""
    if not AXE.exists():
        unavailable("axe-core mangler (hentes med npm): make axe")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    report = {}
    page = ChatPage(browser, server)
    page.open()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, EXAMPLE))
    report["Spørg (første besøg)"] = axe_violations(browser)
    page.ask("Hvad er social kapital?")
    report["Spørg"] = axe_violations(browser)
    browser.get(f"{server}/materialet")
    box = wait_for(
        browser, ec.element_to_be_clickable((By.CSS_SELECTOR, ".st-key-materiale-soeg input"))
    )
    box.send_keys("tjekliste kerneopgave", Keys.ENTER)
    status_says(browser, "afsnit matcher")
    time.sleep(0.5)
    report["Materialet"] = axe_violations(browser)
    shot(browser, "materialet", tmp_path)
    browser.get(f"{server}/om-svarene")
    wait_for(browser, ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Om svarene"))
    time.sleep(0.5)
    report["Om svarene"] = axe_violations(browser)
    figures = browser.find_element(By.XPATH, "//h2[contains(., 'Hvor godt svarer den?')]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", figures)
    shot(browser, "om-svarene", tmp_path)  # the figures, as a manager reads them
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
