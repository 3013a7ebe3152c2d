"""Danish lexical normalisation: what a manager types must meet what the pamphlet says."""

from __future__ import annotations

from rag.index.lexical import Analysis, Analyzer, LexicalIndex
from rag.text import fold_spelling

TEXTS = [
    "Samarbejdsudvalgene skal fremme et konstruktivt samarbejde baseret på tillid.",
    "Det kræver også, at lederne inddrager medarbejderne i forandringer.",
    "Relationer mellem kolleger og kompetenceudvikling på arbejdspladsen.",
    "Århus Kommune arbejder med social kapital.",
]


def test_text_typed_without_danish_letters_folds_to_the_same_spelling():
    assert fold_spelling("også") == fold_spelling("ogsaa") == fold_spelling("ogsa")
    assert fold_spelling("kræver") == fold_spelling("kraever") == fold_spelling("kraver")
    assert fold_spelling("Århus") == fold_spelling("Aarhus")
    assert (
        fold_spelling("arbejdsmiljø")
        == fold_spelling("arbejdsmiljoe")
        == fold_spelling("arbejdsmiljo")
    )


def test_folding_drops_accents_and_keeps_every_other_character():
    # OCR'd and typed diacritics fold away; dashes, quotes and letters without a
    # decomposition stay as they are.
    assert fold_spelling("Café naïve Über") == "cafe naive uber"
    assert fold_spelling("x\u0301y") == "xy"
    assert fold_spelling("tillid – »samspil« ß") == "tillid – »samspil« ß"


def test_stopwords_are_dropped_and_inflections_share_a_stem():
    analyzer = Analyzer.learn(Analysis(), TEXTS)
    assert analyzer.terms("og det er også") == []
    assert analyzer.terms("samarbejdsudvalgene")[0] == analyzer.terms("samarbejdsudvalg")[0]


def test_compounds_are_split_into_parts_the_corpus_knows():
    analyzer = Analyzer.learn(Analysis(), [*TEXTS, "samarbejde og relationer og udvalg"])
    terms = analyzer.terms("samarbejdsrelationerne")
    assert analyzer.terms("relationer")[0] in terms
    assert analyzer.terms("samarbejde")[0] in terms


def test_an_acronym_of_working_life_and_the_word_it_stands_for_meet():
    # kom-videre-med-social-kapital.txt writes "De valgte at informere TR’erne først"; a
    # manager asks whether they told "tillidsrepræsentanterne" first
    analyzer = Analyzer.learn(Analysis(), TEXTS)
    source = analyzer.terms("De valgte at informere TR’erne først.")
    asked = analyzer.terms("informerede de tillidsrepræsentanterne først?")
    assert set(asked) - set(source) == set()  # every term of the question is in the source
    assert analyzer.terms("SU")[0] in analyzer.terms("samarbejdsudvalgene")
    # the word whole, not its parts: "tillid" is not what "TR" says
    assert analyzer.terms("tillid")[0] not in analyzer.terms("TR")
    assert len(source) == len(set(source))


def test_unknown_parts_are_not_invented():
    analyzer = Analyzer.learn(Analysis(), TEXTS)
    assert analyzer.split("xyzqwertyblorp") == ["xyzqwertyblorp"]


def test_bm25_finds_a_text_typed_without_diacritics():
    index = LexicalIndex.build(TEXTS)
    scores = index.scores("hvad kraever det ogsaa af lederne")
    assert scores.argmax() == 1
    scores = index.scores("samarbejdsudvalg")
    assert scores.argmax() == 0


def test_the_lexical_index_survives_a_save_and_load(tmp_path):
    index = LexicalIndex.build(TEXTS, Analysis(ngrams=True))
    index.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex")
    assert list(again.scores("Aarhus kommune").round(4)) == list(
        index.scores("Aarhus kommune").round(4)
    )
