"""Prompt templates from prompts/: the wording lives in files, the filling in code."""

from __future__ import annotations

from functools import cache

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


def sources_block(chunks: list[Chunk]) -> str:
    return "\n\n".join(
        template("source").format(
            n=n,
            title=_data(c.title),
            section=_data(c.section),
            kind=kind_label(c.kind),
            page=f' side="{c.page}"' if c.page else "",
            text=_data(c.text),
        )
        for n, c in enumerate(chunks, 1)
    )


def answer_messages(question: str, chunks: list[Chunk]) -> list[tuple[str, str]]:
    user = template("answer-user").format(sources=sources_block(chunks), question=_data(question))
    return [("system", template("answer-system")), ("human", user)]


def condense_messages(question: str, previous: list[str]) -> list[tuple[str, str]]:
    history = "\n".join(f"- {_data(q)}" for q in previous[-4:])
    return [("human", template("condense").format(history=history, question=_data(question)))]
