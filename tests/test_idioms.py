"""Danish idioms and slang are read as their plain words (rag/search/idioms.py)."""

from __future__ import annotations

import re

import pytest

from rag.config import PACKAGE_DATA, PROJECT_ROOT
from rag.search.idioms import plain_words


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("Hvordan får jeg folk med på vognen?", "Hvordan får jeg folk med?"),
        (
            "Sidste års omstrukturering gik helt i skoven.",
            "Sidste års omstrukturering er gået skævt.",
        ),
        ("Vi har et par brokkehoveder i teamet.", "Vi har et par kritikere i teamet."),
        ("Det er besluttet på chefgangen.", "Det er besluttet på ledelsen."),
        # an everyday word for the material's term ("Materialet nævner ikke tillidsmand")
        ("Når en tillidsmand kommer og klager", "Når en tillidsrepræsentant kommer og klager"),
        # a question puts the subject after the verb
        ("Hvordan tager jeg pulsen på trivslen?", "Hvordan måler trivslen?"),
        ("Hvorfor gik det helt i skoven?", "Hvorfor er gået skævt?"),
        # whole words only: a word that merely begins like an idiom stays
        ("Vi går i skovene på teamdag.", "Vi går i skovene på teamdag."),
    ],
)
def test_an_idiom_is_read_as_its_plain_words(typed, plain):
    assert plain_words(typed) == plain


def test_no_idiom_of_the_list_occurs_in_the_material():
    text = " ".join(
        p.read_text(encoding="utf-8")
        for p in sorted((PROJECT_ROOT / "corpus").glob("*"))
        if p.suffix in (".txt", ".md")
    )
    text = re.sub(r"\s+", " ", text)
    lines = (PACKAGE_DATA / "idioms-da.tsv").read_text(encoding="utf-8").splitlines()
    patterns = [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]
    assert patterns
    found = [p for p in patterns if re.search(rf"\b(?:{p})\b", text, re.I)]
    assert found == []


def test_every_plain_meaning_is_said_in_words_the_material_knows(assistant):
    # "gik i skoven" was read as "gik galt", and a013 was refused with "Materialet nævner ikke
    # omorganisering, chefgruppen og galt": the plain meaning is only help when the material
    # knows its words (by lemma, inflection, synonym, or a compound's parts).
    lines = (PACKAGE_DATA / "idioms-da.tsv").read_text(encoding="utf-8").splitlines()
    plain = [line.split("\t")[1] for line in lines if line.strip() and not line.startswith("#")]
    words = {w for p in plain for w in re.findall(r"[^\W\d_]+", p)}
    unknown = sorted(w for w in words if assistant.stats.known_meaning(w) < 0.5)
    assert unknown == []


def test_an_english_question_is_not_rewritten(assistant):
    q = assistant.searcher.analyse("Who wrote the report under the radar?")
    assert q.searched == "Who wrote the report under the radar?"


def test_a_question_with_an_idiom_is_answered_and_its_noun_never_named_as_missing(assistant):
    answer = assistant.ask(
        "Hvordan får jeg folk med på vognen, når vi skal lave en stor forandring i afdelingen?"
    )
    # Refused before: "Materialet nævner ikke vognen."
    assert not answer.refused, answer.text
    assert "vognen" not in answer.text


def test_slang_for_critics_finds_the_advice_to_listen_to_critics(assistant):
    answer = assistant.ask(
        "Vi har et par brokkehoveder i teamet, der hele tiden er imod alt nyt. Hvad gør jeg?"
    )
    assert "Lyt til kritikerne" in answer.text
