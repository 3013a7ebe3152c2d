"""Conversations and feedback in one database, so a reload, a bookmark or a shared link opens a
conversation again and every rating is kept beside the answer it rates.

SQLite under the data folder by default (nothing to install or start); any SQLAlchemy URL
(`TILLID_DATABASE_URL`, e.g. postgresql+psycopg://…) when an organisation runs several page
processes against one server. The schema is created on open. What is stored is what the page
showed: the question with personal data already replaced, the answer and its sources; comments
are redacted here. Records older than the retention period are purged on open and daily after;
with `retention_days` 0 the page opens no store at all.

Every write either lands whole or raises `StorageError` with one Danish line (full disk,
read-only folder, server gone): what was stored before is never touched by a failed write.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rag.config import Settings
from rag.documents import Answer
from rag.privacy import redact
from rag.storage import storage_problem

DAY = 24 * 3600
RATINGS = ("up", "down")

metadata = MetaData()
conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(200), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False, index=True),
)
answers = Table(
    "answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "conversation_id",
        String(32),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("turn", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Column("record", Text, nullable=False),  # Answer.record() as JSON
)
feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("conversation_id", String(32), nullable=False, index=True),
    Column("rating", String(8), nullable=False),
    Column("comment", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("refused", Integer, nullable=False),
    Column("sources", Text, nullable=False),  # JSON list of Citation.to_dict()
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False, index=True),
)


class StorageError(OSError):
    """A conversation or rating could not be stored or read; the message is one Danish line."""


@dataclass
class Summary:
    """A conversation as the sidebar lists it."""

    id: str
    title: str
    updated: float
    turns: int


@dataclass
class Conversation:
    id: str
    title: str
    created: float
    # (answer id, answer), in the order they were asked
    answers: list[tuple[str, Answer]] = field(default_factory=list)


def new_id() -> str:
    """An id that cannot be guessed from another (it is all a shared link needs)."""
    return secrets.token_urlsafe(12)


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / 'tillidsguiden.sqlite'}"


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:
        # Readers never wait for a writer (WAL); a deleted conversation takes its answers along.
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class ChatStore:
    """Conversations, their answers and the ratings of those answers."""

    def __init__(self, url: str, retention_days: int = 90) -> None:
        self.url = url
        self.retention_days = retention_days
        self._purged = 0.0
        try:
            self.engine = _engine(url)
            metadata.create_all(self.engine)
        except (OSError, SQLAlchemyError) as exc:
            raise StorageError(storage_problem(exc, "Samtalerne")) from exc
        self.purge_if_due()

    @classmethod
    def open(cls, settings: Settings) -> ChatStore | None:
        """The store the settings name; None when nothing may be stored (retention 0)."""
        if settings.retention_days <= 0:
            return None
        return cls(database_url(settings), settings.retention_days)

    def _write(self, what: str, statements) -> None:
        try:
            with self.engine.begin() as db:
                for statement in statements:
                    db.execute(statement)
        except SQLAlchemyError as exc:
            raise StorageError(storage_problem(exc, what)) from exc

    def _read(self, statement) -> list:
        try:
            with self.engine.connect() as db:
                return list(db.execute(statement))
        except SQLAlchemyError as exc:
            raise StorageError(f"Samtalerne kunne ikke læses ({type(exc).__name__}).") from exc

    # --- conversations -----------------------------------------------------------------

    def start(self, owner: str, title: str) -> str:
        """A new conversation, titled by its first question; returns its id."""
        now, cid = time.time(), new_id()
        row = {"id": cid, "owner": owner, "title": title[:200], "created": now, "updated": now}
        self._write("Samtalen", [insert(conversations).values(**row)])
        return cid

    def add(self, conversation_id: str, answer: Answer, turn: int | None = None) -> str:
        """Store one answer at the end of a conversation (its `turn`, when the caller knows
        it); returns the answer's id."""
        self.purge_if_due()
        now, aid = time.time(), new_id()
        if turn is None:
            query = select(answers.c.id).where(answers.c.conversation_id == conversation_id)
            turn = len(self._read(query))
        record = json.dumps(answer.record(), ensure_ascii=False)
        self._write(
            "Svaret",
            [
                insert(answers).values(
                    id=aid,
                    conversation_id=conversation_id,
                    turn=turn,
                    created=now,
                    record=record,
                ),
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(updated=now),
            ],
        )
        return aid

    def conversation(self, conversation_id: str) -> Conversation | None:
        rows = self._read(select(conversations).where(conversations.c.id == conversation_id))
        if not rows:
            return None
        head = rows[0]
        stored = self._read(
            select(answers.c.id, answers.c.record)
            .where(answers.c.conversation_id == conversation_id)
            .order_by(answers.c.turn)
        )
        return Conversation(
            head.id,
            head.title,
            head.created,
            [(r.id, Answer.from_record(json.loads(r.record))) for r in stored],
        )

    def recent(self, owner: str, limit: int = 20) -> list[Summary]:
        """The owner's conversations, the most recently used first."""
        rows = self._read(
            select(conversations)
            .where(conversations.c.owner == owner)
            .order_by(conversations.c.updated.desc())
            .limit(limit)
        )
        counts = {}
        if rows:
            ids = [r.id for r in rows]
            for r in self._read(
                select(answers.c.conversation_id).where(answers.c.conversation_id.in_(ids))
            ):
                counts[r.conversation_id] = counts.get(r.conversation_id, 0) + 1
        return [Summary(r.id, r.title, r.updated, counts.get(r.id, 0)) for r in rows]

    def delete(self, conversation_id: str) -> None:
        """The conversation, its answers and their ratings are gone."""
        self._write(
            "Sletningen",
            [
                delete(feedback).where(feedback.c.conversation_id == conversation_id),
                delete(answers).where(answers.c.conversation_id == conversation_id),
                delete(conversations).where(conversations.c.id == conversation_id),
            ],
        )

    def answer(self, answer_id: str) -> tuple[str, Answer] | None:
        """A shared answer: (its conversation's id, the answer), or None."""
        rows = self._read(
            select(answers.c.conversation_id, answers.c.record).where(answers.c.id == answer_id)
        )
        if not rows:
            return None
        return rows[0].conversation_id, Answer.from_record(json.loads(rows[0].record))

    # --- feedback ----------------------------------------------------------------------

    def rate(self, answer_id: str, rating: str) -> None:
        """Store a thumb at once (question, answer, sources, mode, time); a second thumb on the
        same answer replaces the first and keeps the comment."""
        if rating not in RATINGS:
            raise ValueError(f"Ukendt vurdering {rating!r}")
        found = self.answer(answer_id)
        if found is None:
            raise KeyError(answer_id)
        conversation_id, answer = found
        now = time.time()
        if self._read(select(feedback.c.answer_id).where(feedback.c.answer_id == answer_id)):
            statement = (
                update(feedback)
                .where(feedback.c.answer_id == answer_id)
                .values(rating=rating, updated=now)
            )
        else:
            statement = insert(feedback).values(
                answer_id=answer_id,
                conversation_id=conversation_id,
                rating=rating,
                comment="",
                question=answer.question,
                answer=answer.text,
                mode=answer.mode,
                refused=int(answer.refused),
                sources=json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False),
                created=now,
                updated=now,
            )
        self._write("Vurderingen", [statement])

    def comment(self, answer_id: str, text: str) -> None:
        """Add or replace the comment of a rated answer (personal data replaced first)."""
        clean = redact(text.strip()[:2000]).text
        self._write(
            "Kommentaren",
            [
                update(feedback)
                .where(feedback.c.answer_id == answer_id)
                .values(comment=clean, updated=time.time())
            ],
        )

    def rating(self, answer_id: str) -> dict | None:
        rows = self._read(select(feedback).where(feedback.c.answer_id == answer_id))
        return _feedback_dict(rows[0]) if rows else None

    def feedback(self) -> list[dict]:
        """Every rating, oldest first, as the maintainers read them."""
        rows = self._read(select(feedback).order_by(feedback.c.created))
        return [_feedback_dict(r) for r in rows]

    # --- retention ---------------------------------------------------------------------

    def purge_if_due(self) -> int:
        if time.time() - self._purged < DAY:
            return 0
        try:
            return self.purge()
        except StorageError:
            return 0  # a full disk must not stop the page; tried again within a day

    def purge(self, now: float | None = None) -> int:
        """Remove conversations unused and ratings unchanged for the retention period."""
        self._purged = now = now or time.time()
        cutoff = now - self.retention_days * DAY
        unused = select(conversations.c.id).where(conversations.c.updated < cutoff)
        old = [r.id for r in self._read(unused)]
        statements = [delete(feedback).where(feedback.c.updated < cutoff)]
        if old:
            statements += [
                delete(answers).where(answers.c.conversation_id.in_(old)),
                delete(conversations).where(conversations.c.id.in_(old)),
            ]
        self._write("Oprydningen", statements)
        return len(old)


def _feedback_dict(row) -> dict:
    d = dict(row._mapping)
    d["sources"] = json.loads(d["sources"])
    d["refused"] = bool(d["refused"])
    d["time"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(d["created"]))
    return d


def storage_notice(retention_days: int) -> str:
    """One sentence for the page on what is kept and for how long."""
    if retention_days <= 0:
        return "Intet af det, du skriver, gemmes – heller ikke samtalerne."
    return (
        f"Samtaler og vurderinger gemmes i {retention_days} dage uden personoplysninger "
        "(CPR-numre, e-mails, telefonnumre og navne fjernes, før noget gemmes)."
    )
