"""Compare before trusting a change (rag/measure/compare.py): deltas per half and group, the
questions that went from hit to miss and back, and the regression gate against the committed
baselines in eval/results/. A change that moves a held-out figure on purpose refreshes them in
the same commit: `make baseline`."""

from __future__ import annotations

import json

from rag.cli import main
from rag.config import ANSWER_BASELINE, EVAL_QUESTIONS, RETRIEVAL_BASELINE, Settings
from rag.measure.compare import (
    answer_figures,
    answer_rows,
    compare,
    format_comparison,
    load_baseline,
    retrieval_rows,
)
from rag.measure.evaluate import question_rows

TOLERANCE = Settings.load(env={}).regression_tolerance


def row(qid: str, split: str = "heldout", **values) -> dict:
    base = {
        "id": qid,
        "split": split,
        "category": "fact",
        "scope": None,
        "lang": "da",
        "answerable": True,
        "refused": False,
        "partial": False,
        "answer_recall": 1.0,
        "lead_hit": True,
        "lint": [],
        "citation_precision": 1.0,
        "citation_recall": 1.0,
        "support": 1.0,
        "fingerprint": f"fp-{qid}",
    }
    return {**base, **values}


def test_a_comparison_gives_deltas_and_the_questions_that_changed_sides():
    before = {
        "rows": [
            row("q1"),
            row("q2", answer_recall=0.0, lead_hit=False),
            row("q3", answerable=False, scope="neighbouring", refused=True, category="oos"),
            row("q4"),
        ]
    }
    after = [
        row("q1", answer_recall=0.0, lead_hit=False),  # hit → miss
        row("q2"),  # miss → hit
        row("q3", answerable=False, scope="neighbouring", refused=True, category="oos"),
        row("q4", fingerprint="reworded"),  # changed: left out
        row("q5", answer_recall=0.0),  # new since: listed, not compared
    ]
    c = compare("answers", before, after, "base.json", tolerance=0.02)
    assert (c.common, c.new, c.changed, c.gone) == (3, ["q5"], ["q4"], [])
    assert [r["id"] for _, r in c.lost] == ["q1"] and [r["id"] for _, r in c.won] == ["q2"]
    recall = next(d for d in c.deltas if d.group == "heldout" and d.metric == "answer_recall")
    assert (recall.before, recall.after, recall.change) == (0.5, 0.5, 0.0)
    assert c.passed
    missed = [row(q, answer_recall=0.0, lead_hit=False) for q in ("q1", "q2")]
    worse = compare("answers", before, [*missed, after[2]], tolerance=0.02)
    assert not worse.passed and {d.metric for d in worse.failures} == {"answer_recall", "lead_hit"}
    text = format_comparison(worse, {"q1": "Hvem står bag projektet?"})
    assert "Fra ramt til forbi (1):" in text and "Hvem står bag projektet?" in text
    assert "FALDET" in text and "under grænsen" in text


def test_a_figure_where_lower_is_better_fails_the_gate_when_it_rises():
    before = {"rows": [row(f"q{n}") for n in range(10)]}
    after = [row("q0", refused=True, answer_recall=0.0), *before["rows"][1:]]
    c = compare("answers", before, after, tolerance=0.02)
    assert "answerable_refused" in {d.metric for d in c.failures}


def test_the_figures_from_rows_are_the_reports_figures(answer_run):
    questions, metrics, scored = answer_run
    rows = answer_rows(scored, questions)
    ours = answer_figures(rows)
    theirs = metrics["halves"]["heldout"]
    for name in ("answer_recall", "lead_hit", "answerable_refused", "support"):
        assert abs(ours[name] - theirs[name]) < 1e-3, name
    for name in ("citation_precision", "citation_recall", "lint"):
        assert abs(ours[name] - theirs[name]) < 1e-3, name
    for scope in ("neighbouring", "off-topic"):
        assert abs(ours[f"refused_{scope}"] - theirs["refused"][scope]) < 1e-3


def test_no_held_out_answer_figure_falls_below_the_committed_baseline(answer_run):
    questions, _, scored = answer_run
    baseline = load_baseline(ANSWER_BASELINE, "answers", questions)
    held_out = [r for r in baseline["rows"] if r["split"] == "heldout"]
    result = compare("answers", baseline, answer_rows(scored, questions), "", TOLERANCE)
    assert result.common >= 0.9 * len(held_out), "the baseline is for another set"
    assert {d.group for d in result.deltas if " · " not in d.group} == {"heldout", "all"}
    assert result.passed, format_comparison(result) + "\nRefresh on purpose: make baseline"


def test_no_held_out_retrieval_figure_falls_below_the_committed_baseline(retrieval_run):
    questions, _, scored = retrieval_run
    baseline = load_baseline(RETRIEVAL_BASELINE, "retrieval", questions)
    held_out = [r for r in baseline["rows"] if r["split"] == "heldout"]
    rows = retrieval_rows(question_rows(scored, False), questions)
    result = compare("retrieval", baseline, rows, "", TOLERANCE)
    assert result.common >= 0.9 * len(held_out), "the baseline is for another set"
    assert {d.group.split(" · ")[0] for d in result.deltas} == {"hybrid", "bm25"}
    assert result.passed, format_comparison(result) + "\nRefresh on purpose: make baseline"


def test_eval_compare_on_the_command_line_saves_compares_and_fails_on_a_drop(
    real_index, tmp_path, capsys
):
    """Save a baseline, compare with it (nothing moved: exit 0), then claim every question was
    found at rank 1 before: the questions not found in the top 5 now are listed as hit → miss,
    and the gate fails (exit 1) exactly when the held-out hit@1 drop exceeds the tolerance."""
    rows = [json.loads(x) for x in EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    picked = [r for r in rows if r["split"] == "heldout" and r["answerable"]][-5:]
    picked += [r for r in rows if not r["answerable"]][:1]
    small = tmp_path / "q.jsonl"
    small.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked))
    base = tmp_path / "base.json"
    args = ["eval", "--mode", "hybrid", "--questions", str(small)]
    args += ["--data-dir", str(real_index.data_dir)]
    assert main([*args, "--save-baseline", str(base)]) == 0
    capsys.readouterr()
    assert main([*args, "--compare", str(base)]) == 0
    out = capsys.readouterr().out
    assert "6 fælles spørgsmål" in out and "Fra ramt til forbi (0):" in out
    assert "Regressionsgrænse 0.020 (holdt-ude-halvdelen): ok" in out

    saved = json.loads(base.read_text())
    now = {r["id"]: r["modes"]["hybrid"]["first_rank"] for r in saved["rows"] if r["answerable"]}
    for r in saved["rows"]:  # pretend every question was found at rank 1 before
        if r["answerable"]:
            r["modes"]["hybrid"]["first_rank"] = 1
    base.write_text(json.dumps(saved))
    code = main([*args, "--compare", str(base), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["common"] == 6 and result["kind"] == "retrieval"
    lost = sorted(r["id"] for r in result["hit_to_miss"])
    assert lost == sorted(i for i, rank in now.items() if not rank or rank > 5)
    misses_at_1 = sum(rank != 1 for rank in now.values()) / len(now)
    assert code == (1 if misses_at_1 > TOLERANCE else 0)
    assert result["passed"] is (code == 0)
    if code:
        assert "hybrid · heldout hit@1" in result["failures"]

    answers = ["eval", "--answers", "--questions", str(small), "--compare", str(base)]
    assert main([*answers, "--data-dir", str(real_index.data_dir)]) == 2
    assert "måling af søgningen" in capsys.readouterr().err
