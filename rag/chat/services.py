"""Whether the services behind the pages answer right now, and what the pages say when one does
not. A page goes on without them: answers are given while the database is down (they are just
not saved) and while the Chroma server is down (keywords alone, rag/search/retrieve.py).

Every page gets the store through `store` here, which hands out none while the database is
known not to answer (looked at again every `store_check_seconds`), so no page waits on a
stopped server or shows Streamlit's error page; links and thumbs say in Danish what happened.
`banners` puts one line per missing service on top of the page, drawn after the page so it
tells what this very run found; the technical reason (an address, a driver's message) only
under "Detaljer" for maintainers.
"""

from __future__ import annotations

import contextlib
import threading
import time

import streamlit as st

from rag.chat import identity, resources
from rag.chat.store import ChatStore
from rag.config import Settings

SAVE_BANNER = (
    "Samtaler og vurderinger kan ikke gemmes lige nu. Du får stadig svar, men de bliver ikke "
    "gemt, før det virker igen."
)
SEARCH_BANNER = (
    "Søgningen bruger lige nu kun nøgleord, fordi en af tjenesterne bag den ikke svarer. "
    "Svarene kan ramme lidt ved siden af; det retter sig selv, når tjenesten er tilbage."
)
NOT_KEPT = "Samtaler gemmes ikke her, så linket kan ikke åbnes."
UNSAVED_RATING = (
    "Din vurdering blev ikke gemt, fordi samtalerne ikke kan gemmes lige nu. Den gemmes, så "
    "snart det virker igen, hvis du bliver på siden."
)

# url -> (when, message, technical detail) of a store that could not be opened: not tried
# again on every call of a run (each would wait for the server), only after the pause.
_unopened: dict[str, tuple[float, str, str]] = {}
_lock = threading.Lock()


def store(s: Settings) -> tuple[ChatStore | None, str]:
    """The conversation store when it can be used right now; else None and why, in Danish
    (a setting, or a database that does not answer)."""
    opened, why, _ = _state(s)
    return opened, why


def saving_problem(s: Settings) -> tuple[str, str]:
    """(why, technical detail) when conversations cannot be saved right now; ("", "") when
    they can or are not kept at all (a setting, said elsewhere)."""
    if s.retention_days <= 0:
        return "", ""
    opened, why, detail = _state(s)
    return ("", "") if opened is not None else (why, detail)


def _state(s: Settings) -> tuple[ChatStore | None, str, str]:
    if s.retention_days <= 0:
        return resources.open_store(s)
    url = resources.store_url(s)
    with _lock:
        failed = _unopened.get(url)
    if failed and time.monotonic() - failed[0] < s.store_check_seconds:
        return None, failed[1], failed[2]
    opened, why, detail = resources.open_store(s)
    with _lock:
        if opened is None:
            _unopened[url] = (time.monotonic(), why, detail)
            return None, why, detail
        _unopened.pop(url, None)
    problem = opened.check(s.store_check_seconds)
    return (None, problem, opened.detail) if problem else (opened, "", "")


def link_unavailable(s: Settings, what: str) -> str:
    """Why a link to a conversation or an answer (`what`: "Samtalen", "Svaret") cannot be
    opened right now, and that it will work again."""
    if s.retention_days <= 0:
        return NOT_KEPT
    return (
        f"{what} kan ikke hentes lige nu, fordi samtalerne ikke kan nås. Linket virker igen, "
        "når de er tilbage: genindlæs siden om lidt."
    )


def search_problem(s: Settings) -> tuple[bool, str]:
    """(True, technical detail) while the search uses keywords alone."""
    with contextlib.suppress(Exception):  # no index yet: the page says so itself
        searcher = resources.assistant(s).searcher
        if searcher.keyword_only:
            where = f" (TILLID_CHROMA_URL={s.chroma_url})" if s.chroma_url else ""
            return True, f"{searcher.vectors_problem}{where}"
    return False, ""


def banner_slot():
    """The place on top of the page the banners go in (filled by `banners` at the end)."""
    return st.container(key="service-banners")


def banners(slot, s: Settings) -> None:
    """One warning per service that does not answer, in Danish; the technical reason under
    "Detaljer" for maintainers only."""
    found = []
    why, detail = saving_problem(s)
    if why:
        found.append((SAVE_BANNER, f"{why}\n{detail}".strip()))
    keyword_only, detail = search_problem(s)
    if keyword_only:
        found.append((SEARCH_BANNER, detail))
    if not found:
        return
    user = identity.current_user(s)
    maintainer = user is not None and user.may("maintainer")
    with slot:
        for text, detail in found:
            st.warning(text, icon=":material/cloud_off:")
            if maintainer and detail:
                with st.expander("Detaljer"):
                    st.code(detail, language=None)
