""" "Hvorfor dette svar?": why the gate answered, hedged or refused, from what is stored with the
answer (rag/answer/evidence.py's signals and their contributions, the passages the search
returned with their scores), for the maintainers' Kvalitet page.

`explain` is plain data (tested without a page); `show` draws it.
"""

from __future__ import annotations

import streamlit as st

from rag.answer.render import plain
from rag.documents import KIND_LABELS_DA, Answer

FEATURES = {
    "dense": "lighed med det bedste afsnit",
    "coverage": "spørgsmålets ord i de bedste afsnit",
    "focus": "de mest specifikke ord i de bedste afsnit",
    "unknown": "ord, materialet aldrig bruger",
    "best_sentence": "lighed med den bedste sætning",
    "english": "spørgsmålet er engelsk",
    "measure": "en andel, spørgsmålet beder om, i afsnittene",
}


def decision(answer: Answer) -> str:
    """One or two Danish sentences: what the gate decided and from which figures."""
    ev = answer.evidence or {}
    p, bar = ev.get("p_answerable"), ev.get("bar")
    if p is None or bar is None:
        return "Svaret er gemt uden signalerne bag afgørelsen (fra før de blev gemt)."
    figures = f"Sandsynligheden for, at materialet besvarer spørgsmålet, var {_n(p)}"
    if answer.refused:
        text = f"{figures} – under grænsen {_n(bar)}, så det afviste."
        missing = ev.get("missing") or []
        if missing:
            text += " Ord, materialet aldrig bruger: " + ", ".join(missing) + "."
        return text
    text = f"{figures} – over grænsen {_n(bar)}, så det svarede"
    if answer.partial:
        first = answer.text.splitlines()[0] if answer.text else ""
        return f"{text}, men kun delvist: {first}"
    return text + "."


def signals(answer: Answer) -> list[dict]:
    """Each evidence feature with its value and how far it pushed the decision (in log-odds
    against the average question), the strongest push first; a feature the fitted model does
    not weigh yet (added after the last `eval --answers --fit`) has no push (None), last."""
    ev = answer.evidence or {}
    values, pushes = ev.get("features", {}), ev.get("contributions", {})
    rows = [
        {
            "signal": FEATURES.get(name, name),
            "værdi": round(float(value), 3),
            "bidrag": round(float(pushes[name]), 3) if name in pushes else None,
        }
        for name, value in values.items()
    ]
    return sorted(rows, key=lambda r: -abs(r["bidrag"] or 0.0))


def passages(answer: Answer) -> list[dict]:
    """The passages the search returned, best first, with their scores and whether cited."""
    cited = {c.chunk.chunk_id for c in answer.citations}
    return [
        {
            "rang": p.get("rank"),
            "score": p.get("score"),
            "bm25": p.get("channels", {}).get("bm25"),
            "e5": p.get("channels", {}).get("dense"),
            "afsnit": f"{p.get('title', '')} › {p.get('section', '')}",
            "slags": KIND_LABELS_DA.get(p.get("kind", ""), p.get("kind", "")),
            "citeret": "ja" if p.get("chunk_id") in cited else "",
        }
        for p in answer.passages
    ]


def explain(answer: Answer) -> dict:
    return {
        "decision": decision(answer),
        "signals": signals(answer),
        "passages": passages(answer),
    }


def show(answer: Answer) -> None:
    """The explanation, drawn where it is called."""
    why = explain(answer)
    st.markdown(f"**Afgørelsen.** {plain(why['decision'])}")
    if why["signals"]:
        st.markdown("**Signalerne** (bidrag: hvor meget hvert trak op eller ned)")
        st.dataframe(why["signals"], hide_index=True, width="stretch")
    if why["passages"]:
        st.markdown("**De bedste afsnit** i søgningen")
        st.dataframe(why["passages"], hide_index=True, width="stretch")
    else:
        st.caption("De fundne afsnit blev ikke gemt med dette svar (gemt før de blev det).")


def _n(x: float) -> str:
    return f"{float(x):.2f}".replace(".", ",")
