"""What a chat session leaves behind: feedback on answers, durable on disk, without personal
data and only for as long as the settings say.

One JSON object a line. A line is written with every line separator escaped (json.dumps keeps
U+2028 raw, and a reader that splits on it would break the record), read back line by line
on "\n" only, and a damaged line is skipped, never fatal. Records older than the retention
period are purged when the store opens and at most once a day after that.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import Answer
from rag.privacy import redact
from rag.storage import storage_problem

_LOCK = threading.Lock()
DAY = 24 * 3600


class StorageError(OSError):
    """The feedback could not be written (disk full, read-only folder); message in Danish."""


def json_line(entry: dict) -> str:
    """One record as one line: U+2028/U+2029 escaped, so no reader can split it."""
    text = json.dumps(entry, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


@dataclass
class FeedbackStore:
    """Append-only JSONL under the data directory: one line per rating."""

    path: Path
    retention_days: int = 90  # 0: keep nothing at all
    _purged: float = field(default=0.0, repr=False)

    @property
    def keeps(self) -> bool:
        return self.retention_days > 0

    def record(self, answer: Answer, rating: str, comment: str = "") -> dict:
        """Store a rating with the (already redacted) question, answer and sources; the comment
        is redacted here. Nothing is written when the store keeps nothing."""
        if rating not in ("up", "down"):
            raise ValueError(f"Ukendt vurdering {rating!r}")
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "epoch": int(time.time()),
            "rating": rating,
            "comment": redact(comment.strip()[:2000]).text,
            "question": redact(answer.question).text,
            "standalone": redact(answer.standalone).text,
            "answer": answer.text,
            "mode": answer.mode,
            "refused": answer.refused,
            "sources": [c.to_dict() for c in answer.citations],
        }
        if not self.keeps:
            return entry
        self.purge_if_due()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _LOCK, self.path.open("a", encoding="utf-8") as f:
                f.write(json_line(entry))
                f.flush()
        except OSError as exc:
            raise StorageError(storage_problem(exc, "Vurderingen")) from exc
        return entry

    def entries(self) -> list[dict]:
        """Every readable record, oldest first (a damaged line is skipped)."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def purge_if_due(self) -> int:
        if time.time() - self._purged < DAY:
            return 0
        return self.purge()

    def purge(self, now: float | None = None) -> int:
        """Drop records older than the retention period; the file is replaced atomically."""
        self._purged = now = now or time.time()
        if not self.path.exists():
            return 0
        if not self.keeps:
            self.path.unlink()
            return 1
        with _LOCK:  # no append may land between reading and replacing the file
            keep, dropped = [], 0
            for entry in self.entries():
                if now - entry.get("epoch", now) > self.retention_days * DAY:
                    dropped += 1
                else:
                    keep.append(entry)
            if dropped:
                tmp = self.path.with_suffix(f".tmp{os.getpid()}")
                try:
                    tmp.write_text("".join(json_line(e) for e in keep), encoding="utf-8")
                    os.replace(tmp, self.path)
                except OSError as exc:
                    tmp.unlink(missing_ok=True)
                    raise StorageError(storage_problem(exc, "Oprydningen")) from exc
        return dropped


def storage_notice(retention_days: int) -> str:
    """One sentence for the page on what is kept and for how long."""
    if retention_days <= 0:
        return "Intet af det, du skriver, gemmes."
    return (
        f"Vurderinger gemmes i {retention_days} dage uden personoplysninger (CPR-numre, "
        "e-mails, telefonnumre og navne fjernes, før noget gemmes)."
    )
