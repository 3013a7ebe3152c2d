"""The grounding check's specification set, its fit and its precision and recall.

    python -m rag.measure.grounding          precision and recall per half and per kind
    python -m rag.measure.grounding --fit    refit on the tuning half, rewrite the model file

Every example is a sentence with a marker and the source passage it cites; each question of
eval/questions.jsonl with an expected quote gives, from the material's own sentences:

    verbatim      the material's sentence that holds the quote, cited to its passage   (held)
    paraphrase    the answer in other words (eval/grounding.jsonl, written by hand)    (held)
    invented      a plausible claim the passage does not make (eval/grounding.jsonl)   (not)
    other         the best-ranked sentence of another retrieved passage, cited to the
                  quote's passage: on topic, real, and not what the cited source says  (not)
    question      the question itself with a marker                                    (not)
    rule          a sentence of the system prompt with a marker (what SmolLM2 did)     (not)

The example takes the question's half ("tune" or "heldout"); only the tuning half is fitted
on. The bar is the one that maximises F0.5 there: a sentence shown without support is worse
than a supported one dropped (the extracts are still there).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import numpy as np

from rag.answer.assistant import Assistant
from rag.answer.excerpts import Source
from rag.answer.grounding import FEATURES, GroundingCheck, GroundingModel, load_grounding
from rag.answer.model import LinearModel
from rag.answer.prompts import instructions, template
from rag.config import EVAL_QUESTIONS, PROJECT_ROOT, Settings
from rag.documents import Chunk
from rag.ingest.sentences import split
from rag.measure.evaluate import EvalQuestion, load_questions, squash
from rag.measure.fit import fit_logistic
from rag.text import plain_words, shingles

SPEC_FILE = PROJECT_ROOT / "eval" / "grounding.jsonl"
HELD = ("verbatim", "paraphrase")
KINDS = ("verbatim", "paraphrase", "invented", "other", "question", "rule")


@dataclass
class Example:
    question: str  # question id
    half: str
    kind: str
    claim: str
    supported: bool
    features: dict[str, float]


def rule_sentences() -> list[str]:
    """The system prompt's sentences, as a model parrots them."""
    lines = [line.strip() for line in template("answer-system").splitlines()]
    return [line.split(". ", 1)[-1] for line in lines if line[:1].isdigit()]


def prompt_of(question: str) -> str:
    return instructions(question)


def quote_chunk(chunks: list[Chunk], quote: str) -> Chunk | None:
    wanted = squash(quote)
    return next((c for c in chunks if wanted in squash(c.text)), None)


def quote_sentence(chunk: Chunk, quote: str) -> str | None:
    wanted = squash(quote)[:40]
    return next((s.text for s in split(chunk) if wanted[:25] in squash(s.text)), None)


def _copies(a: str, chunk: Chunk) -> bool:
    """Most of sentence `a`'s word 3-grams are in the chunk (the material repeats itself)."""
    mine = shingles(plain_words(a))
    return not mine or len(mine & shingles(plain_words(chunk.text))) > 0.3 * len(mine)


def build(assistant: Assistant, questions: list[EvalQuestion]) -> list[Example]:
    """The specification set over the material (features computed with the live check)."""
    # The features do not depend on the model: any one computes them.
    neutral = GroundingModel(LinearModel(FEATURES, (0.0, 0.0), (1.0, 1.0), (1.0, 1.0), 0.0), 0.5, 0)
    check = GroundingCheck(assistant.stats, assistant.ranker.vectors, neutral)
    written: dict[str, list[dict]] = {}
    for line in SPEC_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            written.setdefault(row["question"], []).append(row)
    rules = rule_sentences()
    chunks = assistant.searcher.chunks
    out: list[Example] = []
    for k, q in enumerate(questions):
        if not q.answerable or not q.sources:
            continue
        chunk = quote_chunk(chunks, q.sources[0].quote)
        if chunk is None:
            continue
        source, prompt = Source.whole(chunk), prompt_of(q.question)

        def add(kind: str, claim: str, supported: bool, q=q, source=source, prompt=prompt):
            values = check.features(claim, source, prompt)
            values["novel"] = _novel(check, claim, prompt)
            out.append(Example(q.id, q.split, kind, claim, supported, values))

        sentence = quote_sentence(chunk, q.sources[0].quote)
        if sentence:
            add("verbatim", f"{sentence} [1]", True)
        for row in written.get(q.id, []):
            add(row["kind"], row["claim"], bool(row["supported"]))
        other = _other_sentence(assistant, q, chunk)
        if other:
            add("other", f"{other} [1]", False)
        add("question", f"{q.question} [1]", False)
        add("rule", f"{rules[k % len(rules)]} [1]", False)
    return out


def _novel(check: GroundingCheck, claim: str, prompt: str) -> float:
    terms = check.stats.terms(" ".join(claim.replace("[1]", " ").split()))
    novel = terms - check.stats.terms(prompt)
    total = sum(check.stats.idf(t) for t in terms)
    return sum(check.stats.idf(t) for t in novel) / total if total else 0.0


def _other_sentence(assistant: Assistant, q: EvalQuestion, chunk: Chunk) -> str | None:
    """The best-ranked unit of another passage that does not repeat the cited one."""
    asked = assistant.searcher.analyse(q.question)
    hits = assistant.retrieve(asked)
    ranked = assistant.ranker.rank(asked, hits, assistant.searcher.embed_query(asked.searched))
    for unit in ranked:
        text = unit.sentence.text
        other = unit.hit.chunk.chunk_id != chunk.chunk_id
        if other and len(text.split()) >= 6 and not _copies(text, chunk):
            return text
    return None


def predict(model: GroundingModel, e: Example) -> bool:
    if e.features["novel"] < model.min_novel:
        return False
    return model.model.probability(e.features) >= model.bar


def scores(model: GroundingModel, examples: list[Example]) -> dict[str, float]:
    said = [predict(model, e) for e in examples]
    truth = [e.supported for e in examples]
    tp = sum(s and t for s, t in zip(said, truth, strict=True))
    fp = sum(s and not t for s, t in zip(said, truth, strict=True))
    fn = sum(t and not s for s, t in zip(said, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"examples": len(examples), "precision": precision, "recall": recall}


def _f(precision: float, recall: float, beta: float = 0.5) -> float:
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall) if precision + recall else 0


def fit(examples: list[Example]) -> GroundingModel:
    """Logistic model, novelty floor and bar from the tuning half only (best F0.5)."""
    tune = [e for e in examples if e.half == "tune"]
    best: tuple[float, GroundingModel] | None = None
    for floor in (0.1, 0.2, 0.3, 0.4):
        used = [e for e in tune if e.features["novel"] >= floor]
        x = np.array([[e.features[f] for f in FEATURES] for e in used])
        y = np.array([float(e.supported) for e in used])
        model = fit_logistic(x, y, FEATURES, l2=1.0)
        for bar in np.arange(0.05, 0.96, 0.01):
            candidate = GroundingModel(model, round(float(bar), 2), floor)
            s = scores(candidate, tune)
            f = _f(s["precision"], s["recall"])
            if best is None or f > best[0] + 1e-9:
                best = (f, candidate)
    assert best is not None
    chosen = best[1]
    fitted = {
        "date": time.strftime("%Y-%m-%d"),
        "half": "tune",
        "examples": len(tune),
        "supported": sum(e.supported for e in tune),
        "criterion": "F0.5",
    }
    return GroundingModel(chosen.model, chosen.bar, chosen.min_novel, fitted)


def report(model: GroundingModel, examples: list[Example]) -> dict:
    out: dict = {"bar": model.bar, "min_novel": model.min_novel}
    for half in ("tune", "heldout"):
        mine = [e for e in examples if e.half == half]
        out[half] = scores(model, mine)
        out[half]["by_kind"] = {
            kind: sum(predict(model, e) == e.supported for e in mine if e.kind == kind)
            / max(1, sum(e.kind == kind for e in mine))
            for kind in KINDS
        }
    return out


def format_report(result: dict) -> str:
    lines = [f"Grænse {result['bar']:.2f}, mindst {result['min_novel']:.0%} nye ord"]
    for half in ("tune", "heldout"):
        r = result[half]
        lines.append(
            f"  {half:8} {r['examples']:4} eksempler  præcision {r['precision']:.3f}  "
            f"genfinding {r['recall']:.3f}"
        )
        lines.append(
            "           rigtigt afgjort: "
            + ", ".join(f"{k} {v:.2f}" for k, v in r["by_kind"].items())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.measure.grounding")
    parser.add_argument("--fit", action="store_true", help="tilpas på tuning-halvdelen")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    assistant = Assistant.open(Settings.load())
    examples = build(assistant, load_questions(EVAL_QUESTIONS))
    model = fit(examples) if args.fit else load_grounding()
    if args.fit:
        model.save()
    result = report(model, examples)
    print(json.dumps(result, indent=1) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
