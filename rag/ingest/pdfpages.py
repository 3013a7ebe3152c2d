"""Read a PDF's pages as printed lines with their font size, weight and place.

pypdf's text visitor reports every run of text with its font and text matrix; runs that share a
baseline form a line. What a line looks like (a larger or bold font, its height on the page) is
what `typeset` later reads headings, running heads and tables of contents from, so nothing here
knows any document. A page without a text layer is read with Tesseract when it is installed
(`ocr_page`), else the document notes it in one Danish line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.documents import StyledLine

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b|-b$", re.I)


@dataclass
class _Run:
    text: str
    x: float
    y: float
    size: float
    bold: bool


@dataclass
class PdfText:
    text: str
    page_starts: tuple[int, ...]
    lines: tuple[StyledLine, ...]
    title: str | None
    notes: tuple[str, ...]


def read_pdf_pages(reader) -> PdfText:
    """Every page's lines; pages joined by a form feed, lines by a newline."""
    parts: list[str] = []
    starts: list[int] = []
    lines: list[StyledLine] = []
    image_pages: list[int] = []
    ocr_pages: list[int] = []
    pos = 0
    for number, page in enumerate(reader.pages, start=1):
        if number > 1:
            parts.append("\n\f\n")
            pos += 3
        starts.append(pos)
        page_lines = _page_lines(page)
        if not page_lines and _has_images(page):
            page_lines = ocr_page(page)
            (ocr_pages if page_lines else image_pages).append(number)
        for k, (text, size, bold, x, y) in enumerate(page_lines):
            if k:
                parts.append("\n")
                pos += 1
            lines.append(StyledLine(pos, pos + len(text), number, size, bold, x, y))
            parts.append(text)
            pos += len(text)
    meta = reader.metadata
    title = meta.title if meta and isinstance(meta.title, str) and meta.title.strip() else None
    title = title or _largest_line(parts, lines)
    notes = []
    if image_pages:
        notes.append(
            f"{_pages_da(image_pages)} er billeder uden tekst og er sprunget over "
            "(installér tesseract-ocr og tesseract-ocr-dan samt pytesseract for at læse dem)"
        )
    if ocr_pages:
        notes.append(f"{_pages_da(ocr_pages)} er læst med tekstgenkendelse (OCR)")
    return PdfText(
        "".join(parts), tuple(starts), tuple(lines), title and title.strip(), tuple(notes)
    )


def _largest_line(parts: list[str], lines: list[StyledLine]) -> str | None:
    """The line set in the largest type on the first page with text: the document's title."""
    first = [ln for ln in lines if ln.page == lines[0].page] if lines else []
    if not first:
        return None
    text = "".join(parts)
    best = max(first, key=lambda ln: ln.size)
    title = text[best.start : best.end].strip()
    return title if 3 <= len(title) <= 120 else None


def _pages_da(pages: list[int]) -> str:
    if len(pages) == 1:
        return f"side {pages[0]}"
    shown = ", ".join(str(p) for p in pages[:8]) + (" …" if len(pages) > 8 else "")
    return f"{len(pages)} sider ({shown})"


def _page_lines(page) -> list[tuple[str, float, float, float, float]]:
    runs: list[_Run] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        if not text or not text.strip():
            if text and "\n" in text and runs:
                runs.append(_Run("\n", runs[-1].x, runs[-1].y, runs[-1].size, False))
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (abs(tm[3]) or abs(tm[0]) or 1.0) * (abs(cm[3]) or abs(cm[0]) or 1.0)
        font = str((font_dict or {}).get("/BaseFont", ""))
        runs.append(_Run(text, x, y, round(font_size * scale, 1), bool(BOLD_FONT.search(font))))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # a damaged page: read the rest of the document
        return []
    return _join_runs(runs)


def _join_runs(runs: list[_Run]) -> list[tuple[str, float, float, float, float]]:
    """Runs on one baseline, in the order the page draws them, form a line."""
    out = []
    line: list[_Run] = []

    def flush() -> None:
        if not line:
            return
        text = ""
        end_x = None
        for r in line:
            piece = r.text.replace("\n", " ")
            if end_x is not None and text and not text[-1].isspace() and not piece[:1].isspace():
                if r.x - end_x > 2.0 * r.size:
                    piece = "\t" + piece  # a wide gap: the next cell of a table row
                elif r.x - end_x > 0.25 * r.size:
                    piece = " " + piece  # a gap on the page is a space
            text += piece
            end_x = r.x + _width(r)
        text = "\t".join(" ".join(cell.split()) for cell in text.split("\t")).strip()
        if text:
            chars = [(len(r.text.strip()), r) for r in line]
            total = sum(n for n, _ in chars) or 1
            size = max(r.size for n, r in chars if n)
            bold = sum(n for n, r in chars if r.bold) / total > 0.6
            out.append((text, size, bold, line[0].x, line[0].y))
        line.clear()

    for r in runs:
        if r.text == "\n":
            flush()
            continue
        if line and abs(r.y - line[-1].y) > 0.4 * max(r.size, line[-1].size, 1.0):
            flush()
        line.append(r)
        if r.text.endswith("\n"):
            flush()
    flush()
    return out


def _width(r: _Run) -> float:
    """About how wide a run is printed: half the font size per character."""
    return len(r.text.rstrip("\n")) * r.size * 0.5


def _has_images(page) -> bool:
    try:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return any(xobjects[k].get("/Subtype") == "/Image" for k in xobjects)
    except Exception:
        return False


def ocr_page(page) -> list[tuple[str, float, float, float, float]]:
    """The text of a page that is a picture, read with Tesseract (Danish and English).

    Empty when pytesseract, Pillow or the tesseract program is missing, or nothing is read.
    """
    try:
        import pytesseract
    except ImportError:
        return []
    lines = []
    try:
        for image in page.images:
            text = pytesseract.image_to_string(image.image, lang=_ocr_languages(pytesseract))
            lines.extend(ln.strip() for ln in text.splitlines() if ln.strip())
    except Exception:  # no tesseract binary, an image Pillow cannot decode
        return []
    return [(ln, 10.0, False, 0.0, 0.0) for ln in lines]


def _ocr_languages(pytesseract) -> str:
    try:
        have = set(pytesseract.get_languages(config=""))
    except Exception:
        return "eng"
    return "+".join(lang for lang in ("dan", "eng") if lang in have) or "eng"
