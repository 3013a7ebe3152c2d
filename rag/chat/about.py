"""The page "Om svarene": what the assistant can and cannot answer, where the material comes
from, and the latest evaluation figures, read from eval/results/answers.md as committed."""

from __future__ import annotations

import json

import streamlit as st

from rag.chat import resources
from rag.config import EVAL_RESULTS

# Rows of the first table in eval/results/answers.md, in Danish.
FIGURES = {
    "answer recall (an expected quote in the answer)": "Svar, der indeholder det forventede citat",
    "lead hit (an expected quote in the first sentence)": "Svar, hvis første sætning rammer",
    "neighbouring questions refused": "Spørgsmål om nabo-emner (løn, ferie, GDPR …), der afvises",
    "off-topic questions refused": "Spørgsmål helt uden for emnet, der afvises",
    "answerable questions refused": "Spørgsmål, materialet kan besvare, der fejlagtigt afvises",
}

ABOUT = """
Tillidsguiden svarer **kun ud fra materialet** nedenfor, og hvert svar viser, hvor det står:
dokumentet, afsnittet og de præcise sætninger.

**Det kan den:** forklare begreber (social kapital, tillid, kerneopgaven), finde tjeklister,
øvelser og cases, og give fakta fra materialet – hvem, hvornår, hvor mange.

**Det kan den ikke:** svare på spørgsmål om løn, ferie, pension, sygefravær, afskedigelse,
GDPR, arbejdsmiljølov eller andet, materialet ikke handler om. Så siger den det og nævner, hvad
materialet handler om i stedet. Uden sprogmodel (standard) er svaret materialets egne sætninger;
med en sprogmodel tjekkes hver henvisning, og svaret falder tilbage til uddrag, hvis noget ikke
holder.

Personoplysninger (CPR-numre, e-mails, telefonnumre, navne) fjernes, før noget søges eller
gemmes.
"""


def figures(path=EVAL_RESULTS / "answers.md") -> list[tuple[str, str]]:
    """(Danish measure, held-out figure) from the first table of the answer report."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return rows
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in FIGURES:
            rows.append((FIGURES[cells[0]], cells[2]))
    return rows


def manifest(corpus_dir) -> list[dict]:
    try:
        data = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
        return [d for d in data.get("documents", []) if isinstance(d, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def page() -> None:
    s = resources.settings()
    st.title("Om svarene")
    st.markdown(ABOUT)
    st.header("Materialet")
    entries = {d.get("file"): d for d in manifest(s.corpus_dir)}
    try:
        documents = resources.index(s).documents
    except Exception:  # no index yet: the manifest alone
        documents = [{"title": d.get("title"), "file": f} for f, d in entries.items()]
    for d in documents:
        entry = entries.get(d.get("file"), {})
        publisher = f" – {entry['publisher']}" if entry.get("publisher") else ""
        copy = " (scannet kopi; kun det, originalen ikke har, bruges)" if d.get("copy_of") else ""
        st.markdown(f"- **{d.get('title')}**{publisher}{copy}")
    rows = figures()
    if rows:
        st.header("Hvor godt svarer den?")
        st.caption(
            "Målt på spørgsmål, der ikke blev brugt til at indstille assistenten "
            "(eval/results/answers.md)."
        )
        st.table({"Mål": [r[0] for r in rows], "Andel": [r[1] for r in rows]})
