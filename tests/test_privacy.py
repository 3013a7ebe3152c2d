"""Personal data in questions: found by kind, replaced, and never stored, echoed or sent on."""

from __future__ import annotations

import pytest

from rag.privacy import KINDS, redact

# (text, the kinds it holds). Realistic manager sentences; the negatives are the near misses:
# dates and numbers that are no CPR or phone, names that are words, organisations and places.
CASES: list[tuple[str, set[str]]] = [
    # CPR numbers
    ("Min medarbejder har CPR 010190-1234.", {"cpr"}),
    ("CPR-nummer: 0101901234", {"cpr"}),
    ("Hun er født 241283-2468 og har været syg længe.", {"cpr"}),
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
    ("Min medarbejder Jens er sygemeldt for tredje gang", {"name"}),
    ("Hanne Jensen har klaget over sin leder", {"name"}),
    ("Jens er syg igen", {"name"}),
    ("Bent har været syg i en måned", {"name"}),
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
    # several kinds at once
    (
        "Min medarbejder Jens (CPR 010190-1234) er sygemeldt, ring 20304050",
        {"name", "cpr", "phone"},
    ),
    ("Hanne (hanne@kommune.dk, 22 33 44 55) har bedt om en samtale", {"name", "email", "phone"}),
    ("Send til ole@firma.dk og ring til Ole på 40404040", {"email", "name", "phone"}),
    ("Ingen personoplysninger her, kun et spørgsmål om tillid.", set()),
]


def test_the_table_holds_enough_cases_of_each_kind():
    assert len(CASES) >= 60
    for kind in KINDS:
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
        "Min medarbejder «navn» (CPR «CPR-nummer», «e-mail», «telefon») er syg."
    )
    for secret in ("Jens", "010190", "1234", "jens@", "20 30"):
        assert secret not in redacted.text
