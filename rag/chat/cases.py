"""From a rated or refused question to an evaluation case, in eval/questions.jsonl's format.

The maintainer says which passage should have answered (or that the material does not cover
it); the case is written to its own file beside the question set (`Settings.cases_file`,
default eval/cases.jsonl), which `tillidsguiden eval` reads with the rest
(rag/measure/evaluate.py, `load_question_set`). A case's id comes from its question's words, so
writing the same question again replaces its case instead of adding a second; its half is
fixed by the same id (about every other case is held out), so it never moves.

The question is the one stored, with personal data already replaced; a follow-up keeps the
questions before it in its conversation as `history`. The expected quote is 5-15 words of the
chosen passage: the start of the sentence that shares most words with the question.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from rag.answer.followup import is_follow_up
from rag.chat.insights import Item, same_words
from rag.chat.store import ChatStore
from rag.documents import Chunk
from rag.ingest.sentences import split
from rag.storage import storage_problem
from rag.text import plain_words, squash

QUOTE_WORDS = (5, 15)


class CaseError(OSError):
    """The cases file could not be read or written; the message is one Danish line."""


def case_id(question: str) -> str:
    return "fb-" + hashlib.sha256(same_words(question).encode()).hexdigest()[:10]


def split_of(cid: str) -> str:
    """The half a case belongs to, fixed by its id."""
    return "heldout" if int(cid[-2:], 16) % 2 else "tune"


def best_quote(chunk: Chunk, question: str) -> str:
    """5-15 words of the passage that an answer to `question` should hold: the start of the
    sentence sharing most words with the question (the passage's start when none does)."""
    asked = set(plain_words(question))
    best, best_score = None, 0.0
    for s in split(chunk):
        words = plain_words(s.text)
        if len(words) < QUOTE_WORDS[0] or s.heading:
            continue
        shared = len(asked & set(words)) / (len(words) ** 0.5)
        if shared > best_score:
            best, best_score = s.text, shared
    words = (best or chunk.text).split()
    quote = " ".join(words[: QUOTE_WORDS[1]])
    return quote if squash(quote) in squash(chunk.text) else " ".join(chunk.text.split()[:12])


def origin(item: Item) -> str:
    """What brought the question here: a thumb, or an answer that refused or hedged."""
    if item.rating:
        return f"thumbs-{item.rating}"
    return item.outcome


def history(store: ChatStore | None, item: Item) -> list[str]:
    """The questions before a follow-up in its conversation (none for a question that stands
    alone, or when the conversation is gone)."""
    if store is None or item.turn == 0 or not is_follow_up(item.question):
        return []
    found = store.conversation(item.conversation_id)
    if found is None:
        return []
    return [a.question for _, a in found.answers[: item.turn]][-3:]


def make_case(
    item: Item, chunk: Chunk | None, quote: str = "", earlier: list[str] | None = None
) -> dict:
    """The case for `item`: answered by `chunk` (quoting `quote`, else its best quote), or, with
    no chunk, a question the material does not cover."""
    cid = case_id(item.question)
    case = {
        "id": cid,
        "question": item.question,
        "lang": item.answer.language,
        "category": "feedback" if chunk else "out-of-scope",
        "answerable": chunk is not None,
        "split": split_of(cid),
        "sources": [],
        "origin": origin(item),
        "added": time.strftime("%Y-%m-%d"),
    }
    if chunk is None:
        case["scope"] = "neighbouring"
    else:
        quote = " ".join((quote or best_quote(chunk, item.question)).split())
        if squash(quote) not in squash(chunk.text):
            raise ValueError("Citatet står ikke i det valgte afsnit.")
        case["sources"] = [{"doc": chunk.doc_id, "quote": quote}]
    if earlier:
        case["history"] = earlier
    return case


def read_cases(path: Path) -> list[dict]:
    """The cases in the file (none when it does not exist yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CaseError(storage_problem(exc, "Evalueringscaserne")) from exc
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_case(path: Path, case: dict) -> bool:
    """Add the case to the file, or replace the one with its id; True when it was new. The
    file is rewritten whole and renamed into place, so a failed write leaves it as it was."""
    cases = read_cases(path)
    new = all(c.get("id") != case["id"] for c in cases)
    cases = [c for c in cases if c.get("id") != case["id"]] + [case]
    write_cases(path, cases)
    return new


def write_cases(path: Path, cases: list[dict]) -> None:
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    partial = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(lines, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CaseError(storage_problem(exc, "Evalueringscasen")) from exc


def candidate(store: ChatStore | None, item: Item, chunks: dict[str, Chunk]) -> dict:
    """The case `tillidsguiden feedback --to-eval` proposes for an item without a maintainer's
    choice: a refusal nobody disputed is a question the material does not cover; a thumbs-up
    keeps its first source; anything else lists the passages the search found under
    "candidates" and has no source yet, so `tillidsguiden eval` refuses it until one is chosen
    into "sources" (or "answerable" set to false)."""
    earlier = history(store, item)
    a = item.answer
    if a.refused and item.rating != "down":
        return make_case(item, None, earlier=earlier)
    if item.rating == "up" and a.citations and a.citations[0].chunk.chunk_id in chunks:
        first = a.citations[0]
        quote = " ".join(first.span_quotes()[0].split()[: QUOTE_WORDS[1]])
        return make_case(item, chunks[first.chunk.chunk_id], quote, earlier)
    case = make_case(item, None, earlier=earlier)
    case.update(category="feedback", answerable=True)
    case.pop("scope")
    case["candidates"] = [
        {"doc": c.doc_id, "section": c.section, "quote": best_quote(c, item.question)}
        for c in (chunks.get(p.get("chunk_id", "")) for p in a.passages[:5])
        if c is not None
    ]
    case["todo"] = (
        "Vælg den kilde, der burde have svaret, fra candidates ind i sources – "
        'eller sæt "answerable": false.'
    )
    return case
