"""Who the user is and what they may do (rag/chat/identity.py), and what links may do
(rag/chat/links.py), driven by Streamlit's AppTest with `st.user` faked as a sign-in would fill
it. Headers and cookies need a real server: tests/test_sign_in.py has those in a browser."""

from __future__ import annotations

import json
import logging

import pytest
from streamlit.testing.v1 import AppTest

from rag.chat.identity import claim_labels, header_user, role_for
from rag.chat.store import ChatStore
from rag.config import PROJECT_ROOT, Settings

APP = str(PROJECT_ROOT / "app.py")
ANNE = {
    "is_logged_in": True,
    "iss": "https://login.kommune.dk",
    "sub": "a7f3-anne",
    "name": "Anne Hansen",
    "email": "anne@kommune.dk",
}
METTE = {**ANNE, "sub": "c91e-mette", "name": "Mette Holm", "email": "mette@kommune.dk"}


@pytest.fixture
def env(real_index, monkeypatch, tmp_path):
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    monkeypatch.setenv("TILLID_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.sqlite'}")
    for name in ("TILLID_LLM", "TILLID_RETENTION_DAYS", "TILLID_REQUIRE_SIGN_IN"):
        monkeypatch.delenv(name, raising=False)
    return ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite'}")


def session(user: dict | None = None, query: dict | None = None, app: str = APP) -> AppTest:
    """A new browser session (signed in as `user`), with the URL's query."""
    at = AppTest.from_file(app, default_timeout=120)
    if user is not None:
        at.user = user
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception
    return at


def listed(at: AppTest) -> list[str]:
    return [b.label for b in at.sidebar.button if b.key and b.key.startswith("open-")]


# --- roles ---------------------------------------------------------------------------------


def test_roles_come_from_the_sign_ins_claims_or_the_lists_in_settings():
    s = Settings.load(env={"TILLID_TRAINERS": "trainer, kursus-undervisere"})
    claims = {**ANNE, "roles": ["maintainer"], "groups": "kursus-undervisere"}
    assert role_for(claim_labels(claims, s), s) == ("maintainer", "list")
    assert role_for(claim_labels({**ANNE, "groups": ["Kursus-Undervisere"]}, s), s)[0] == "trainer"
    assert role_for(claim_labels(ANNE, s), s) == ("manager", "default")
    by_mail = Settings.load(env={"TILLID_MAINTAINERS": "anne@kommune.dk"})
    assert role_for(claim_labels(ANNE, by_mail), by_mail)[0] == "maintainer"
    unverified = {**ANNE, "email_verified": False}  # an address nobody checked names no one
    assert role_for(claim_labels(unverified, by_mail), by_mail)[0] == "manager"


def test_without_sign_in_only_the_person_at_the_machine_is_its_maintainer():
    s = Settings.load(env={})
    assert role_for(set(), s, at_the_machine=True) == ("maintainer", "local")
    assert role_for(set(), s, at_the_machine=False) == ("manager", "default")
    off = Settings.load(env={"TILLID_LOCAL_MAINTAINER": "0"})
    assert role_for(set(), off, at_the_machine=True)[0] == "manager"


def test_a_users_header_counts_only_when_configured_and_from_the_proxy():
    forged = {"X-Forwarded-User": "alice@kommune.dk", "X-Forwarded-Groups": "maintainer"}
    assert header_user(forged, "192.0.2.7", Settings.load(env={})) is None  # not configured
    named = {"TILLID_TRUSTED_USER_HEADER": "X-Forwarded-User"}
    assert header_user(forged, None, Settings.load(env=named)) is None  # no proxy named
    proxied = Settings.load(
        env={
            **named,
            "TILLID_TRUSTED_PROXIES": "10.0.0.0/8",
            "TILLID_TRUSTED_GROUPS_HEADER": "X-Forwarded-Groups",
        }
    )
    assert header_user(forged, "10.4.0.2", proxied) == ("alice@kommune.dk", {"maintainer"})
    assert header_user(forged, "192.0.2.7", proxied) is None  # straight from a client
    assert header_user(forged, None, proxied) is None  # nor from this machine
    secret = Settings.load(env={**named, "TILLID_TRUSTED_PROXY_SECRET": "s3hemmelig"})
    assert header_user(forged, "192.0.2.7", secret) is None
    signed = {**forged, "X-Tillid-Proxy-Secret": "s3hemmelig"}
    assert header_user(signed, "192.0.2.7", secret)[0] == "alice@kommune.dk"
    assert header_user({**signed, "X-Tillid-Proxy-Secret": "gæt"}, "192.0.2.7", secret) is None


def test_a_signed_in_manager_cannot_rebuild_the_index_a_maintainer_can(tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "tom"))
    manager = session(ANNE)
    assert "ikke indlæst" in manager.warning[0].value
    assert [b.label for b in manager.main.button] == []
    assert "Bed en vedligeholder" in manager.caption[0].value
    maintainer = session({**ANNE, "roles": ["maintainer"]})
    assert [b.label for b in maintainer.main.button] == ["Indlæs materialet nu"]


def test_a_maintainers_page_stops_for_anyone_else_on_the_server(env):
    script = (
        "from rag.chat import identity\n"
        "import streamlit as st\n"
        "identity.require('maintainer')\n"
        "st.markdown('Kun for vedligeholdere')\n"
    )

    def run(user: dict) -> AppTest:
        at = AppTest.from_string(script, default_timeout=60)
        at.user = user
        return at.run()

    manager = run(ANNE)
    assert manager.error[0].value == "Denne side er kun for vedligeholdere."
    assert not manager.markdown
    assert run({**ANNE, "roles": ["maintainer"]}).markdown[0].value == "Kun for vedligeholdere"


def test_with_sign_in_set_up_a_visitor_sees_only_the_sign_in(env):
    at = session({"is_logged_in": False})  # Streamlit's st.user with an [auth] section
    assert [b.label for b in at.button] == ["Log ind"]
    assert not at.chat_input and not listed(at)


def test_sign_in_required_but_not_set_up_says_so_and_shows_nothing_else(env, monkeypatch):
    monkeypatch.setenv("TILLID_REQUIRE_SIGN_IN", "1")
    at = session()
    assert "ikke sat nogen log-ind-udbyder op" in at.error[0].value
    assert not at.chat_input and not at.button
    monkeypatch.setenv("TILLID_TRUSTED_USER_HEADER", "X-Forwarded-User")
    bypassed = session()  # a header setup, reached without the proxy: no header counts
    assert "organisations log-ind-tjeneste" in bypassed.error[0].value
    assert not bypassed.chat_input


# --- links ---------------------------------------------------------------------------------


def test_another_users_conversation_link_opens_read_only_and_goes_on_as_a_copy(env):
    anne = ask(session(ANNE), "Hvad er social kapital?")
    cid = anne.query_params["samtale"]
    mette = session(METTE, {"samtale": cid})
    assert not mette.chat_input  # nothing can be added to Anne's conversation
    assert "delt med dig" in " ".join(m.value for m in mette.markdown)
    assert listed(mette) == []  # and it is not in Mette's list
    mette.button(key="continue-copy").click().run()
    copy = mette.query_params["samtale"]
    assert copy != cid and mette.chat_input
    ask(mette, "Giv mig et eksempel på det")
    assert [a.question for _, a in env.conversation(copy).answers] == [
        "Hvad er social kapital?",
        "Giv mig et eksempel på det",
    ]
    assert len(env.conversation(cid).answers) == 1  # Anne's is as she left it
    assert listed(mette) == ["Hvad er social kapital?"]
    again = session(ANNE, {"samtale": cid})  # the owner's own link: she goes on with it
    assert again.chat_input and listed(again) == ["Hvad er social kapital?"]


def test_a_visitors_thumb_on_a_shared_answer_is_the_visitors_own_rating(env):
    anne = ask(session(ANNE), "Hvad er udfordringsretten?")
    aid = anne.session_state["turns"][0][0]
    anne.feedback(key=f"thumbs-{aid}").set_value(1).run()
    anne.text_input(key=f"comment-{aid}").input("Meget brugbart svar").run()
    visitor = session(METTE, {"svar": aid})
    assert "Din vurdering af svaret er din egen" in " ".join(m.value for m in visitor.markdown)
    assert visitor.feedback(key=f"thumbs-{aid}").value is None  # Anne's thumb is not shown
    visitor.feedback(key=f"thumbs-{aid}").set_value(0).run()
    by = {e["rater"]: (e["rating"], e["comment"]) for e in env.feedback()}
    assert sorted(by.values()) == [("down", ""), ("up", "Meget brugbart svar")]
    assert any(f"?svar={aid}" in m.value for m in anne.markdown)  # the link to copy
    assert any("ikke resten af samtalen" in c.value for c in anne.caption)  # what it shows


def test_the_audit_trail_has_sign_ins_shares_and_deletions_without_text_or_names(env, caplog):
    caplog.set_level(logging.INFO, logger="tillidsguiden.audit")
    anne = ask(session({**ANNE, "roles": ["maintainer"]}), "Min kollega Søren Nielsen er syg")
    aid = anne.session_state["turns"][0][0]
    cid = anne.query_params["samtale"]
    session(METTE, {"svar": aid})
    session(METTE, {"samtale": cid})
    anne.sidebar.button(key=f"del-{cid}").click().run()
    anne.sidebar.button(key=f"del-yes-{cid}").click().run()
    lines = [json.loads(r.message) for r in caplog.records if r.name == "tillidsguiden.audit"]
    events = [(x["audit"], x["role"], x.get("why") or x.get("outcome")) for x in lines]
    assert ("sign_in", "maintainer", "list") in events and (
        "sign_in",
        "manager",
        "default",
    ) in events
    assert ("link_opened", "manager", "read_only") in events
    assert ("delete", "maintainer", "deleted") in events
    assert any(x["audit"] == "share_opened" for x in lines)
    text = " ".join(r.message for r in caplog.records if r.name == "tillidsguiden.audit")
    for private in ("Søren", "Nielsen", "syg", "Anne", "anne@", "a7f3", "kommune", cid, aid):
        assert private not in text
