"""Neighbouring questions: the material's topic words, asking for what it does not hold.

"Hvor mange procent af de statsansatte i Gallup-målingen svarede ja?" uses words the material
knows (Gallup, tillidsreformen, staten) and lands on the passage about the survey, which gives
how many answered, not a share. The gate's `measure` feature (rag/answer/evidence.py) asks
whether the measure a question asks for by name is in what the answer is built from; stated
here on real sentences of the material.
"""

from __future__ import annotations

import pytest

from rag.answer.evidence import features
from rag.answer.fits import asked_measure, holds_measure


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("Hvor mange procent af de statsansatte svarede, at lederen tog initiativ?", "share"),
        (
            "Hvor stor en andel af de offentligt ansatte har holdt kæft om uforsvarlige ting?",
            "share",
        ),
        ("What percentage of state employees said their manager took the initiative?", "share"),
        ("Hvad koster det nationale kraftcenter om året?", None),
        ("Hvor mange eksperter sidder i innovationspanelet?", None),
        ("Hvordan styrker jeg tilliden i min afdeling?", None),
        # a share the question states is its setting, not what it asks for
        (
            "Vi skal finde 8 procent i budgettet næste år. Hvordan undgår jeg at tilliden ryger?",
            None,
        ),
        ("We have to cut 8% of our budget and ten percent of our staff. What now?", None),
        ("Efter 8 procent besparelse: hvor mange procent af de ansatte er utilfredse?", "share"),
    ],
)
def test_a_question_asks_for_a_share_by_name(question, measure):
    assert asked_measure(question) == measure


@pytest.mark.parametrize(
    ("measure", "sentence", "holds"),
    [
        # kom-videre-med-social-kapital.txt / tillid-giver-verdensklasse.md
        (
            "share",
            "I dag kender 93 procent af FOA’s medlemmer overhovedet ikke reglerne om "
            "udfordringsretten.",
            True,
        ),
        (
            "share",
            "En tidligere rundspørge blandt offentligt ansatte har vist, at 18 % har undladt at "
            "gøre politikere, forvaltning eller offentligheden opmærksom på uforsvarlige forhold.",
            True,
        ),
        # inspiration-tillid-samarbejde.txt: how many answered is a count, not a share
        (
            "share",
            "Det var nogle af de spørgsmål, som 1054 offentligt ansatte svarede på, da TNS Gallup "
            "i oktober 2013 lavede en undersøgelse for OAO blandt offentligt ansatte.",
            False,
        ),
        ("share", "Tillid er en del af kerneopgaven.", False),
        ("share", "Centeret har tilknyttet et innovationspanel med 21 eksperter.", False),
    ],
)
def test_a_passage_gives_a_share_in_figures_or_words(measure, sentence, holds):
    assert holds_measure(measure, sentence) is holds


def _measure(assistant, question: str) -> float:
    asked = assistant.searcher.analyse(question)
    hits = assistant.retrieve(asked)
    ranked = assistant.ranker.rank(asked, hits, assistant.searcher.embed_query(asked.searched))
    values, _ = features(asked, hits, assistant.stats, ranked)
    return values["measure"]


def test_a_share_the_material_does_not_give_is_not_held_by_the_survey_passage(assistant):
    gallup = (
        "Hvor mange procent af de statsansatte i Gallup-målingen svarede ja til tillidsreformen?"
    )
    assert _measure(assistant, gallup) == 0.0
    whistle = "Hvor stor en andel af de offentligt ansatte har holdt kæft om uforsvarlige forhold?"
    assert _measure(assistant, whistle) == 1.0
    assert _measure(assistant, "Hvad er social kapital?") == 1.0


def test_an_out_of_fold_probability_never_sees_its_own_label():
    import numpy as np

    from rag.measure.fit import out_of_fold, refused_at

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(float)
    fold = np.arange(60) % 5
    flipped = y.copy()
    flipped[fold == 2] = 1 - flipped[fold == 2]
    names = ("a", "b")
    p, q = out_of_fold(x, y, fold, names), out_of_fold(x, flipped, fold, names)
    assert np.allclose(p[fold == 2], q[fold == 2]) and not np.allclose(p, q)
    assert refused_at(0.5, p, y)["answerable_refused"] < 0.2
