"""The maintainers' view of what managers ask (rag/chat/insights.py), "Hvorfor dette svar?"
(rag/chat/why.py), evaluation cases from feedback (rag/chat/cases.py), the Kvalitet page
through AppTest and `tillidsguiden feedback` on the command line."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time

import pytest
from streamlit.testing.v1 import AppTest

from rag.chat import cases, insights, why
from rag.chat.insights import Filters
from rag.chat.store import DAY, ChatStore
from rag.cli import main
from rag.measure.evaluate import QuestionFileError, QuoteMatcher, load_question_set

GOOD = "Hvad er udfordringsretten?"
REFUSED = "Hvordan beregner jeg kørselsgodtgørelse for min bil?"
REFUSED_TOO = "Hvad får jeg i kørselsgodtgørelse pr. kilometer?"
PARTIAL = "Hvornår blev Glostrup Hospitals tværfaglige samarbejde evalueret?"
ANNE = {"is_logged_in": True, "iss": "https://login.kommune.dk", "sub": "anne", "name": "Anne"}


@pytest.fixture(scope="module")
def answers(assistant):
    asked = {q: assistant.ask(q) for q in (GOOD, REFUSED, REFUSED_TOO, PARTIAL)}
    assert asked[REFUSED].refused and asked[REFUSED_TOO].refused and not asked[GOOD].refused
    return asked


@pytest.fixture
def store(tmp_path, answers):
    """A store with a conversation: a thumbs-down with a comment, a thumbs-up, two refusals
    and the good question asked twice."""
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite'}") as opened:
        cid = opened.start("leder-1", GOOD)
        ids = {q: opened.add(cid, a, "leder-1") for q, a in answers.items()}
        again = opened.add(cid, answers[GOOD], "leder-1")
        opened.rate(ids[GOOD], "leder-1", "down")
        opened.comment(ids[GOOD], "leder-1", "Forkert – spørg Hanne Jensen på 22334455")
        opened.rate(again, "leder-2", "up")
        opened.ids = ids
        yield opened


def test_a_thumbs_down_is_listed_with_its_answer_sources_mode_and_evidence(store, answers):
    (down,) = insights.rated(store, Filters(rating="down"))
    d = down.to_dict()
    assert d["question"] == GOOD and d["rating"] == "down" and d["mode"] == "uddrag"
    assert d["comment"] == "Forkert – spørg «navn» på «telefon»"  # redacted when written
    assert d["answer"] == answers[GOOD].text and d["sources"][0]["doc_id"]
    assert set(d["evidence"]["features"]) >= {"dense", "coverage"}
    assert d["passages"][0]["rank"] == 1 and "score" in d["passages"][0]


def test_refused_and_partial_questions_are_grouped_by_topic_with_counts(store, assistant):
    topics = insights.gaps(store, topic_of=insights.topic_finder(assistant))
    first = topics[0]
    assert first.count == 2 and first.refused == 2 and "kørselsgodtgørelse" in first.name
    assert {i.question for i in first.questions} == {REFUSED, REFUSED_TOO}
    only_partial = insights.gaps(store, Filters(outcome="partial"))
    assert all(i.outcome == "partial" for t in only_partial for i in t.questions)


def test_the_most_asked_questions_come_with_their_thumbs_and_each_week_is_counted(store):
    top = insights.asked(store)[0]
    assert (top.question, top.count, top.up, top.down) == (GOOD, 2, 1, 1)
    (week,) = insights.weekly(store)
    assert week["spørgsmål"] == 5 and week["afvist"] == 2 and (week["op"], week["ned"]) == (1, 1)


def test_filters_narrow_by_period_rating_document_and_outcome(store, answers):
    doc = answers[GOOD].citations[0].chunk.doc_id
    assert {i.question for i in insights.listed(store, Filters(doc=doc))} >= {GOOD}
    for i in insights.listed(store, Filters(doc=doc)):
        cited = {c.chunk.doc_id for c in i.answer.citations}
        assert doc in (cited or {p["doc_id"] for p in i.answer.passages[:3]})
    assert {i.outcome for i in insights.listed(store, Filters(outcome="refused"))} == {"refused"}
    assert [i.rating for i in insights.listed(store, Filters(rating="up"))] == ["up"]
    with sqlite3.connect(store.url.removeprefix("sqlite:///")) as db:  # a month ago
        db.execute("UPDATE answers SET created = created - ?", (40 * DAY,))
        db.execute(
            "UPDATE ratings SET updated = updated - ?, created = created - ?", (40 * DAY,) * 2
        )
    assert insights.listed(store, Filters(days=30)) == []
    assert len(insights.listed(store, Filters(days=90))) == 4


def test_an_older_database_gets_the_columns_the_view_filters_on(tmp_path, answers):
    path = tmp_path / "old.sqlite"
    with ChatStore(f"sqlite:///{path}") as opened:
        cid = opened.start("leder", REFUSED)
        opened.add(cid, answers[REFUSED], "leder")
    with sqlite3.connect(path) as db:  # as the version before this one wrote it
        db.execute("DROP INDEX ix_answers_outcome")
        db.execute("DROP INDEX answers_created")
        for column in ("outcome", "question", "docs", "topic"):
            db.execute(f"ALTER TABLE answers DROP COLUMN {column}")
    with ChatStore(f"sqlite:///{path}") as reopened:
        (item,) = insights.listed(reopened)
        assert item.outcome == "refused" and item.question == REFUSED


def test_why_names_the_decision_its_signals_and_the_passages_found(answers):
    refused = why.explain(answers[REFUSED])
    assert "under grænsen" in refused["decision"] and "så det afviste" in refused["decision"]
    assert "kørselsgodtgørelse" in refused["decision"]
    good = why.explain(answers[GOOD])
    assert "over grænsen" in good["decision"]
    assert {s["signal"] for s in good["signals"]} >= {"lighed med det bedste afsnit"}
    pushes = [abs(s["bidrag"] or 0.0) for s in good["signals"]]  # None: not weighed
    assert pushes == sorted(pushes, reverse=True)
    assert [p["rang"] for p in good["passages"]] == list(range(1, len(good["passages"]) + 1))
    cited = {c.chunk.chunk_id for c in answers[GOOD].citations}
    found = [p["chunk_id"] for p in answers[GOOD].passages]
    assert [p["citeret"] == "ja" for p in good["passages"]] == [c in cited for c in found]
    assert any(p["citeret"] for p in good["passages"])


def test_a_case_is_written_in_the_question_files_format_and_eval_reads_it(
    store, tmp_path, real_index, assistant
):
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        json.dumps(
            {
                "id": "q1",
                "question": "Hvad er tillid?",
                "category": "concept",
                "answerable": False,
                "split": "tune",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    (down,) = insights.rated(store, Filters(rating="down"))
    chunk = next(
        c for c in assistant.searcher.chunks if c.chunk_id == down.answer.passages[0]["chunk_id"]
    )
    case = cases.make_case(down, chunk)
    assert cases.write_case(tmp_path / "cases.jsonl", case) is True
    refused = next(
        i for i in insights.listed(store, Filters(outcome="refused")) if i.question == REFUSED
    )
    cases.write_case(tmp_path / "cases.jsonl", cases.make_case(refused, None))
    read = load_question_set(questions, tmp_path / "cases.jsonl")
    assert [q.id for q in read] == ["q1", case["id"], cases.case_id(REFUSED)]
    assert [q.id for q in load_question_set(questions)] == ["q1"]  # another set: alone
    written = read[1]
    assert written.answerable and written.split == case["split"] and written.category == "feedback"
    assert QuoteMatcher().satisfied(chunk, written.sources) == {0}
    assert not read[2].answerable and read[2].scope == "neighbouring"


def test_the_same_question_again_replaces_its_case_and_an_id_used_twice_is_refused(
    store, tmp_path, assistant
):
    (down,) = insights.rated(store, Filters(rating="down"))
    target = tmp_path / "cases.jsonl"
    cases.write_case(target, cases.make_case(down, None))
    chunk = assistant.searcher.chunks[0]
    assert cases.write_case(target, cases.make_case(down, chunk, chunk.text.split(".")[0])) is False
    (only,) = cases.read_cases(target)
    assert only["answerable"] is True
    with pytest.raises(ValueError, match="står ikke"):
        cases.make_case(down, chunk, "ord der ikke står i afsnittet nogen steder")
    (tmp_path / "questions.jsonl").write_text(json.dumps({**only, "split": "tune"}) + "\n")
    with pytest.raises(QuestionFileError, match="står også i"):
        load_question_set(tmp_path / "questions.jsonl", target)


def test_the_kvalitet_page_stops_for_a_signed_in_manager(monkeypatch, real_index, tmp_path):
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    monkeypatch.setenv("TILLID_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.sqlite'}")
    at = AppTest.from_string("from rag.chat import quality\nquality.page()", default_timeout=60)
    at.user = ANNE
    at.run()
    assert at.error[0].value == "Denne side er kun for vedligeholdere."
    assert not at.tabs


def test_two_clicks_on_the_page_make_a_case_from_a_thumbs_down(
    store, monkeypatch, real_index, tmp_path
):
    monkeypatch.setenv("TILLID_DATA_DIR", str(real_index.data_dir))
    monkeypatch.setenv("TILLID_DATABASE_URL", store.url)
    monkeypatch.setenv("TILLID_CASES_FILE", str(tmp_path / "cases.jsonl"))
    at = AppTest.from_string("from rag.chat import quality\nquality.page()", default_timeout=120)
    at.run()
    assert not at.exception
    assert any(GOOD in m.value and "👎" in m.value for m in at.markdown)
    key = next(
        b.key
        for b in at.button
        if b.label == "Lav evalueringscase" and store.ids[GOOD] in b.key and b.key.endswith("-down")
    )
    at.button(key).click().run()
    choice = next(b for b in at.button if b.label == "Dette afsnit burde svare")
    choice.click().run()
    assert not at.exception
    assert "er skrevet i cases.jsonl" in at.success[0].value
    (case,) = cases.read_cases(tmp_path / "cases.jsonl")
    assert case["question"] == GOOD and case["origin"] == "thumbs-down"
    # "Hvorfor dette svar?" for any answer: the latest one to a most asked question
    assert not any(m.value.startswith("**Afgørelsen.**") for m in at.markdown)
    picker = at.selectbox(key="q-hvorfor-mest")
    assert picker.options[1] == GOOD
    picker.select_index(1).run()
    assert not at.exception
    (decided,) = [m.value for m in at.markdown if m.value.startswith("**Afgørelsen.**")]
    assert "over grænsen" in decided and "så det svarede" in decided


def test_feedback_cli_lists_as_text_json_and_csv_and_writes_candidate_cases(
    store, real_index, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("TILLID_DATABASE_URL", store.url)
    base = ["feedback", "--data-dir", str(real_index.data_dir)]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert GOOD in out and REFUSED in out and "afvist" in out and "Hanne" not in out
    assert main([*base, "--rating", "down", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["question"] == GOOD and row["rating"] == "down" and row["evidence"]
    assert main([*base, "--refused", "--csv", "--since", "7"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["question"] for r in rows} == {REFUSED, REFUSED_TOO}
    target = tmp_path / "candidates.jsonl"
    assert main([*base, "--to-eval", str(target)]) == 0
    assert "kandidater skrevet" in capsys.readouterr().out
    written = {c["question"]: c for c in cases.read_cases(target)}
    assert written[REFUSED]["answerable"] is False and not written[REFUSED]["sources"]
    assert written[GOOD]["candidates"] and "todo" in written[GOOD]  # thumbs-down: choose
    assert main([*base, "--since", "0"]) == 2


def test_cases_keep_their_half_and_a_follow_up_keeps_the_question_before_it(
    store, answers, assistant
):
    cid = store.start("leder-3", GOOD)
    store.add(cid, answers[GOOD], "leder-3")
    follow = assistant.ask("Giv mig et eksempel på det", history=[answers[GOOD]])
    aid = store.add(cid, follow, "leder-3")
    store.rate(aid, "leder-3", "down")
    item = next(i for i in insights.rated(store) if i.answer_id == aid)
    assert cases.history(store, item) == [GOOD]
    case = cases.make_case(item, None, earlier=cases.history(store, item))
    assert case["history"] == [GOOD]
    assert cases.split_of(case["id"]) == case["split"] == cases.make_case(item, None)["split"]
    halves = {cases.split_of(cases.case_id(f"spørgsmål {n}")) for n in range(20)}
    assert halves == {"tune", "heldout"}
    assert time.strftime("%Y") in case["added"]
