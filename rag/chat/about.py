"""The page "Om svarene": what the assistant can and cannot answer, where the material comes
from, and how well it answers: each figure of the latest answer evaluation once, for the
held-out questions, as a percentage, with the date it was measured. The figures are read from
the report `tillidsguiden eval --answers --report` commits (eval/results/answers.md); where they
come from is shown to maintainers only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from rag.chat import identity, resources
from rag.config import EVAL_RESULTS
from rag.text import MONTHS_DA

REPORT = EVAL_RESULTS / "answers.md"
# The report's rows (its first table) → what the page calls them, in the order shown.
FIGURES = {
    "answer recall (an expected quote in the answer)": "Svar, der indeholder det forventede citat",
    "lead hit (an expected quote in the first sentence)": "Svar, hvis første sætning rammer",
    "citation precision": "Henvisninger, der peger på et afsnit med det forventede indhold",
    "citation recall": "Forventede kilder, som svaret henviser til",
    "answer support": "Svarsætninger, der står i den kilde, de henviser til",
    "neighbouring questions refused": "Spørgsmål om nabo-emner (løn, ferie, GDPR …), der afvises",
    "off-topic questions refused": "Spørgsmål helt uden for emnet, der afvises",
    "answerable questions refused": "Spørgsmål, materialet kan besvare, der fejlagtigt afvises",
}
COUNTS = {"answerable questions": "answerable", "out-of-scope questions": "out_of_scope"}
HELD_OUT = "held-out half"
_DATE = re.compile(r"Generated (\d{4})-(\d{2})-(\d{2})")

ABOUT = """
Tillidsguiden svarer **kun ud fra materialet** nedenfor, og hvert svar viser, hvor det står:
dokumentet, afsnittet og de præcise sætninger.

**Det kan den:** forklare begreber (social kapital, tillid, kerneopgaven), finde tjeklister,
øvelser og cases, og give fakta fra materialet – hvem, hvornår, hvor mange.

**Det kan den ikke:** svare på spørgsmål om løn, ferie, pension, sygefravær, afskedigelse,
GDPR, arbejdsmiljølov eller andet, materialet ikke handler om. Så siger den det og nævner, hvad
materialet handler om i stedet. Svaret er materialets egne sætninger; skriver en sprogmodel
svaret, tjekkes hver henvisning, og svaret falder tilbage til materialets sætninger, hvis noget
ikke holder.

Personoplysninger (CPR-numre, e-mails, telefonnumre, navne) fjernes, før noget søges eller
gemmes.
"""


@dataclass
class Evaluation:
    """The held-out figures of one answer evaluation: (Danish measure, share 0-1) in page
    order, the numbers of questions, and the date it was run ("" when the report has none)."""

    figures: list[tuple[str, float]]
    answerable: int = 0
    out_of_scope: int = 0
    date: str = ""


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def first_table(lines: list[str]) -> list[list[str]]:
    """The rows of the report's first table (its header first), separator row left out."""
    rows, inside = [], False
    for line in lines:
        if line.lstrip().startswith("|"):
            inside = True
            if not re.fullmatch(r"\|?[\s|:-]+\|?", line.strip()):
                rows.append(_cells(line))
        elif inside:
            break
    return rows


def danish_date(text: str) -> str:
    m = _DATE.search(text)
    if not m:
        return ""
    year, month, day = (int(g) for g in m.groups())
    return f"{day}. {MONTHS_DA[month - 1]} {year}" if 1 <= month <= 12 else ""


def evaluation(path: Path = REPORT) -> Evaluation | None:
    """The held-out figures of the committed report, each once; None without a report."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    rows = first_table(text.splitlines())
    if not rows or HELD_OUT not in rows[0]:
        return None
    col = rows[0].index(HELD_OUT)
    found: dict[str, float] = {}
    result = Evaluation([], date=danish_date(text))
    for row in rows[1:]:
        if len(row) <= col:
            continue
        value = _number(row[col])
        if value is None:
            continue
        if row[0] in COUNTS:
            setattr(result, COUNTS[row[0]], int(value))
        elif row[0] in FIGURES and row[0] not in found:
            found[row[0]] = value
    result.figures = [(FIGURES[k], found[k]) for k in FIGURES if k in found]
    return result


def _number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def percent(share: float) -> str:
    """0.75 → "75 %" (Danish writes a space before the sign)."""
    return f"{round(share * 100)} %"


def manifest(corpus_dir) -> list[dict]:
    try:
        data = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
        return [d for d in data.get("documents", []) if isinstance(d, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def material_list(s) -> None:
    entries = {d.get("file"): d for d in manifest(s.corpus_dir)}
    try:
        documents = resources.index(s).documents
    except Exception:  # no index yet: the manifest alone
        documents = [{"title": d.get("title"), "file": f} for f, d in entries.items()]
    for d in documents:
        entry = entries.get(d.get("file"), {})
        publisher = f" – {entry['publisher']}" if entry.get("publisher") else ""
        copy = " (kun det, originalen ikke har, bruges)" if d.get("copy_of") else ""
        st.markdown(f"- **{d.get('title')}**{publisher}{copy}")


def figures_table(found: Evaluation) -> None:
    st.header("Hvor godt svarer den?", anchor=False)
    asked = found.answerable + found.out_of_scope
    when = f" Senest målt {found.date}." if found.date else ""
    st.markdown(
        f"Målt på {asked} spørgsmål, der ikke blev brugt til at indstille assistenten: "
        f"{found.answerable}, som materialet kan besvare, og {found.out_of_scope}, som det "
        f"ikke kan.{when}"
        if asked
        else f"Målt på spørgsmål, der ikke blev brugt til at indstille assistenten.{when}"
    )
    st.table(
        {
            "Mål": [name for name, _ in found.figures],
            "Andel": [percent(v) for _, v in found.figures],
        }
    )


def page() -> None:
    s = resources.settings()
    st.title("Om svarene", anchor=False)
    st.markdown(ABOUT)
    st.header("Materialet", anchor=False)
    material_list(s)
    found = evaluation()
    if found and found.figures:
        figures_table(found)
    user = identity.current_user(s)
    if user is not None and user.may("maintainer"):
        with st.expander("Detaljer", icon=":material/build:"):
            st.caption(
                "Tallene kommer fra eval/results/answers.md, skrevet af "
                "`tillidsguiden eval --answers --report` (den halvdel af eval/questions.jsonl, "
                "der ikke er brugt til at indstille assistenten)."
            )
