"""Word documents, web pages and scanned PDF pages get the same guarantees as the rest: their
structure becomes section paths, a damaged file is skipped with a Danish reason while the rest
is indexed, and a page that is only a picture is read with Tesseract or named in one line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rag.config import Settings
from rag.ingest import pdfpages
from rag.ingest.pipeline import build_chunks

TEXT = (
    "Tillid mellem ledere og medarbejdere vokser, når man taler om kerneopgaven. "
    "Samarbejdet bliver bedre, når alle ved, hvad de skal lykkes med sammen."
)


def build(folder: Path):
    return build_chunks(folder, Settings.load(env={}))


def listing(result, doc_id: str) -> list[tuple[str, str]]:
    return [(c.kind, c.section) for c in result.chunks if c.doc_id == doc_id]


def write_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Håndbog for nye ledere"
    d.add_paragraph("Håndbog for nye ledere", style="Title")
    d.add_heading("1 Indledning", level=1)
    d.add_paragraph(TEXT * 3)
    d.add_heading("1.1 Mål for samarbejdet", level=2)
    d.add_paragraph(TEXT * 2)
    d.add_paragraph("Hold møder hver uge", style="List Bullet")
    d.add_paragraph("Skriv referat", style="List Bullet")
    d.add_heading("2 Tjekliste før mødet", level=1)
    table = d.add_table(rows=2, cols=2)
    for r, (a, b) in enumerate([("Emne", "Ansvarlig"), ("Dagsorden", "Lederen")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    manual = d.add_paragraph()
    manual.add_run("Opfølgning").bold = True  # a heading set only in bold, as many do
    d.add_paragraph(TEXT * 2)
    d.save(str(path))


def test_a_word_document_keeps_its_headings_lists_and_table_rows(tmp_path):
    write_docx(tmp_path / "haandbog.docx")
    result = build(tmp_path)
    assert listing(result, "haandbog") == [
        ("section", "1 Indledning"),
        ("section", "1 Indledning › 1.1 Mål for samarbejdet"),
        ("checklist", "2 Tjekliste før mødet"),
        ("checklist", "2 Tjekliste før mødet › Opfølgning"),
    ]
    text = "\n".join(c.text for c in result.chunks)
    assert "• Hold møder hver uge" in text and "Dagsorden | Lederen" in text
    assert result.documents[0].title == "Håndbog for nye ledere"
    assert result.documents[0].language == "da"


def test_a_damaged_word_file_is_skipped_with_its_reason_and_the_rest_indexed(tmp_path):
    write_docx(tmp_path / "god.docx")
    (tmp_path / "skadet.docx").write_bytes(b"PK\x03\x04 not really a zip")
    result = build(tmp_path)
    assert [(p.path.name, p.reason.split(" (")[0]) for p in result.problems] == [
        ("skadet.docx", "Word-filen er beskadiget og kan ikke læses")
    ]
    assert {c.doc_id for c in result.chunks} == {"god"}


PAGE = """<!doctype html><html><head><title>Samarbejde i praksis</title>
<style>body { color: red }</style><script>var hidden = "skjult tekst";</script></head>
<body><nav><a href="/">Forside</a> <a href="/om">Om os</a></nav>
<h1>Samarbejde i praksis</h1>
<h2>Case: Et jobcenter</h2><p>{t}</p><p>{t}</p>
<h2>Øvelse: Kerneopgaven på en time</h2><ol><li>Skriv hver især</li><li>Del i grupper</li></ol>
<table><tr><th>Fase</th><th>Tid</th></tr><tr><td>Forberedelse</td><td>10 min</td></tr></table>
<footer>Kontakt os på telefon</footer></body></html>""".replace("{t}", TEXT)


def test_a_web_page_keeps_its_headings_and_drops_scripts_and_navigation(tmp_path):
    (tmp_path / "side.html").write_text(PAGE, encoding="utf-8")
    result = build(tmp_path)
    assert listing(result, "side") == [
        ("case", "Case: Et jobcenter"),  # the h1 repeats the page's title: no part of a path
        ("exercise", "Øvelse: Kerneopgaven på en time"),
    ]
    text = "\n".join(c.text for c in result.chunks)
    assert "• Skriv hver især" in text and "Forberedelse | 10 min" in text
    for hidden in ("skjult tekst", "Forside", "Kontakt os", "color: red"):
        assert hidden not in text
    assert result.documents[0].title == "Samarbejde i praksis"


def scanned_pdf(path: Path, with_text_page: bool) -> None:
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1700, 600), "white")
    font = ImageFont.load_default(size=56)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(["Tillid og samarbejde", "på arbejdspladsen", "kræver dialog"]):
        draw.text((80, 80 + 150 * k), line, fill="black", font=font)
    pdf = FPDF()
    if with_text_page:
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, "Forord. Denne pjece handler om ledelse og samarbejde i praksis.")
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=190)
    pdf.output(str(path))


def tesseract_with_danish() -> str | None:
    """Why OCR cannot be tested here, or None when it can."""
    try:
        import pytesseract
    except ImportError:
        return "pytesseract er ikke installeret (make install-dev)"
    if not shutil.which("tesseract"):
        return "tesseract mangler (make ocr)"
    if "dan" not in pytesseract.get_languages(config=""):
        return "tesseract-ocr-dan mangler (make ocr)"
    return None


def test_an_image_only_page_is_read_with_tesseract(tmp_path):
    missing = tesseract_with_danish()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    scanned_pdf(tmp_path / "scannet.pdf", with_text_page=False)
    result = build(tmp_path)
    text = " ".join(c.text for c in result.chunks).lower()
    assert "samarbejde" in text and "arbejdspladsen" in text
    assert any("læst med tekstgenkendelse" in w.reason for w in result.warnings)


def test_without_tesseract_an_image_page_is_named_in_one_danish_line(tmp_path, monkeypatch):
    monkeypatch.setattr(pdfpages, "ocr_page", lambda page: [])
    scanned_pdf(tmp_path / "blandet.pdf", with_text_page=True)
    scanned_pdf(tmp_path / "scannet.pdf", with_text_page=False)
    result = build(tmp_path)
    assert [(w.path.name, w.reason) for w in result.warnings] == [
        (
            "blandet.pdf",
            "side 2 er billeder uden tekst og er sprunget over (installér tesseract-ocr og "
            "tesseract-ocr-dan samt pytesseract for at læse dem)",
        )
    ]
    assert [p.path.name for p in result.problems] == ["scannet.pdf"]
    assert "intet tekstlag" in result.problems[0].reason
    assert {c.doc_id for c in result.chunks} == {"blandet"}
