"""Fit the answer step's two small models on the tuning half of the question file.

    sentence    one example per candidate unit of an answerable question; positive when the
                unit holds an expected quote (questions whose retrieval found no such unit
                teach nothing about ranking and are left out)
    answerable  one example per question: answerable or out of scope
    topic       the question's own vector → answerable or out of scope; its logit enters
                `answerable` as a feature, taken out of fold (5 folds by question group, so a
                rewording never sees its original) so that `answerable` weighs it as it will
                behave on questions it was not fitted on; its L2 strength is the one of a
                small grid whose out-of-fold ranking is best

Every example is computed through the dense channel's question map fitted without the
question's fold (rag/measure/adapt.py, `out_of_fold_adapters`): the map fitted on the whole
tuning half finds that half's passages better than anyone else's, and models fitted through
it would trust the dense channel more than it deserves on new questions.

Logistic regression with a little L2, on standardised features (Newton steps; a few hundred
examples and a dozen features need nothing more). Only questions of the "tune" half are ever
used here; `rag eval --answers` reports both halves.

The refusal bar is chosen on how the gate meets questions nobody tuned on: every tuning
question is scored by an `answerable` model fitted without its fold (the same 5 folds by
question group), and the bar is the midpoint between the two lowest of those answerable
probabilities that `max_false_refusals` (0.03, issue 20's ceiling for answerable questions
refused) allows to fall under it. The tuning half's own figures flatter the gate, since the
models have seen its questions: a bar chosen on them (or moved by hand on the tuning half's
trade-off) refuses more answerable questions of the held-out half than it did there.
`fitted` records both: `out_of_fold_at_bar` and `in_sample_at_bar`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rag.answer.assistant import Assistant
from rag.answer.evidence import features
from rag.answer.model import AnswerModels, LinearModel, VectorModel
from rag.measure.evaluate import EvalQuestion, searched_text, squash

SENTENCE_FEATURES = (
    "sim",
    "sim_gap",
    "window",
    "subject",
    "coverage",
    "unit_coverage",
    "title",
    "passage",
    "first_hit",
    "fits",
    "depends",
    "announces",
    "short",
    "opening",
)
ANSWERABLE_FEATURES = (
    "dense",
    "coverage",
    "focus",
    "lead_focus",
    "unknown",
    "best_sentence",
    "fact_fits",
    "measure",
    "topic",
    "english",
)
TOPIC_L2 = (3.0, 30.0, 300.0)
FOLDS = 5


def fit_logistic(
    x: np.ndarray, y: np.ndarray, names: tuple[str, ...], l2: float = 1.0, steps: int = 50
) -> LinearModel:
    """Maximum-likelihood logistic regression with an L2 penalty on standardised features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z.T * (p * (1 - p))) @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return LinearModel(
        features=names,
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(float(v) for v in w[:-1]),
        bias=float(w[-1]),
    )


def holds(unit_text: str, sentence_text: str, quotes: list[str]) -> bool:
    """Does a unit hold an expected quote (or a whole sentence of a quote that spans several)?"""
    text, sentence = squash(unit_text), squash(sentence_text)
    return any(q in text or (len(sentence) >= 20 and sentence in q) for q in quotes)


AdapterFor = Callable[[EvalQuestion], None]  # puts the question's own adapter in place


def sentence_examples(
    assistant: Assistant, questions: list[EvalQuestion], adapt: AdapterFor | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    rows, labels, used = [], [], 0
    for q in questions:
        if not q.answerable:
            continue
        if adapt:
            adapt(q)
        asked = assistant.searcher.analyse(q.question, searched_text(q))
        hits = assistant.retrieve(asked)
        query = assistant.searcher.embed_query(asked.searched)
        units = assistant.ranker.candidates(asked, hits)
        assistant.ranker.describe(asked, hits, units, query)
        quotes = [squash(s.quote) for s in q.sources]
        found = [holds(u.text, u.sentence.text, quotes) for u in units]
        if not any(found):
            continue
        used += 1
        rows += [[u.features[f] for f in SENTENCE_FEATURES] for u in units]
        labels += found
    return np.array(rows, dtype=float), np.array(labels, dtype=float), used


def question_vectors(assistant: Assistant, questions: list[EvalQuestion]) -> np.ndarray:
    searcher = assistant.searcher
    return np.array(
        [
            searcher.embed_query(searcher.analyse(q.question, searched_text(q)).searched)
            for q in questions
        ]
    )


def folds(questions: list[EvalQuestion], k: int = FOLDS) -> np.ndarray:
    """A fold per question; a group (original, rewordings, twin) stays in one fold."""
    groups = sorted({q.group or q.id for q in questions})
    fold = {g: i % k for i, g in enumerate(groups)}
    return np.array([fold[q.group or q.id] for q in questions])


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return 0.5
    return float(np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])))


def fit_topic(
    vectors: np.ndarray, labels: np.ndarray, fold: np.ndarray, embedder: str
) -> tuple[VectorModel, np.ndarray, float]:
    """The topic model on every tuning question, its out-of-fold logits, and its L2."""
    names = tuple(f"e{i}" for i in range(vectors.shape[1]))

    def out_of_fold(l2: float) -> np.ndarray:
        logits = np.zeros(len(labels))
        for k in sorted(set(fold.tolist())):
            model = fit_logistic(vectors[fold != k], labels[fold != k], names, l2)
            vm = VectorModel.from_linear(model, embedder, 0.0)
            logits[fold == k] = [vm.logit(v, embedder) for v in vectors[fold == k]]
        return logits

    tried = {l2: out_of_fold(l2) for l2 in TOPIC_L2}
    l2 = max(TOPIC_L2, key=lambda v: _auc(tried[v], labels))
    final = fit_logistic(vectors, labels, names, l2)
    neutral = float(np.mean(tried[l2]))
    return VectorModel.from_linear(final, embedder, neutral), tried[l2], l2


def answerable_examples(
    assistant: Assistant,
    questions: list[EvalQuestion],
    topic: np.ndarray | None = None,
    adapt: AdapterFor | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for n, q in enumerate(questions):
        if adapt:
            adapt(q)
        asked = assistant.searcher.analyse(q.question, searched_text(q))
        hits = assistant.retrieve(asked)
        query = assistant.searcher.embed_query(asked.searched)
        ranked = assistant.ranker.rank(asked, hits, query)  # with the sentence model just fitted
        prior = float(topic[n]) if topic is not None else 0.0
        values, _ = features(asked, hits, assistant.stats, ranked, prior)
        rows.append([values[f] for f in ANSWERABLE_FEATURES])
        labels.append(float(q.answerable))
    return np.array(rows, dtype=float), np.array(labels, dtype=float)


def out_of_fold(
    x: np.ndarray, y: np.ndarray, fold: np.ndarray, names: tuple[str, ...], l2: float = 1.0
) -> np.ndarray:
    """Each example's probability from a model fitted without its fold."""
    p = np.zeros(len(y))
    for k in sorted(set(fold.tolist())):
        model = fit_logistic(x[fold != k], y[fold != k], names, l2)
        p[fold == k] = [model.probability(dict(zip(names, r, strict=True))) for r in x[fold == k]]
    return p


def refused_at(bar: float, p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Share of answerable and of out-of-scope examples below the bar."""
    return {
        "answerable_refused": round(float(np.mean(p[y == 1] < bar)), 4),
        "out_of_scope_refused": round(float(np.mean(p[y == 0] < bar)), 4),
    }


def choose_bar(answerable: np.ndarray, max_false_refusals: float) -> float:
    """Midpoint between the k-th and (k+1)-th lowest answerable probability, k allowed."""
    ordered = np.sort(answerable)
    k = int(np.floor(max_false_refusals * len(ordered)))
    if k == 0:
        return float(ordered[0] / 2)
    return float((ordered[k - 1] + ordered[k]) / 2)


def fit_models(
    assistant: Assistant,
    questions: list[EvalQuestion],
    max_false_refusals: float = 0.03,
    l2: float = 1.0,
    adapters: Callable[[list[EvalQuestion], np.ndarray], dict[str, Any]] | None = None,
) -> AnswerModels:
    """Both models and the bar, from the questions of the "tune" half only. `adapters`: the
    dense channel's question map for each question, fitted without its fold (rag/measure/
    adapt.py); the searcher's own map is put back afterwards."""
    tune = [q for q in questions if q.split == "tune"]
    fold = folds(tune)
    searcher = assistant.searcher
    final = searcher.adapter
    own = adapters(tune, fold) if adapters else {}

    def adapt(q: EvalQuestion) -> None:
        searcher.adapter = own.get(q.id, final)

    try:
        return _fit_models(assistant, tune, fold, max_false_refusals, l2, adapt if own else None)
    finally:
        searcher.adapter = final


def _fit_models(
    assistant: Assistant,
    tune: list[EvalQuestion],
    fold: np.ndarray,
    max_false_refusals: float,
    l2: float,
    adapt: AdapterFor | None,
) -> AnswerModels:
    x, y, used = sentence_examples(assistant, tune, adapt)
    sentence = fit_logistic(x, y, SENTENCE_FEATURES, l2)
    assistant.ranker.model = sentence
    labels = np.array([float(q.answerable) for q in tune])
    embedder = assistant.searcher.embedder.name
    topic, prior, topic_l2 = fit_topic(question_vectors(assistant, tune), labels, fold, embedder)
    xa, ya = answerable_examples(assistant, tune, prior, adapt)
    answerable = fit_logistic(xa, ya, ANSWERABLE_FEATURES, l2)
    p = np.array(
        [answerable.probability(dict(zip(ANSWERABLE_FEATURES, r, strict=True))) for r in xa]
    )
    held_out_like = out_of_fold(xa, ya, fold, ANSWERABLE_FEATURES, l2)
    bar = choose_bar(held_out_like[ya == 1], max_false_refusals)
    fitted = {
        "date": time.strftime("%Y-%m-%d"),
        "half": "tune",
        "sentence_examples": len(y),
        "sentence_positives": int(y.sum()),
        "sentence_questions": used,
        "answerable_questions": int(ya.sum()),
        "out_of_scope_questions": int(len(ya) - ya.sum()),
        "max_false_refusals": max_false_refusals,
        "l2": l2,
        "topic_l2": topic_l2,
        "topic_auc_out_of_fold": round(_auc(prior, labels), 4),
        "out_of_fold_at_bar": refused_at(bar, held_out_like, ya),
        "in_sample_at_bar": refused_at(bar, p, ya),
    }
    return AnswerModels(sentence, answerable, round(bar, 4), fitted, topic)


def format_models(models: AnswerModels) -> str:
    """The fitted weights by feature name (standardised units), for the terminal."""
    lines = [f"Tilpasset på tuning-halvdelen: {models.fitted}"]
    for name, model in (("sætning", models.sentence), ("kan besvares", models.answerable)):
        lines.append(f"  {name}: bias {model.bias:+.2f}")
        lines += [
            f"    {f:14} {w:+.2f}" for f, w in zip(model.features, model.weights, strict=True)
        ]
    lines.append(f"  afvisningsgrænse: {models.refuse_below:.3f}")
    return "\n".join(lines)
