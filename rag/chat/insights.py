"""What managers ask and where the answers fail, read from the store for the maintainers: the
"Kvalitet" page (rag/chat/quality.py) and `tillidsguiden feedback` ask the same queries here.

Everything shown is what the store keeps: questions with personal data already replaced,
comments redacted when written. Nothing here writes.

    rated     thumbs and comments, with the stored answer (its sources, mode and evidence)
    gaps      refused and partial answers grouped by topic: what the material lacks
    asked     the most asked questions (same words, case and punctuation aside) and their thumbs
    weekly    questions, refusals, partial answers and thumbs per ISO week
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from rag.answer.assistant import Assistant
from rag.answer.evidence import topic_words
from rag.chat.store import DAY, ChatStore, answers, ratings, topic
from rag.documents import Answer

# Rows read at most for one list (the newest first); the counts cover the whole period.
LIMIT = 500


@dataclass(frozen=True)
class Filters:
    """What the maintainer narrowed the view to; None is everything."""

    days: int | None = None  # the last N days
    rating: str | None = None  # "up" | "down"
    doc: str | None = None  # cited (or, for a refusal, nearest) document id
    outcome: str | None = None  # "refused" | "partial" | "gaps" (either)

    def since(self, now: float | None = None) -> float:
        return (now or time.time()) - self.days * DAY if self.days else 0.0


@dataclass
class Item:
    """One stored answer as the maintainers see it, with the thumb that rated it (if any)."""

    answer_id: str
    conversation_id: str
    turn: int
    created: float
    answer: Answer
    outcome: str
    rating: str | None = None
    comment: str = ""
    rated: float | None = None

    @property
    def question(self) -> str:
        return self.answer.question

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.rated or self.created))

    def to_dict(self) -> dict:
        a = self.answer
        return {
            "answer_id": self.answer_id,
            "time": self.when,
            "question": a.question,
            "outcome": self.outcome,
            "rating": self.rating,
            "comment": self.comment,
            "mode": a.mode,
            "answer": a.text,
            "sources": [c.to_dict() for c in a.citations],
            "evidence": a.evidence,
            "passages": a.passages,
        }


@dataclass
class Topic:
    name: str
    questions: list[Item] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def refused(self) -> int:
        return sum(i.outcome == "refused" for i in self.questions)

    @property
    def partial(self) -> int:
        return sum(i.outcome == "partial" for i in self.questions)


@dataclass
class Asked:
    question: str
    count: int
    up: int = 0
    down: int = 0
    refused: int = 0
    latest: str = ""  # answer id of the latest time it was asked


def _answer_filters(f: Filters, now: float | None = None) -> list:
    where = [answers.c.created >= f.since(now)]
    if f.doc:
        where.append(answers.c.docs.like(f"% {f.doc} %"))
    if f.outcome == "gaps":
        where.append(answers.c.outcome.in_(("refused", "partial")))
    elif f.outcome:
        where.append(answers.c.outcome == f.outcome)
    return where


def _item(row, rating=None) -> Item:
    return Item(
        answer_id=row.id,
        conversation_id=row.conversation_id,
        turn=row.turn,
        created=row.created,
        answer=Answer.from_record(json.loads(row.record)),
        outcome=row.outcome,
        rating=getattr(rating, "rating", None),
        comment=getattr(rating, "comment", "") or "",
        rated=getattr(rating, "updated", None),
    )


def rated(store: ChatStore, f: Filters = Filters(), limit: int = LIMIT) -> list[Item]:
    """Rated answers, the latest thumb first; one item per answer and rater."""
    where = [*_answer_filters(f), ratings.c.updated >= f.since()]
    if f.rating:
        where.append(ratings.c.rating == f.rating)
    rows = store.query(
        select(answers, ratings.c.rating, ratings.c.comment, ratings.c.updated)
        .join(ratings, ratings.c.answer_id == answers.c.id)
        .where(and_(*where))
        .order_by(ratings.c.updated.desc())
        .limit(limit)
    )
    return [_item(r, r) for r in rows]


def answered(store: ChatStore, f: Filters = Filters(), limit: int = LIMIT) -> list[Item]:
    """Stored answers (refused and partial ones with `outcome`), the newest first."""
    rows = store.query(
        select(answers)
        .where(and_(*_answer_filters(f)))
        .order_by(answers.c.created.desc())
        .limit(limit)
    )
    return [_item(r) for r in rows]


def item(store: ChatStore, answer_id: str) -> Item | None:
    """One stored answer by its id (any answer, rated or not), or None when it is gone."""
    rows = store.query(select(answers).where(answers.c.id == answer_id))
    return _item(rows[0]) if rows else None


def listed(store: ChatStore, f: Filters = Filters(), limit: int = LIMIT) -> list[Item]:
    """What `tillidsguiden feedback` lists: the rated answers (of the asked rating) and, unless
    a rating is asked for, the refused and partial ones nobody rated; newest first."""
    items = rated(store, f, limit)
    if not f.rating:
        gaps = f if f.outcome else Filters(f.days, None, f.doc, "gaps")
        seen = {i.answer_id for i in items}
        items += [i for i in answered(store, gaps, limit) if i.answer_id not in seen]
    items.sort(key=lambda i: -(i.rated or i.created))
    return items[:limit]


def gaps(store: ChatStore, f: Filters = Filters(), topic_of=None) -> list[Topic]:
    """Refused and partial answers grouped by topic, the largest group first. `topic_of(item)`
    gives (group key, name); by default the stored topic (rag/chat/store.py, `topic`). The page
    passes `topic_finder(assistant)`, which also groups "lønnen" with "løn"."""
    wanted = f.outcome if f.outcome in ("refused", "partial") else "gaps"
    topic_of = topic_of or (lambda item: (topic(item.answer).lower(), topic(item.answer)))
    groups: dict[str, Topic] = {}
    names: dict[str, Counter] = defaultdict(Counter)
    for item in answered(store, Filters(f.days, None, f.doc, wanted)):
        group, name = topic_of(item)
        names[group][name] += 1
        groups.setdefault(group, Topic(name)).questions.append(item)
    for group, found in groups.items():
        found.name = names[group].most_common(1)[0][0] or "(uden emne)"
    return sorted(groups.values(), key=lambda t: (-t.count, t.name))


def topic_finder(assistant: Assistant):
    """(key, name) of an item's topic: the word the material never uses that weighs most in
    the question, else its weightiest topic word (rag/answer/evidence.py), keyed by its stem."""
    stats = assistant.stats

    def find(item: Item) -> tuple[str, str]:
        missing = item.answer.evidence.get("missing") or []
        word = str(missing[0]) if missing else ""
        if not word:
            asked = item.answer.standalone or item.question
            words = topic_words(assistant.searcher.analyse(asked, asked), stats)
            word = max(words, key=lambda w: w.weight).text if words else ""
        terms = stats.analyzer.terms(word) if word else []
        return (terms[0] if terms else word.lower()), word.lower()

    return find


_PUNCT = re.compile(r"[^\w«» ]+")


def same_words(question: str) -> str:
    """A question as counted among the most asked: case, punctuation and spacing aside."""
    return " ".join(_PUNCT.sub(" ", question.casefold()).split())


def asked(store: ChatStore, f: Filters = Filters(), n: int = 10) -> list[Asked]:
    """The `n` most asked questions in the period and how their answers were rated."""
    where = _answer_filters(f)
    rows = store.query(
        select(answers.c.id, answers.c.question, answers.c.outcome, answers.c.created).where(
            and_(*where)
        )
    )
    thumbs = store.query(
        select(ratings.c.answer_id, ratings.c.rating).where(
            ratings.c.answer_id.in_(select(answers.c.id).where(and_(*where)))
        )
    )
    by_answer: dict[str, Counter] = defaultdict(Counter)
    for t in thumbs:
        by_answer[t.answer_id][t.rating] += 1
    groups: dict[str, Asked] = {}
    newest: dict[str, float] = {}
    for r in rows:
        k = same_words(r.question)
        g = groups.setdefault(k, Asked(r.question, 0))
        g.count += 1
        g.refused += r.outcome == "refused"
        g.up += by_answer[r.id]["up"]
        g.down += by_answer[r.id]["down"]
        if r.created >= newest.get(k, 0.0):
            newest[k], g.latest, g.question = r.created, r.id, r.question
    ranked = sorted(groups.values(), key=lambda g: (-g.count, -(g.up + g.down), g.question))
    return [g for g in ranked if g.count > 1 or g.up or g.down][:n]


def weekly(store: ChatStore, f: Filters = Filters()) -> list[dict]:
    """Per ISO week (oldest first): questions asked, refused, partial, thumbs up and down."""
    since = f.since()
    rows = store.query(
        select(answers.c.created, answers.c.outcome).where(and_(*_answer_filters(f)))
    )
    thumbs = store.query(
        select(ratings.c.updated, ratings.c.rating).where(
            or_(ratings.c.updated >= since, ratings.c.created >= since)
        )
    )
    weeks: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        weeks[_week(r.created)]["spørgsmål"] += 1
        weeks[_week(r.created)][r.outcome] += 1
    if not f.doc and not f.outcome:
        for t in thumbs:
            weeks[_week(t.updated)][t.rating] += 1
    return [
        {
            "uge": w,
            "spørgsmål": c["spørgsmål"],
            "afvist": c["refused"],
            "delvis": c["partial"],
            "op": c["up"],
            "ned": c["down"],
        }
        for w, c in sorted(weeks.items())
    ]


def _week(t: float) -> str:
    year, week, _ = datetime.date.fromtimestamp(t).isocalendar()
    return f"{year}-U{week:02d}"


def documents(store: ChatStore) -> list[str]:
    """The document ids answers cited (or came nearest to), for the document filter."""
    found: set[str] = set()
    for r in store.query(select(answers.c.docs).distinct()):
        found |= set(r.docs.split())
    return sorted(found)


# --- for the command line ---------------------------------------------------------------------

COLUMNS = ("time", "outcome", "rating", "question", "comment", "mode", "sources")


def as_rows(items: list[Item]) -> list[dict]:
    """One flat row per item (sources as "doc › section" joined by "; ")."""
    rows = []
    for i in items:
        d = i.to_dict()
        d["sources"] = "; ".join(f"{s['doc_id']} › {s['section']}" for s in d["sources"])
        rows.append({k: d[k] if d[k] is not None else "" for k in COLUMNS})
    return rows


def to_csv(items: list[Item]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(as_rows(items))
    return out.getvalue()


OUTCOME_NAMES = {"answered": "svaret", "partial": "delvist", "refused": "afvist"}
RATING_NAMES = {"up": "👍", "down": "👎", None: "  "}


def format_items(items: list[Item]) -> str:
    """The list as `tillidsguiden feedback` prints it."""
    if not items:
        return "Ingen vurderede eller afviste spørgsmål i perioden."
    lines = []
    for i in items:
        head = f"{i.when}  {RATING_NAMES.get(i.rating, '  ')} {OUTCOME_NAMES[i.outcome]:8} "
        lines.append(head + i.question)
        if i.comment:
            lines.append(f"{'':26}» {i.comment}")
        cited = "; ".join(f"{c.chunk.doc_id} › {c.chunk.section}" for c in i.answer.citations)
        if cited:
            lines.append(f"{'':26}kilder: {cited}")
    lines.append(f"{len(items)} i alt.")
    return "\n".join(lines)
