"""Each rule that gives a PDF/text block its section path and kind, on the material's own blocks.

The golden listings (test_golden.py) check the outcome chunk by chunk; these name the rule that
produced it, so a change that breaks one says which. Blocks are found by how their text begins.
"""

from __future__ import annotations

import pytest

from rag.config import PROJECT_ROOT
from rag.ingest.layout import parse
from rag.ingest.lexicon import Lexicon
from rag.ingest.loading import load_corpus
from rag.ingest.structure import Label, _TextLabeller

KOM_VIDERE = "kom-videre-med-social-kapital"
INSPIRATION = "inspiration-tillid-samarbejde"
CHAPTER_1 = "Udfordring 1: Stil skarpt på kerneopgaven"
CHAPTER_2 = "Udfordring 2: Styrk samarbejde og koordinering"
CHAPTER_3 = "Udfordring 3: Skab ordentlige forandringer"


class Labelled:
    """A document's blocks and the label each one got."""

    def __init__(self, blocks, labels) -> None:
        self.blocks, self.labels = blocks, labels

    def index(self, start: str, nth: int = 0) -> int:
        found = [i for i, b in enumerate(self.blocks) if b.text.text.strip().startswith(start)]
        assert len(found) > nth, f"no block starts with {start!r}"
        return found[nth]

    def __call__(self, start: str, nth: int = 0) -> Label | None:
        return self.labels[self.index(start, nth)]

    def first_text_after(self, start: str) -> Label:
        """The label of the first block after `start` that is text (not a title)."""
        return next(label for label in self.labels[self.index(start) + 1 :] if label)


@pytest.fixture(scope="module")
def labelled():
    docs = {d.doc_id: d for d in load_corpus(PROJECT_ROOT / "corpus").documents}
    lexicon = Lexicon(d.text for d in docs.values() if not d.ocr)
    out = {}
    for doc_id in (KOM_VIDERE, INSPIRATION):
        parsed = parse(docs[doc_id], lexicon)
        out[doc_id] = Labelled(
            parsed.blocks, _TextLabeller(parsed.blocks, docs[doc_id].title).labels()
        )
    return out


def test_a_chapter_starts_on_the_page_where_its_text_began(labelled):
    doc = labelled[KOM_VIDERE]
    # "Udfordring 1 / Stil skarpt på kerneopgaven" is printed after the chapter's first page.
    assert doc.index("En fælles forståelse af virksomhedens formål") < doc.index("Udfordring 1")
    assert doc("En fælles forståelse af virksomhedens formål").path == (CHAPTER_1,)
    assert doc("Udfordring 1 Stil skarpt") is None  # the chapter label itself is no text


def test_a_title_in_a_chapter_names_a_subsection(labelled):
    label = labelled[KOM_VIDERE]("Virksomhedens kerneopgave er et andet ord for dens formål")
    assert label.path == (CHAPTER_1, "Hvad er jeres kerneopgave?") and label.kind == "section"


def test_a_case_runs_from_the_previous_note_to_its_source_note(labelled):
    doc = labelled[KOM_VIDERE]
    danske_bank = (CHAPTER_1, "Case: Danske Bank – Fælles prioritering kræver høj tillid")
    first = doc("At lede med fokus på kerneopgaven indebærer")
    assert first.path == danske_bank and first.kind == "case"
    source = doc("Casen stammer fra")
    assert source.path[:2] == danske_bank and source.unit == first.unit
    after = doc("En nyformulering af kerneopgaven")
    assert after.path[1] == "Case: Økonomistyrelsen – Når kerneopgaven går i blodet"
    assert after.unit != first.unit


def test_the_banner_of_a_case_names_it_and_its_other_titles_are_subsections(labelled):
    doc = labelled[KOM_VIDERE]
    assert doc("Danske Bank") is None and doc("Fælles prioritering kræver høj tillid") is None
    label = doc("På den måde understøtter filialdirektøren")
    assert label.path[-1] == "Tilfredse medarbejdere" and label.kind == "case"


def test_a_checklist_box_ends_at_its_source_note_and_gives_the_subsection_back(labelled):
    doc = labelled[KOM_VIDERE]
    before = doc("Hvis man er enige om organisationens kerneopgave")
    item = doc("Er kerneopgaven i ental?")
    assert item.path == (CHAPTER_1, "Tjekliste: Er jeres kerneopgave klar?")
    assert item.kind == "checklist"
    assert doc("Kilde: Christensen og Seneca").kind == "checklist"
    after = doc("At afklare kerneopgaven medfører")
    assert after.path == before.path == (CHAPTER_1, "Værdien af en tydelig kerneopgave")
    assert after.unit not in (before.unit, item.unit)  # chunks never join across the box


def test_a_read_more_line_opens_a_reference_box_until_a_line_that_is_no_reference(labelled):
    doc = labelled[KOM_VIDERE]
    assert doc("Læs mere om kerneopgaven i:") is None
    reference = doc("Christensen og Seneca (2012)")
    assert reference.kind == "reference"
    assert reference.path == (CHAPTER_1, "Læs mere om kerneopgaven i")
    # Set as titles, literature lines stay in the box; the first plain paragraph ends it.
    assert doc("Gittell (2012)").kind == "reference"
    back = doc("I brobyggende ledelse – på tværs")
    assert back.kind == "section" and back.path[0] == CHAPTER_2


def test_a_title_followed_by_a_source_note_is_a_text_box(labelled):
    label = labelled[KOM_VIDERE]("Interprofessionel læring og samarbejde (ipls)")
    assert label.path == (CHAPTER_2, "Hvad er IPLS?") and label.kind == "section"


def test_a_page_whose_title_has_participants_and_steps_is_an_exercise(labelled):
    doc = labelled[KOM_VIDERE]
    label = doc("Øvelsen styrker jeres fælles forståelse")
    assert label.path == (CHAPTER_1, "Øvelse: Kom i dybden med kerneopgaven")
    assert label.kind == "exercise"
    # DELTAGERE, VARIGHED and FREMGANGSMÅDE stay in the exercise's text, in the same unit.
    for field in ("DELTAGERE", "VARIGHED", "RAMMER OG MATERIALER"):
        assert doc(field) == label
    assert doc("3. I dybden med en delopgave") == label


def test_a_phase_on_a_new_page_continues_the_exercise(labelled):
    doc = labelled[KOM_VIDERE]
    first = doc("Ordentlige forandringsprocesser kræver grundige overvejelser")
    phase = doc("I skal nu udvikle løsninger")
    assert phase.kind == "exercise" and phase.unit == first.unit
    assert phase.path == (
        CHAPTER_3,
        "Øvelse: Design en god forandringsproces",
        "Fase 2: Involvér andre i at udvikle løsninger",
    )


def test_a_page_that_introduces_recommendations_is_a_recommendation(labelled):
    label = labelled[KOM_VIDERE]("1. Tænk psykisk arbejdsmiljø ind fra starten")
    assert label.kind == "recommendation"
    assert label.path == (CHAPTER_3, "Psykisk arbejdsmiljø ved forandringer")


def test_a_page_that_calls_itself_a_checklist_is_a_checklist(labelled):
    label = labelled[KOM_VIDERE]("Denne tjekliste kan hjælpe dig som leder")
    assert label.path == (CHAPTER_1, "Tjekliste: Et 360-graders-blik på kerneopgaven")
    assert label.kind == "checklist"


def test_a_title_printed_after_its_box_labels_the_box_from_the_page_start(labelled):
    doc = labelled[KOM_VIDERE]
    assert doc.index("Formål") < doc.index("Tjekliste til projekter om social kapital")
    label = doc("Hvad vil I opnå ved at sætte fokus på social kapital?")
    assert label.kind == "checklist"
    assert label.path == (
        "En opgave for hele virksomheden",
        "Tjekliste til projekter om social kapital",
    )


def test_the_document_title_at_the_end_marks_the_back_cover(labelled):
    label = labelled[KOM_VIDERE]("Køb eller hent materialet")
    assert label.path == ("Kom videre med social kapital (bagsiden)",)
    assert label.kind == "section"


def test_items_under_a_category_banner_take_the_banner_kind(labelled):
    doc = labelled[INSPIRATION]
    for heading, category, kind in [
        ("MINDLAB", "Videnscentre", "initiative"),
        ("HVIDBOG OM SOCIAL KAPITAL", "Undersøgelse og forskning", "research"),
        ("PROJEKT I KRIMINALFORSORGEN", "Erfaringer fra arbejdspladser", "case"),
    ]:
        label = doc.first_text_after(heading)
        assert label.path[0] == category and label.kind == kind, heading


def test_a_banner_printed_after_its_first_item_is_moved_before_it(labelled):
    doc = labelled[INSPIRATION]
    banner = doc.index("ERFARINGER FRA ARBEJDSPLADSER")
    assert doc.index("PROJEKT I POLITIET") == banner + 1
    label = doc.first_text_after("PROJEKT I POLITIET")
    assert label.path == ("Erfaringer fra arbejdspladser", "Projekt i politiet")
    assert label.kind == "case"


def test_a_title_set_in_capitals_gets_back_the_names_its_running_text_capitalises():
    # inspiration-tillid-samarbejde.txt: "PROJEKT I KRIMINALFORSORGEN" over a case whose text
    # writes "Siden 2008 har Kriminalforsorgen arbejdet med metoden positiv afvigelse"
    from rag.ingest.layout import Block
    from rag.ingest.mapped import MappedText
    from rag.ingest.structure import proper_words, restore_proper_words

    running = [
        "Siden 2008 har Kriminalforsorgen arbejdet med metoden positiv afvigelse, som er en "
        "tilgang til organisationsudvikling.",
        "Projektet blev gennemført i afdelingerne, og projektet gav nye ideer.",
    ]
    blocks = [Block("para", MappedText.literal(t, 0)) for t in running]
    names = proper_words(blocks)
    assert "kriminalforsorgen" in names
    assert "projektet" not in names  # the text also writes it in lower case
    assert restore_proper_words("Projekt i kriminalforsorgen", names) == (
        "Projekt i Kriminalforsorgen"
    )
    assert restore_proper_words("Metoden positiv afvigelse", names) == "Metoden positiv afvigelse"
