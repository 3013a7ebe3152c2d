"""Who is this, and what may they do: the one place the pages ask.

Three ways to know a user, tried in this order:

1. **Sign-in (OIDC)** with Streamlit's own `st.login` / `st.user`, when `.streamlit/secrets.toml`
   has an `[auth]` section (Entra ID, Keycloak, Google, a municipality's own provider). The
   provider's issuer and stable subject id own the conversations; until signed in, the page asks
   to sign in and shows nothing else.
2. **A proxy's header**, only on purpose: `TILLID_TRUSTED_USER_HEADER` names it, and it counts
   only from an address in `TILLID_TRUSTED_PROXIES` or with the shared secret the proxy adds
   (`TILLID_TRUSTED_PROXY_SECRET`). Otherwise the header is ignored like any other.
3. **The browser itself** (a laptop, a course room): a random key kept in a cookie owns that
   browser's conversations, so no browser ever sees another's.

Roles rise manager < trainer < maintainer; each may what the one before may. They come from the
sign-in's role or group claims or the lists in settings (`TILLID_MAINTAINERS`,
`TILLID_TRAINERS`), and on a laptop without sign-in the person at the machine itself is the
maintainer. A page asks `current_user()` and `user.may("maintainer")`, or calls
`require("maintainer")` at its top, which stops the run for anyone else: the check is on the
server, hiding a link is not the protection.

Owner keys are hashes (no e-mail address or name is stored with a conversation); the audit
trail (rag/chat/audit.py) logs a shorter hash of them and never a name, address or question.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass, field

import streamlit as st

from rag.chat import audit
from rag.config import Settings

ROLES = ("manager", "trainer", "maintainer")
ROLE_NAMES = {"manager": "leder", "trainer": "underviser", "maintainer": "vedligeholder"}
COOKIE = "tillid_browser"
_KEY = re.compile(r"[A-Za-z0-9_-]{24,64}")


@dataclass(frozen=True)
class User:
    """The user of this session: `key` owns conversations and ratings (opaque, no personal
    data); `via` is how they were known (oidc, header, browser); `name` is for the sidebar only."""

    key: str
    role: str
    via: str
    name: str = ""
    why: str = field(default="default", compare=False)  # what decided the role (for the log)

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def owner_key(kind: str, value: str) -> str:
    return f"{kind}-" + hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]


def _names(text: str) -> set[str]:
    return {p.strip().lower() for p in text.split(",") if p.strip()}


def role_for(labels: set[str], s: Settings, at_the_machine: bool = False) -> tuple[str, str]:
    """(role, why) for a user known by `labels` (claim values, groups, user names); a user
    without labels at the machine itself, with no sign-in, is its maintainer."""
    labels = {x.lower() for x in labels}
    if labels & _names(s.maintainers):
        return "maintainer", "list"
    if labels & _names(s.trainers):
        return "trainer", "list"
    if at_the_machine and s.local_maintainer:
        return "maintainer", "local"
    return "manager", "default"


def claim_labels(claims: dict, s: Settings) -> set[str]:
    """What a signed-in user can be named by in the role lists: subject id, user name, a
    verified e-mail address, and the values of the role and group claims."""
    labels = {str(claims.get(k)) for k in ("sub", "preferred_username") if claims.get(k)}
    if claims.get("email") and claims.get("email_verified") is not False:
        labels.add(str(claims["email"]))
    for claim in _names(s.role_claims):
        value = claims.get(claim)
        values = value if isinstance(value, list | tuple) else str(value or "").split(",")
        labels |= {str(v).strip() for v in values if str(v).strip()}
    return labels


def _trusted_proxy(ip: str | None, s: Settings) -> bool:
    """Whether the connection comes from a configured proxy address; None is this machine."""
    address = ipaddress.ip_address(ip or "127.0.0.1")
    for entry in _names(s.trusted_proxies):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def header_user(headers, ip: str | None, s: Settings) -> tuple[str, set[str]] | None:
    """(user name, groups) from the trusted header, or None when it must be ignored: not
    configured, absent, or not from the configured proxy."""
    if not s.trusted_user_header:
        return None
    value = (headers.get(s.trusted_user_header) or "").strip()[:200]
    if not value:
        return None
    secret = headers.get(s.trusted_proxy_secret_header) or ""
    by_secret = bool(s.trusted_proxy_secret) and hmac.compare_digest(
        secret.encode(), s.trusted_proxy_secret.encode()
    )
    if not (by_secret or _trusted_proxy(ip, s)):
        return None
    groups = set()
    if s.trusted_groups_header:
        groups = _names(headers.get(s.trusted_groups_header) or "")
    return value, groups


# --- the session's user -------------------------------------------------------------------


def sign_in_configured() -> bool:
    """True when secrets.toml has an [auth] section (Streamlit then adds is_logged_in)."""
    return "is_logged_in" in st.user.to_dict()


def current_user(s: Settings | None = None) -> User | None:
    """This session's user; None when the page must ask to sign in first."""
    s = s or Settings.load()
    claims = st.user.to_dict()
    if claims.get("is_logged_in"):
        labels = claim_labels(claims, s)
        role, why = role_for(labels, s)
        subject = f"{claims.get('iss', '')}|{claims.get('sub', '')}"
        name = str(claims.get("name") or claims.get("email") or "")
        return _known(User(owner_key("oidc", subject), role, "oidc", name, why))
    from_proxy = header_user(_Strings(st.context.headers), _ip(), s)
    if from_proxy:
        name, groups = from_proxy
        role, why = role_for({name} | groups, s)
        return _known(User(owner_key("header", name), role, "header", name, why))
    if "is_logged_in" in claims or s.require_sign_in:
        return None
    # st.context.ip_address is None for a connection from this machine itself.
    role, why = role_for(set(), s, at_the_machine=_ip() is None)
    return _known(User(owner_key("browser", browser_key()), role, "browser", "", why))


class _Strings:
    """Headers or cookies of the session's request, read as text ("" when absent or not text,
    as under AppTest, which has no request)."""

    def __init__(self, mapping) -> None:
        self.mapping = mapping

    def get(self, name: str) -> str:
        value = self.mapping.get(name)
        return value if isinstance(value, str) else ""


def _ip() -> str | None:
    """The connection's address; None for this machine itself (Streamlit's own rule)."""
    ip = st.context.ip_address
    return ip if isinstance(ip, str) else None


def _known(user: User) -> User:
    """Log a session's sign-in and role decision once."""
    if st.session_state.get("_audited") != user.key:
        st.session_state["_audited"] = user.key
        audit.log("sign_in", user, why=user.why)
    return user


def require(role: str) -> User:
    """The current user if they may act as `role`; otherwise one Danish line and the run
    stops here (a page's first line: `user = identity.require("maintainer")`)."""
    user = current_user()
    if user is None or not user.may(role):
        if user is not None:
            audit.log("denied", user, needs=role)
        st.error(f"Denne side er kun for {ROLE_NAMES[role]}e.")
        st.stop()
    return user


def browser_key() -> str:
    """This browser's key: from its cookie, else a new one for this session (the cookie is
    written by `remember_browser`)."""
    key = _Strings(st.context.cookies).get(COOKIE)
    if _KEY.fullmatch(key):
        return key
    return st.session_state.setdefault("_browser_key", secrets.token_urlsafe(24))


def remember_browser(user: User, s: Settings) -> None:
    """Write the browser's key into its cookie, once a session, when it is not there yet; the
    cookie lasts as long as the conversations it owns are kept."""
    if user.via != "browser" or st.session_state.get("_cookie_written"):
        return
    key = browser_key()
    if _Strings(st.context.cookies).get(COOKIE) == key:
        return
    st.session_state["_cookie_written"] = True
    days = max(1, s.retention_days)
    st.html(
        "<script>document.cookie = '"
        f"{COOKIE}={key}; Path=/; Max-Age={days * 86400}; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def sign_in_page(s: Settings) -> None:
    """All a visitor sees before signing in."""
    st.title("Tillidsguiden")
    if not sign_in_configured() and s.trusted_user_header:
        st.error(
            "Tillidsguiden kræver log-ind gennem jeres organisations log-ind-tjeneste. "
            "Åbn den fra den adresse, I har fået oplyst."
        )
        return
    if not sign_in_configured():
        st.error(
            "Tillidsguiden kræver log-ind (TILLID_REQUIRE_SIGN_IN), men der er ikke sat "
            "nogen log-ind-udbyder op. Bed jeres it-afdeling om at sætte det op."
        )
        return
    st.write("Log ind med din arbejdskonto for at stille spørgsmål og se dine samtaler.")
    if st.button("Log ind", type="primary", icon=":material/login:"):
        st.login(s.oidc_provider or None)


def sidebar(user: User) -> None:
    """Who is signed in, and a way out; for a browser, that its conversations stay in it."""
    role = ROLE_NAMES[user.role]
    if user.via == "browser":
        st.sidebar.caption(
            f"Uden log-ind: samtalerne hører til denne browser ({role}). "
            "Andre browsere kan ikke se dem."
        )
        return
    st.sidebar.caption(f"Logget ind som {user.name or 'dig'} ({role}).")
    if user.via == "oidc" and st.sidebar.button("Log ud", icon=":material/logout:"):
        audit.log("sign_out", user)
        st.logout()
