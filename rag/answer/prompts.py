"""Prompt templates from prompts/: the wording lives in files, the filling in code."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from rag.answer.excerpts import Source
from rag.answer.labels import kind_label
from rag.config import PROJECT_ROOT
from rag.documents import Chunk

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@cache
def template(name: str) -> str:
    return (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").strip()


def _data(text: str) -> str:
    """Source text can never close or open our delimiters (prompt injection through a PDF)."""
    return text.replace("<", "‹").replace(">", "›")


def sources_block(sources: Sequence[Source | Chunk]) -> str:
    """The numbered sources: each the excerpt chosen for the question (a chunk: all of it)."""
    return "\n\n".join(
        template("source").format(
            n=n,
            title=_data(s.chunk.title),
            section=_data(s.chunk.section),
            kind=kind_label(s.chunk.kind),
            page=f' side="{s.chunk.page}"' if s.chunk.page else "",
            text=_data(s.text),
        )
        for n, s in enumerate(_as_sources(sources), 1)
    )


def _as_sources(sources: Sequence[Source | Chunk]) -> list[Source]:
    return [s if isinstance(s, Source) else Source.whole(s) for s in sources]


def answer_messages(question: str, sources: Sequence[Source | Chunk]) -> list[tuple[str, str]]:
    user = template("answer-user").format(sources=sources_block(sources), question=_data(question))
    return [("system", template("answer-system")), ("human", user)]


def instructions(question: str) -> str:
    """What the model was told besides the sources: text it may only repeat, not cite."""
    frame = template("answer-user").replace("{sources}", "").replace("{question}", question)
    return f"{template('answer-system')}\n{frame}"


def condense_messages(question: str, previous: list[str]) -> list[tuple[str, str]]:
    history = "\n".join(f"- {_data(q)}" for q in previous[-4:])
    return [("human", template("condense").format(history=history, question=_data(question)))]
