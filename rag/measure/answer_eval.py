"""The answer evaluation: what a manager feels, per half of the question file and per category.

    answer recall       the answer's text contains an expected quote; a question that needs
                        all its sources ("needs": "all": two-part, several documents) scores
                        the share of its quotes the answer holds (1 only with all of them)
    lead hit            the answer's first quoted line holds an expected quote
    partial             the answer says what the material does not give, then what it does
    lint                answers that break a readability rule (rag/measure/lint.py)
    refused             out-of-scope questions refused, neighbouring and off-topic apart, and
                        answerable questions refused (false refusals)
    citation precision  cited passages that contain an expected quote
    citation recall     expected sources that some citation satisfies
    support             answer sentences found (near-)verbatim in the passages they cite
    consistency         within a group (a question, its rewordings, its English twin): the
                        same answer/refuse decision and the same first cited passage

Every figure is also given by overlap bucket (rag/measure/overlap.py: how many of a Danish
question's content words its expected passage uses) and by language. A follow-up is asked
after its history, as in a chat.

Weights and thresholds are tuned on the "tune" half of eval/questions.jsonl only; the
"heldout" half is the figure to believe. The trade-off curve moves the refusal bar.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.answer.assistant import Assistant
from rag.answer.render import format_answer
from rag.documents import Answer
from rag.measure.evaluate import SPLITS, EvalQuestion, QuoteMatcher, percentile, squash
from rag.measure.lint import lint, quoted_lines
from rag.measure.overlap import BUCKETS, bucket, question_overlap
from rag.text import plain_words

_MARKERS = re.compile(r"\[\d+\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9”\"“(])")
NEAR_VERBATIM = 0.8
SHIFTS = tuple(round(x * 0.025, 3) for x in range(-10, 11))
SCOPES = ("neighbouring", "off-topic")


@dataclass
class AnswerScore:
    question: EvalQuestion
    answer: Answer
    margin: float  # how far the answer cleared the refusal bar (negative: refused)
    precision: float | None  # None when nothing is cited
    recall: float | None  # None for out-of-scope questions
    support: float | None  # None when refused
    answer_recall: float | None = None  # None for out-of-scope questions
    lead_hit: bool | None = None
    lint: list[str] = field(default_factory=list)
    overlap: float | None = None  # content-word overlap with the expected passage

    @property
    def bucket(self) -> str | None:
        return bucket(self.overlap) if self.question.lang == "da" else None

    def row(self, details: bool) -> dict:
        q, a = self.question, self.answer
        row = {
            "id": q.id,
            "category": q.category,
            "scope": q.scope,
            "split": q.split,
            "lang": q.lang,
            "answerable": q.answerable,
            "refused": a.refused,
            "partial": a.partial,
            "margin": round(self.margin, 4),
            "answer_recall": self.answer_recall,
            "lead_hit": self.lead_hit,
            "overlap": _round(self.overlap),
            "group": q.group,
            "variant": q.variant,
            "needs": q.needs,
            "lint": self.lint,
            "citation_precision": _round(self.precision),
            "citation_recall": _round(self.recall),
            "support": _round(self.support),
            "seconds": round(a.seconds, 3),
        }
        if details:
            row["question"] = q.question
            row["answer"] = a.text
            row["citations"] = [c.to_dict() for c in a.citations]
            row["evidence"] = a.evidence
        return row


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def claims(text: str) -> list[str]:
    """The sentences an answer asserts: its quoted lines, split into sentences."""
    out: list[str] = []
    for line in quoted_lines(text):
        out += [s for s in _SENTENCE.split(line) if len(s.split()) >= 3]
    return out


def supported(claim: str, cited_text: str, cited_words: set[str]) -> bool:
    if squash(claim) and squash(claim) in cited_text:
        return True
    words = plain_words(claim)
    return bool(words) and sum(w in cited_words for w in words) / len(words) >= NEAR_VERBATIM


def score(
    question: EvalQuestion,
    answer: Answer,
    margin: float,
    matcher: QuoteMatcher,
    overlap: float | None = None,
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
    result = AnswerScore(question, answer, margin, precision, recall, support, overlap=overlap)
    if question.answerable:
        result.answer_recall, result.lead_hit = holds_quote(question, answer)
    result.lint = lint(answer.text, refused=answer.refused, language=answer.language)
    return result


def holds_quote(question: EvalQuestion, answer: Answer) -> tuple[float, bool]:
    """How much of the expected answer the answer holds, and does its lead hold a quote?

    1.0 when it holds an expected quote; for a question that needs all its sources, the share
    of them whose quote it holds. The lead is the first quoted sentence(s), with the items of
    the list it announces when it announces one ("Som leder kan du blandt andet bidrage til:"
    says nothing without them)."""
    if answer.refused:
        return 0.0, False
    quotes = [squash(s.quote) for s in question.sources]
    whole = squash(" ".join(quoted_lines(answer.text)))
    lead = squash(" ".join(lead_block(answer.text)))
    found = [q in whole for q in quotes]
    credit = sum(found) / len(found) if question.needs == "all" else float(any(found))
    return credit, any(q in lead for q in quotes)


def lead_block(text: str) -> list[str]:
    """The answer's first quoted line, and the list lines right under it if it ends with ':'."""
    lines = quoted_lines(text)
    if not lines:
        return []
    block = [lines[0]]
    if lines[0].endswith(":"):
        raw = [line for line in text.splitlines() if line.strip()]
        start = next((k for k, line in enumerate(raw) if lines[0][:40] in line), len(raw))
        for line in raw[start + 1 :]:
            if not line.startswith(("- ", "  - ")) or "[" in line:
                break
            block.append(line.lstrip("- ").strip())
    return block


def evaluate_answers(
    assistant: Assistant,
    questions: list[EvalQuestion],
    matcher: QuoteMatcher,
    before: Callable[[EvalQuestion], None] | None = None,
) -> tuple[dict, list[AnswerScore]]:
    """Every question asked and scored; `before(q)` runs before each is asked (the
    out-of-fold question map of `eval --answers --out-of-fold` is put in place there)."""
    scored = []
    chunks = assistant.searcher.chunks
    for q in questions:
        if before:
            before(q)
        history: list[Answer] = []
        for earlier in q.history:  # a follow-up is asked in its chat
            history.append(assistant.ask(earlier, history=history))
        answer = assistant.ask(q.question, history=history)
        overlap = question_overlap(q, chunks, matcher)
        scored.append(score(q, answer, assistant.margin(answer), matcher, overlap))
    return metrics(scored), scored


def _mean(values: list) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return round(statistics.fmean(kept), 4) if kept else None


def _share(rows: list[AnswerScore], test) -> float | None:
    return round(sum(bool(test(s)) for s in rows) / len(rows), 4) if rows else None


def summary(rows: list[AnswerScore]) -> dict:
    """Every figure for one set of questions (a half, or all)."""
    answerable = [s for s in rows if s.question.answerable]
    outside = [s for s in rows if not s.question.answerable]
    answered = [s for s in answerable if not s.answer.refused]
    rules = Counter(rule for s in rows for rule in s.lint)
    by_category = {
        category: _breakdown([s for s in rows if s.question.category == category])
        for category in sorted({s.question.category for s in rows})
    }
    by_overlap = {
        b: _breakdown([s for s in answerable if s.bucket == b])
        for b in BUCKETS
        if any(s.bucket == b for s in answerable)
    }
    by_language = {
        lang: _breakdown([s for s in rows if s.question.lang == lang])
        for lang in sorted({s.question.lang for s in rows})
    }
    return {
        "n": len(rows),
        "answerable": len(answerable),
        "out_of_scope": len(outside),
        "answer_recall": _mean([s.answer_recall for s in answerable]),
        "lead_hit": _mean([s.lead_hit for s in answerable]),
        "partial": _share(answerable, lambda s: s.answer.partial),
        "lint": _share(rows, lambda s: s.lint),  # refusals too: what they name
        "lint_rules": dict(rules.most_common()),
        "answerable_refused": _share(answerable, lambda s: s.answer.refused),
        "refused": {
            **{
                scope: _share(
                    [s for s in outside if s.question.scope == scope], lambda s: s.answer.refused
                )
                for scope in SCOPES
            },
            "all": _share(outside, lambda s: s.answer.refused),
        },
        "citation_precision": _mean([s.precision for s in answered]),
        "citation_recall": _mean([s.recall for s in answered]),
        "support": _mean([s.support for s in rows]),
        "overlap": _mean([s.overlap for s in answerable if s.question.lang == "da"]),
        "by_category": by_category,
        "by_overlap": by_overlap,
        "by_language": by_language,
        "consistency": consistency(rows),
    }


def _breakdown(group: list[AnswerScore]) -> dict:
    """The figures of one category, overlap bucket or language."""
    asked = [s for s in group if s.question.answerable]
    return {
        "n": len(group),
        "answer_recall": _mean([s.answer_recall for s in asked]),
        "lead_hit": _mean([s.lead_hit for s in asked]),
        "partial": _share(asked, lambda s: s.answer.partial),
        "lint": _share(group, lambda s: s.lint),
        "refused": _share(group, lambda s: s.answer.refused),
    }


def first_passage(answer: Answer) -> tuple[str, int, int] | None:
    """The passage the answer cites first, as (document, start, end) in its source file."""
    if answer.refused or not answer.citations:
        return None
    chunk = answer.citations[0].chunk
    return chunk.doc_id, chunk.start, chunk.end


def same_passage(a: tuple[str, int, int] | None, b: tuple[str, int, int] | None) -> bool:
    """Both cite nothing, or the same stretch of one document (overlapping chunk windows are
    the same passage to a reader)."""
    if a is None or b is None:
        return a is b
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def consistency(rows: list[AnswerScore]) -> dict:
    """Within each group of two or more (an original, its rewordings, its English twin): the
    share of the other members whose answer/refuse decision, and whose first cited passage,
    agree with the original's."""
    groups: dict[str, list[AnswerScore]] = {}
    for s in rows:
        if s.question.group:
            groups.setdefault(s.question.group, []).append(s)
    pairs = decided = agreed = 0
    whole_groups = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        reference = next((s for s in members if s.question.variant == "original"), members[0])
        others = [s for s in members if s is not reference]
        agree = [
            (
                s.answer.refused == reference.answer.refused,
                same_passage(first_passage(s.answer), first_passage(reference.answer)),
            )
            for s in others
        ]
        pairs += len(agree)
        decided += sum(d for d, _ in agree)
        agreed += sum(d and p for d, p in agree)
        whole_groups += all(d and p for d, p in agree)
    n = sum(len(m) >= 2 for m in groups.values())
    return {
        "groups": n,
        "pairs": pairs,
        "decision": round(decided / pairs, 4) if pairs else None,
        "decision_and_source": round(agreed / pairs, 4) if pairs else None,
        "groups_agreeing": round(whole_groups / n, 4) if n else None,
    }


def metrics(scored: list[AnswerScore]) -> dict:
    seconds = [s.answer.seconds * 1000 for s in scored]
    halves = {half: [s for s in scored if s.question.split == half] for half in SPLITS}
    return {
        "questions": len(scored),
        "halves": {
            **{half: summary(rows) for half, rows in halves.items() if rows},
            "all": summary(scored),
        },
        "latency_ms": {
            "p50": round(percentile(seconds, 50), 1) if seconds else None,
            "p95": round(percentile(seconds, 95), 1) if seconds else None,
        },
        "tradeoff": {half: tradeoff(rows) for half, rows in halves.items() if rows},
    }


def tradeoff(scored: list[AnswerScore]) -> list[dict]:
    """What would be refused if the bar moved by `shift` (0 = as configured)."""
    groups = {
        "answerable": [s.margin for s in scored if s.question.answerable],
        **{scope: [s.margin for s in scored if s.question.scope == scope] for scope in SCOPES},
    }
    return [
        {
            "shift": shift,
            **{
                name: round(sum(m < shift for m in margins) / len(margins), 4) if margins else None
                for name, margins in groups.items()
            },
        }
        for shift in SHIFTS
    ]


def _f(x: float | None) -> str:
    return "   –" if x is None else f"{x:.3f}"


def format_answer_metrics(m: dict) -> str:
    """The answer figures per half and category, as `rag eval --answers` prints them."""
    lines = [
        f"Svar på {m['questions']} spørgsmål; p50 {m['latency_ms']['p50']} ms, "
        f"p95 {m['latency_ms']['p95']} ms"
    ]
    for half, s in m["halves"].items():
        refused = s["refused"]
        lines += [
            "",
            f"{_HALF_NAMES[half]} ({s['answerable']} kan besvares, {s['out_of_scope']} uden for)",
            f"  svaret indeholder et forventet citat (answer recall)  {_f(s['answer_recall'])}",
            f"  første sætning rammer (lead hit)                      {_f(s['lead_hit'])}",
            f"  delvise svar (partial)                                {_f(s['partial'])}",
            f"  svar med læsbarhedsfejl (lint)                        {_f(s['lint'])}"
            + (f"  {s['lint_rules']}" if s["lint_rules"] else ""),
            f"  afviser nabospørgsmål / helt udenfor                  "
            f"{_f(refused['neighbouring'])} / {_f(refused['off-topic'])}",
            f"  afviser fejlagtigt (answerable refused)               "
            f"{_f(s['answerable_refused'])}",
            f"  kildepræcision / -dækning / belæg                     "
            f"{_f(s['citation_precision'])} / {_f(s['citation_recall'])} / {_f(s['support'])}",
            f"  samme afgørelse / og samme første kilde (omformuleringer, "
            f"{s['consistency']['pairs']} par)  "
            f"{_f(s['consistency']['decision'])} / {_f(s['consistency']['decision_and_source'])}",
            f"  {'kategori':16}{'n':>4}{'recall':>8}{'lead':>8}{'delvis':>8}{'lint':>8}"
            f"{'afvist':>8}",
        ]
        for title, table in (
            ("", s["by_category"]),
            ("ordoverlap (dansk, kan besvares)", s["by_overlap"]),
            ("sprog", s["by_language"]),
        ):
            if title:
                lines.append(f"  {title}")
            lines += [_breakdown_line(name, v) for name, v in table.items()]
    return "\n".join(lines)


def _breakdown_line(name: str, v: dict) -> str:
    return (
        f"  {name:16}{v['n']:>4}{_f(v['answer_recall']):>8}{_f(v['lead_hit']):>8}"
        f"{_f(v['partial']):>8}{_f(v['lint']):>8}{_f(v['refused']):>8}"
    )


_HALF_NAMES = {"tune": "Tuning-halvdel", "heldout": "Holdt-ude-halvdel", "all": "Alle"}


def format_answer_details(scored: list[AnswerScore]) -> str:
    """Every question with its margin and its answer as the terminal shows it."""
    blocks = []
    for s in scored:
        row = s.row(details=False)
        flags = " ".join(
            f
            for f, on in (
                ("RECALL", row["answer_recall"]),
                ("LEAD", row["lead_hit"]),
                ("DELVIS", row["partial"]),
            )
            if on
        )
        overlap = "" if s.overlap is None else f" overlap {s.overlap:.2f}"
        blocks.append(
            f"\n--- {row['id']} ({row['category']}, {row['split']}) margin {row['margin']:+.3f}"
            f"{overlap} {flags} {' '.join(row['lint'])}: {s.question.question}\n"
            f"{format_answer(s.answer)}"
        )
    return "\n".join(blocks)
