"""Fit the question map of the dense channel (rag/search/adapter.py) on the tuning half.

One example per answerable tuning question: its vector as the dense channel embeds it, and
the windows of every passage that holds one of its expected quotes. The loss is the softmax
cross-entropy of those windows among all windows (temperature `adapter_temperature`; a
passage scores by its best window, so all of its windows count as right), plus
`adapter_ridge`·‖M − I‖² so that the map stays a small correction of e5 rather than a lookup
table of the tuning questions. Full-batch gradient descent from the identity, a fixed number
of steps: deterministic, and a few seconds on two cores.

The defaults in `Settings` were chosen by 4-fold cross-validation by question group inside
the tuning half (dense MRR@10 0.587 → 0.625, hit@5 0.726 → 0.797 on the left-out folds);
the held-out half is only measured afterwards (`tillidsguiden eval --mode all`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rag.config import Settings
from rag.measure.evaluate import EvalQuestion, QuoteMatcher, searched_text, squash
from rag.measure.fit import holds
from rag.search.adapter import QueryAdapter
from rag.search.retrieve import Searcher


class AdapterFitError(RuntimeError):
    """The question map cannot be fitted (said in Danish: no vectors, no usable questions)."""


@dataclass(frozen=True)
class Examples:
    questions: np.ndarray  # (n, d) unit vectors
    right: np.ndarray  # (n, m) bool: window j belongs to a passage answering question i
    windows: np.ndarray  # (m, d) unit vectors
    chunk_of: np.ndarray  # (m,) the chunk number of each window
    # The material's quotable units (what the sentence ranking compares with the question):
    # their vectors, and which of them hold an expected quote of each question (a row of
    # False: the question's quote spans no single unit, it teaches nothing here).
    units: np.ndarray | None = None  # (u, d)
    unit_right: np.ndarray | None = None  # (n, u) bool


def examples(
    searcher: Searcher,
    questions: list[EvalQuestion],
    matcher: QuoteMatcher,
    units: tuple[list[tuple[str, str]], np.ndarray] | None = None,
) -> Examples:
    """The tuning half's answerable questions whose expected passage the index holds (the
    rest of `questions` is passed over). `units`: the material's quotable units as (unit
    text, sentence text) with their vectors (`material_units`), for the sentence term."""
    dense = searcher.dense
    if dense is None:
        raise AdapterFitError("vektorindekset svarer ikke.")
    windows, chunk_of = dense.window_vectors()
    vectors, right, unit_right = [], [], []
    for q in questions:
        if q.split != "tune" or not q.answerable:
            continue
        answering = [i for i, c in enumerate(searcher.chunks) if matcher.satisfied(c, q.sources)]
        if not answering:
            continue
        asked = searcher.analyse(q.question, searched_text(q))
        v = np.asarray(searcher.embed_query(searcher.dense_text(asked)), dtype=np.float64)
        vectors.append(v / np.linalg.norm(v))
        right.append(np.isin(chunk_of, answering))
        if units is not None:
            quotes = [squash(s.quote) for s in q.sources]
            unit_right.append(np.array([holds(t, st, quotes) for t, st in units[0]]))
    if not vectors:
        raise AdapterFitError("ingen spørgsmål i tuning-halvdelen har et kildested i indekset.")
    data = Examples(np.stack(vectors), np.stack(right), windows.astype(np.float64), chunk_of)
    if units is None:
        return data
    return replace(data, units=units[1].astype(np.float64), unit_right=np.stack(unit_right))


def material_units(searcher: Searcher, ranker) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Every quotable unit of the material as (its text, its sentence's text), and the unit
    vectors the sentence ranking compares (stored at ingest)."""
    from rag.search.retrieve import Hit

    found = [u for c in searcher.chunks for u in ranker.units(Hit(1, 1.0, c))]
    texts = list(dict.fromkeys(u.text for u in found))
    first = {}
    for u in found:
        first.setdefault(u.text, u.sentence.text)
    vectors = ranker.vectors(texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return [(t, first[t]) for t in texts], vectors / np.where(norms == 0, 1.0, norms)


def _pull(unit: np.ndarray, targets: np.ndarray, right: np.ndarray, temperature: float):
    """d(mean cross-entropy of the right targets among all)/d(unit), per row; rows with no
    right target contribute nothing."""
    logits = unit @ targets.T / temperature
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    on_right = p * right
    mass = on_right.sum(axis=1, keepdims=True)
    target = on_right / np.where(mass == 0, 1.0, mass)
    grad = ((p - target) / temperature) @ targets
    return grad * (mass > 0)


def fit_matrix(
    data: Examples,
    ridge: float,
    steps: int,
    rate: float,
    temperature: float,
    sentence_weight: float = 0.0,
) -> np.ndarray:
    """The map M (d × d) that minimises the mean cross-entropy of each question's right
    windows (plus `sentence_weight` times that of its right units, when `data` has them)
    plus ridge·‖M − I‖², by `steps` full-batch gradient steps from the identity."""
    q, w = data.questions, data.windows
    eye = np.eye(q.shape[1])
    m = eye.copy()
    sentences = sentence_weight > 0 and data.units is not None
    for _ in range(steps):
        moved = q @ m.T
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        unit = moved / norms
        grad_unit = _pull(unit, w, data.right, temperature)
        if sentences:
            grad_unit += sentence_weight * _pull(unit, data.units, data.unit_right, temperature)
        grad_moved = (grad_unit - (grad_unit * unit).sum(axis=1, keepdims=True) * unit) / norms
        m -= rate * (grad_moved.T @ q / len(q) + ridge * (m - eye))
    return m


def reciprocal_rank(data: Examples, matrix: np.ndarray, k: int = 10) -> float:
    """Mean reciprocal rank (to `k`) of each question's first right passage, passages
    scored by their best window: how the dense channel ranks them through `matrix`."""
    moved = data.questions @ matrix.T
    sims = (moved / np.linalg.norm(moved, axis=1, keepdims=True)) @ data.windows.T
    chunks = int(data.chunk_of.max()) + 1
    total = 0.0
    for row, right in zip(sims, data.right, strict=True):
        best = np.full(chunks, -np.inf)
        np.maximum.at(best, data.chunk_of, row)
        wanted = np.zeros(chunks, dtype=bool)
        wanted[data.chunk_of[right]] = True
        order = np.argsort(-best, kind="stable")[:k]
        ranks = np.flatnonzero(wanted[order])
        total += 1.0 / (ranks[0] + 1) if len(ranks) else 0.0
    return total / len(sims)


def _fitted(data: Examples, settings: Settings) -> np.ndarray:
    return fit_matrix(
        data,
        settings.adapter_ridge,
        settings.adapter_steps,
        settings.adapter_rate,
        settings.adapter_temperature,
        settings.adapter_sentence_weight,
    )


def out_of_fold_adapters(
    searcher: Searcher,
    questions: list[EvalQuestion],
    fold: np.ndarray,
    matcher: QuoteMatcher,
    settings: Settings,
    units: tuple[list[tuple[str, str]], np.ndarray] | None = None,
) -> dict[str, QueryAdapter]:
    """For each question, an adapter fitted without its fold: what the answer models are
    fitted on must meet retrieval the way a question nobody fitted on meets it (the map
    fitted on all of the tuning half ranks that half's passages better than it will rank
    anyone else's, and models fitted through it learn to trust the dense channel too much)."""
    out: dict[str, QueryAdapter] = {}
    for k in sorted(set(fold.tolist())):
        rest = [q for q, f in zip(questions, fold, strict=True) if f != k]
        adapter = QueryAdapter(
            searcher.embedder.name,
            _fitted(examples(searcher, rest, matcher, units), settings).astype(np.float32),
        )
        out |= {q.id: adapter for q, f in zip(questions, fold, strict=True) if f == k}
    return out


def fit_adapter(
    searcher: Searcher,
    questions: list[EvalQuestion],
    matcher: QuoteMatcher,
    settings: Settings,
    units: tuple[list[tuple[str, str]], np.ndarray] | None = None,
) -> tuple[QueryAdapter, str]:
    """The adapter fitted on the tuning half, and a line saying what it did there."""
    data = examples(searcher, questions, matcher, units)
    matrix = _fitted(data, settings)
    before, after = reciprocal_rank(data, np.eye(matrix.shape[0])), reciprocal_rank(data, matrix)
    change = float(np.linalg.norm(matrix - np.eye(len(matrix))) / np.sqrt(len(matrix)))
    said = (
        f"spørgsmålsafbildning: {len(data.questions)} spørgsmål, dense MRR@10 på "
        f"tuning-halvdelen {before:.3f} → {after:.3f}, afstand fra identiteten {change:.3f}"
    )
    return QueryAdapter(searcher.embedder.name, matrix.astype(np.float32)), said
