"""The evaluation report in eval/results/: Markdown tables and a hit@5 plot, committed so that
progress shows in the history."""

from __future__ import annotations

import time
from pathlib import Path

METRICS = ("n", "hit@1", "hit@5", "recall@5", "mrr@10", "ndcg@10")


def _table(rows: list[tuple[str, dict]], metrics: tuple[str, ...] = METRICS) -> list[str]:
    lines = ["| | " + " | ".join(metrics) + " |", "|---|" + "---|" * len(metrics)]
    for name, values in rows:
        cells = [
            str(values.get(m, "")) if m == "n" else f"{values.get(m, 0.0):.3f}" for m in metrics
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def write_retrieval_report(
    folder: Path,
    metrics: dict,
    questions_file: Path,
    meta: dict,
    ablation: dict | None = None,
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    plot = folder / "retrieval-hit5-by-category.png"
    _plot_hit5(metrics, plot)
    lines = [
        "# Retrieval evaluation",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M')} by "
        "`python -m rag eval --mode all --report --ablation`",
        f"from `{questions_file.name}`; embedder `{meta.get('embedder')}`, "
        f"chunking version {meta.get('chunking_version')}, "
        f"search index version {meta.get('search_index_version')}.",
        "Metrics are over answerable questions; a hit counts when a ranked passage contains an",
        "expected quote (see eval/README.md).",
        "",
        "## Summary (answerable questions)",
        "",
    ]
    summary = []
    for mode, m in metrics.items():
        summary += [(f"{mode} · Danish", m["danish"]), (f"{mode} · English", m["english"])]
    lines += _table(summary)
    lines += ["", "## Latency (warm, ms per query, corpus scale)", ""]
    lines += ["| mode | p50 | p95 |", "|---|---|---|"]
    lines += [
        f"| {mode} | {m['latency_ms']['p50']} | {m['latency_ms']['p95']} |"
        for mode, m in metrics.items()
    ]
    for mode, m in metrics.items():
        lines += ["", f"## {mode}: per category", ""]
        lines += _table([("all", m["overall"]), *list(m["by_category"].items())])
    if ablation:
        lines += ["", "## What each normalisation and fusion choice does", ""]
        lines += [
            "Lexical variants change only the BM25 analysis; the kept row is what ships.",
            "",
            "| lexical variant | bm25 DA hit@5 | bm25 DA MRR | bm25 EN hit@5 "
            "| bm25 no-diacritics | hybrid DA hit@5 | hybrid DA MRR | hybrid paraphrase |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in ablation["lexical"]:
            b, h = row["bm25"], row["hybrid"]
            lines.append(
                f"| {row['variant']} | {b['danish hit@5']:.3f} | {b['danish mrr@10']:.3f} | "
                f"{b['english hit@5']:.3f} | {b['no-diacritics hit@5']:.3f} | "
                f"{h['danish hit@5']:.3f} | {h['danish mrr@10']:.3f} | "
                f"{h['paraphrase hit@5']:.3f} |"
            )
        lines += [
            "",
            "| fusion variant | DA hit@5 | DA MRR | EN hit@5 | paraphrase hit@5 |",
            "|---|---|---|---|---|",
        ]
        for row in ablation["fusion"]:
            h = row["hybrid"]
            lines.append(
                f"| {row['variant']} | {h['danish hit@5']:.3f} | {h['danish mrr@10']:.3f} | "
                f"{h['english hit@5']:.3f} | {h['paraphrase hit@5']:.3f} |"
            )
    lines += ["", f"![hit@5 per category and mode]({plot.name})", ""]
    report = folder / "retrieval.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    return [report, plot]


def _plot_hit5(metrics: dict, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(metrics)
    categories = sorted({c for m in metrics.values() for c in m["by_category"]})
    width = 0.8 / max(len(modes), 1)
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    for i, mode in enumerate(modes):
        values = [metrics[mode]["by_category"].get(c, {}).get("hit@5", 0.0) for c in categories]
        xs = [j + i * width - 0.4 + width / 2 for j in range(len(categories))]
        ax.bar(xs, values, width, label=mode)
    ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("hit@5")
    ax.set_title("Retrieval hit@5 per question category")
    ax.axhline(0.95, color="grey", linewidth=0.8, linestyle="--")
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)


def write_answer_report(
    folder: Path, metrics: dict, scored: list, questions_file: Path, assistant: object
) -> list[Path]:
    """eval/results/answers.md: the answer metrics, the refusal trade-off and sample answers."""
    folder.mkdir(parents=True, exist_ok=True)
    gate = assistant.gate  # type: ignore[attr-defined]

    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:.3f}"

    lines = [
        "# Answer evaluation",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `python -m rag eval --answers --report` "
        f"from `{questions_file.name}`, answer mode `{assistant.mode}` "  # type: ignore[attr-defined]
        f"(refusal bar {gate.threshold:.3f}, English {gate.threshold_en:.3f}).",
        "",
        "| metric | value |",
        "|---|---|",
        f"| citation precision | {f(metrics['citation_precision'])} |",
        f"| citation recall | {f(metrics['citation_recall'])} |",
        f"| answer support | {f(metrics['support'])} |",
        f"| refusal rate, out-of-scope (n={metrics['out_of_scope']}) "
        f"| {f(metrics['refusal_rate'])} |",
        f"| false refusals, answerable (n={metrics['answerable']}) "
        f"| {f(metrics['false_refusals'])} |",
        f"| latency p50 / p95 (ms) | {metrics['latency_ms']['p50']} / "
        f"{metrics['latency_ms']['p95']} |",
        "",
        "## Refusal trade-off",
        "",
        "Moving the refusal bar by `shift` (0 = configured):",
        "",
        "| shift | refusal rate (out-of-scope) | false refusals (answerable) |",
        "|---|---|---|",
    ]
    for row in metrics["tradeoff"]:
        lines.append(
            f"| {row['shift']:+.3f} | {f(row['refusal_rate'])} | {f(row['false_refusals'])} |"
        )
    misses = [s for s in scored if s.question.answerable and (s.answer.refused or not s.recall)]
    lines += ["", "## Answerable questions refused or citing no expected source", ""]
    lines += [
        f"- {s.question.id} ({s.question.category}, margin {s.margin:+.3f}): {s.question.question}"
        for s in misses
    ] or ["None."]
    path = folder / "answers.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path]


def write_bench_report(folder: Path, name: str, intro: str, text: str, payload: str) -> Path:
    """A benchmark's figures as printed and as JSON, in one Markdown file under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{intro}\n\n```\n{text}\n```\n\n```json\n{payload}\n```\n", encoding="utf-8")
    return path


def bench_intro(page: bool, cores: int | None) -> str:
    """The heading of bench.md or page.md: what was measured, how, on how many cores."""
    if not page:
        return (
            "# Benchmark\n\nGenerated by `python -m rag bench --report` on this machine "
            f"({cores} cores)."
        )
    return (
        "# The chat page in a real browser\n\nGenerated by `python -m rag bench --page --report` "
        f"on this machine ({cores} cores): `streamlit run app.py`, headless Chromium via "
        "chromedriver, default answer mode (no LLM). Times are measured in the page, from Enter "
        "to the finished answer with its source cards."
    )
