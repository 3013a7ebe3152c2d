"""Failures of the disk in one Danish line: full, read-only, or something else.

Writing the index, the vector cache and feedback can all fail for the same few reasons, and a
manager needs the reason and the reassurance, not a traceback from SQLite or Chroma. Every writer
writes beside what it replaces and swaps at the end, so the sentence can always promise that
nothing already stored was lost.
"""

from __future__ import annotations

import errno

FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
NOTHING_LOST = "Intet af det, der allerede var gemt, er gået tabt."


def failure_kind(exc: BaseException) -> str:
    """ "full", "read-only" or "other", from the errno or, for SQLite and Chroma, the message."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        code = getattr(exc, "errno", None)
        text = str(exc).lower()
        if code in FULL or "disk is full" in text or "no space left" in text:
            return "full"
        if code in READ_ONLY or "readonly" in text or "read-only" in text:
            return "read-only"
        exc = exc.__cause__ or exc.__context__
    return "other"


def storage_problem(exc: BaseException, what: str) -> str:
    """One Danish sentence pair: why `what` (e.g. "Indekset") could not be written, and that
    nothing stored was lost."""
    kind = failure_kind(exc)
    if kind == "full":
        reason = f"{what} kunne ikke gemmes, fordi disken er fuld. Frigør plads og prøv igen."
    elif kind == "read-only":
        reason = f"{what} kunne ikke gemmes, fordi datamappen er skrivebeskyttet."
    else:
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        reason = f"{what} kunne ikke gemmes ({detail})."
    return f"{reason} {NOTHING_LOST}"
