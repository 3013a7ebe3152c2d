"""The material search box (rag/search/matching.py): it counts the passages that really contain
the searched words, marks them, says when nothing matches and offers the material's own words."""

from __future__ import annotations

import pytest

from rag.chat.material import marked
from rag.search import matching
from rag.text import fold_spelling


def contains(chunk, word: str) -> bool:
    return fold_spelling(word) in fold_spelling(f"{chunk.section} {chunk.text}".lower())


def test_the_count_is_the_passages_that_contain_every_word_not_the_k_best(searcher):
    found = matching.find(searcher, "tjekliste kerneopgave", shown=100)
    every = [c for c in searcher.chunks if contains(c, "tjekliste") and contains(c, "kerneopgav")]
    assert 0 < len(found.hits) < len(searcher.chunks)
    assert {h.chunk.chunk_id for h in found.hits} == {c.chunk_id for c in every}
    assert [h.rank for h in found.hits] == list(range(1, len(found.hits) + 1))


def test_nonsense_matches_nothing_and_says_which_words_are_unknown(searcher):
    found = matching.find(searcher, "xyzzy qwerty")
    assert not found.hits and not found.partial
    assert found.unknown == ["xyzzy", "qwerty"]
    assert len(matching.common_words(searcher)) == matching.SUGGESTIONS


def test_a_typo_gets_the_materials_own_word_as_a_suggestion(searcher):
    found = matching.find(searcher, "tilid")
    assert not found.hits and found.suggestions[0] == "tillid"


def test_one_unknown_word_among_known_ones_offers_the_passages_with_some_of_them(searcher):
    found = matching.find(searcher, "kerneopgave xyzzy")
    assert not found.hits and found.partial and found.unknown == ["xyzzy"]
    assert all(contains(h.chunk, "kerneopgav") for h in found.partial)


def test_a_word_finds_its_inflections_and_the_compounds_it_is_part_of(searcher):
    found = matching.find(searcher, "tillid", shown=200)
    texts = " ".join(h.chunk.text.lower() for h in found.hits)
    assert "tilliden" in texts and "tillidsrepræsentant" in texts
    spans = matching.marks(
        "Tilliden og tillidsrepræsentanten", found.terms, searcher.lexical.analyzer
    )
    assert spans == [(0, 8), (12, 33)]


def test_english_words_count_through_the_glossary(searcher):
    danish = matching.find(searcher, "tjekliste kerneopgave")
    english = matching.find(searcher, "core task checklist")
    assert {h.chunk.chunk_id for h in english.hits} == {h.chunk.chunk_id for h in danish.hits}


@pytest.mark.parametrize(
    ("english", "danish"),
    [
        ("What is bridging social capital?", "brobyggende social kapital"),
        ("My caseworkers never talk to the legal team", "sagsbehandlere"),
        ("How much time do social workers spend with clients?", "socialrådgivere klienterne"),
        ("We are merging two departments", "fusion sammenlægning"),
    ],
)
def test_an_english_question_meets_the_materials_own_danish_terms(english, danish):
    from rag.search.language import danish_terms

    assert danish in danish_terms(english)


def test_words_without_meaning_for_a_search_leave_nothing_to_search(searcher):
    assert matching.find(searcher, "og det").words == []


def test_a_marked_passage_is_escaped_html_with_lists_and_marks():
    text = "Indledning <b>fed</b>\n• Tillid er godt\n• Mere tillid"
    out = marked(text, [(text.index("Tillid"), text.index("Tillid") + 6)])
    assert out == (
        "<p>Indledning &lt;b&gt;fed&lt;/b&gt;</p>"
        "<ul><li><mark>Tillid</mark> er godt</li><li>Mere tillid</li></ul>"
    )
