"""`tillidsguiden eval --privacy`: how well the personal-data detector (rag/privacy.py) finds
each kind, per half of a hand-labelled set of managers' sentences, and how often it flags a
question about the material itself.

The cases (tests/data/personal-data.jsonl, one JSON object a line: text, kinds, split) were
written from realistic situations before the special-category rules existed; the rules were
then written against the "tune" half only, and the "heldout" half measures them as they are.
Near misses are part of the set on purpose: topics of the material ("stress i teamet",
"sygefravær på arbejdspladsen", "tillidsrepræsentanten", "de indsatte"), generic persons ("en
medarbejder med stress") and the material's own people ("Jody Gittell"). Each case is scored
per kind; the material's names come from the index, as in the app.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rag.config import PROJECT_ROOT
from rag.privacy import KINDS, redact

CASES_FILE = PROJECT_ROOT / "tests" / "data" / "personal-data.jsonl"
SPLITS = ("tune", "heldout")


@dataclass(frozen=True)
class Case:
    text: str
    kinds: frozenset[str]
    split: str


def load_cases(path: Path) -> list[Case]:
    """The labelled cases; ValueError (Danish) naming the line of a malformed one."""
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kinds = frozenset(row["kinds"])
            case = Case(str(row["text"]), kinds, str(row["split"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} linje {n} kan ikke læses ({exc})") from exc
        unknown = kinds - set(KINDS)
        if unknown or case.split not in SPLITS:
            raise ValueError(f"{path.name} linje {n}: ukendt slags eller halvdel ({row})")
        cases.append(case)
    return cases


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def score(cases: Iterable[Case], public: Iterable[str] = ()) -> dict:
    """Per half and in all: per kind the cases holding it, tp/fp/fn, precision and recall;
    and the share of cases whose kinds were found exactly."""
    public = tuple(public)
    found = [(c, frozenset(redact(c.text, public).kinds)) for c in cases]
    out = {}
    for split in (*SPLITS, "all"):
        mine = [(c, f) for c, f in found if split in ("all", c.split)]
        kinds = {}
        for kind in KINDS:
            tp = sum(kind in c.kinds and kind in f for c, f in mine)
            fp = sum(kind not in c.kinds and kind in f for c, f in mine)
            fn = sum(kind in c.kinds and kind not in f for c, f in mine)
            if tp + fp + fn == 0 and not any(kind in c.kinds for c, _ in mine):
                continue
            kinds[kind] = {
                "cases": tp + fn,
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": _ratio(tp, tp + fp),
                "recall": _ratio(tp, tp + fn),
            }
        out[split] = {
            "cases": len(mine),
            "without_personal_data": sum(not c.kinds for c, _ in mine),
            "exact": _ratio(sum(c.kinds == f for c, f in mine), len(mine)),
            "kinds": kinds,
            "misses": [
                {"text": c.text, "expected": sorted(c.kinds), "found": sorted(f)}
                for c, f in mine
                if c.kinds != f and split != "all"
            ],
        }
    return out


def material_questions(questions: Iterable[str], public: Iterable[str] = ()) -> dict:
    """How many questions about the material are flagged (each one a false alarm)."""
    public = tuple(public)
    flagged = []
    total = 0
    for q in questions:
        total += 1
        kinds = redact(q, public).kinds
        if kinds:
            flagged.append({"question": q, "found": list(kinds)})
    return {"questions": total, "flagged": len(flagged), "examples": flagged}


def _cell(value: float | None) -> str:
    return f"{'–':>9}" if value is None else f"{value:>9.3f}"


def format_privacy(result: dict, material: dict | None = None, details: bool = False) -> str:
    lines = []
    for split in (*SPLITS, "all"):
        r = result[split]
        lines += [
            f"{split}: {r['cases']} tilfælde ({r['without_personal_data']} uden "
            f"personoplysninger), præcis rigtige slags: {r['exact']:.3f}",
            f"  {'slags':<10} {'tilfælde':>8} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} "
            f"{'recall':>9}",
        ]
        for kind, k in r["kinds"].items():
            lines.append(
                f"  {kind:<10} {k['cases']:>8} {k['tp']:>4} {k['fp']:>4} {k['fn']:>4} "
                f"{_cell(k['precision'])} {_cell(k['recall'])}"
            )
        if details:
            lines += [
                f"    forkert: {m['text']!r}: ventet {m['expected']}, fundet {m['found']}"
                for m in r["misses"]
            ]
    if material:
        lines.append(
            f"Spørgsmål om materialet (eval/questions.jsonl) markeret som personoplysninger: "
            f"{material['flagged']} af {material['questions']}"
        )
        lines += [f"  {m['question']!r}: {m['found']}" for m in material["examples"]]
    return "\n".join(lines)
