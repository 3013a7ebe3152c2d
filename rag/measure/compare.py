"""Compare before trusting a change: this run's figures against a baseline, per half and
category (and overlap bucket, where the rows carry one), the questions that went from hit to
miss and back, and the regression gate `make test` applies to the held-out half.

A baseline is a JSON file of per-question rows: what `eval [--answers] --save-baseline` writes
(eval/results/baseline-answers.json and baseline-retrieval.json are committed), or what
`eval [--answers] --json` printed on an earlier commit. Both sides are aggregated here, from
their rows, by the same definitions and over the questions both have, so a question added
since (a case from feedback) is listed as new instead of moving a figure, and a question whose
wording or sources changed is listed and left out.

The gate: no held-out figure may fall by more than `Settings.regression_tolerance` (absolute,
on a 0-1 scale). A change that moves one on purpose refreshes the baseline in the same commit:

    make baseline    # = tillidsguiden eval --answers --save-baseline; eval --save-baseline
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from rag.measure.evaluate import SPLITS, EvalQuestion

# Higher is better unless named in LOWER; PARTIAL is shown but never gated.
ANSWER_METRICS = (
    "answer_recall",
    "lead_hit",
    "answerable_refused",
    "refused_neighbouring",
    "refused_off-topic",
    "citation_precision",
    "citation_recall",
    "support",
    "lint",
    "partial",
)
RETRIEVAL_METRICS = ("hit@1", "hit@5", "recall@5", "mrr@10")
LOWER = {"answerable_refused", "lint"}
UNGATED = {"partial"}
NAMES = {
    "answer_recall": "svaret indeholder et forventet citat",
    "lead_hit": "første sætning rammer",
    "answerable_refused": "afviser fejlagtigt",
    "refused_neighbouring": "afviser nabospørgsmål",
    "refused_off-topic": "afviser helt udenfor",
    "citation_precision": "kildepræcision",
    "citation_recall": "kildedækning",
    "support": "belæg",
    "lint": "svar med læsbarhedsfejl",
    "partial": "delvise svar",
}


class BaselineError(ValueError):
    """The baseline file cannot be read; the message is one Danish line."""


def fingerprint(q: EvalQuestion) -> str:
    """What a question's scores depend on in the question file (wording, sources, history)."""
    parts = [q.question, str(q.answerable), *(f"{s.doc}:{s.quote}" for s in q.sources)]
    parts += list(getattr(q, "history", []) or [])
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


# --- rows -------------------------------------------------------------------------------------


def answer_rows(scored, questions: list[EvalQuestion]) -> list[dict]:
    """One row per question of an answer run (AnswerScore.row), with its fingerprint."""
    prints = {q.id: fingerprint(q) for q in questions}
    rows = []
    for s in scored:
        row = {k: v for k, v in s.row(details=False).items() if k != "seconds"}
        bucket = getattr(s, "bucket", None)  # the overlap bucket, where the score has one
        if bucket is not None:
            row["bucket"] = bucket
        rows.append({**row, "fingerprint": prints.get(row["id"], "")})
    return rows


def retrieval_rows(question_rows: list[dict], questions: list[EvalQuestion]) -> list[dict]:
    """One row per question of a retrieval run (evaluate.question_rows), with half and
    fingerprint, latencies left out (they differ on every run)."""
    by_id = {q.id: q for q in questions}
    rows = []
    for r in question_rows:
        q = by_id.get(r["id"])
        modes = {
            m: {k: v for k, v in e.items() if k in ("first_rank", "recall@5")}
            for m, e in r["modes"].items()
        }
        rows.append(
            {
                "id": r["id"],
                "split": q.split if q else r.get("split"),
                "category": r["category"],
                "lang": r["lang"],
                "answerable": r["answerable"],
                "fingerprint": fingerprint(q) if q else "",
                "modes": modes,
            }
        )
    return rows


def save_baseline(path: Path, kind: str, rows: list[dict], questions_file: str) -> Path:
    """Write the baseline, one question a line, sorted by id (a refresh diffs question by
    question)."""
    head = {"kind": kind, "written": time.strftime("%Y-%m-%d"), "questions_file": questions_file}
    lines = [json.dumps(r, ensure_ascii=False) for r in sorted(rows, key=lambda r: r["id"])]
    text = json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [\n' + ",\n".join(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n]}\n", encoding="utf-8")
    return path


def load_baseline(path: Path, kind: str, questions: list[EvalQuestion]) -> dict:
    """{"rows": [...], "written": ...} from a baseline or an earlier `--json` output; rows
    without a half or category get them from the question set."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"Sammenligningsfilen findes ikke: {path}") from None
    except (OSError, ValueError) as exc:
        raise BaselineError(f"Sammenligningsfilen kan ikke læses: {path} ({exc})") from None
    rows = data.get("rows") if isinstance(data, dict) else None
    if rows is None and isinstance(data, dict):
        rows = data.get("questions")  # `eval --json` output
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "id" in r for r in rows):
        raise BaselineError(f"{path} har ingen spørgsmål med id (rows eller questions).")
    is_retrieval = any("modes" in r for r in rows)
    if is_retrieval != (kind == "retrieval"):
        wanted = "søgningen (uden --answers)" if is_retrieval else "svarene (--answers)"
        raise BaselineError(f"{path} er en måling af {wanted}.")
    by_id = {q.id: q for q in questions}
    for r in rows:
        q = by_id.get(r["id"])
        if q is not None:
            r.setdefault("split", q.split)
            r.setdefault("category", q.category)
            r.setdefault("scope", q.scope)
    return {"rows": rows, "written": data.get("written", "") if isinstance(data, dict) else ""}


# --- figures from rows ------------------------------------------------------------------------


def _mean(values) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return round(statistics.fmean(kept), 4) if kept else None


def answer_figures(rows: list[dict]) -> dict[str, float | None]:
    asked = [r for r in rows if r["answerable"]]
    answered = [r for r in asked if not r["refused"]]

    def share(group, test):
        return round(sum(bool(test(r)) for r in group) / len(group), 4) if group else None

    def scope(name):
        return share([r for r in rows if r.get("scope") == name], lambda r: r["refused"])

    return {
        "answer_recall": _mean(float(r["answer_recall"] or 0) for r in asked),
        "lead_hit": _mean(float(r["lead_hit"] or 0) for r in asked),
        "answerable_refused": share(asked, lambda r: r["refused"]),
        "refused_neighbouring": scope("neighbouring"),
        "refused_off-topic": scope("off-topic"),
        "citation_precision": _mean(r.get("citation_precision") for r in answered),
        "citation_recall": _mean(r.get("citation_recall") for r in answered),
        "support": _mean(r.get("support") for r in rows),
        "lint": share(rows, lambda r: r.get("lint")),  # refusals too, as the report counts
        "partial": share(asked, lambda r: r.get("partial")),
    }


def retrieval_figures(rows: list[dict], mode: str) -> dict[str, float | None]:
    asked = [r["modes"][mode] for r in rows if r["answerable"] and mode in r["modes"]]

    def rank(e) -> int:
        return e["first_rank"] or 10**6

    return {
        "hit@1": _mean(float(rank(e) <= 1) for e in asked),
        "hit@5": _mean(float(rank(e) <= 5) for e in asked),
        "recall@5": _mean(e["recall@5"] for e in asked),
        "mrr@10": _mean(1 / rank(e) if rank(e) <= 10 else 0.0 for e in asked),
    }


def answer_hit(row: dict) -> bool:
    """A question answered as it should be: its expected quote in the answer, or (out of
    scope) refused."""
    if row["answerable"]:
        return float(row["answer_recall"] or 0) >= 1.0
    return bool(row["refused"])


# --- the comparison ---------------------------------------------------------------------------


@dataclass
class Delta:
    group: str  # "heldout", "heldout · fact", "hybrid · heldout", …
    metric: str
    before: float | None
    after: float | None
    n: int

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)

    @property
    def drop(self) -> float:
        """How much worse it got (positive: worse), whichever way the metric points."""
        if self.change is None:
            return 0.0
        return self.change if self.metric in LOWER else -self.change


@dataclass
class Comparison:
    kind: str
    baseline: str
    written: str
    common: int
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    lost: list[tuple[str, dict]] = field(default_factory=list)  # (mode, row) hit → miss
    won: list[tuple[str, dict]] = field(default_factory=list)  # miss → hit
    tolerance: float = 0.02
    failures: list[Delta] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        def moved(pairs):
            return [{"mode": m, "id": r["id"], "split": r.get("split")} for m, r in pairs]

        return {
            "kind": self.kind,
            "baseline": self.baseline,
            "common": self.common,
            "new": self.new,
            "gone": self.gone,
            "changed": self.changed,
            "deltas": [
                {**d.__dict__, "change": d.change} for d in self.deltas if d.change is not None
            ],
            "hit_to_miss": moved(self.lost),
            "miss_to_hit": moved(self.won),
            "tolerance": self.tolerance,
            "passed": self.passed,
            "failures": [f"{d.group} {d.metric}" for d in self.failures],
        }


def _groups(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows of each half, of each category within a half, and of each overlap bucket and
    language within a half where the rows carry them."""
    out: dict[str, list[dict]] = {}
    for half in (*SPLITS, "all"):
        inside = [r for r in rows if half == "all" or r.get("split") == half]
        if not inside:
            continue
        out[half] = inside
        for key, label in (("category", ""), ("bucket", "overlap "), ("lang", "sprog ")):
            for value in sorted({str(r[key]) for r in inside if r.get(key) is not None}):
                out[f"{half} · {label}{value}"] = [r for r in inside if str(r.get(key)) == value]
    return out


def compare(
    kind: str,
    baseline: dict,
    rows: list[dict],
    name: str = "",
    tolerance: float = 0.02,
) -> Comparison:
    """This run's `rows` against the baseline's, over the questions both have unchanged."""
    before = {r["id"]: r for r in baseline["rows"]}
    after = {r["id"]: r for r in rows}
    changed = sorted(
        i
        for i in before.keys() & after.keys()
        if before[i].get("fingerprint") and after[i].get("fingerprint")
        if before[i]["fingerprint"] != after[i]["fingerprint"]
    )
    common = sorted((before.keys() & after.keys()) - set(changed))
    result = Comparison(
        kind,
        name,
        baseline.get("written", ""),
        len(common),
        new=sorted(after.keys() - before.keys()),
        gone=sorted(before.keys() - after.keys()),
        changed=changed,
        tolerance=tolerance,
    )
    old, now = [before[i] for i in common], [after[i] for i in common]
    if kind == "answers":
        _compare_answers(result, old, now)
    else:
        _compare_retrieval(result, old, now)
    result.failures = [
        d
        for d in result.deltas
        if d.group.endswith("heldout") and d.metric not in UNGATED and d.drop > tolerance + 1e-9
    ]
    return result


def _compare_answers(result: Comparison, old: list[dict], now: list[dict]) -> None:
    old_groups, now_groups = _groups(old), _groups(now)
    for group, rows in now_groups.items():
        a, b = answer_figures(old_groups.get(group, [])), answer_figures(rows)
        for metric in ANSWER_METRICS:
            result.deltas.append(Delta(group, metric, a[metric], b[metric], len(rows)))
    for o, n in zip(old, now, strict=True):
        if answer_hit(o) != answer_hit(n):
            (result.won if answer_hit(n) else result.lost).append(("svar", n))


def _compare_retrieval(result: Comparison, old: list[dict], now: list[dict]) -> None:
    modes = sorted({m for r in now for m in r["modes"]} & {m for r in old for m in r["modes"]})
    old_groups, now_groups = _groups(old), _groups(now)
    for mode in modes:
        for group, rows in now_groups.items():
            a = retrieval_figures(old_groups.get(group, []), mode)
            b = retrieval_figures(rows, mode)
            for metric in RETRIEVAL_METRICS:
                result.deltas.append(Delta(f"{mode} · {group}", metric, a[metric], b[metric], 0))
        for o, n in zip(old, now, strict=True):
            if not n["answerable"] or mode not in o["modes"] or mode not in n["modes"]:
                continue
            hit_before = (o["modes"][mode]["first_rank"] or 99) <= 5
            hit_now = (n["modes"][mode]["first_rank"] or 99) <= 5
            if hit_before != hit_now:
                (result.won if hit_now else result.lost).append((mode, n))


# --- printing ---------------------------------------------------------------------------------


def _f(x: float | None) -> str:
    return "    –" if x is None else f"{x:.3f}"


def format_comparison(c: Comparison, questions: dict[str, str] | None = None) -> str:
    """What `eval --compare` prints: the set, the deltas of each half and the groups that moved,
    the questions that changed sides, and the gate."""
    questions = questions or {}
    lines = [
        f"Sammenlignet med {c.baseline}"
        + (f" (skrevet {c.written})" if c.written else "")
        + f": {c.common} fælles spørgsmål"
        + (f", {len(c.new)} nye (ikke sammenlignet)" if c.new else "")
        + (f", {len(c.gone)} væk" if c.gone else "")
        + (f", {len(c.changed)} ændret siden (udeladt)" if c.changed else "")
        + "."
    ]
    depth = 1 if c.kind == "retrieval" else 0  # "heldout" / "hybrid · heldout"
    halves = [g for g in dict.fromkeys(d.group for d in c.deltas) if g.count(" · ") == depth]
    for group in halves:
        rows = [d for d in c.deltas if d.group == group]
        lines += ["", f"{group:40}{'før':>8}{'nu':>8}{'ændring':>9}"]
        for d in rows:
            change = "" if d.change is None else f"{d.change:+.3f}"
            flag = "  ← under grænsen" if d in c.failures else ""
            label = NAMES.get(d.metric, d.metric)
            lines.append(f"  {label:38}{_f(d.before):>8}{_f(d.after):>8}{change:>9}{flag}")
    moved = [
        d
        for d in c.deltas
        if d.group not in halves and d.change is not None and abs(d.change) >= 0.001
    ]
    if moved:
        lines += ["", "Grupper der flyttede sig (kategori, ordoverlap, sprog):"]
        for d in sorted(moved, key=lambda d: (d.group, d.metric)):
            lines.append(
                f"  {d.group:30} {NAMES.get(d.metric, d.metric):37} "
                f"{_f(d.before)} → {_f(d.after)} ({d.change:+.3f})"
            )
    for title, pairs in (("Fra ramt til forbi", c.lost), ("Fra forbi til ramt", c.won)):
        lines += ["", f"{title} ({len(pairs)}):"]
        for mode, r in pairs:
            where = f"{mode}, " if c.kind == "retrieval" else ""
            text = questions.get(r["id"], "")
            lines.append(f"  {r['id']} ({where}{r.get('split')}, {r.get('category')}): {text}")
    if c.new:
        lines += ["", "Nye spørgsmål siden sammenligningsfilen: " + ", ".join(c.new[:30])]
    verdict = (
        "ok: intet tal i holdt-ude-halvdelen faldt mere end grænsen"
        if c.passed
        else "FALDET: "
        + "; ".join(
            f"{d.group} {NAMES.get(d.metric, d.metric)} {d.change:+.3f}" for d in c.failures
        )
    )
    lines += ["", f"Regressionsgrænse {c.tolerance:.3f} (holdt-ude-halvdelen): {verdict}"]
    return "\n".join(lines)
