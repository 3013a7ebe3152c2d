"""Personal data in questions: found by kind, replaced, and never stored, echoed or sent on."""

from __future__ import annotations

import pytest

from rag.privacy import SPECIAL, redact

# (text, the kinds it holds). Realistic manager sentences; the negatives are the near misses:
# dates and numbers that are no CPR or phone, names that are words, organisations and places.
CASES: list[tuple[str, set[str]]] = [
    # CPR numbers
    ("Min medarbejder har CPR 010190-1234.", {"cpr"}),
    ("CPR-nummer: 0101901234", {"cpr"}),
    ("Hun er født 241283-2468 og har været syg længe.", {"cpr", "health"}),
    ("cpr 290200-4567 skal bruges i sagen", {"cpr"}),  # 29 Feb 2000 exists
    ("Sagen gælder 150505 1234 fra afdelingen", {"cpr"}),
    ("310290-1234 er hans nummer", set()),  # 31 February
    ("Nummeret 321188-1234 findes ikke", set()),  # day 32
    ("Kode 011390-1234 til systemet", set()),  # month 13
    ("290201-1234", set()),  # 29 Feb 1901 does not exist
    ("Sagsnummer 2024-0001234", set()),
    ("Vi har 1234567890 kr. i budgettet", set()),  # 12/34 is no date
    # e-mail addresses
    ("Skriv til jens.hansen@kommune.dk om det", {"email"}),
    ("Kontakt hr@styrelse.dk", {"email"}),
    ("mail: a.b-c+d@region-h.dk", {"email"}),
    ("Hjemmesiden er www.kommune.dk", set()),
    ("Brug @-tegnet i mails", set()),
    # Danish phone numbers
    ("Ring på 20 30 40 50 i morgen", {"phone"}),
    ("Mobil: 22334455", {"phone"}),
    ("tlf. 8765 4321", {"phone"}),
    ("+45 31 32 33 34 er nummeret", {"phone"}),
    ("Ring +45 22345678", {"phone"}),
    ("0045 40506070", {"phone"}),
    ("Vi sparede 12345678 kr.", set()),  # starts with 1: no Danish number
    ("I 2013 svarede 1054 ansatte", set()),
    ("Postnummer 8000 Aarhus C", set()),
    ("Den 17. marts 2016 var der seminar", set()),
    ("Det koster 1.250.000 kr. om året", set()),
    ("Fra kl. 9.30 til 15.00", set()),
    # names
    ("Min medarbejder Jens er sygemeldt for tredje gang", {"name", "health"}),
    ("Hanne Jensen har klaget over sin leder", {"name"}),
    ("Jens er syg igen", {"name", "health"}),
    ("Bent har været syg i en måned", {"name", "health"}),
    ("Vi talte med Søren om omorganiseringen", {"name"}),
    ("Min chef Per siger nej til alt", {"name"}),
    ("Vores kollega Mette Frederiksen Holm er ny", {"name"}),
    ("Lederen Bo Rask vil have tjeklisten", {"name"}),
    ("Jeg har en konflikt med Kirsten", {"name"}),
    ("Skal jeg tage det op med Ole eller med HR?", {"name"}),
    ("Medarbejderen Ib møder ikke op", {"name"}),
    ("Anne-Marie og jeg er uenige", {"name"}),
    ("Tillid er vigtigt for alle ledere", set()),
    ("Rask og glad efter sygdom", set()),
    ("Per måned bruger vi tre timer på registrering", set()),
    ("Hans opgave er at lede teamet", set()),
    ("Liv og glade dage på afdelingen", set()),
    ("Line up af opgaverne kommer senere", set()),
    ("Hvad gjorde Viborg Arrest for at styrke korpsånden?", set()),
    ("Danske Bank i Bagsværd bruger en overblikstavle", set()),
    ("Hvad er Center for Offentlig Innovation?", set()),
    ("Hvordan samler Glostrup Hospital alle faggrupper?", set()),
    ("Moderniseringsstyrelsen og OAO står bag", set()),
    ("Hvad siger Gallup-undersøgelsen?", set()),
    ("Hvad er social kapital?", set()),
    ("Hvordan inddrager jeg tillidsrepræsentanten?", set()),
    ("Hvad anbefaler Jody Gittell?", {"name"}),  # a person, though named by the material
    ("Hvem underskrev forordet, Dennis Kristensen?", {"name"}),
    # a function word opening the sentence is no first name; a result "came out" of something
    ("The Danish prison service used it – what came out of it?", set()),
    ("Med Peter Hansen som ny kollega, hvad gør jeg?", {"name"}),
    ("Hans Nielsen har klaget over sin leder", {"name"}),  # "hans" is also a function word
    ("My colleague came out as gay last week; how do I support him?", {"sexuality"}),
    # several kinds at once
    (
        "Min medarbejder Jens (CPR 010190-1234) er sygemeldt, ring 20304050",
        {"name", "cpr", "phone", "health"},
    ),
    ("Hanne (hanne@kommune.dk, 22 33 44 55) har bedt om en samtale", {"name", "email", "phone"}),
    ("Send til ole@firma.dk og ring til Ole på 40404040", {"email", "name", "phone"}),
    ("Ingen personoplysninger her, kun et spørgsmål om tillid.", set()),
]


def test_the_table_holds_enough_cases_of_each_kind():
    assert len(CASES) >= 60
    for kind in ("cpr", "email", "phone", "name"):  # the special categories: test_special.py
        assert sum(kind in kinds for _, kinds in CASES) >= 5
    assert sum(not kinds for _, kinds in CASES) >= 25


@pytest.mark.parametrize(("text", "kinds"), CASES)
def test_personal_data_is_found_by_kind(text, kinds):
    assert set(redact(text).kinds) == kinds


def test_precision_and_recall_over_the_table():
    """Counted per case and kind; printed for the closing note (pytest -s)."""
    tp = fp = fn = 0
    for text, kinds in CASES:
        found = set(redact(text).kinds)
        tp, fp, fn = tp + len(found & kinds), fp + len(found - kinds), fn + len(kinds - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"\npersonal data detector: precision {precision:.3f}, recall {recall:.3f} ({len(CASES)} cases)"
    )
    assert precision >= 0.95 and recall >= 0.95


def test_every_span_is_replaced_by_its_placeholder_and_nothing_of_it_remains():
    text = "Min medarbejder Jens (CPR 010190-1234, jens@kommune.dk, 20 30 40 50) er syg."
    redacted = redact(text)
    assert redacted.text == (
        "Min medarbejder «navn» (CPR «CPR-nummer», «e-mail», «telefon») er «helbredsoplysning»."
    )
    for secret in ("Jens", "010190", "1234", "jens@", "20 30"):
        assert secret not in redacted.text


# --- the labelled set of managers' sentences (tests/data/personal-data.jsonl) ----------------


@pytest.fixture(scope="module")
def material_names(real_index) -> tuple[str, ...]:
    from rag.index.store import StoredIndex

    return StoredIndex.open(real_index.index_dir).public_names


def _scored(material_names):
    from rag.measure.privacy_eval import CASES_FILE, format_privacy, load_cases, score

    result = score(load_cases(CASES_FILE), material_names)
    print("\n" + format_privacy(result))
    return result


def test_the_labelled_set_has_enough_cases_of_each_kind_and_ordinary_topic_uses(material_names):
    from rag.measure.privacy_eval import CASES_FILE, load_cases

    cases = load_cases(CASES_FILE)
    assert len(cases) >= 100
    assert {c.split for c in cases} == {"tune", "heldout"}
    for kind in ("name", *SPECIAL):
        assert sum(kind in c.kinds for c in cases) >= 5, kind
    topics = [c.text for c in cases if not c.kinds]
    assert len(topics) >= 50
    for use in ("stress i teamet", "sygefravær på arbejdspladsen", "tillidsrepræsentanten"):
        assert any(use in t for t in topics), use


def test_the_detector_finds_every_kind_in_the_half_it_was_written_against(material_names):
    for kind, k in _scored(material_names)["tune"]["kinds"].items():
        assert k["precision"] >= 0.95 and k["recall"] >= 0.95, kind


def test_the_held_out_half_stays_above_its_floor(material_names):
    """Never tuned on; the floor only catches a regression (figures: eval --privacy)."""
    kinds = _scored(material_names)["heldout"]["kinds"].values()
    tp, fp, fn = (sum(k[x] for k in kinds) for x in ("tp", "fp", "fn"))
    assert tp / (tp + fp) >= 0.9 and tp / (tp + fn) >= 0.8


def test_questions_about_the_material_are_almost_never_flagged(material_names):
    from rag.config import EVAL_QUESTIONS
    from rag.measure.evaluate import load_questions
    from rag.measure.privacy_eval import material_questions

    questions = [q.question for q in load_questions(EVAL_QUESTIONS)]
    flagged = material_questions(questions, material_names)
    # "Tour de France", "Hamlet"; and a colleague's sick leave, which is personal data
    assert flagged["flagged"] <= len(questions) / 100, flagged["examples"]


def test_a_special_category_detail_is_replaced_and_search_gets_its_topic():
    redacted = redact("Min medarbejder Lone er sygemeldt med stress, hvad gør jeg?")
    assert redacted.text == "Min medarbejder «navn» er «helbredsoplysning», hvad gør jeg?"
    assert redacted.searchable == "Min medarbejder «navn» er sygefravær stress, hvad gør jeg?"
    assert redacted.kinds == ("name", "health")
    rewritten = "Hvad med i staten? Min medarbejder er «helbredsoplysning»"  # a follow-up
    assert redacted.with_topics(rewritten).endswith("er sygefravær stress")


def test_the_materials_people_are_no_personal_data_but_a_first_name_alone_is():
    public = ["Jody Hoffer Gittell", "Tina Øllgaard Bentzen"]
    for text in ("Hvad siger Jody Gittell?", "Hvad siger Tina Øllgaard Bentzen?"):
        assert redact(text, public).kinds == ()
    assert redact("Jeg har talt med Tina om vagterne", public).kinds == ("name",)


def test_the_notice_names_what_was_found_and_says_it_is_not_kept():
    from rag.privacy import notice

    assert notice([]) is None
    assert notice(["name"]) == (
        "Du har skrevet et navn. Det er fjernet, før spørgsmålet blev søgt, og gemmes ikke."
    )
    said = notice(["health", "name"])
    assert said.startswith("Du har skrevet et navn og helbredsoplysninger.")
    assert "«navn» og «helbredsoplysning»" in said and "gemmes ikke" in said
    assert "health information" in notice(["health"], "en")
