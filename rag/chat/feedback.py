"""What a chat session leaves behind: feedback on answers, durable on disk."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rag.documents import Answer

_LOCK = threading.Lock()


@dataclass
class FeedbackStore:
    """Append-only JSONL under the data directory: one line per rating, never rewritten."""

    path: Path

    def record(self, answer: Answer, rating: str, comment: str = "") -> dict:
        if rating not in ("up", "down"):
            raise ValueError(f"Ukendt vurdering {rating!r}")
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "rating": rating,
            "comment": comment.strip()[:2000],
            "question": answer.question,
            "standalone": answer.standalone,
            "answer": answer.text,
            "mode": answer.mode,
            "refused": answer.refused,
            "sources": [c.to_dict() for c in answer.citations],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with _LOCK, self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
        return entry

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
