"""The example questions of an empty conversation (rag/chat/examples.py, rag/chat/opening.py):
drawn from whatever material is indexed, one per kind, each answered from its own passage, in
Danish or English after the browser's language."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from rag.chat import examples
from rag.chat.opening import language_of
from rag.documents import Answer, Chunk, Citation


@pytest.fixture(scope="module")
def chosen(assistant):
    return {
        lang: examples.choose(assistant.searcher.chunks, assistant.ask, lang)
        for lang in ("da", "en")
    }


def test_the_real_material_gives_one_example_of_each_kind_answered_from_its_own_passage(
    chosen, assistant
):
    found = chosen["da"]
    assert [e.kind for e in found] == list(examples.KINDS)
    for example in found:
        answer = assistant.ask(example.question)
        assert not answer.refused, example
        assert any(c.chunk.doc_id == example.doc_id for c in answer.citations), example
    assert len({e.doc_id for e in found}) >= 2  # spread over the material, not one booklet


def test_english_examples_are_english_and_answered_too(chosen, assistant):
    found = chosen["en"]
    assert len(found) >= examples.FEWEST
    for example in found:
        assert example.question.split()[0] in {"What", "How", "Show", "Is"}, example
        assert not assistant.ask(example.question).refused, example


def chunk(n: int, section: str, kind: str, text: str, doc: str = "eget") -> Chunk:
    return Chunk(f"{doc}#{n:03d}", doc, "Vores egen guide", section, kind, 0, len(text), None, text)


OWN = [
    chunk(
        0,
        "Sådan holder I gode møder › Hvad er mødekultur?",
        "section",
        "Mødekultur er de vaner, et team har omkring sine møder. Det er vigtigt at skabe ro.",
    ),
    chunk(
        1,
        "Skab bedre møder",
        "section",
        "For at skabe bedre møder skal I aftale en dagsorden og holde tiden.",
    ),
    chunk(
        2,
        "Skab bedre møder › Tjekliste: Er jeres møder gode?",
        "checklist",
        "• Har mødet en dagsorden?\n• Slutter det til tiden?",
    ),
    chunk(
        3,
        "Skab bedre møder › Case: Vejle Bibliotek – Korte møder",
        "case",
        "Vejle Bibliotek halverede mødetiden ved at stå op.",
    ),
]


def answering(chunks: list[Chunk], refuse: set[str] = frozenset()):
    """A stand-in assistant: cites the passage whose heading the question names."""

    def words(text: str) -> set[str]:
        return set(re.findall(r"\w+", text.lower()))

    def ask(question: str) -> Answer:
        best = max(chunks, key=lambda c: len(words(question) & words(c.section)))
        refused = question in refuse
        cites = [] if refused else [Citation(1, best, 0, min(40, len(best.text)))]
        return Answer(question, best.text, refused, "uddrag", cites)

    return ask


def test_an_organisations_own_material_gets_its_own_examples_and_a_kind_it_lacks_is_left_out():
    found = examples.choose(OWN, answering(OWN), "da")
    questions = {e.kind: e.question for e in found}
    assert questions["definition"] == "Hvad er mødekultur?"
    assert questions["howto"] == "Hvordan kan vi skabe bedre møder?"
    assert questions["checklist"] == "Vis mig tjeklisten »Er jeres møder gode?«"
    assert questions["case"] == "Hvad kan vi lære af casen om Vejle Bibliotek?"
    assert "exercise" not in questions  # this material has none
    assert all(e.doc_id == "eget" for e in found)


def test_a_question_the_assistant_refuses_is_never_offered():
    refused = "Vis mig tjeklisten »Er jeres møder gode?«"
    found = examples.choose(OWN, answering(OWN, {refused}), "da")
    assert refused not in {e.question for e in found}
    assert "checklist" not in {e.kind for e in found}


def test_an_answer_from_another_passage_does_not_count():
    other = replace(OWN[3], chunk_id="andet#000", doc_id="andet")
    (cand,) = examples.unit_candidates(OWN, "case")

    answer = Answer("?", "x", False, "uddrag", [Citation(1, other, 0, 1)])
    assert not examples.answered_from(answer, cand)


@pytest.mark.parametrize(
    "locale,accept,expected",
    [
        ("da-DK", "da-DK,da;q=0.9", "da"),
        ("en-US", "en-US,en;q=0.9,da;q=0.8", "da"),  # Danish among the accepted languages
        ("en-GB", "en-GB,en;q=0.9", "en"),
        (None, "de-DE,de;q=0.9,en;q=0.8", "en"),
        ("nb-NO", None, "da"),  # a Norwegian reads Danish
        (None, None, "da"),  # nothing known: the material's own language
    ],
)
def test_the_examples_follow_the_browsers_language(locale, accept, expected):
    assert language_of(locale, accept) == expected
