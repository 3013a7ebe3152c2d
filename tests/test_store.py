"""The conversation store (rag/chat/store.py): what it keeps, for how long, and how it fails."""

from __future__ import annotations

import errno
import json
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from rag.chat.store import (
    DAY,
    ChatStore,
    NotYours,
    StorageError,
    answers,
    conversations,
    database_url,
    metadata,
    ratings,
)
from rag.config import Settings
from rag.documents import Answer, Chunk, Citation

# Owner keys as rag/chat/identity.py makes them (opaque to the store).
ANNE, METTE = "oidc-7d3f0a", "browser-51c2e9"

CHUNK = Chunk(
    chunk_id="kom-videre-003",
    doc_id="kom-videre-med-social-kapital",
    title="Kom videre med social kapital",
    section="Hvad er social kapital?",
    kind="section",
    start=100,
    end=180,
    page=None,
    text="Social kapital er evnen til at samarbejde om kerneopgaven. Den bygger på tillid.",
    anchors=[(0, 100)],
)


def answer(question: str = "Hvad er social kapital?") -> Answer:
    cite = Citation(1, CHUNK, 0, 20)
    cite.add(59, 81)
    return Answer(
        question=question,
        text="Social kapital er evnen til at samarbejde om kerneopgaven. [1]",
        refused=False,
        mode="uddrag",
        citations=[cite],
        personal_data=["name"],
        evidence={"probability": 0.9},
    )


def in_threads(work, n: int) -> None:
    """work(0) … work(n-1), each in a thread of its own, all at once; returns when all end."""
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[ChatStore]:
    """Every specification below runs against SQLite and against a real PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'chat.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
        with ChatStore(url, retention_days=90) as fresh:
            metadata.drop_all(fresh.engine)  # each test starts from an empty schema
    with ChatStore(url, retention_days=90) as opened:
        yield opened


def test_an_answer_comes_back_exactly_as_it_was_stored(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    ((stored_id, stored),) = store.conversation(cid).answers
    assert stored_id == aid
    assert stored.to_dict() == answer().to_dict()
    assert stored.citations[0].spans == [(0, 20), (59, 81)]


def test_conversations_are_listed_per_owner_newest_first_with_their_length(store):
    a = store.start(ANNE, "Første")
    store.add(a, answer("Første"), ANNE)
    time.sleep(0.01)
    b = store.start(ANNE, "Anden")
    store.add(b, answer("Anden"), ANNE)
    store.add(b, answer("Og så?"), ANNE)
    store.start(METTE, "Mettes")
    listed = store.recent(ANNE)
    assert [(s.title, s.turns) for s in listed] == [("Anden", 2), ("Første", 1)]
    time.sleep(0.01)
    store.add(a, answer("Igen"), ANNE)  # using a conversation moves it to the top
    assert [s.title for s in store.recent(ANNE)] == ["Første", "Anden"]
    assert [s.title for s in store.recent(METTE)] == ["Mettes"]


def test_deleting_a_conversation_deletes_its_answers_and_ratings(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    store.rate(aid, ANNE, "up")
    store.rate(aid, METTE, "down")  # a visitor's own rating goes too
    store.delete(cid, ANNE)
    assert store.conversation(cid) is None
    assert store.answer(aid) is None
    assert store.feedback() == []


def test_a_rating_is_saved_at_once_and_the_comment_updates_it(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    store.rate(aid, ANNE, "down")
    store.rate(aid, ANNE, "up")
    store.comment(aid, ANNE, "Brugbart. Ring til mig på 23 45 67 89")
    (entry,) = store.feedback()
    assert entry["rating"] == "up" and entry["mode"] == "uddrag"
    assert entry["comment"] == "Brugbart. Ring til mig på «telefon»"
    assert entry["sources"][0]["doc_id"] == "kom-videre-med-social-kapital"
    with pytest.raises(ValueError):
        store.rate(aid, ANNE, "meh")
    with pytest.raises(KeyError):
        store.rate("no-such-answer", ANNE, "up")
    with pytest.raises(KeyError):  # a comment without a rating has no row to land in
        store.comment(aid, METTE, "Også min mening")


def test_line_separators_and_any_unicode_in_a_comment_read_back_intact(store):
    cid = store.start(ANNE, "Hvad er tillid?")
    comments = ["før\u2028efter", "a\u2029b", "c\rd", "e\x85f", "🤝 «ok»"]
    ids = [store.add(cid, answer("Hvad er tillid?"), ANNE) for _ in comments]
    for aid, text in zip(ids, comments, strict=True):
        store.rate(aid, ANNE, "up")
        store.comment(aid, ANNE, text)
    assert [e["comment"] for e in store.feedback()] == comments


def test_conversations_unused_and_ratings_unchanged_for_the_retention_period_are_purged(
    store, request
):
    store = ChatStore(store.url, retention_days=30)
    request.addfinalizer(store.close)
    old = store.start(ANNE, "Gammel")
    old_answer = store.add(old, answer("Gammel"), ANNE)
    store.rate(old_answer, ANNE, "up")
    new = store.start(ANNE, "Ny")
    store.add(new, answer("Ny"), ANNE)
    assert store.purge(now=time.time() + 10 * DAY) == 0
    store.add(new, answer("Brugt igen"), ANNE)  # keeps "Ny" alive
    assert store.purge(now=time.time() + 31 * DAY) == 2  # both are now past 30 days
    assert store.recent(ANNE) == [] and store.feedback() == []
    with ChatStore(store.url, retention_days=30) as again:  # purged on open too
        cid = again.start(ANNE, "Frisk")
        assert again.purge(now=time.time() + 29 * DAY) == 0 and again.conversation(cid)


def test_a_purged_conversation_takes_every_rating_of_its_answers_a_newer_one_too(store, request):
    """The issue's probe: a purged conversation could leave its rating behind (a visitor's,
    rated after the owner last used the conversation)."""
    store = ChatStore(store.url, retention_days=30)
    request.addfinalizer(store.close)
    cid = store.start(ANNE, "Gammel")
    aid = store.add(cid, answer("Gammel"), ANNE)
    store.rate(aid, ANNE, "up")
    later = time.time() + 20 * DAY
    store.rate(aid, METTE, "down")  # a visitor, by the shared link …
    with store.engine.begin() as db:  # … twenty days after the owner's last use
        db.execute(ratings.update().where(ratings.c.rater == METTE).values(updated=later))
    with store.engine.begin() as db:  # one left by an older version whose conversation went
        db.execute(ratings.insert().values(**{**_row(store, aid, ANNE), "conversation_id": "x"}))
    assert store.purge(now=time.time() + 31 * DAY) == 1
    assert store.feedback() == [] and store.answer(aid) is None


def _row(store: ChatStore, aid: str, rater: str) -> dict:
    with store.engine.connect() as db:
        row = db.execute(ratings.select().where(ratings.c.rater == rater)).first()
    return {**row._mapping, "answer_id": f"{aid}-old", "rater": "orphan"}


def test_a_page_process_purges_when_it_starts_and_then_daily_without_a_page_view(tmp_path):
    from rag.chat.retention import Purger

    settings = Settings.load(env={}, data_dir=tmp_path, retention_days=30)
    with ChatStore(database_url(settings), retention_days=30) as store:
        stale = [store.start(ANNE, f"Gammel {i}") for i in range(2)]

        def age(cid: str) -> None:
            with store.engine.begin() as db:
                db.execute(
                    conversations.update()
                    .where(conversations.c.id == cid)
                    .values(updated=time.time() - 31 * DAY)
                )

        age(stale[0])
        purger = Purger(settings, every=0.2).start()  # as `tillidsguiden serve` does
        try:
            assert store.conversation(stale[0]) is None and purger.runs == 1  # before serving
            age(stale[1])
            deadline = time.monotonic() + 20

            def purged_again() -> bool:  # the purge deletes, then counts its run
                return store.conversation(stale[1]) is None and purger.runs >= 2

            while not purged_again() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert store.conversation(stale[1]) is None and purger.runs >= 2  # "the next day"
        finally:
            purger.stop()


def test_only_the_owner_lists_continues_and_deletes_a_conversation_its_link_reads_it(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    assert store.recent(METTE) == []  # not listed for anyone else
    assert store.conversation(cid).owner == ANNE  # the link reads it, and says whose it is
    with pytest.raises(NotYours):
        store.add(cid, answer("Og så?"), METTE)
    with pytest.raises(NotYours):
        store.delete(cid, METTE)
    found = store.conversation(cid)
    assert [a for a, _ in found.answers] == [aid]  # nothing was added or deleted
    with pytest.raises(KeyError):
        store.add("findes-ikke", answer(), ANNE)


def test_a_copy_goes_on_in_the_new_owners_list_and_the_original_stays_as_it_was(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    store.rate(aid, ANNE, "up")
    mine = store.copy(cid, METTE)
    store.add(mine, answer("Og så?"), METTE)
    assert [s.title for s in store.recent(METTE)] == ["Hvad er social kapital?"]
    copied = store.conversation(mine)
    assert [a.question for _, a in copied.answers] == ["Hvad er social kapital?", "Og så?"]
    assert copied.answers[0][0] != aid  # answers of its own; the ratings stay with Anne's
    assert [a.question for _, a in store.conversation(cid).answers] == ["Hvad er social kapital?"]
    assert [(e["answer_id"], e["rater"]) for e in store.feedback()] == [(aid, ANNE)]


def test_a_rating_is_one_row_per_answer_and_rater_so_a_visitor_never_overwrites_the_owner(store):
    cid = store.start(ANNE, "Hvad er social kapital?")
    aid = store.add(cid, answer(), ANNE)
    store.rate(aid, ANNE, "up")
    store.comment(aid, ANNE, "Meget brugbart svar")
    store.rate(aid, METTE, "down")  # a visitor of the shared answer
    store.comment(aid, METTE, "For kort")
    assert store.rating(aid, ANNE)["rating"] == "up"
    assert store.rating(aid, ANNE)["comment"] == "Meget brugbart svar"
    assert store.rating(aid, METTE)["rating"] == "down"
    assert store.rating(aid, "browser-ukendt") is None
    assert len(store.feedback()) == 2


def test_thumbs_clicked_at_once_on_one_answer_never_collide(store):
    """Eight sessions click a thumb on the same answer at the same moment, 30 times over; a
    read-then-insert lost 14 of 240 to IntegrityError on SQLite and 1 of 60 on PostgreSQL."""
    cid = store.start(ANNE, "Samtidigt")
    aids = [store.add(cid, answer(f"Spørgsmål {i}"), ANNE) for i in range(30)]
    start = threading.Barrier(8)
    errors = []

    def click(n: int) -> None:
        for aid in aids:
            start.wait()
            try:
                store.rate(aid, (ANNE, METTE)[n % 2], "up" if n < 4 else "down")
            except Exception as exc:  # counted, whatever it is
                errors.append(repr(exc))

    in_threads(click, 8)
    assert errors == []
    rows = store.feedback()
    assert len(rows) == 60  # one row per answer and rater
    assert {(r["answer_id"], r["rater"]) for r in rows} == {
        (a, r) for a in aids for r in (ANNE, METTE)
    }


def test_a_database_from_before_raters_keeps_its_ratings_and_gets_unique_turns(tmp_path):
    """The schema of the previous version (one rating per answer, turns counted by the page),
    with a turn number made twice by two sessions; opening it upgrades it in place."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as db:
        for statement in OLD_SCHEMA.split(";"):
            db.execute(text(statement))
    engine.dispose()
    store = ChatStore(url)
    assert [a.question for _, a in store.conversation("c1").answers] == ["A?", "B?"]
    assert store.rating("a1", "anne")["comment"] == "God"  # the owner rated it then
    aid = store.add("c1", answer("C?"), "anne")
    turns = [
        r.turn for r in store._read(select(answers.c.turn).where(answers.c.conversation_id == "c1"))
    ]
    assert sorted(turns) == [0, 1, 2]
    store.rate(aid, "anne", "up")
    assert len(store.feedback()) == 2


ANSWER_RECORD = answer("A?").record()
OLD_SCHEMA = f"""
CREATE TABLE conversations (id VARCHAR(32) PRIMARY KEY, owner VARCHAR(200) NOT NULL,
  title TEXT NOT NULL, created FLOAT NOT NULL, updated FLOAT NOT NULL);
CREATE TABLE answers (id VARCHAR(32) PRIMARY KEY, conversation_id VARCHAR(32) NOT NULL
  REFERENCES conversations (id) ON DELETE CASCADE, turn INTEGER NOT NULL, created FLOAT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX ix_answers_conversation_id ON answers (conversation_id);
CREATE TABLE feedback (answer_id VARCHAR(32) PRIMARY KEY, conversation_id VARCHAR(32) NOT NULL,
  rating VARCHAR(8) NOT NULL, comment TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
  mode VARCHAR(16) NOT NULL, refused INTEGER NOT NULL, sources TEXT NOT NULL,
  created FLOAT NOT NULL, updated FLOAT NOT NULL);
CREATE INDEX ix_feedback_conversation_id ON feedback (conversation_id);
INSERT INTO conversations VALUES ('c1', 'anne', 'A?', {time.time()}, {time.time()});
INSERT INTO answers VALUES ('a1', 'c1', 0, 1.0, '{json.dumps(ANSWER_RECORD).replace("'", "''")}');
INSERT INTO answers VALUES ('a2', 'c1', 0, 2.0,
  '{json.dumps(answer("B?").record()).replace("'", "''")}');
INSERT INTO feedback VALUES ('a1', 'c1', 'up', 'God', 'A?', 'svar', 'uddrag', 0, '[]',
  {time.time()}, {time.time()})
"""


def test_the_settings_choose_sqlite_in_the_data_folder_or_nothing(tmp_path):
    s = Settings.load(env={}, data_dir=tmp_path / "data")
    assert database_url(s) == f"sqlite:///{tmp_path / 'data' / 'tillidsguiden.sqlite'}"
    assert ChatStore.open(Settings.load(env={"TILLID_RETENTION_DAYS": "0"})) is None
    url = "postgresql+psycopg://tillid@db/tillid"
    assert database_url(Settings.load(env={"TILLID_DATABASE_URL": url})) == url


def test_eight_threads_writing_at_once_lose_nothing(store):
    cid = store.start(ANNE, "Samtidigt")
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                aid = store.add(cid, answer(f"Spørgsmål {n}-{i}"), ANNE)
                store.rate(aid, ANNE, "up" if i % 2 else "down")
        except Exception as exc:  # counted, whatever it is
            errors.append(repr(exc))

    in_threads(work, 8)
    assert not errors
    assert len(store.conversation(cid).answers) == 200
    assert len(store.feedback()) == 200
    turns = [
        r.turn for r in store._read(select(answers.c.turn).where(answers.c.conversation_id == cid))
    ]
    assert sorted(turns) == list(range(200))  # eight sessions, one conversation: no turn twice


def test_a_database_host_that_never_answers_is_one_danish_line_not_a_hanging_page():
    """A server that takes the connection and says nothing (a host gone behind a firewall, a
    hung server): libpq would wait forever; the store gives up after its connect timeout."""
    pytest.importorskip("psycopg", reason="PostgreSQL's driver (pip install -e '.[postgres]')")
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)  # the kernel accepts; nobody ever reads or answers
        port = silent.getsockname()[1]
        with pytest.raises(StorageError) as failed:
            ChatStore(f"postgresql+psycopg://tillid@127.0.0.1:{port}/tillid", connect_timeout=2)
    assert str(failed.value).startswith("Samtalerne kunne ikke gemmes, fordi databasen ikke svarer")
    assert "127.0.0.1" not in str(failed.value) and "timeout" in failed.value.detail


def test_a_full_disk_is_one_danish_line_and_what_was_stored_stays(tmp_path, request):
    """SQLite's own "database or disk is full", provoked by capping the file at its size."""
    store = ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite'}", retention_days=90)
    request.addfinalizer(store.close)
    cid = store.start(ANNE, "Hvad er tillid?")
    aid = store.add(cid, answer("Hvad er tillid?"), ANNE)
    store.rate(aid, ANNE, "up")

    def cap(connection, _record) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(store.engine, "connect", cap)
    store.engine.dispose()
    with pytest.raises(StorageError, match="disken er fuld") as caught:
        for i in range(200):
            store.add(cid, answer(f"Og så? {i} " + "x" * 2000), ANNE)
    assert "Intet af det, der allerede var gemt, er gået tabt." in str(caught.value)
    event.remove(store.engine, "connect", cap)
    store.engine.dispose()
    assert store.conversation(cid).answers[0][1].question == "Hvad er tillid?"
    assert store.feedback()[0]["rating"] == "up"


def test_a_folder_that_cannot_be_written_is_one_danish_line(tmp_path, monkeypatch):
    from pathlib import Path

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(StorageError, match="skrivebeskyttet"):
        ChatStore(f"sqlite:///{tmp_path / 'ny' / 'chat.sqlite'}")
