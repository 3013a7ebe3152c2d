"""The retrieval evaluation: questions with expected quotes, scored per mode and category.

A hit satisfies a source when it comes from that document (or a detected copy of it, such as
the scanned pamphlet) and contains the quote. Both sides are compared as bare letters and
digits, folded like the lexical index folds them, so case, whitespace, line-end hyphenation,
markup and diacritics never decide a match, and questions stay valid when chunking changes.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import Chunk
from rag.search.retrieve import Searcher
from rag.text import lexical_text, squash

CATEGORIES = (
    "fact",
    "checklist",
    "case",
    "exercise",
    "concept",
    "paraphrase",
    "no-diacritics",
    "english",
    "multi-doc",
    "out-of-scope",
    "advice",
    "two-part",
    "follow-up",
)
NEEDS = ("any", "all")
VARIANTS = ("original", "reworded", "english")
SPLITS = ("tune", "heldout")


class QuestionFileError(ValueError):
    """The questions file does not follow the schema; the message names the line."""


@dataclass
class Source:
    doc: str
    quote: str


@dataclass
class EvalQuestion:
    id: str
    question: str
    lang: str
    category: str
    answerable: bool
    sources: list[Source] = field(default_factory=list)
    # Out-of-scope questions: "neighbouring" (HR, legal, IT a manager asks beside the material)
    # or "off-topic". Every question belongs to the "tune" half (thresholds and weights are
    # fitted on it) or the "heldout" half (reported, never tuned on).
    scope: str | None = None
    split: str = "tune"
    # "all": every source must appear for a full answer (two-part, several documents).
    needs: str = "any"
    # Rewordings and English twins share the original's group (and its split).
    group: str | None = None
    variant: str = "original"
    history: list[str] = field(default_factory=list)  # earlier questions of the chat
    situation: str = ""  # the manager's situation it was written from (informational)


CASES = "cases*.jsonl"  # cases made from feedback (rag/chat/cases.py), read with the set


def load_question_set(path: Path, cases_file: Path | None = None) -> list[EvalQuestion]:
    """A questions file and, given `cases_file` (`Settings.cases_file`), that file and the
    other cases*.jsonl beside it, as one set; an id used twice is an error naming both files."""
    questions: list[EvalQuestion] = []
    seen: dict[str, str] = {}
    for f in [path, *case_files(cases_file)]:
        if f.resolve() == path.resolve() and questions:
            continue
        for q in load_questions(f):
            if q.id in seen:
                raise QuestionFileError(f"{f}: id {q.id} står også i {seen[q.id]}")
            seen[q.id] = f.name
            questions.append(q)
    return questions


def case_files(cases_file: Path | None) -> list[Path]:
    """The cases files read with the question set: `cases_file` when it exists, and every
    cases*.jsonl in its folder (a maintainer may keep several)."""
    if cases_file is None:
        return []
    found = set(cases_file.parent.glob(CASES)) if cases_file.parent.is_dir() else set()
    if cases_file.is_file():
        found.add(cases_file)
    return sorted(found)


def load_questions(path: Path) -> list[EvalQuestion]:
    questions: list[EvalQuestion] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            q = EvalQuestion(
                id=str(raw["id"]),
                question=str(raw["question"]),
                lang=str(raw.get("lang", "da")),
                category=str(raw.get("category", "")),
                answerable=bool(raw.get("answerable", True)),
                sources=[Source(str(s["doc"]), str(s["quote"])) for s in raw.get("sources", [])],
                scope=raw.get("scope"),
                split=str(raw.get("split", "tune")),
                needs=str(raw.get("needs", "any")),
                group=None if raw.get("group") is None else str(raw["group"]),
                variant=str(raw.get("variant", "original")),
                history=[str(h) for h in raw.get("history", [])],
                situation=str(raw.get("situation", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path}:{n}: ugyldigt spørgsmål ({exc})") from exc
        if q.answerable and not q.sources:
            raise QuestionFileError(f"{path}:{n}: {q.id} kan besvares, men har ingen kilder")
        if q.split not in SPLITS:
            raise QuestionFileError(
                f"{path}:{n}: {q.id} har split {q.split!r}; brug tune eller heldout"
            )
        if q.needs not in NEEDS or q.variant not in VARIANTS:
            raise QuestionFileError(
                f"{path}:{n}: {q.id}: needs skal være any/all og variant original/reworded/english"
            )
        questions.append(q)
    return questions


class QuoteMatcher:
    """Which expected sources a chunk satisfies; `copies` maps a copy's doc id to its original."""

    def __init__(self, copies: dict[str, str] | None = None) -> None:
        self.copies = copies or {}
        self._squashed: dict[str, str] = {}

    def satisfied(self, chunk: Chunk, sources: list[Source]) -> set[int]:
        text = self._squashed.get(chunk.chunk_id)
        if text is None:
            text = self._squashed[chunk.chunk_id] = squash(chunk.text)
        doc = chunk.doc_id
        origin = self.copies.get(doc, doc)
        return {
            i
            for i, s in enumerate(sources)
            if (s.doc == doc or s.doc == origin) and squash(s.quote) in text
        }


def copies_of(documents: list[dict]) -> dict[str, str]:
    return {d["doc_id"]: d["copy_of"] for d in documents if d.get("copy_of")}


@dataclass
class Scored:
    question: EvalQuestion
    mode: str
    seconds: float
    first_rank: int | None  # rank of the first hit that satisfies any source
    hit_sources: list[set[int]]  # per ranked hit, the sources it satisfies
    hits: list[dict]

    def hit_at(self, k: int) -> float:
        return float(self.first_rank is not None and self.first_rank <= k)

    def recall_at(self, k: int) -> float:
        found = set().union(*self.hit_sources[:k]) if self.hit_sources else set()
        return len(found) / len(self.question.sources)

    def reciprocal_rank(self, k: int = 10) -> float:
        return 1.0 / self.first_rank if self.first_rank and self.first_rank <= k else 0.0

    def ndcg(self, k: int = 10) -> float:
        seen: set[int] = set()
        dcg = 0.0
        for rank, sources in enumerate(self.hit_sources[:k], 1):
            new = sources - seen
            if new:
                dcg += 1.0 / math.log2(rank + 1)
                seen |= new
        ideal = sum(
            1.0 / math.log2(r + 1) for r in range(1, min(len(self.question.sources), k) + 1)
        )
        return dcg / ideal if ideal else 0.0


def searched_text(q: EvalQuestion) -> str:
    """What is searched for a question: a follow-up made standalone with its chat history the
    way the assistant does it without an LLM (rag/answer/followup.py)."""
    from rag.answer.followup import standalone

    previous: list[str] = []
    for earlier in q.history:
        previous.append(standalone(earlier, previous))
    return standalone(q.question, previous)


def score_question(
    searcher: Searcher, matcher: QuoteMatcher, q: EvalQuestion, mode: str, k: int
) -> Scored:
    hits, seconds = searcher.timed_search(searched_text(q), k=k, mode=mode)
    sources = [matcher.satisfied(h.chunk, q.sources) for h in hits]
    first = next((h.rank for h, s in zip(hits, sources, strict=True) if s), None)
    details = [
        {
            "rank": h.rank,
            "score": round(h.score, 4),
            "chunk_id": h.chunk.chunk_id,
            "doc_id": h.chunk.doc_id,
            "section": h.chunk.section,
            "kind": h.chunk.kind,
            "text": h.chunk.text,
            "matches": sorted(s),
        }
        for h, s in zip(hits, sources, strict=True)
    ]
    return Scored(q, mode, seconds, first, sources, details)


def summarise(scored: list[Scored]) -> dict:
    """hit@1, hit@5, recall@5, MRR@10, nDCG@10 over the answerable questions given."""
    rows = [s for s in scored if s.question.answerable]
    if not rows:
        return {"n": 0}

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 3)

    return {
        "n": len(rows),
        "hit@1": mean([s.hit_at(1) for s in rows]),
        "hit@5": mean([s.hit_at(5) for s in rows]),
        "recall@5": mean([s.recall_at(5) for s in rows]),
        "mrr@10": mean([s.reciprocal_rank(10) for s in rows]),
        "ndcg@10": mean([s.ndcg(10) for s in rows]),
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def evaluate(
    searcher: Searcher,
    questions: list[EvalQuestion],
    modes: list[str],
    copies: dict[str, str],
    k: int = 10,
) -> tuple[dict, list[Scored]]:
    matcher = QuoteMatcher(copies)
    for mode in modes:  # warm up caches and lazy loads before timing
        searcher.search("tillid og samarbejde", k=k, mode=mode)
    metrics: dict[str, dict] = {}
    everything: list[Scored] = []
    for mode in modes:
        searcher.clear_caches()  # every mode pays for its own query embeddings and searches
        scored = [score_question(searcher, matcher, q, mode, k) for q in questions]
        everything.extend(scored)
        by_category: dict[str, list[Scored]] = defaultdict(list)
        for s in scored:
            by_category[s.question.category].append(s)
        latencies = [s.seconds * 1000 for s in scored]
        metrics[mode] = {
            "overall": summarise(scored),
            "danish": summarise([s for s in scored if s.question.lang == "da"]),
            "english": summarise([s for s in scored if s.question.lang == "en"]),
            "halves": {
                half: summarise([s for s in scored if s.question.split == half]) for half in SPLITS
            },
            "by_category": {
                c: summarise(by_category[c])
                for c in [*CATEGORIES, *sorted(set(by_category) - set(CATEGORIES))]
                if c in by_category and any(s.question.answerable for s in by_category[c])
            },
            "latency_ms": {
                "p50": round(statistics.median(latencies), 1) if latencies else 0.0,
                "p95": round(percentile(latencies, 95), 1),
            },
            "unanswerable": sum(1 for q in questions if not q.answerable),
        }
    return metrics, everything


def question_rows(scored: list[Scored], details: bool) -> list[dict]:
    rows: dict[str, dict] = {}
    for s in scored:
        q = s.question
        row = rows.setdefault(
            q.id,
            {
                "id": q.id,
                "question": q.question,
                "lang": q.lang,
                "category": q.category,
                "answerable": q.answerable,
                "modes": {},
            },
        )
        entry: dict = {
            "first_rank": s.first_rank,
            "recall@5": round(s.recall_at(5), 3) if q.answerable else None,
            "ms": round(s.seconds * 1000, 1),
        }
        if details:
            entry["hits"] = s.hits
        row["modes"][s.mode] = entry
    return list(rows.values())


# The lexical normalisations and fusion choices the ablation measures, each against the kept
# configuration (rag.lexical.Analysis() and rag.retrieve.Fusion()).
LEXICAL_VARIANTS = {
    "kept (fold+stop+stem+decompound)": {},
    "without folding": {"fold": False},
    "without stopwords": {"stopwords": False},
    "without stemming": {"stem": False},
    "without decompounding": {"decompound": False},
    "with char 4-grams": {"ngrams": True},
}
FUSION_VARIANTS = {
    "kept (score, w=0.5 / en 0.3)": {},
    "rrf k=60, equal weights": {"method": "rrf", "dense_weight": 0.5, "dense_weight_en": 0.5},
    "score w=0.3": {"dense_weight": 0.3},
    "score w=0.7": {"dense_weight": 0.7},
    "english as danish (w=0.5)": {"dense_weight_en": 0.5},
    "glossary terms for dense too": {"translate_dense": True},
}


def ablation(
    searcher: Searcher, questions: list[EvalQuestion], copies: dict[str, str]
) -> dict[str, list[dict]]:
    """Measure each lexical normalisation (bm25 alone) and each fusion choice (hybrid)."""
    from dataclasses import replace

    from rag.index.lexical import Analysis, LexicalIndex

    texts = [lexical_text(c) for c in searcher.chunks]
    kept_lexical, kept_fusion = searcher.lexical, searcher.fusion
    out: dict[str, list[dict]] = {"lexical": [], "fusion": []}
    try:
        for name, change in LEXICAL_VARIANTS.items():
            searcher.lexical = LexicalIndex.build(texts, replace(Analysis(), **change))
            metrics, _ = evaluate(searcher, questions, ["bm25", "hybrid"], copies)
            out["lexical"].append({"variant": name, **_ablation_row(metrics)})
        searcher.lexical = kept_lexical
        for name, change in FUSION_VARIANTS.items():
            searcher.fusion = replace(kept_fusion, **change)
            metrics, _ = evaluate(searcher, questions, ["hybrid"], copies)
            out["fusion"].append({"variant": name, **_ablation_row(metrics)})
    finally:
        searcher.lexical, searcher.fusion = kept_lexical, kept_fusion
    return out


def _ablation_row(metrics: dict) -> dict:
    row = {}
    for mode, m in metrics.items():
        row[mode] = {
            "danish hit@5": m["danish"]["hit@5"],
            "danish mrr@10": m["danish"]["mrr@10"],
            "english hit@5": m["english"].get("hit@5", 0.0),
            "no-diacritics hit@5": m["by_category"].get("no-diacritics", {}).get("hit@5", 0.0),
            "paraphrase hit@5": m["by_category"].get("paraphrase", {}).get("hit@5", 0.0),
        }
    return row


def format_metrics(metrics: dict) -> str:
    """The retrieval table per mode, language and category, as `rag eval` prints it."""
    lines = []
    head = f"{'':24}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'rec@5':>8}{'MRR@10':>8}{'nDCG@10':>9}"
    for mode, m in metrics.items():
        lat = m["latency_ms"]
        lines += ["", f"{mode}  (p50 {lat['p50']} ms, p95 {lat['p95']} ms)", head]
        rows = [("dansk", m["danish"]), ("engelsk", m["english"])]
        rows += [(f"halvdel: {half}", v) for half, v in m.get("halves", {}).items()]
        rows += list(m["by_category"].items())
        for name, v in rows:
            if not v.get("n"):
                continue
            lines.append(
                f"{name:24}{v['n']:>4}{v['hit@1']:>8.3f}{v['hit@5']:>8.3f}"
                f"{v['recall@5']:>8.3f}{v['mrr@10']:>8.3f}{v['ndcg@10']:>9.3f}"
            )
    return "\n".join(lines).lstrip()


def format_misses(scored: list[Scored]) -> str:
    """The answerable questions whose first right passage is not at rank 1, per mode."""
    return "\n".join(
        f"{s.mode:6} {s.question.id} rang {s.first_rank or '–'}: {s.question.question}"
        for s in scored
        if s.question.answerable and (s.first_rank or 99) > 1
    )
