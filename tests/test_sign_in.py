"""Who sees which conversations, in real browsers against real page servers (rag/chat/identity.py,
rag/chat/links.py): without sign-in each browser is its own user; with sign-in the provider's
subject owns the conversations; a proxy's header counts only from the configured proxy.

The OIDC provider is `oidc-provider-mock` (a dev extra), started on 127.0.0.1 by the test; users
sign in through its login form in headless Chromium. A forged header is sent the way a browser
extension would, with Chromium's DevTools (Network.setExtraHTTPHeaders), straight to the page and
through a relay that connects from the proxy's address. Skipped with the reason without Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401
    needs_a_browser,
    real_click,
    share_link,
    text_in_main,
    wait_for,
)

from rag.chat.identity import owner_key
from rag.chat.store import ChatStore
from rag.measure.pagebench import ChatPage, chromium, free_port, streamlit_app

# The mock provider runs on Authlib APIs that Authlib itself marks as deprecated.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
OPEN = "//*[contains(@class, 'st-key-open-')]//button"
ALICE = {"X-Forwarded-User": "alice@kommune.dk"}


def by():
    from selenium.webdriver.common.by import By

    return By


def listed(driver) -> list[str] | None:
    """The titles in the sidebar's list of the user's own conversations (None while the
    sidebar is being redrawn)."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        return [b.text for b in driver.find_elements(by().XPATH, OPEN)]
    except StaleElementReferenceException:
        return None


def sidebar_says(driver, text: str) -> None:
    from selenium.webdriver.support import expected_conditions as ec

    wait_for(
        driver,
        ec.text_to_be_present_in_element((by().CSS_SELECTOR, "[data-testid=stSidebar]"), text),
    )


def list_shows(driver, titles: list[str]) -> None:
    wait_for(driver, lambda d: listed(d) == titles, 30)


def asked(driver, url: str, question: str) -> ChatPage:
    """The page opened in `driver` with `question` asked and answered."""
    page = ChatPage(driver, url)
    page.open()
    page.ask(question)
    return page


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sign-in")


@pytest.fixture(scope="module")
def open_page(real_index, data):
    """A laptop or course-room run: no sign-in, no proxy configured."""
    db = data / "open.sqlite"
    with streamlit_app(
        real_index.data_dir,
        data / "open.log",
        cache_dir=real_index.cache_dir,
        settings={"TILLID_DATABASE_URL": f"sqlite:///{db}"},
    ) as url:
        yield url, ChatStore(f"sqlite:///{db}")


def browser_at(tmp_path: Path, name: str, headers: dict | None = None):
    """A browser of its own (own profile, own cookies); `headers` sent with every request."""
    driver_context = chromium(tmp_path / name)
    driver = driver_context.__enter__()
    if headers:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
    return driver_context, driver


@pytest.fixture
def two_browsers(tmp_path):
    contexts = [browser_at(tmp_path, n) for n in ("a", "b")]
    yield [d for _, d in contexts]
    for context, _ in contexts:
        context.__exit__(None, None, None)


def test_two_browsers_without_sign_in_never_see_each_others_conversations(open_page, two_browsers):
    url, _ = open_page
    a, b = two_browsers
    asked(a, url, "Hvad er social kapital?")
    list_shows(a, ["Hvad er social kapital?"])
    second = ChatPage(b, url)
    second.open()
    sidebar_says(b, "Uden log-ind")
    assert listed(b) == []  # a brand-new browser lists nothing of anybody's
    second.ask("Hvad er udfordringsretten?")
    list_shows(b, ["Hvad er udfordringsretten?"])
    a.get(url)  # a reload: the browser's cookie brings its own list back
    list_shows(a, ["Hvad er social kapital?"])


def test_another_browsers_link_opens_read_only_and_goes_on_as_a_copy(open_page, two_browsers):
    url, store = open_page
    a, b = two_browsers
    asked(a, url, "Hvad er kerneopgaven?")
    wait_for(a, lambda d: "samtale=" in d.current_url)
    link = a.current_url
    b.get(link)
    text_in_main(b, "En samtale, som nogen har delt med dig")
    text_in_main(b, "Hvad er kerneopgaven?")
    assert not b.find_elements(by().CSS_SELECTOR, "[data-testid=stChatInputTextArea]")
    real_click(b, (by().XPATH, "//button[contains(., 'Fortsæt som ny samtale')]"))
    wait_for(b, lambda d: d.find_elements(by().CSS_SELECTOR, "[data-testid=stChatInputTextArea]"))
    wait_for(b, lambda d: "samtale=" in d.current_url and d.current_url != link)
    list_shows(b, ["Hvad er kerneopgaven?"])  # the copy is in the visitor's own list
    cid = link.split("samtale=")[1].split("&")[0]
    assert len(store.conversation(cid).answers) == 1


def test_a_visitors_thumb_on_a_shared_answer_never_changes_the_sharers(open_page, two_browsers):
    from selenium.webdriver.common.keys import Keys

    url, store = open_page
    a, b = two_browsers
    asked(a, url, "Hvad er tillid?")
    real_click(a, (by().CSS_SELECTOR, "[class*='st-key-thumbs-'] button"))  # thumb up
    box = wait_for(
        a, lambda d: d.find_element(by().CSS_SELECTOR, "[class*='st-key-comment-'] input")
    )
    box.send_keys("Meget brugbart svar", Keys.ENTER)
    link = share_link(a)  # "Del svaret" → "Kopiér link"
    aid = link.split("svar=")[1]
    wait_for(a, lambda _: any(e["comment"] for e in store.feedback() if e["answer_id"] == aid), 30)
    b.get(link)
    text_in_main(b, "Din vurdering af svaret er din egen")
    real_click(b, (by().XPATH, "(//*[contains(@class, 'st-key-thumbs-')]//button)[2]"))  # down
    wait_for(b, lambda _: len([e for e in store.feedback() if e["answer_id"] == aid]) == 2, 30)
    ratings = sorted((e["rating"], e["comment"]) for e in store.feedback() if e["answer_id"] == aid)
    assert ratings == [("down", ""), ("up", "Meget brugbart svar")]


def test_deleting_asks_first_and_keeping_leaves_the_conversation(open_page, two_browsers):
    url, store = open_page
    a, _ = two_browsers
    asked(a, url, "Hvad er udfordringsretten?")
    list_shows(a, ["Hvad er udfordringsretten?"])
    cid = a.current_url.split("samtale=")[1].split("&")[0]
    delete = (by().CSS_SELECTOR, f".st-key-del-{cid} button")
    real_click(a, delete)
    sidebar_says(a, "Det kan ikke fortrydes")
    real_click(a, (by().XPATH, "//button[contains(., 'Behold den')]"))
    wait_for(a, lambda d: not d.find_elements(by().XPATH, "//button[contains(., 'Behold den')]"))
    assert listed(a) == ["Hvad er udfordringsretten?"] and store.conversation(cid)
    real_click(a, delete)
    real_click(a, (by().XPATH, "//button[contains(., 'Slet samtalen')]"))
    list_shows(a, [])
    assert store.conversation(cid) is None


# --- a proxy's header ------------------------------------------------------------------------


def test_a_forged_user_header_is_ignored_when_no_proxy_is_configured(open_page, tmp_path):
    url, store = open_page
    context, forger = browser_at(tmp_path, "forger", ALICE)
    try:
        asked(forger, url, "Hvad er social kapital?")
        sidebar_says(forger, "Uden log-ind")
        list_shows(forger, ["Hvad er social kapital?"])
    finally:
        context.__exit__(None, None, None)
    assert store.recent(owner_key("header", "alice@kommune.dk")) == []


@pytest.fixture(scope="module")
def behind_a_proxy(real_index, data):
    """A page that trusts X-Forwarded-User from its proxy at 127.0.0.2 only, and that proxy: a
    plain TCP relay on its own port whose connections to the page come from 127.0.0.2."""
    db = data / "proxy.sqlite"
    settings = {
        "TILLID_DATABASE_URL": f"sqlite:///{db}",
        "TILLID_TRUSTED_USER_HEADER": "X-Forwarded-User",
        "TILLID_TRUSTED_PROXIES": "127.0.0.2",
    }
    with (
        streamlit_app(
            real_index.data_dir, data / "proxy.log", real_index.cache_dir, settings=settings
        ) as url,
        relay(int(url.rsplit(":", 1)[1]), source="127.0.0.2") as proxied,
    ):
        yield url, proxied, ChatStore(f"sqlite:///{db}")


@contextmanager
def relay(port: int, source: str):
    """127.0.0.1:<free port> → 127.0.0.1:`port`, each connection made from `source`."""

    async def pipe(reader, writer) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def handle(client_reader, client_writer) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_a_users_header_counts_only_from_the_configured_proxy(behind_a_proxy, tmp_path):
    url, proxied_url, store = behind_a_proxy
    context, browser = browser_at(tmp_path, "alice", ALICE)
    try:
        page = ChatPage(browser, proxied_url)  # through the proxy: the header counts
        page.open()
        sidebar_says(browser, "Logget ind som alice@kommune.dk")
        page.ask("Hvad er social kapital?")
        list_shows(browser, ["Hvad er social kapital?"])
        browser.get(url)  # the same browser and header, straight to the page: just a header
        sidebar_says(browser, "Uden log-ind")
        list_shows(browser, [])
    finally:
        context.__exit__(None, None, None)
    alice = owner_key("header", "alice@kommune.dk")
    assert [s.title for s in store.recent(alice)] == ["Hvad er social kapital?"]


# --- sign-in with an OIDC provider ---------------------------------------------------------

USERS = {
    "anne": {"email": "anne@kommune.dk", "email_verified": True, "name": "Anne Hansen"},
    "mette": {"email": "mette@kommune.dk", "name": "Mette Holm", "roles": ["maintainer"]},
}


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock on a free port of 127.0.0.1, with two users to sign in as."""
    from oidc_provider_mock import User, app
    from werkzeug.serving import make_server

    server = make_server(
        "127.0.0.1",
        0,
        app(user_claims=[User(sub=s, claims=c) for s, c in USERS.items()]),
        threaded=True,
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def signed_in_page(real_index, data, provider):
    port = free_port()
    secrets = data / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef"\n'
        'client_id = "tillidsguiden"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    db = data / "oidc.sqlite"
    with streamlit_app(
        real_index.data_dir,
        data / "oidc.log",
        cache_dir=real_index.cache_dir,
        settings={"TILLID_DATABASE_URL": f"sqlite:///{db}", "TILLID_REQUIRE_SIGN_IN": "1"},
        port=port,
        options={"secrets.files": str(secrets)},
    ) as url:
        yield url, ChatStore(f"sqlite:///{db}")


def sign_in(driver, url: str, subject: str) -> ChatPage:
    """Open the page, click "Log ind", choose the user on the provider's form, come back."""
    from selenium.webdriver.support import expected_conditions as ec

    driver.get(url)
    text_in_main(driver, "Log ind med din arbejdskonto")
    assert not driver.find_elements(by().CSS_SELECTOR, "[data-testid=stChatInputTextArea]")
    real_click(driver, (by().XPATH, "//button[contains(., 'Log ind')]"))
    wait_for(driver, ec.element_to_be_clickable((by().XPATH, f"//button[@value='{subject}']")))
    driver.find_element(by().XPATH, f"//button[@value='{subject}']").click()
    page = ChatPage(driver, url)
    wait_for(
        driver,
        ec.element_to_be_clickable((by().CSS_SELECTOR, "[data-testid=stChatInputTextArea]")),
    )
    return page


def test_two_users_signed_in_through_the_provider_each_see_only_their_own(
    signed_in_page, provider, tmp_path
):
    url, store = signed_in_page
    contexts = [browser_at(tmp_path, n) for n in ("anne-1", "mette", "anne-2")]
    (_, anne), (_, mette), (_, anne_again) = contexts
    try:
        sign_in(anne, url, "anne").ask("Hvad er social kapital?")
        sidebar_says(anne, "Logget ind som Anne Hansen (leder)")
        list_shows(anne, ["Hvad er social kapital?"])
        sign_in(mette, url, "mette").ask("Hvad er udfordringsretten?")
        sidebar_says(mette, "Logget ind som Mette Holm (vedligeholder)")  # from her roles claim
        list_shows(mette, ["Hvad er udfordringsretten?"])
        # Anne on another machine: her subject, not her browser, owns the conversation.
        sign_in(anne_again, url, "anne")
        list_shows(anne_again, ["Hvad er social kapital?"])
    finally:
        for context, _ in contexts:
            context.__exit__(None, None, None)
    anne_key = owner_key("oidc", f"{provider}|anne")  # the provider's issuer and subject
    assert [s.title for s in store.recent(anne_key)] == ["Hvad er social kapital?"]
