"""The audit trail: sign-ins, role decisions, shares opened, deletions and refused actions, one
JSON object per line on the server's log (logger "tillidsguiden.audit").

What a line may hold is fixed here: the event, a short hash of the user's owner key and of the
conversation or answer it concerns, the role, how the user was known, and a few words of
reason. Never a question, a title, a name, an e-mail or an IP address: the trail can be kept and
read without it becoming a record of personal data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time

_log = logging.getLogger("tillidsguiden.audit")
if not _log.handlers:  # the server's stderr, whatever the host configures for the root logger
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)

# Only these words may follow the fixed fields (values are checked to be short plain words).
FIELDS = ("why", "needs", "outcome")


def tag(value: str) -> str:
    """A short hash that tells lines about the same thing apart without naming it."""
    return hashlib.sha256(value.encode()).hexdigest()[:12] if value else ""


def log(event: str, user, conversation: str = "", answer: str = "", **extra: str) -> dict:
    """Write one audit line; returns it (as a dict) for tests."""
    line = {
        "audit": event,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "user": tag(user.key),
        "role": user.role,
        "via": user.via,
    }
    if conversation:
        line["conversation"] = tag(conversation)
    if answer:
        line["answer"] = tag(answer)
    for name in FIELDS:
        value = str(extra.get(name, ""))
        if value and value.replace("_", "").isalpha() and len(value) <= 20:
            line[name] = value
    _log.info(json.dumps(line, ensure_ascii=False))
    return line
