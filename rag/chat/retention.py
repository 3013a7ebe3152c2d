"""The retention period, kept by the page process itself rather than by its visitors: when the
process starts (`tillidsguiden serve`, which `make run`, the Dockerfile and the tests' page
processes use) the store is purged before the first page is served, and then once a day by a
background thread, whether or not anyone opens a page. A database that does not answer is
tried again within the hour; the page starts all the same.

What a purge removes is the store's to say (rag/chat/store.py: a conversation unused for the
retention period goes with its answers and every rating of them). The log lines say how many
conversations went, never what they held.
"""

from __future__ import annotations

import logging
import threading

from rag.chat.store import DAY, ChatStore, StorageError
from rag.config import Settings

log = logging.getLogger("tillidsguiden.retention")
# After a purge that failed (the database did not answer), the next try is this much later.
RETRY_SECONDS = 3600.0


def purge(settings: Settings, now: float | None = None) -> int:
    """Purge the store the settings name once (as at `now`, for tests); how many
    conversations went. StorageError when the database cannot be reached."""
    store = ChatStore.open(settings)
    if store is None:  # nothing is kept (retention 0)
        return 0
    with store:
        return store.purge(now)


class Purger:
    """Purges at start and then every `every` seconds until `stop`."""

    def __init__(self, settings: Settings, every: float = DAY, retry: float = RETRY_SECONDS):
        self.settings, self.every, self.retry = settings, every, retry
        self.runs = 0  # purges done, counted for tests and the log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Purger:
        """Purge now (before returning), then in the background."""
        wait = self._once()
        self._thread = threading.Thread(
            target=self._loop, args=(wait,), name="tillidsguiden-purge", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self, wait: float) -> None:
        while not self._stop.wait(wait):
            wait = self._once()

    def _once(self) -> float:
        """One purge; the seconds until the next."""
        try:
            gone = purge(self.settings)
        except StorageError as exc:
            log.warning("Oprydning ikke muligt nu (%s); prøver igen om en time.", exc)
            return self.retry
        self.runs += 1
        log.info(
            "Oprydning: %d samtaler ældre end %d dage slettet.", gone, self.settings.retention_days
        )
        return self.every


def start(settings: Settings) -> Purger | None:
    """The process's purger, started; None when nothing is kept (retention 0)."""
    if settings.retention_days <= 0:
        return None
    return Purger(settings).start()
