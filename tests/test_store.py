"""The conversation store (rag/chat/store.py): what it keeps, for how long, and how it fails."""

from __future__ import annotations

import errno
import threading
import time

import pytest
from sqlalchemy import event

from rag.chat.store import DAY, ChatStore, StorageError, database_url, metadata
from rag.config import Settings
from rag.documents import Answer, Chunk, Citation

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


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> ChatStore:
    """Every specification below runs against SQLite and against a real PostgreSQL server."""
    if request.param == "sqlite":
        return ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite'}", retention_days=90)
    url = request.getfixturevalue("postgres_url")
    fresh = ChatStore(url, retention_days=90)
    metadata.drop_all(fresh.engine)  # each test starts from an empty schema
    return ChatStore(url, retention_days=90)


def test_an_answer_comes_back_exactly_as_it_was_stored(store):
    cid = store.start("", "Hvad er social kapital?")
    aid = store.add(cid, answer())
    ((stored_id, stored),) = store.conversation(cid).answers
    assert stored_id == aid
    assert stored.to_dict() == answer().to_dict()
    assert stored.citations[0].spans == [(0, 20), (59, 81)]


def test_conversations_are_listed_per_owner_newest_first_with_their_length(store):
    a = store.start("", "Første")
    store.add(a, answer("Første"))
    time.sleep(0.01)
    b = store.start("", "Anden")
    store.add(b, answer("Anden"))
    store.add(b, answer("Og så?"))
    store.start("mette@kommune", "Mettes")
    listed = store.recent("")
    assert [(s.title, s.turns) for s in listed] == [("Anden", 2), ("Første", 1)]
    time.sleep(0.01)
    store.add(a, answer("Igen"))  # using a conversation moves it to the top
    assert [s.title for s in store.recent("")] == ["Første", "Anden"]
    assert [s.title for s in store.recent("mette@kommune")] == ["Mettes"]


def test_deleting_a_conversation_deletes_its_answers_and_ratings(store):
    cid = store.start("", "Hvad er social kapital?")
    aid = store.add(cid, answer())
    store.rate(aid, "up")
    store.delete(cid)
    assert store.conversation(cid) is None
    assert store.answer(aid) is None
    assert store.feedback() == []


def test_a_rating_is_saved_at_once_and_the_comment_updates_it(store):
    cid = store.start("", "Hvad er social kapital?")
    aid = store.add(cid, answer())
    store.rate(aid, "down")
    store.rate(aid, "up")
    store.comment(aid, "Brugbart. Ring til mig på 23 45 67 89")
    (entry,) = store.feedback()
    assert entry["rating"] == "up" and entry["mode"] == "uddrag"
    assert entry["comment"] == "Brugbart. Ring til mig på «telefon»"
    assert entry["sources"][0]["doc_id"] == "kom-videre-med-social-kapital"
    with pytest.raises(ValueError):
        store.rate(aid, "meh")
    with pytest.raises(KeyError):
        store.rate("no-such-answer", "up")


def test_line_separators_and_any_unicode_in_a_comment_read_back_intact(store):
    cid = store.start("", "Hvad er tillid?")
    comments = ["før\u2028efter", "a\u2029b", "c\rd", "e\x85f", "🤝 «ok»"]
    ids = [store.add(cid, answer("Hvad er tillid?")) for _ in comments]
    for aid, text in zip(ids, comments, strict=True):
        store.rate(aid, "up")
        store.comment(aid, text)
    assert [e["comment"] for e in store.feedback()] == comments


def test_conversations_unused_and_ratings_unchanged_for_the_retention_period_are_purged(store):
    store = ChatStore(store.url, retention_days=30)
    old = store.start("", "Gammel")
    old_answer = store.add(old, answer("Gammel"))
    store.rate(old_answer, "up")
    new = store.start("", "Ny")
    store.add(new, answer("Ny"))
    assert store.purge(now=time.time() + 10 * DAY) == 0
    store.add(new, answer("Brugt igen"))  # keeps "Ny" alive
    assert store.purge(now=time.time() + 31 * DAY) == 2  # both are now past 30 days
    assert store.recent("") == [] and store.feedback() == []
    again = ChatStore(store.url, retention_days=30)  # purged on open too
    cid = again.start("", "Frisk")
    assert again.purge(now=time.time() + 29 * DAY) == 0 and again.conversation(cid)


def test_the_settings_choose_sqlite_in_the_data_folder_or_nothing(tmp_path):
    s = Settings.load(env={}, data_dir=tmp_path / "data")
    assert database_url(s) == f"sqlite:///{tmp_path / 'data' / 'tillidsguiden.sqlite'}"
    assert ChatStore.open(Settings.load(env={"TILLID_RETENTION_DAYS": "0"})) is None
    url = "postgresql+psycopg://tillid@db/tillid"
    assert database_url(Settings.load(env={"TILLID_DATABASE_URL": url})) == url


def test_eight_threads_writing_at_once_lose_nothing(store):
    cid = store.start("", "Samtidigt")
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                aid = store.add(cid, answer(f"Spørgsmål {n}-{i}"))
                store.rate(aid, "up" if i % 2 else "down")
        except Exception as exc:  # counted, whatever it is
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(store.conversation(cid).answers) == 200
    assert len(store.feedback()) == 200


def test_a_full_disk_is_one_danish_line_and_what_was_stored_stays(tmp_path):
    """SQLite's own "database or disk is full", provoked by capping the file at its size."""
    store = ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite'}", retention_days=90)
    cid = store.start("", "Hvad er tillid?")
    aid = store.add(cid, answer("Hvad er tillid?"))
    store.rate(aid, "up")

    def cap(connection, _record) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(store.engine, "connect", cap)
    store.engine.dispose()
    with pytest.raises(StorageError, match="disken er fuld") as caught:
        for i in range(200):
            store.add(cid, answer(f"Og så? {i} " + "x" * 2000))
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
