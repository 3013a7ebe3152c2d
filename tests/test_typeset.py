"""The typeset reader's rules on small made-up pages: running heads found by repetition,
contents by dot leaders and page-number columns, headings by type size, weight and numbering,
paragraphs by line gaps. No rule knows a string of any document."""

from __future__ import annotations

from pathlib import Path

from rag.documents import SourceDocument, StyledLine
from rag.ingest.lexicon import Lexicon
from rag.ingest.outline import outline_labels
from rag.ingest.typeset import parse_typeset

BODY = 10.0


def document(pages: list[list[tuple]]) -> SourceDocument:
    """pages: lists of (text, size, bold, y) from the top of the page down."""
    parts, lines, pos = [], [], 0
    for number, page in enumerate(pages, start=1):
        if number > 1:
            parts.append("\n\f\n")
            pos += 3
        for k, (text, size, bold, y) in enumerate(page):
            if k:
                parts.append("\n")
                pos += 1
            lines.append(StyledLine(pos, pos + len(text), number, size, bold, 56.0, y))
            parts.append(text)
            pos += len(text)
    return SourceDocument("d", "Håndbog", Path("d.pdf"), "".join(parts), lines=tuple(lines))


WORDS = "tillid samarbejde kerneopgaven ledelse medarbejdere dialog opgaver borgere".split()


def body_lines(words: str, top: float, n: int = 3) -> list[tuple]:
    return [
        (f"{words} {WORDS[k % 8]} og {WORDS[(k + 3) % 8]}", BODY, False, top - 12 * k)
        for k in range(n)
    ]


def page(number: int, heading: str | None = None) -> list[tuple]:
    rows = [(f"Håndbog for brugere {number} / 9", BODY, False, 800.0)]
    if heading:
        rows.append((heading, 14.0, True, 760.0))
    rows += body_lines(f"Tekst om {WORDS[number % 8]}", 700.0)
    rows[-1] = (rows[-1][0] + ".", *rows[-1][1:])
    rows.append((str(number), BODY, False, 40.0))
    return rows


def parse(pages):
    return parse_typeset(document(pages), Lexicon())


def texts(parsed) -> list[tuple[str, str]]:
    return [(b.type, b.text.text) for b in parsed.blocks]


def test_a_line_repeated_at_the_top_of_pages_is_a_running_head_whatever_it_says():
    parsed, stats = parse([page(n) for n in range(1, 5)])
    assert not any("Håndbog for brugere" in t for _, t in texts(parsed))
    assert stats.furniture == 8  # four heads and four page numbers


def test_a_line_on_two_pages_only_is_text():
    parsed, _ = parse([page(1), page(2)])
    assert any("Håndbog for brugere" in t for _, t in texts(parsed))


def test_contents_lines_are_left_out_by_their_dot_leaders_and_page_numbers():
    contents = [
        ("Indhold", 14.0, True, 760.0),
        ("1 Indledning . . . . . . . . . 3", BODY, False, 730.0),
        ("2 Brugere 5", BODY, False, 718.0),
        ("2.1 Opret en bruger . . . . . . . 5", BODY, False, 706.0),
        ("2.2 Slet en bruger . . . . . . . 6", BODY, False, 694.0),
        ("3 Grupper 8", BODY, False, 682.0),
    ]
    parsed, stats = parse([contents, page(2, "1 Indledning"), page(3)])
    assert stats.toc == 5
    assert not any("Opret en bruger" in t for _, t in texts(parsed))


def test_larger_or_bold_lines_are_headings_and_numbering_gives_their_level():
    rows = [
        ("2 Brugere", 16.0, True, 780.0),
        *body_lines("Om brugere", 750.0, 2),
        ("2.1 Opret en bruger", 12.0, True, 700.0),
        *body_lines("Sådan oprettes", 680.0, 2),
        ("Bemærk", BODY, True, 640.0),
        *body_lines("En bemærkning", 620.0, 2),
    ]
    parsed, stats = parse([rows])
    heads = [(b.level, b.text.text) for b in parsed.blocks if b.type == "heading"]
    assert heads[:2] == [(1, "2 Brugere"), (2, "2.1 Opret en bruger")]
    assert stats.headings == 3
    labels = [lab for lab in outline_labels(parsed.blocks, "Håndbog") if lab]
    assert labels[0][0] == ("2 Brugere",)
    assert labels[1][0] == ("2 Brugere", "2.1 Opret en bruger")


def test_a_bold_sentence_in_body_type_is_no_heading():
    rows = [
        ("Husk altid at gemme dit arbejde, før du lukker programmet.", BODY, True, 780.0),
        *body_lines("Tekst", 760.0),
    ]
    parsed, _ = parse([rows])
    assert all(b.type != "heading" for b in parsed.blocks)


def test_a_wider_line_gap_starts_a_new_paragraph_and_hyphenation_is_undone():
    rows = [
        ("Første afsnit om kerneopga-", BODY, False, 780.0),
        ("ven fortsætter her.", BODY, False, 768.0),
        ("Andet afsnit begynder efter luft.", BODY, False, 740.0),
    ]
    parsed, _ = parse([rows])
    assert texts(parsed) == [
        ("para", "Første afsnit om kerneopgaven fortsætter her."),
        ("para", "Andet afsnit begynder efter luft."),
    ]


def test_a_sentence_cut_by_a_page_break_continues_on_the_next_page():
    first = [("Et afsnit der slutter midt i", BODY, False, 100.0)]
    second = [("en sætning på næste side.", BODY, False, 780.0)]
    parsed, _ = parse([first, second])
    assert texts(parsed) == [("para", "Et afsnit der slutter midt i en sætning på næste side.")]


def test_kinds_come_from_what_a_heading_calls_itself():
    rows = [
        ("3 Tjekliste til opstart", 14.0, True, 780.0),
        *body_lines("Punkt", 750.0),
        ("4 Litteratur", 14.0, True, 700.0),
        *body_lines("Bog", 680.0),
    ]
    parsed, _ = parse([rows])
    kinds = {lab[0][-1]: lab[1] for lab in outline_labels(parsed.blocks, "H") if lab}
    assert kinds == {"3 Tjekliste til opstart": "checklist", "4 Litteratur": "reference"}
