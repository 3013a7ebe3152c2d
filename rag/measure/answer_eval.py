"""The answer evaluation: are citations right, is every sentence supported, are refusals right?

    citation precision  share of cited passages that contain an expected quote
    citation recall     share of expected sources that some citation satisfies
    answer support      share of answer sentences found verbatim or near-verbatim (>= 80 % of
                        their words) in the passages they cite
    refusal rate        share of out-of-scope questions refused (target >= 0.9)
    false refusals      share of answerable questions refused (target <= 0.05)

The trade-off curve moves the refusal bar up and down from its configured value.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from rag.answer.assistant import Assistant
from rag.answer.render import format_answer
from rag.documents import Answer
from rag.measure.evaluate import EvalQuestion, QuoteMatcher, percentile, squash
from rag.text import plain_words

_MARKERS = re.compile(r"\[\d+\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9”\"“(])")
NEAR_VERBATIM = 0.8
SHIFTS = tuple(round(x * 0.005, 3) for x in range(-8, 9))


@dataclass
class AnswerScore:
    question: EvalQuestion
    answer: Answer
    margin: float  # evidence strength above the refusal bar
    precision: float | None  # None when nothing is cited
    recall: float | None  # None for out-of-scope questions
    support: float | None  # None when refused

    def row(self, details: bool) -> dict:
        q, a = self.question, self.answer
        row = {
            "id": q.id,
            "category": q.category,
            "lang": q.lang,
            "answerable": q.answerable,
            "refused": a.refused,
            "margin": round(self.margin, 4),
            "citation_precision": _round(self.precision),
            "citation_recall": _round(self.recall),
            "support": _round(self.support),
            "seconds": round(a.seconds, 3),
        }
        if details:
            row["question"] = q.question
            row["answer"] = a.text
            row["citations"] = [c.to_dict() for c in a.citations]
        return row


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def claims(text: str) -> list[str]:
    """The sentences an answer asserts: its text minus labels, headings and markers."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not _MARKERS.search(line) and line.rstrip("*").endswith(":"):
            continue  # a label such as "**Det siger materialet også:**"
        if line.startswith("**") and _MARKERS.search(line.split("**")[-1] or ""):
            continue  # a part heading: "**Tjekliste: ...** [2]"
        line = re.sub(r"^[-*]\s+", "", line)
        line = re.sub(r"^\*[^*]+:\*\s*", "", line)  # "*Deltagere:* ..."
        line = _MARKERS.sub("", line).replace("**", "").strip()
        if line.startswith("…"):
            continue  # "… Resten står i kilden."
        out += [s for s in _SENTENCE.split(line) if len(s.split()) >= 3]
    return out


def supported(claim: str, cited_text: str, cited_words: set[str]) -> bool:
    if squash(claim) and squash(claim) in cited_text:
        return True
    words = plain_words(claim)
    return bool(words) and sum(w in cited_words for w in words) / len(words) >= NEAR_VERBATIM


def score(
    question: EvalQuestion, answer: Answer, margin: float, matcher: QuoteMatcher
) -> AnswerScore:
    cites = answer.citations
    precision = recall = support = None
    if cites:
        satisfied = [matcher.satisfied(c.chunk, question.sources) for c in cites]
        if question.answerable:
            precision = sum(bool(s) for s in satisfied) / len(cites)
            recall = len(set().union(*satisfied)) / len(question.sources)
    elif question.answerable:
        recall = 0.0
    if not answer.refused:
        texts = [c.chunk.text for c in cites]
        cited_text = squash(" ".join(texts))
        cited_words = set(plain_words(" ".join(texts)))
        sentences = claims(answer.text)
        if sentences:
            support = sum(supported(s, cited_text, cited_words) for s in sentences) / len(sentences)
    return AnswerScore(question, answer, margin, precision, recall, support)


def evaluate_answers(
    assistant: Assistant, questions: list[EvalQuestion], matcher: QuoteMatcher
) -> tuple[dict, list[AnswerScore]]:
    scored = []
    for q in questions:
        answer = assistant.ask(q.question)
        # The answer carries its evidence strength; the bar is the searched question's language.
        margin = assistant.gate.margin(answer.strength, answer.language)
        scored.append(score(q, answer, margin, matcher))
    return metrics(scored), scored


def metrics(scored: list[AnswerScore]) -> dict:
    answerable = [s for s in scored if s.question.answerable]
    outside = [s for s in scored if not s.question.answerable]
    answered = [s for s in answerable if not s.answer.refused]

    def mean(values: list[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return round(statistics.fmean(kept), 4) if kept else None

    seconds = [s.answer.seconds * 1000 for s in scored]
    by_lang = {}
    for lang in sorted({s.question.lang for s in answered}):
        group = [s for s in answered if s.question.lang == lang]
        by_lang[lang] = {
            "n": len(group),
            "citation_precision": mean([s.precision for s in group]),
            "citation_recall": mean([s.recall for s in group]),
            "support": mean([s.support for s in group]),
        }
    return {
        "questions": len(scored),
        "answerable": len(answerable),
        "out_of_scope": len(outside),
        "citation_precision": mean([s.precision for s in answered]),
        "citation_recall": mean([s.recall for s in answered]),
        "support": mean([s.support for s in scored]),
        "refusal_rate": round(sum(s.answer.refused for s in outside) / len(outside), 4)
        if outside
        else None,
        "false_refusals": round(sum(s.answer.refused for s in answerable) / len(answerable), 4)
        if answerable
        else None,
        "by_language": by_lang,
        "latency_ms": {
            "p50": round(percentile(seconds, 50), 1) if seconds else None,
            "p95": round(percentile(seconds, 95), 1) if seconds else None,
        },
        "tradeoff": tradeoff(scored),
    }


def tradeoff(scored: list[AnswerScore]) -> list[dict]:
    """Refusal rate and false refusals if the bar moved by `shift` (0 = as configured)."""
    answerable = [s.margin for s in scored if s.question.answerable]
    outside = [s.margin for s in scored if not s.question.answerable]
    rows = []
    for shift in SHIFTS:
        rows.append(
            {
                "shift": shift,
                "refusal_rate": round(sum(m < shift for m in outside) / len(outside), 4)
                if outside
                else None,
                "false_refusals": round(sum(m < shift for m in answerable) / len(answerable), 4)
                if answerable
                else None,
            }
        )
    return rows


def format_answer_metrics(m: dict) -> str:
    """The answer figures and the refusal trade-off, as `rag eval --answers` prints them."""

    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:.3f}"

    lines = [
        f"Svar på {m['questions']} spørgsmål ({m['answerable']} kan besvares, "
        f"{m['out_of_scope']} uden for materialet); p50 {m['latency_ms']['p50']} ms, "
        f"p95 {m['latency_ms']['p95']} ms",
        f"  kildepræcision (citation precision)   {f(m['citation_precision'])}",
        f"  kildedækning (citation recall)        {f(m['citation_recall'])}",
        f"  belæg (answer support)                {f(m['support'])}",
        f"  afvisninger uden for materialet       {f(m['refusal_rate'])}",
        f"  fejlagtige afvisninger                {f(m['false_refusals'])}",
    ]
    for lang, v in m["by_language"].items():
        lines.append(
            f"  {lang}: n={v['n']} præcision {f(v['citation_precision'])}, "
            f"dækning {f(v['citation_recall'])}, belæg {f(v['support'])}"
        )
    lines += ["", "Afvisningsgrænse flyttet med:   afviser udenfor   afviser fejlagtigt"]
    for row in m["tradeoff"]:
        lines.append(
            f"  {row['shift']:+.3f}{'  (nu)' if row['shift'] == 0 else '':8}"
            f"{f(row['refusal_rate']):>22}{f(row['false_refusals']):>20}"
        )
    return "\n".join(lines)


def format_answer_details(scored: list[AnswerScore]) -> str:
    """Every question with its margin and its answer as the terminal shows it."""
    blocks = []
    for s in scored:
        row = s.row(details=False)
        blocks.append(
            f"\n--- {row['id']} ({row['category']}) margin {row['margin']:+.3f}: "
            f"{s.question.question}\n{format_answer(s.answer)}"
        )
    return "\n".join(blocks)
