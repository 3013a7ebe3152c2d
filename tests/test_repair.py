"""Each text repair rule, on real lines of the corpus."""

from __future__ import annotations

import pytest

from rag.config import PROJECT_ROOT
from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText
from rag.ingest.ocr import OcrRepairer
from rag.ingest.repair import capitalise_sentences, join_lines, strip_markup

CORPUS = PROJECT_ROOT / "corpus"
CLEAN = [
    "inspiration-tillid-samarbejde.txt",
    "kom-videre-med-social-kapital.txt",
    "ok13-tillid-og-samarbejde.txt",
    "tillid-giver-verdensklasse.md",
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon((CORPUS / name).read_text(encoding="utf-8") for name in CLEAN)


def lines(*texts: str) -> list[MappedText]:
    source = "\n".join(texts)
    out, pos = [], 0
    for t in texts:
        out.append(MappedText.from_source(source, pos, pos + len(t)))
        pos += len(t) + 1
    return out


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        # inspiration-tillid-samarbejde.txt, the introduction's list
        (
            ("•\t Initiativer, der er sat i gang for at skabe mere til-", "lid og samarbejde"),
            "•\t Initiativer, der er sat i gang for at skabe mere tillid og samarbejde",
        ),
        # kom-videre-med-social-kapital.txt, lines 18-19
        (
            ("• Hvordan kan du skærpe jeres fokus på kerneopga-", "ven?"),
            "• Hvordan kan du skærpe jeres fokus på kerneopgaven?",
        ),
        # kom-videre-med-social-kapital.txt, lines 193-195
        (
            (
                "løbende at afklare og konkretisere kerneop-",
                "gaven – i tæt dialog med medarbejderne.",
            ),
            "løbende at afklare og konkretisere kerneopgaven – i tæt dialog med medarbejderne.",
        ),
        # kom-videre-med-social-kapital.txt, lines 166-168: "men" after a hyphen is no
        # conjunction ("sam-" + "men" is "sammen")
        (
            ("dere og ledelse formår at arbejde effektivt sam-", "men om den opgave, virksomheden"),
            "dere og ledelse formår at arbejde effektivt sammen om den opgave, virksomheden",
        ),
        (
            ("Hvad er tidsram-", "men? Hvad bliver min opgave?"),
            "Hvad er tidsrammen? Hvad bliver min opgave?",
        ),
    ],
)
def test_line_end_hyphenation_is_undone(lexicon, wrapped, joined):
    assert join_lines(lines(*wrapped), lexicon).text == joined


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        # inspiration-tillid-samarbejde.txt: "Erhvervs- og Vækstministeriet" wrapped after the hyphen
        (
            ("MindLab ejes af Erhvervs-", "og Vækstministeriet"),
            "MindLab ejes af Erhvervs- og Vækstministeriet",
        ),
        # kom-videre: "post-its" is written with a hyphen elsewhere in the corpus
        (
            ("Giv hver deltager et antal post-", "its og bed dem om"),
            "Giv hver deltager et antal post-its og bed dem om",
        ),
    ],
)
def test_real_hyphens_survive_line_joining(lexicon, wrapped, joined):
    assert join_lines(lines(*wrapped), lexicon).text == joined


@pytest.mark.parametrize(
    "line",
    [
        "projekt Tillid og Samarbejde, herunder om OK13-projektet og status",
        "eksempelvis sad ergo- og fysioterapeuter, der spiller en væsentlig rolle",
        "samtidig tilfører social kapital-forståelsen et vigtigt",
    ],
)
def test_hyphens_inside_a_line_are_never_touched(lexicon, line):
    assert join_lines(lines(line), lexicon).text == line


def test_markdown_and_html_debris_is_removed():
    source = "<b>FORORD</b> med ”**inkluderende arbejdspladser**” og [www.oao.dk](http://www.oao.dk) samt <http://www.samanom.no>"
    cleaned = strip_markup(MappedText.from_source(source, 0, len(source)))
    assert (
        cleaned.text
        == "FORORD med ”inkluderende arbejdspladser” og www.oao.dk samt http://www.samanom.no"
    )


def test_repaired_text_still_points_at_the_source(lexicon):
    source = "løbende at afklare og konkretisere kerneop-\ngaven – i tæt dialog"
    text = join_lines(lines(*source.split("\n")), lexicon)
    i = text.text.index("kerneopgaven")
    start, end = text.source_span(i, i + len("kerneopgaven"))
    assert source[start:end] == "kerneop-\ngaven"


def test_sentence_starts_are_capitalised_but_not_after_abbreviations():
    source = (
        "dette hæfte er skrevet til dig. det bygger fx. på et hæfte fra 2010. i praksis er det let."
    )
    out = capitalise_sentences(MappedText.from_source(source, 0, len(source))).text
    assert (
        out
        == "Dette hæfte er skrevet til dig. Det bygger fx. på et hæfte fra 2010. I praksis er det let."
    )


@pytest.mark.parametrize(
    ("scanned", "restored"),
    [
        ("pa", "på"),
        ("kraever", "kræver"),
        ("hjzlp", "hjælp"),
        ("ogsa", "også"),
        ("Undersogelser", "Undersøgelser"),
        ("@konomi", "Økonomi"),
        ("Laes", "Læs"),
    ],
)
def test_ocr_restores_danish_letters_in_known_words(lexicon, scanned, restored):
    assert OcrRepairer(lexicon).suggest(scanned) == restored


def test_ocr_never_guesses_unknown_or_ambiguous_words(lexicon):
    repairer = OcrRepairer(lexicon)
    assert repairer.suggest("Xylofonkraever") is None  # not a word the documents know
    assert repairer.suggest("arlige") is None  # årlige or ærlige? both are known
    assert repairer.suggest("tillid") is None  # already a known word


def test_ocr_repair_on_a_real_scanned_line(lexicon):
    line = (
        "De statslige arbejdspladser skal vaere i top, nar det"  # inspiration-...-scan.txt line 3
    )
    fixed, n = OcrRepairer(lexicon).repair(MappedText.from_source(line, 0, len(line)))
    assert fixed.text == "De statslige arbejdspladser skal være i top, når det"
    assert n == 2
