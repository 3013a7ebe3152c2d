"""The grounding check: a sentence with a marker must be said by the source it cites.

Real sentences of the material, against the passage that holds them (or does not)."""

from __future__ import annotations

import re

import pytest

from rag.answer.cited import check_answer
from rag.answer.excerpts import Source
from rag.answer.grounding import REPEATS_PROMPT, UNSUPPORTED, GroundingCheck, claims
from rag.answer.prompts import PROMPTS_DIR, instructions
from rag.ingest.sentences import split

QUESTION = "Hvem står bag projektet om at styrke tillid og samarbejde i staten?"
SAID = "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO er gået sammen om et projekt"


@pytest.fixture(scope="module")
def check(assistant) -> GroundingCheck:
    return GroundingCheck(assistant.stats, assistant.ranker.vectors)


def passage(assistant, words: str) -> Source:
    squash = " ".join(words.split())
    chunk = next(c for c in assistant.searcher.chunks if squash in " ".join(c.text.split()))
    return Source.whole(chunk)


def verdict(check, assistant, claim: str, holding: str, question: str = QUESTION):
    grounding = check.check(claim, [passage(assistant, holding)], instructions(question))
    return grounding.verdicts[0]


def test_a_sentence_the_cited_source_says_is_supported(check, assistant):
    v = verdict(check, assistant, f"{SAID} [1].", SAID)
    assert v.supported and v.source == 1
    chunk = passage(assistant, SAID).chunk
    assert "Moderniseringsstyrelsen" in chunk.text[v.span[0] : v.span[1]]


def test_a_paraphrase_of_the_cited_source_is_supported(check, assistant):
    claim = "Bag projektet står Moderniseringsstyrelsen sammen med Akademikerne, SKAF og OAO [1]."
    assert verdict(check, assistant, claim, SAID).supported


def test_a_real_sentence_with_a_valid_marker_to_a_source_that_does_not_say_it_is_unsupported(
    check, assistant
):
    other = "Social kapital består af tre elementer: tillid, retfærdighed og samarbejdsevne"
    v = verdict(check, assistant, f"{other} [1].", SAID)
    assert not v.supported and v.reason == UNSUPPORTED


def test_an_invented_claim_with_a_valid_marker_is_unsupported(check, assistant):
    claim = "Projektet blev finansieret af EU's socialfond og løb over ti år [1]."
    assert not verdict(check, assistant, claim, SAID).supported


def test_a_parroted_rule_of_the_prompt_is_unsupported(check, assistant):
    rule = "Brug kun oplysninger, der står i kilderne. Tilføj ikke viden udefra, og gæt ikke [1]."
    verdicts = check.check(rule, [passage(assistant, SAID)], instructions(QUESTION)).verdicts
    assert verdicts and all(not v.supported for v in verdicts)
    assert verdicts[-1].reason == REPEATS_PROMPT


def test_the_question_repeated_with_a_marker_is_unsupported(check, assistant):
    v = verdict(check, assistant, f"{QUESTION} [1]", SAID)
    assert not v.supported and v.reason == REPEATS_PROMPT


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before_it():
    said = claims("Første sætning om tillid. [2] Anden sætning [1].\n- Et punkt [3]")
    assert [c.cites for c in said] == [(2,), (1,), (3,)]
    assert said[2].text.startswith("- Et punkt")


def test_model_markup_is_never_part_of_the_answer(check, assistant):
    raw = f'<kilde nr="1" dokument="x">{SAID} [1].</kilde>'
    checked = check_answer(raw, [passage(assistant, SAID)], check, instructions(QUESTION))
    assert checked.reason is None and "<" not in checked.text and "kilde nr" not in checked.text


def test_an_answer_mostly_unsupported_falls_back_with_the_reason(check, assistant):
    raw = (
        f"{SAID} [1]. Projektet blev finansieret af EU's socialfond [1]. "
        "Brug kun oplysninger, der står i kilderne [1]."
    )
    checked = check_answer(raw, [passage(assistant, SAID)], check, instructions(QUESTION))
    assert checked.reason == "2 af svarets 3 sætninger med henvisning står ikke i kilderne"
    assert checked.report()["reason"] == checked.reason


def test_one_unsupported_sentence_among_supported_ones_is_dropped(check, assistant):
    source = passage(assistant, SAID)
    second = next(s.text for s in split(source.chunk) if "aktiviteter" in s.text)
    raw = f"{SAID} [1]. {second} [1]. Projektet blev finansieret af EU's socialfond [1]."
    checked = check_answer(raw, [source], check, instructions(QUESTION))
    assert checked.reason is None and "socialfond" not in checked.text
    assert checked.text.count("[1]") == 2 and len(checked.grounding.dropped) == 1
    assert "1 sætning(er)" in checked.notice("da")


def test_the_prompts_carry_no_literal_example_markers():
    for path in PROMPTS_DIR.glob("*.md"):
        if path.name != "README.md":
            assert not re.search(r"\[\d+\]", path.read_text(encoding="utf-8")), path.name
