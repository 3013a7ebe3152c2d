"""`python -m rag bench --page`: what a manager waits for in the real chat page.

Starts `streamlit run app.py` on a free port and drives Debian's headless Chromium through
chromedriver (Selenium, a dev extra), the same way the browser test does. Times are taken
inside the page (`performance.now()` and a MutationObserver), so the WebDriver round trips do
not count: from the Enter key to the first answer text, and to the finished answer (its
feedback buttons rendered, which happens after the source cards).

The server gets a fresh data folder with a copy of the current index build and of the vector
cache, which is what `python -m rag ingest` leaves on a new machine: the first answer pays for
starting Python, loading the model and opening the index. `cold=True` leaves out the cache and
the vectors shipped with the code, so every sentence an answer ranks must be embedded while
the user waits (the worst case: another embedding model on a new machine).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.config import PROJECT_ROOT, Settings
from rag.measure.evaluate import load_questions, percentile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Background services of Chromium would try the network; none is wanted (or reachable) here.
CHROMIUM_FLAGS = (
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
)
CHAT_INPUT = "[data-testid=stChatInputTextArea]"


class BrowserMissing(RuntimeError):
    pass


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(
    data_dir: Path,
    log_file: Path,
    cache_dir: Path | None = None,
    timeout: float = 90,
    settings: dict[str, str] | None = None,
    **server: object,
) -> Iterator[str]:
    """The chat page on a free local port, in the default answer mode; yields its URL.

    The vector cache is `<data_dir>/cache` unless `cache_dir` says otherwise; `settings` are
    further TILLID_* variables for the server; `server` goes to `streamlit_process` (a port,
    Streamlit options).
    """
    with streamlit_process(data_dir, log_file, cache_dir, timeout, settings, **server) as (url, _):
        yield url


@contextmanager
def streamlit_process(
    data_dir: Path,
    log_file: Path,
    cache_dir: Path | None = None,
    timeout: float = 90,
    settings: dict[str, str] | None = None,
    port: int | None = None,
    options: dict[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """As `streamlit_app`, yielding (URL, process id) for a caller that watches the process.
    `options` are further Streamlit options (e.g. {"secrets.files": path})."""
    port = port or free_port()
    extra = [arg for name, value in (options or {}).items() for arg in (f"--{name}", value)]
    env = {**os.environ, "TILLID_DATA_DIR": str(data_dir), **(settings or {})}
    env.pop("TILLID_LLM", None)
    env.pop("TILLID_CACHE_DIR", None)
    if cache_dir is not None:
        env["TILLID_CACHE_DIR"] = str(cache_dir)
    with log_file.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rag",
                "serve",  # streamlit run app.py, with the retention purge of a page process
                "--",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *extra,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "streamlit did not start:\n" + log_file.read_text()
                    ) from None
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium(profile_dir: Path, language: str = "da"):
    """Headless Debian Chromium under chromedriver, its language `language` (what the page
    reads as the browser's language, and its Accept-Language); yields a Selenium WebDriver."""
    if not browser_available():
        raise BrowserMissing(
            "Chromium og chromedriver mangler (apt-get install chromium chromium-driver)."
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise BrowserMissing(
            "Selenium mangler: installér udviklingspakkerne (make install-dev)."
        ) from exc
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", f"--lang={language}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# Installed before Enter is pressed: notes when turn `n`'s answer shows its first text (not just
# the avatar, whose icon is text too, nor the progress captions) and when it is finished (the
# row with the feedback is the last thing `show_answer` draws).
_WATCH = """
const n = arguments[0];
const w = {t0: performance.now(), first: null, done: null};
window.__answerWatch = w;
const check = () => {
  const now = performance.now();
  const msgs = document.querySelectorAll('[data-testid=stChatMessage]');
  const reply = msgs.length >= 2 * n + 2 ? msgs[2 * n + 1] : null;
  // Answer text, not the progress captions ("Søger i materialet …") shown before it.
  const texts = reply ? [...reply.querySelectorAll('[data-testid=stMarkdownContainer]')]
    .filter(e => !e.closest('[data-testid=stCaptionContainer]')) : [];
  if (w.first === null && texts.some(t => t.innerText.trim())) {
    w.first = now;
  }
  // The row under the answer is drawn last; it is finished when its thumbs can be clicked
  // (the widget loads lazily) or, with nothing stored, when its caption says so.
  const end = '.st-key-turn-end-' + n + ' ';
  if (w.done === null && document.querySelector(
      end + '[data-testid=stFeedbackButton], ' + end + '[data-testid=stCaptionContainer]')) {
    w.done = now;
    if (w.first === null) w.first = now;
    obs.disconnect();
  }
};
const obs = new MutationObserver(check);
obs.observe(document.body, {childList: true, subtree: true, characterData: true});
"""
_WAIT = """
const done = arguments[arguments.length - 1];
const poll = () => {
  const w = window.__answerWatch;
  if (w.done !== null) done({first: w.first - w.t0, done: w.done - w.t0});
  else setTimeout(poll, 10);
};
poll();
"""


@dataclass
class Timing:
    question: str
    first_text_ms: float
    answered_ms: float


class ChatPage:
    """The chat page in a browser, driven like a manager would: type, press Enter, wait."""

    def __init__(self, driver, url: str, timeout: float = 120) -> None:
        self.driver = driver
        self.url = url
        self.timeout = timeout
        self.turns = 0

    def open(self) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.get(self.url)
        WebDriverWait(self.driver, self.timeout).until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, CHAT_INPUT))
        )

    def ask(self, question: str) -> Timing:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        box = self.driver.find_element(By.CSS_SELECTOR, CHAT_INPUT)
        box.send_keys(question)
        self.driver.set_script_timeout(self.timeout)
        self.driver.execute_script(_WATCH, self.turns)
        box.send_keys(Keys.ENTER)
        t = self.driver.execute_async_script(_WAIT)
        self.turns += 1
        return Timing(question, round(t["first"], 1), round(t["done"], 1))


def bench_questions(questions_file: Path, n: int = 10) -> list[str]:
    """`n` answerable Danish questions, one category after the other, in file order."""
    pool = [q for q in load_questions(questions_file) if q.answerable and q.lang == "da"]
    by_category: dict[str, list[str]] = {}
    for q in pool:
        by_category.setdefault(q.category, []).append(q.question)
    picked: list[str] = []
    while len(picked) < n and any(by_category.values()):
        for qs in by_category.values():
            if qs and len(picked) < n:
                picked.append(qs.pop(0))
    return picked


def _fresh_data_dir(settings: Settings, target: Path, with_cache: bool) -> Path:
    """The current index build (and the vector cache) in a new folder; feedback lands there."""
    index = settings.index_dir
    current = (index / "CURRENT").read_text(encoding="utf-8").strip()
    (target / "index").mkdir(parents=True)
    shutil.copy2(index / "CURRENT", target / "index" / "CURRENT")
    shutil.copytree(index / current, target / "index" / current)
    if with_cache and settings.embedding_cache.exists():
        (target / "cache").mkdir()
        shutil.copy2(settings.embedding_cache, target / "cache" / "embeddings.sqlite")
    return target


def _summary(ms: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(percentile(ms, 90), 1),
        "max_ms": round(max(ms), 1),
    }


def run(settings: Settings, questions_file: Path, n: int = 10, cold: bool = False, log=print):
    """Start the page, time the first answer, then `n` new questions, then the same `n` again."""
    questions = bench_questions(questions_file, n + 1)
    first, rest = questions[0], questions[1:]
    with tempfile.TemporaryDirectory(prefix="tillid-page-") as tmp:
        tmp_path = Path(tmp)
        data_dir = _fresh_data_dir(settings, tmp_path / "data", with_cache=not cold)
        with chromium(tmp_path / "profile") as driver:
            log("starter streamlit …")
            started = time.perf_counter()
            # Cold: neither the vector cache nor the shipped vectors; every sentence an answer
            # ranks is embedded while the user waits.
            cold_env = {"TILLID_USE_SHIPPED_VECTORS": "0"} if cold else None
            with streamlit_app(data_dir, tmp_path / "streamlit.log", settings=cold_env) as url:
                server_s = time.perf_counter() - started
                page = ChatPage(driver, url)
                page.open()
                page_s = time.perf_counter() - started
                first_t = page.ask(first)
                total_s = time.perf_counter() - started
                log(f"første svar efter {total_s:.1f} s")
                new = [page.ask(q) for q in rest]
                log(f"{len(new)} nye spørgsmål besvaret")
                again = [page.ask(q) for q in rest]
    return {
        "data": "index only, no vector cache" if cold else "index and vector cache",
        "start": {
            "server_ready_s": round(server_s, 2),
            "page_ready_s": round(page_s, 2),
            "first_answer": asdict(first_t),
            "first_answer_after_start_s": round(total_s, 2),
        },
        "new_questions": {**_summary([t.answered_ms for t in new]), "n": len(new)},
        "new_questions_first_text": _summary([t.first_text_ms for t in new]),
        "repeated_questions": {**_summary([t.answered_ms for t in again]), "n": len(again)},
        "timings": [asdict(t) for t in new],
    }


def format_page_bench(r: dict) -> str:
    s = r["start"]
    lines = [
        f"Chatsiden i Chromium (headless), data: {r['data']}",
        f"  server klar efter {s['server_ready_s']:.1f} s; "
        f"siden klar efter {s['page_ready_s']:.1f} s",
        f"  første svar: {s['first_answer']['answered_ms'] / 1000:.2f} s efter Enter; "
        f"{s['first_answer_after_start_s']:.1f} s efter start",
    ]
    for name, key in (
        ("nye spørgsmål, færdigt svar", "new_questions"),
        ("nye spørgsmål, første tekst", "new_questions_first_text"),
        ("samme spørgsmål igen", "repeated_questions"),
    ):
        v = r[key]
        lines.append(
            f"  {name:28} median {v['median_ms']:7.0f} ms  p90 {v['p90_ms']:7.0f} ms"
            f"  max {v['max_ms']:7.0f} ms"
        )
    lines.append("Spørgsmål (færdigt svar, ms):")
    lines += [f"  {t['answered_ms']:7.0f}  {t['question']}" for t in r["timings"]]
    return "\n".join(lines)
