"""A service fails, the page goes on: the real PostgreSQL and Chroma servers are stopped under a
running page and started again, and SQLite's file is made unwritable and writable again.

While the database is down answers are still given, a Danish banner says they are not saved,
links explain themselves and a thumb says it was not saved; once it is back, the thumb, the
comment and the answers given meanwhile land. While the Chroma server is down the answers use
keywords alone and say so, with no address and no rebuild button for a manager; it recovers by
itself. Driven through AppTest here and in a real browser (the last test)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, EMBEDDING_CACHE, unavailable
from streamlit.testing.v1 import AppTest

from rag.chat import rating, services
from rag.chat.store import ChatStore
from rag.config import PROJECT_ROOT, Settings
from rag.index.builder import ingest

APP = str(PROJECT_ROOT / "app.py")
QUESTIONS = ("Hvad er social kapital?", "Hvad er udfordringsretten?", "Hvad er tillid?")


@pytest.fixture(scope="module")
def pg():
    """A PostgreSQL cluster of this module's own: the tests stop and start it."""
    from rag.measure.servers import ServerMissing, postgres_cluster

    try:
        with postgres_cluster() as cluster:
            yield cluster
    except ServerMissing as exc:
        unavailable(str(exc))


def page(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def ask(at: AppTest, question: str) -> None:
    at.chat_input[0].set_value(question).run()
    assert not at.exception


def turns(at: AppTest) -> list:
    return at.session_state["turns"]


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def shown(at: AppTest) -> str:
    """Every text the page shows (to look for what must not be there)."""
    parts = [e.value for e in (*at.markdown, *at.warning, *at.info, *at.caption, *at.error)]
    parts += [e.label for e in at.expander] + [b.label for b in at.button]
    return " ".join(str(p) for p in parts)


@pytest.fixture
def environment(real_index, monkeypatch):
    """The real index; the store checked on every use, so recovery shows on the next run."""

    def use(database_url: str, data_dir: Path | None = None, **more: str) -> None:
        monkeypatch.setenv("TILLID_DATA_DIR", str(data_dir or real_index.data_dir))
        monkeypatch.setenv("TILLID_DATABASE_URL", database_url)
        monkeypatch.setenv("TILLID_STORE_CHECK_SECONDS", "0")
        monkeypatch.delenv("TILLID_LLM", raising=False)
        monkeypatch.delenv("TILLID_RETENTION_DAYS", raising=False)
        for name, value in more.items():
            monkeypatch.setenv(f"TILLID_{name.upper()}", value)

    return use


def test_with_postgresql_stopped_answers_go_on_links_explain_and_writes_after_it_land(
    environment, pg
):
    environment(pg.url, local_maintainer="0")  # a manager: no technical details
    at = page()
    ask(at, QUESTIONS[0])
    first, _ = turns(at)[0]
    cid = at.query_params["samtale"]
    assert first and services.SAVE_BANNER not in warnings(at)
    pg.stop()
    try:
        at.feedback(key=f"thumbs-{first}").set_value(1).run()  # clicked during the outage
        assert not at.exception
        assert services.UNSAVED_RATING in warnings(at) and rating.SAVED["rating"] not in shown(at)
        ask(at, QUESTIONS[1])  # still answered, not saved
        assert "udfordringsret" in shown(at).lower()
        assert turns(at)[1][0] is None
        assert services.SAVE_BANNER in warnings(at)
        assert "127.0.0.1" not in shown(at) and "Detaljer" not in shown(at)
        for query, what in (({"samtale": cid}, "Samtalen"), ({"svar": first}, "Svaret")):
            link = page(query)  # no Streamlit error page; a Danish line and the question box
            assert f"{what} kan ikke hentes lige nu" in warnings(link)
            assert link.chat_input and services.SAVE_BANNER in warnings(link)
            assert link.query_params[next(iter(query))] == next(iter(query.values()))
    finally:
        pg.start()
    at.run()  # the first run after the recovery saves the waiting thumb, and says so
    assert not at.exception and services.SAVE_BANNER not in warnings(at)
    assert rating.SAVED["rating"] in shown(at)
    with ChatStore(pg.url) as store:
        assert store.rating(first, at.session_state["_audited"])["rating"] == "up"
    at.text_input(key=f"comment-{first}").input("Kom efter nedbruddet").run()
    ask(at, QUESTIONS[2])  # the answer given during the outage is saved in its place first
    with ChatStore(pg.url) as store:
        me = at.session_state["_audited"]
        assert store.rating(first, me)["comment"] == "Kom efter nedbruddet"
        stored = store.conversation(cid)
    assert [a.question for _, a in stored.answers] == list(QUESTIONS)
    link = page({"samtale": cid})
    assert "kan ikke hentes" not in warnings(link) and len(turns(link)) == 3


def test_the_kvalitet_page_says_in_danish_that_the_database_does_not_answer(environment, pg):
    """A maintainer's page that only reads the store, opened before the outage and again in
    it: a Danish line, no error page."""
    environment(pg.url)
    quality = "from rag.chat import quality\nquality.page()"
    at = AppTest.from_string(quality, default_timeout=60).run()
    assert not at.exception and not warnings(at)
    pg.stop()
    try:
        at = AppTest.from_string(quality, default_timeout=60).run()
        assert not at.exception and "databasen ikke svarer" in warnings(at)
    finally:
        pg.start()
    at.run()
    assert not at.exception and "databasen ikke svarer" not in warnings(at)


def test_a_comment_after_the_recovery_saves_its_thumb_when_the_thumb_was_lost(environment, pg):
    """The issue's probe: a comment typed after the recovery was dropped (0 rows updated)."""
    environment(pg.url)
    at = page()
    ask(at, QUESTIONS[0])
    aid = turns(at)[0][0]
    at.feedback(key=f"thumbs-{aid}").set_value(0).run()
    me = at.session_state["_audited"]
    with ChatStore(pg.url) as store:
        store.engine.dispose()
        with store.engine.begin() as db:  # the row went (a restore from before the thumb)
            db.exec_driver_sql("DELETE FROM ratings")
    at.text_input(key=f"comment-{aid}").input("Uden tommel i databasen").run()
    assert not at.exception and not warnings(at)
    with ChatStore(pg.url) as store:
        row = store.rating(aid, me)
    assert row["rating"] == "down" and row["comment"] == "Uden tommel i databasen"


@contextlib.contextmanager
def unwritable(files: list[Path]) -> Iterator[None]:
    """The files cannot be written, as on a read-only or broken disk: immutable for root
    (chattr; root ignores permissions), read-only permissions for anyone else. Never SQLite's
    shared-memory file: that one is mapped into the process and must stay writable."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            unavailable("chattr mangler (e2fsprogs): filer kan ikke skrivebeskyttes for root")
        done = subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True)
        if done.returncode:
            unavailable(f"chattr +i virker ikke her: {done.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, files)], check=True)
        return
    modes = {f: f.stat().st_mode for f in files}
    for f in files:
        f.chmod(0o444)
    try:
        yield
    finally:
        for f, mode in modes.items():
            f.chmod(mode)
        # SQLite makes its shared-memory file with the database's permissions: one made while
        # the database was read-only is read-only too, and is made writable with the rest.
        for shm in {f.with_name(f.name.removesuffix("-wal") + "-shm") for f in files}:
            if shm.exists():
                shm.chmod(modes[files[0]])


def test_with_sqlite_unwritable_answers_go_on_and_saving_resumes_when_it_is_writable(
    environment, tmp_path
):
    db = tmp_path / "chat.sqlite"
    environment(f"sqlite:///{db}")
    at = page()
    ask(at, QUESTIONS[0])
    first = turns(at)[0][0]
    files = [db, db.with_name(db.name + "-wal")]
    with unwritable(files):
        _disconnect(db)  # new connections: permissions count for them alone as non-root
        at.feedback(key=f"thumbs-{first}").set_value(1).run()
        assert not at.exception and services.UNSAVED_RATING in warnings(at)
        ask(at, QUESTIONS[1])
        assert "udfordringsret" in shown(at).lower() and turns(at)[1][0] is None
        assert services.SAVE_BANNER in warnings(at)
        with st_expander(at, "Detaljer") as details:  # a maintainer at the machine sees why
            assert "OperationalError" in details
    at.run()
    ask(at, QUESTIONS[2])
    assert not at.exception and services.SAVE_BANNER not in warnings(at)
    with ChatStore(f"sqlite:///{db}") as store:
        stored = store.conversation(at.query_params["samtale"])
        assert store.rating(first, at.session_state["_audited"])["rating"] == "up"
    assert [a.question for _, a in stored.answers] == list(QUESTIONS)


def _disconnect(db: Path) -> None:
    """The page's cached store for `db` drops its open connections."""
    from rag.chat import resources

    s = Settings.load()
    resources._store(f"sqlite:///{db}", 90, s.database_connect_seconds).engine.dispose()


@contextlib.contextmanager
def st_expander(at: AppTest, label: str) -> Iterator[str]:
    found = [e for e in at.expander if e.label == label]
    assert found, f"no expander {label!r}"
    yield " ".join(c.value for c in found[0].code)


# --- the Chroma server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def chroma(tmp_path_factory, embedder):
    """A Chroma server of this module's own with the material on it; `restart(stopped)`
    stops it for the block and starts it again on the same port and folder."""
    from rag.measure.servers import chroma_server, free_port

    root = tmp_path_factory.mktemp("chroma-outage")
    port = free_port()
    stack = contextlib.ExitStack()
    url = stack.enter_context(chroma_server(root / "server", port=port))
    settings = Settings.load(
        env={}, corpus_dir=CORPUS, data_dir=root / "data", cache_dir=EMBEDDING_CACHE, chroma_url=url
    )
    ingest(settings, embedder=embedder)

    @contextlib.contextmanager
    def stopped():
        stack.close()
        try:
            yield
        finally:
            stack.enter_context(chroma_server(root / "server", port=port))

    try:
        yield settings, stopped
    finally:
        stack.close()


def test_with_the_chroma_server_stopped_answers_use_keywords_and_it_recovers_by_itself(
    environment, chroma, tmp_path
):
    settings, stopped = chroma
    environment(
        f"sqlite:///{tmp_path / 'chat.sqlite'}",
        data_dir=settings.data_dir,
        chroma_url=settings.chroma_url,
        chroma_retry_seconds="0",
        local_maintainer="0",
    )
    at = page()
    ask(at, QUESTIONS[0])
    assert not at.info or "kun nøgleord" not in " ".join(i.value for i in at.info)
    with stopped():
        ask(at, QUESTIONS[1])
        answer = turns(at)[-1][1]
        assert not answer.refused and answer.citations and "kun nøgleord" in answer.notice
        at.run()
        text = shown(at)
        assert services.SEARCH_BANNER in warnings(at)
        assert settings.chroma_url not in text and "127.0.0.1" not in text
        assert "Byg indekset igen" not in text and "Detaljer" not in text
        assert "Chroma" not in text
    ask(at, QUESTIONS[2])  # the server is back: hybrid again, by itself
    answer = turns(at)[-1][1]
    assert not answer.notice and services.SEARCH_BANNER not in warnings(at)


def test_a_page_process_started_while_the_chroma_server_is_down_answers_and_recovers(
    environment, chroma, tmp_path
):
    """A process that never reached the server (a restart during the outage): keywords from
    the first question, no rebuild offered even to a maintainer, who sees why under Detaljer."""
    from rag.chat import resources

    settings, stopped = chroma
    environment(
        f"sqlite:///{tmp_path / 'chat.sqlite'}",
        data_dir=settings.data_dir,
        chroma_url=settings.chroma_url,
        chroma_retry_seconds="0",
    )
    with stopped():
        resources._index.clear()  # what a fresh process has: nothing opened yet
        resources._assistant.clear()
        at = page()
        ask(at, QUESTIONS[0])
        answer = turns(at)[-1][1]
        assert not answer.refused and answer.citations and "kun nøgleord" in answer.notice
        assert services.SEARCH_BANNER in warnings(at) and "Byg indekset igen" not in shown(at)
        with st_expander(at, "Detaljer") as details:
            assert "TILLID_CHROMA_URL" in details
    ask(at, QUESTIONS[1])
    assert not turns(at)[-1][1].notice and services.SEARCH_BANNER not in warnings(at)


# --- in a real browser ------------------------------------------------------------------


def test_in_a_real_browser_the_page_purges_at_start_and_answers_through_a_database_outage(
    real_index, pg, tmp_path
):
    """`tillidsguiden serve` (what make run and the Dockerfile start) purges before any page
    is opened; a browser asks, PostgreSQL stops, the browser asks again and reads the answer
    and the banner; PostgreSQL starts, and the next question saves all three."""
    from selenium.webdriver.common.by import By

    from rag.chat.store import DAY, conversations
    from rag.measure.pagebench import ChatPage, browser_available, chromium, streamlit_app

    if not browser_available():
        unavailable("Chromium og chromedriver mangler: make test installerer dem.")
    with ChatStore(pg.url) as store:
        expired = store.start("browser-old", "Udløbet")
        with store.engine.begin() as db:
            db.execute(
                conversations.update()
                .where(conversations.c.id == expired)
                .values(updated=conversations.c.updated - 91 * DAY)
            )
    env = {"TILLID_DATABASE_URL": pg.url, "TILLID_STORE_CHECK_SECONDS": "0"}
    with (
        streamlit_app(
            real_index.data_dir,
            tmp_path / "page.log",
            cache_dir=real_index.cache_dir,
            settings=env,
        ) as url,
        ChatStore(pg.url) as store,
    ):
        assert store.conversation(expired) is None  # purged at start, no page opened yet
        with chromium(tmp_path / "profile") as browser:
            page = ChatPage(browser, url)
            page.open()
            began = time.time()  # the module's other tests saved conversations titled so too
            page.ask(QUESTIONS[0])
            pg.stop()
            try:
                page.ask(QUESTIONS[1])
                main = browser.find_element(By.TAG_NAME, "main").text
                assert "udfordringsret" in main.lower()
                assert "kan ikke gemmes lige nu" in main
                assert "Traceback" not in main and "Error" not in main
            finally:
                pg.start()
            page.ask(QUESTIONS[2])
            # The page may still be in the run that saves when the answer shows (a loaded
            # machine): what is saved is read until it holds all three, for up to 30 s.
            deadline, saved = time.monotonic() + 30, []
            while saved != list(QUESTIONS) and time.monotonic() < deadline:
                with store.engine.connect() as db:
                    head = db.execute(
                        conversations.select()
                        .where(
                            conversations.c.title == QUESTIONS[0],
                            conversations.c.created >= began - 1,
                        )
                        .order_by(conversations.c.created.desc())
                    ).first()
                saved = [a.question for _, a in store.conversation(head.id).answers]
                time.sleep(0 if saved == list(QUESTIONS) else 0.5)
    assert saved == list(QUESTIONS)
