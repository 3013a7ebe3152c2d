"""Conversations and feedback in one database, so a reload, a bookmark or a shared link opens a
conversation again and every rating is kept beside the answer it rates.

SQLite under the data folder by default (nothing to install or start); any SQLAlchemy URL
(`TILLID_DATABASE_URL`, e.g. postgresql+psycopg://…) when an organisation runs several page
processes against one server. The schema is created on open. What is stored is what the page
showed: the question with personal data already replaced, the answer and its sources; comments
are redacted here. Records older than the retention period are purged on open and daily after
(rag/chat/retention.py also purges when a page process starts); a purged or deleted
conversation takes its answers and every rating of them along, and SQLite overwrites what it
deletes (`secure_delete`, the write-ahead log truncated), so nothing typed stays in a file.
With `retention_days` 0 the page opens no store at all.

Every write either lands whole or raises `StorageError` with one Danish line (full disk,
read-only folder, server gone): what was stored before is never touched by a failed write. The
store remembers whether its last operations worked (`problem`, `detail`) and `check` looks
again now and then, so the pages can say that nothing can be saved right now, and stop saying
it once the database is back (rag/chat/services.py).

Ownership is the store's own rule, not only the page's: a conversation is listed for, added to
and deleted by its owner only (`NotYours` otherwise); anyone holding its id may read it (that is
what a link is). A rating is one row per answer and rater, written as an upsert, so a visitor's
thumb on a shared answer is the visitor's own and two clicks at once never collide. Turn numbers
are counted inside the write that adds the answer, under the conversation row's lock.
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
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from rag.config import Settings
from rag.documents import Answer
from rag.privacy import redact
from rag.storage import NOTHING_LOST, failure_kind, storage_problem

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
    # Read from the record when the answer is stored, so the maintainers' view (Kvalitet,
    # `tillidsguiden feedback`) filters and counts without opening every record.
    Column("outcome", String(8), nullable=False, server_default="answered", index=True),
    Column("question", Text, nullable=False, server_default=""),
    Column("docs", Text, nullable=False, server_default=""),  # " doc-a doc-b " (cited, else near)
    Column("topic", Text, nullable=False, server_default=""),
)
Index("answers_conversation_turn", answers.c.conversation_id, answers.c.turn, unique=True)
Index("answers_created", answers.c.created)
OUTCOMES = ("answered", "partial", "refused")
# One row per answer and rater (the owner key of whoever clicked the thumb).
ratings = Table(
    "ratings",
    metadata,
    Column("answer_id", String(32), primary_key=True),
    Column("rater", String(200), primary_key=True),
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
# Before ratings had a rater: one row per answer in "feedback" (moved over on open).
LEGACY_FEEDBACK = "feedback"


class StorageError(OSError):
    """A conversation or rating could not be stored or read; the message is one Danish line,
    `detail` the technical reason (for maintainers only)."""

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.detail = f"{type(cause).__name__}: {cause}"[:500] if cause is not None else ""

    def __str__(self) -> str:
        return str(self.args[0])


class NotYours(PermissionError):
    """The conversation is someone else's: it can be read by its link, not changed."""

    def __init__(self) -> None:
        super().__init__("Samtalen er en andens. Du kan læse den, men ikke ændre den.")


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
    owner: str = ""


def new_id() -> str:
    """An id that cannot be guessed from another (it is all a shared link needs)."""
    return secrets.token_urlsafe(12)


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.data_dir / 'tillidsguiden.sqlite'}"


def _engine(url: str, connect_timeout: float = 5.0) -> Engine:
    if url.startswith("postgresql"):  # libpq waits forever for a host that does not answer
        seconds = max(2, round(connect_timeout))  # whole seconds, 2 at least (libpq's advice)
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": seconds})
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:
        # Readers never wait for a writer (WAL); a deleted conversation takes its answers along.
        # What is deleted is overwritten, not left in free pages of the file.
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


class ChatStore:
    """Conversations, their answers and the ratings of those answers."""

    def __init__(
        self,
        url: str,
        retention_days: int = 90,
        connect_timeout: float = Settings.database_connect_seconds,
    ) -> None:
        self.url = url
        self.retention_days = retention_days
        self._purged = 0.0
        # The last operation's failure: one Danish line for users, the technical reason for
        # maintainers, and whether a write failed (a read that works does not clear that).
        self.problem = self.detail = ""
        self._write_failed = False
        self._checked = 0.0
        self.engine = None
        try:
            self.engine = _engine(url, connect_timeout)
            metadata.create_all(self.engine)
            _upgrade(self.engine)
        except (OSError, SQLAlchemyError) as exc:
            if self.engine is not None:
                self.engine.dispose()
            dialect = "sqlite" if url.startswith("sqlite") else "server"
            raise StorageError(write_problem(exc, "Samtalerne", dialect), exc) from exc
        self.purge_if_due()

    @classmethod
    def open(cls, settings: Settings) -> ChatStore | None:
        """The store the settings name; None when nothing may be stored (retention 0)."""
        if settings.retention_days <= 0:
            return None
        return cls(
            database_url(settings), settings.retention_days, settings.database_connect_seconds
        )

    def close(self) -> None:
        """Close the database connections the store holds (it reconnects if used again)."""
        self.engine.dispose()

    def __enter__(self) -> ChatStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, what: str, statements) -> None:
        self._transaction(what, lambda db: [db.execute(s) for s in statements])

    def _transaction(self, what: str, work):
        """Run `work(connection)` in one transaction; its result, or StorageError."""
        try:
            with self.engine.begin() as db:
                result = work(db)
        except SQLAlchemyError as exc:
            raise self._failed(exc, write_problem(exc, what, self.engine.dialect.name)) from exc
        self._worked(wrote=True)
        return result

    def _read(self, statement) -> list:
        try:
            with self.engine.connect() as db:
                rows = list(db.execute(statement))
        except SQLAlchemyError as exc:
            raise self._failed(exc, READ_PROBLEM, wrote=False) from exc
        self._worked(wrote=False)
        return rows

    # --- whether it works right now ----------------------------------------------------

    def _failed(self, exc: BaseException, message: str, wrote: bool = True) -> StorageError:
        failure = StorageError(message, exc)
        self.problem, self.detail = message, failure.detail
        if self.engine.dialect.name == "sqlite":
            # A connection opened while the file could not be written stays read-only (and
            # one that met an I/O error may stay broken): the next use opens fresh ones.
            self.engine.dispose()
        self._write_failed = self._write_failed or wrote
        self._checked = time.monotonic()
        return failure

    def _worked(self, wrote: bool) -> None:
        if wrote or not self._write_failed:
            self.problem = self.detail = ""
            self._write_failed = False

    def check(self, max_age: float) -> str:
        """The problem that keeps conversations from being saved right now, or "". Looked at
        again when the last look is older than `max_age` seconds: a read while all is well
        (a stopped server), a write that changes nothing while something failed (SQLite's
        header is rewritten as it is, so a read-only file is found out)."""
        if time.monotonic() - self._checked < max_age:
            return self.problem
        self._checked = time.monotonic()
        failing = bool(self.problem)
        try:
            with self.engine.begin() as db:
                if failing and self.engine.dialect.name == "sqlite":
                    version = db.exec_driver_sql("PRAGMA user_version").scalar_one()
                    db.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
                else:
                    db.execute(select(func.count()).select_from(conversations).limit(1))
        except SQLAlchemyError as exc:
            self._failed(exc, write_problem(exc, "Samtalerne", self.engine.dialect.name), failing)
            return self.problem
        self._worked(wrote=failing)
        return self.problem

    # --- conversations -----------------------------------------------------------------

    def start(self, owner: str, title: str) -> str:
        """A new conversation, titled by its first question; returns its id."""
        now, cid = time.time(), new_id()
        row = {"id": cid, "owner": owner, "title": title[:200], "created": now, "updated": now}
        self._write("Samtalen", [insert(conversations).values(**row)])
        return cid

    def add(self, conversation_id: str, answer: Answer, owner: str) -> str:
        """Store one answer at the end of the owner's conversation; returns the answer's id.
        KeyError when the conversation is gone, NotYours when it is someone else's."""
        self.purge_if_due()
        now, aid = time.time(), new_id()
        record = json.dumps(answer.record(), ensure_ascii=False)

        def work(db) -> str:
            # The update comes first: it takes the conversation row's lock (PostgreSQL) or the
            # database's write lock (SQLite), so the turn counted next is this writer's alone.
            touched = db.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id, conversations.c.owner == owner)
                .values(updated=now)
            ).rowcount
            if not touched:
                found = db.execute(
                    select(conversations.c.id).where(conversations.c.id == conversation_id)
                ).first()
                raise NotYours() if found else KeyError(conversation_id)
            turn = db.execute(
                select(func.coalesce(func.max(answers.c.turn) + 1, 0)).where(
                    answers.c.conversation_id == conversation_id
                )
            ).scalar_one()
            db.execute(
                insert(answers).values(
                    id=aid,
                    conversation_id=conversation_id,
                    turn=turn,
                    created=now,
                    record=record,
                    **summary_columns(answer),
                )
            )
            return aid

        return self._transaction("Svaret", work)

    def copy(self, conversation_id: str, owner: str) -> str:
        """A copy of any conversation (its answers, not its ratings) in the owner's list, to
        go on from; returns the copy's id. KeyError when the conversation is gone."""
        found = self.conversation(conversation_id)
        if found is None:
            raise KeyError(conversation_id)
        now, cid = time.time(), new_id()
        rows = [
            {
                "id": new_id(),
                "conversation_id": cid,
                "turn": turn,
                "created": now,
                "record": json.dumps(a.record(), ensure_ascii=False),
                **summary_columns(a),
            }
            for turn, (_, a) in enumerate(found.answers)
        ]
        head = {"id": cid, "owner": owner, "title": found.title, "created": now, "updated": now}
        statements = [insert(conversations).values(**head)]
        if rows:
            statements.append(insert(answers).values(rows))
        self._write("Kopien", statements)
        return cid

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
            head.owner,
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

    def delete(self, conversation_id: str, owner: str) -> None:
        """The owner's conversation, its answers and their ratings are gone; NotYours when it
        is someone else's (nothing is deleted then), nothing when it is gone already."""

        def work(db) -> None:
            head = db.execute(
                select(conversations.c.owner).where(conversations.c.id == conversation_id)
            ).first()
            if head is None:
                return
            if head.owner != owner:
                raise NotYours()
            _forget(db, [conversation_id])

        self._transaction("Sletningen", work)
        self._scrub()

    def query(self, statement) -> list:
        """Rows of a read-only statement over the tables above (rag/chat/insights.py builds
        the maintainers' queries); StorageError when the database cannot be read."""
        return self._read(statement)

    def answer(self, answer_id: str) -> tuple[str, Answer] | None:
        """A shared answer: (its conversation's id, the answer), or None."""
        rows = self._read(
            select(answers.c.conversation_id, answers.c.record).where(answers.c.id == answer_id)
        )
        if not rows:
            return None
        return rows[0].conversation_id, Answer.from_record(json.loads(rows[0].record))

    # --- feedback ----------------------------------------------------------------------

    def rate(self, answer_id: str, rater: str, rating: str) -> None:
        """Store the rater's thumb at once (question, answer, sources, mode, time); a second
        thumb of the same rater replaces the first and keeps the comment. One statement (an
        upsert), so two thumbs at once never collide."""
        if rating not in RATINGS:
            raise ValueError(f"Ukendt vurdering {rating!r}")
        found = self.answer(answer_id)
        if found is None:
            raise KeyError(answer_id)
        conversation_id, answer = found
        now = time.time()
        row = {
            "answer_id": answer_id,
            "rater": rater,
            "conversation_id": conversation_id,
            "rating": rating,
            "comment": "",
            "question": answer.question,
            "answer": answer.text,
            "mode": answer.mode,
            "refused": int(answer.refused),
            "sources": json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False),
            "created": now,
            "updated": now,
        }
        dialect = sqlite_insert if self.engine.dialect.name == "sqlite" else pg_insert
        statement = (
            dialect(ratings)
            .values(**row)
            .on_conflict_do_update(
                index_elements=[ratings.c.answer_id, ratings.c.rater],
                set_={"rating": rating, "updated": now},
            )
        )
        self._write("Vurderingen", [statement])

    def comment(self, answer_id: str, rater: str, text: str) -> None:
        """Add or replace the comment of the rater's rating (personal data replaced first);
        KeyError when the rater has not rated the answer (or the rating is gone)."""
        clean = redact(text.strip()[:2000]).text
        statement = (
            update(ratings)
            .where(ratings.c.answer_id == answer_id, ratings.c.rater == rater)
            .values(comment=clean, updated=time.time())
        )
        if not self._transaction("Kommentaren", lambda db: db.execute(statement).rowcount):
            raise KeyError(answer_id)

    def rating(self, answer_id: str, rater: str) -> dict | None:
        """The rater's own rating of the answer, or None."""
        rows = self._read(
            select(ratings).where(ratings.c.answer_id == answer_id, ratings.c.rater == rater)
        )
        return _feedback_dict(rows[0]) if rows else None

    def feedback(self) -> list[dict]:
        """Every rating, oldest first, as the maintainers read them."""
        rows = self._read(select(ratings).order_by(ratings.c.created))
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
        """Remove conversations unused for the retention period with everything of theirs
        (answers, every rating of them), ratings unchanged for as long, and ratings whose
        conversation is gone; returns how many conversations went."""
        self._purged = now = now or time.time()
        cutoff = now - self.retention_days * DAY

        def work(db) -> int:
            unused = select(conversations.c.id).where(conversations.c.updated < cutoff)
            old = [r.id for r in db.execute(unused)]
            for start in range(0, len(old), 500):  # within any database's parameter limit
                _forget(db, old[start : start + 500])
            db.execute(delete(ratings).where(ratings.c.updated < cutoff))
            kept = select(conversations.c.id)
            db.execute(delete(ratings).where(ratings.c.conversation_id.not_in(kept)))
            return len(old)

        purged = self._transaction("Oprydningen", work)
        self._scrub()
        return purged

    def _scrub(self) -> None:
        """SQLite: write the log back into the file and empty it, so what was deleted (and
        overwritten there by `secure_delete`) is in no old log frame either. Best effort: a
        reader in the middle of a read lets the next purge or deletion do it."""
        if self.engine.dialect.name != "sqlite":
            return
        try:
            with self.engine.connect() as db:
                db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except SQLAlchemyError:
            pass


def _forget(db, conversation_ids: list[str]) -> None:
    """Delete these conversations, their answers and every rating of those answers."""
    if not conversation_ids:
        return
    db.execute(delete(ratings).where(ratings.c.conversation_id.in_(conversation_ids)))
    db.execute(delete(answers).where(answers.c.conversation_id.in_(conversation_ids)))
    db.execute(delete(conversations).where(conversations.c.id.in_(conversation_ids)))


def _is_down(exc: BaseException, dialect: str) -> bool:
    """The database server cannot be reached (stopped, restarting, network gone)."""
    if dialect == "sqlite":
        return "unable to open database" in str(exc).lower()
    if not isinstance(exc, DBAPIError):
        return False
    kinds = {kind.__name__ for kind in type(exc.orig).__mro__}  # psycopg's ConnectionTimeout …
    return exc.connection_invalidated or bool(kinds & set(CONNECTION_FAILURES))


# The driver's classes for a connection that failed (psycopg, and most DB-API drivers).
CONNECTION_FAILURES = ("OperationalError", "InterfaceError")
READ_PROBLEM = "Samtalerne kan ikke hentes lige nu, fordi databasen ikke svarer."


def write_problem(exc: BaseException, what: str, dialect: str) -> str:
    """One Danish line on why `what` could not be saved; nothing internal in it."""
    if _is_down(exc, dialect):
        reason = "databasen ikke svarer lige nu"
    elif failure_kind(exc) == "other" and "disk i/o" in str(exc).lower():
        reason = "datamappen ikke kan skrives lige nu"
    else:
        return storage_problem(exc, what)
    return f"{what} kunne ikke gemmes, fordi {reason}. {NOTHING_LOST}"


def outcome(answer: Answer) -> str:
    return "refused" if answer.refused else "partial" if answer.partial else "answered"


def topic(answer: Answer) -> str:
    """What a refused or partial answer was about, for grouping the gaps: the question's most
    weighty word the material never uses, else the section the search came nearest to."""
    missing = answer.evidence.get("missing") or []
    if missing:
        return str(missing[0]).lower()
    near = [c.chunk.section for c in answer.citations[:1]]
    near = near or [p.get("section", "") for p in answer.passages[:1]]
    leaf = (near[0].split("›")[-1] if near else "").strip()
    return f"› {leaf}" if leaf else ""


def summary_columns(answer: Answer) -> dict:
    """The answer's columns beside its record (see `answers`)."""
    docs = [c.chunk.doc_id for c in answer.citations] or [
        str(p.get("doc_id", "")) for p in answer.passages[:3]
    ]
    return {
        "outcome": outcome(answer),
        "question": answer.question,
        "docs": " " + " ".join(dict.fromkeys(d for d in docs if d)) + " ",
        "topic": topic(answer)[:200],
    }


def _upgrade(engine: Engine) -> None:
    """Bring a database written by an earlier version up to this schema: ratings get their
    rater (the conversation's owner, who was the only one who could rate), turn numbers made
    twice by two sessions are renumbered so they can be unique, and answers get the columns
    the maintainers' view filters on, read from their records."""
    tables = set(inspect(engine).get_table_names())
    _add_summary_columns(engine)
    with engine.begin() as db:
        if LEGACY_FEEDBACK in tables:
            columns = ", ".join(c.name for c in ratings.columns if c.name != "rater")
            db.execute(
                text(
                    f"INSERT INTO ratings (rater, {columns}) SELECT COALESCE(c.owner, ''), "
                    + ", ".join(f"f.{c}" for c in columns.split(", "))
                    + f" FROM {LEGACY_FEEDBACK} f LEFT JOIN conversations c"
                    " ON c.id = f.conversation_id"
                )
            )
            db.execute(text(f"DROP TABLE {LEGACY_FEEDBACK}"))
    names = {i["name"] for i in inspect(engine).get_indexes("answers")}
    if "answers_conversation_turn" in names:
        return
    with engine.begin() as db:
        rows = db.execute(
            select(answers.c.id, answers.c.conversation_id).order_by(
                answers.c.conversation_id, answers.c.turn, answers.c.created
            )
        )
        counts: dict[str, int] = {}
        for r in list(rows):
            turn = counts[r.conversation_id] = counts.get(r.conversation_id, -1) + 1
            db.execute(update(answers).where(answers.c.id == r.id).values(turn=turn))
        next(i for i in answers.indexes if i.name == "answers_conversation_turn").create(db)


def _add_summary_columns(engine: Engine) -> None:
    have = {c["name"] for c in inspect(engine).get_columns("answers")}
    wanted = ("outcome", "question", "docs", "topic")
    if set(wanted) <= have:
        return
    with engine.begin() as db:
        for name in wanted:
            if name not in have:
                default = "'answered'" if name == "outcome" else "''"
                column = f"{name} TEXT NOT NULL DEFAULT {default}"
                db.execute(text(f"ALTER TABLE answers ADD COLUMN {column}"))
        for r in list(db.execute(select(answers.c.id, answers.c.record))):
            values = summary_columns(Answer.from_record(json.loads(r.record)))
            db.execute(update(answers).where(answers.c.id == r.id).values(**values))
    with engine.begin() as db:
        if "answers_created" not in {i["name"] for i in inspect(engine).get_indexes("answers")}:
            next(i for i in answers.indexes if i.name == "answers_created").create(db)


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
