"""The evaluation report in eval/results/: Markdown tables and a hit@5 plot, committed so that
progress shows in the history."""

from __future__ import annotations

import json
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
    """eval/results/answers.md: the answer figures per half and category, the refusal curve
    (also as a plot) and the answerable questions the answer missed."""
    folder.mkdir(parents=True, exist_ok=True)
    plot = folder / "answers-refusal-curve.png"
    _plot_refusal_curve(metrics["tradeoff"], plot)
    bar = assistant.gate.bar  # type: ignore[attr-defined]
    lines = [
        "# Answer evaluation",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `python -m rag eval --answers --report` "
        f"from `{questions_file.name}`, answer mode `{assistant.mode}` "  # type: ignore[attr-defined]
        f"(refusal bar P(answerable) < {bar:.3f}). The models were fitted on the tuning half "
        "only; the held-out half is the figure to believe.",
        "",
        "| | " + " | ".join(_HALVES[h] for h in metrics["halves"]) + " |",
        "|---|" + "---|" * len(metrics["halves"]),
    ]
    for key, name in _ANSWER_ROWS:
        cells = [_cell(_dig(m, key)) for m in metrics["halves"].values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        f"| latency p50 / p95 (ms) | {metrics['latency_ms']['p50']} / "
        f"{metrics['latency_ms']['p95']} | | |",
        "",
        "Readability lint (answers breaking each rule, all questions): "
        + (
            ", ".join(f"{k} {v}" for k, v in metrics["halves"]["all"]["lint_rules"].items())
            or "none"
        )
        + ".",
        "",
    ]
    before_file = folder / "answers-before.json"
    if before_file.exists():
        lines += _before_after(
            json.loads(before_file.read_text(encoding="utf-8")), metrics["halves"]
        )
    lines += _breakdowns(metrics["halves"])
    lines += [
        "",
        "## Refusal trade-off",
        "",
        f"![refusal curve]({plot.name})",
        "",
        "Moving the bar by `shift` (0 = as configured): share refused of each group.",
        "",
        "| shift | half | answerable | neighbouring | off-topic |",
        "|---|---|---|---|---|",
    ]
    for half, rows in metrics["tradeoff"].items():
        for row in rows[::2]:
            lines.append(
                f"| {row['shift']:+.3f} | {half} | {_cell(row['answerable'])} | "
                f"{_cell(row['neighbouring'])} | {_cell(row['off-topic'])} |"
            )
    misses = [s for s in scored if s.question.answerable and not s.answer_recall]
    lines += ["", "## Answerable questions whose answer holds no expected quote", ""]
    lines += [
        f"- {s.question.id} ({s.question.category}, {s.question.split}"
        f"{', refused' if s.answer.refused else ''}): {s.question.question}"
        for s in misses
    ] or ["None."]
    path = folder / "answers.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [path, plot]


_HALVES = {"tune": "tuning half", "heldout": "held-out half", "all": "all"}
_ANSWER_ROWS = (
    ("answerable", "answerable questions"),
    ("out_of_scope", "out-of-scope questions"),
    ("answer_recall", "answer recall (an expected quote in the answer)"),
    ("lead_hit", "lead hit (an expected quote in the first sentence)"),
    ("partial", "partial answers"),
    ("lint", "answers with a readability lint"),
    ("refused.neighbouring", "neighbouring questions refused"),
    ("refused.off-topic", "off-topic questions refused"),
    ("answerable_refused", "answerable questions refused"),
    ("citation_precision", "citation precision"),
    ("citation_recall", "citation recall"),
    ("support", "answer support"),
    ("consistency.decision", "same answer/refuse decision across rewordings"),
    ("consistency.decision_and_source", "same decision and first cited passage"),
)
_BREAKDOWNS = (
    ("by_category", "category"),
    ("by_overlap", "overlap with the expected passage (Danish, answerable)"),
    ("by_language", "language"),
)


def _breakdowns(halves: dict) -> list[str]:
    """Per category, overlap bucket and language: both halves side by side."""
    names = [h for h in ("tune", "heldout") if h in halves] or ["all"]
    lines: list[str] = []
    for key, title in _BREAKDOWNS:
        groups = sorted({g for h in names for g in halves[h][key]}, key=_bucket_order)
        head = " | ".join(f"n, recall, lead, refused ({_HALVES[h]})" for h in names)
        lines += ["", f"## Per {title}", "", f"| {title} | {head} |", "|---|" + "---|" * len(names)]
        for g in groups:
            cells = []
            for h in names:
                v = halves[h][key].get(g)
                cells.append(
                    "–"
                    if v is None
                    else f"{v['n']}, {_cell(v['answer_recall'])}, {_cell(v['lead_hit'])}, "
                    f"{_cell(v['refused'])}"
                )
            lines.append(f"| {g} | " + " | ".join(cells) + " |")
    return lines


def _bucket_order(name: str) -> tuple[int, str]:
    order = {"≤0.3": 0, "0.3–0.6": 1, ">0.6": 2}
    return order.get(name, 3), name


def _before_after(before: dict, halves: dict) -> list[str]:
    """Both halves before the current work (answers-before.json, its commit named in it) and
    now."""
    names = [h for h in ("tune", "heldout") if h in halves and h in before["halves"]]
    commit = before.get("commit", "06a055a")
    lines = [
        "## Before and after",
        "",
        f"Before: commit {commit}'s answers to this question file, scored with these measures.",
        "",
        "| | " + " | ".join(f"{_HALVES[h]} before | now" for h in names) + " |",
        "|---|" + "---|---|" * len(names),
    ]
    for key, name in _ANSWER_ROWS[2:]:
        cells = [
            f"{_cell(_dig(before['halves'][h], key))} | {_cell(_dig(halves[h], key))}"
            for h in names
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _dig(d: dict, key: str):
    for part in key.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    return d


def _cell(x) -> str:
    if x is None:
        return "–"
    return str(x) if isinstance(x, int) else f"{x:.3f}"


def _plot_refusal_curve(tradeoff: dict, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    styles = {"tune": ":", "heldout": "-"}
    colours = {"answerable": "tab:red", "neighbouring": "tab:blue", "off-topic": "tab:green"}
    for half, rows in tradeoff.items():
        shifts = [r["shift"] for r in rows]
        for group, colour in colours.items():
            values = [r[group] for r in rows]
            if all(v is not None for v in values):
                name = f"{group} refused ({_HALVES[half]})"
                ax.plot(shifts, values, styles.get(half, "-"), color=colour, label=name)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("shift of the refusal bar (0 = configured)")
    ax.set_ylabel("share refused")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Refusal trade-off: out-of-scope refused vs answerable refused")
    ax.legend(loc="center right", fontsize=7)
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)


def write_bench_report(folder: Path, name: str, intro: str, text: str, payload: str) -> Path:
    """A benchmark's figures as printed and as JSON, in one Markdown file under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{intro}\n\n```\n{text}\n```\n\n```json\n{payload}\n```\n", encoding="utf-8")
    return path


def bench_intro(page: bool | str, cores: int | None) -> str:
    """The heading of bench.md, page.md or load.md: what was measured, how, on how many
    cores."""
    if page == "load":
        return (
            f"# Under load\n\nGenerated {time.strftime('%Y-%m-%d')} by "
            "`python -m rag bench --load N,… --report` on this "
            f"machine ({cores} cores): a Chroma server, one database and 1 or 3 "
            "`streamlit run app.py` processes on 127.0.0.1, driven by simulated users over "
            "Streamlit's own websocket (rag/measure/loadbench.py). Each user loads the page and "
            "asks ten different questions, reading each answer a few seconds first.\n\n"
            "![p95 by users](load.png)"
        )
    if not page or page == "quick":
        flag = " --quick" if page else ""
        return (
            f"# Benchmark{flag}\n\nGenerated {time.strftime('%Y-%m-%d')} by "
            f"`python -m rag bench{flag} --report` on this machine ({cores} cores)."
        )
    return (
        "# The chat page in a real browser\n\nGenerated "
        f"{time.strftime('%Y-%m-%d')} by `python -m rag bench --page --report` "
        f"on this machine ({cores} cores): `streamlit run app.py`, headless Chromium via "
        "chromedriver, default answer mode (no LLM). Times are measured in the page, from Enter "
        "to the finished answer with its source cards."
    )
