"""Word documents (.docx, through python-docx) and web pages (.html) as printed lines.

Both formats say themselves what a PDF only shows: a paragraph's style names its heading level
("Heading 2", "Overskrift 2", <h2>), a list item is marked as one, a table has rows and cells.
Each paragraph becomes one `StyledLine` that ends a paragraph, a table row one line with its
cells separated by tabs. `typeset` then reads them like a PDF's lines: in Word, headings set
only in bold or larger type (a common habit) are found the same way; on a web page bold is
emphasis and the headings are the h1-h6 it states, and a line made mostly of links to places on
the page itself is its table of contents and is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from rag.documents import StyledLine

HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*(\d)$", re.I)
TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.I)
CONTENTS_STYLE = re.compile(r"^(?:toc|indholdsfortegnelse)\b", re.I)
BODY_SIZE = 11.0


@dataclass
class _Lines:
    """Collects (text, look) pairs into one text with line offsets."""

    parts: list[str] = field(default_factory=list)
    lines: list[StyledLine] = field(default_factory=list)
    pos: int = 0

    def add(self, text: str, size: float = BODY_SIZE, bold: bool = False, **look) -> None:
        text = "\t".join(" ".join(c.split()) for c in text.split("\t")).strip()
        if not text.replace("\t", ""):
            return
        if self.parts:
            self.parts.append("\n")
            self.pos += 1
        self.lines.append(
            StyledLine(self.pos, self.pos + len(text), 1, size, bold, gap_after=True, **look)
        )
        self.parts.append(text)
        self.pos += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# --- Word -------------------------------------------------------------------------------------


def read_docx(path: Path) -> tuple[str, tuple[StyledLine, ...], str | None]:
    """Text, lines and title (the document's own property) of a .docx file."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out = _Lines()
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _docx_paragraph(Paragraph(child, document), out)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))
                out.add("\t".join(c for c in cells if c))
    title = document.core_properties.title or None
    return out.text, tuple(out.lines), title


def _docx_paragraph(p, out: _Lines) -> None:
    style = p.style.name if p.style is not None else ""
    if CONTENTS_STYLE.match(style):
        return  # a table of contents Word generated
    text = p.text
    m = HEADING_STYLE.match(style)
    level = int(m.group(1)) if m else (-1 if TITLE_STYLE.match(style) else 0)
    runs = [r for r in p.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
    if not bold and p.style is not None and p.style.font.bold:
        bold = all(r.bold is not False for r in runs)
    sizes = [r.font.size.pt for r in runs if r.font.size is not None]
    style_size = p.style.font.size.pt if p.style is not None and p.style.font.size else None
    size = max(sizes) if sizes else (style_size or BODY_SIZE)
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    item = numbered or "list" in style.lower() or "liste" in style.lower()
    out.add(text, size, bold, level=level, item=item and not level)


# --- web pages --------------------------------------------------------------------------------

BLOCK_TAGS = {
    "p", "div", "li", "dt", "dd", "blockquote", "pre", "section", "article", "main", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "table", "ul", "ol", "dl",
    "br", "hr", "aside",
}  # fmt: skip
# A link to a place in this page (or a page beside it): "#sec2", "manual.html#idm5".
LOCAL_LINK = re.compile(r"^[^/:?#]*#")
SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "template", "svg", "head"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Lines()
        self.buffer: list[tuple[str, bool]] = []  # (text, inside a link to the page itself)
        self.skip = 0
        self.level = 0
        self.item = False
        self.cells: list[str] | None = None
        self.title: str | None = None
        self._in_title = False
        self.in_local_link = 0  # inside <a href="#…">: a link to elsewhere on the page

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "a" and LOCAL_LINK.match(dict(attrs).get("href") or ""):
            self.in_local_link += 1
        if tag == "title":
            self._in_title = True
        if tag in SKIP_TAGS:
            self.skip += 1
            return
        if tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.flush_cell()
        elif tag in BLOCK_TAGS:
            self.flush()
            if re.fullmatch(r"h[1-6]", tag):
                self.level = int(tag[1])
            self.item = tag == "li"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.in_local_link:
            self.in_local_link -= 1
        if tag == "title":
            self._in_title = False
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.cells is not None:
            self.flush_cell()
        elif tag == "tr" and self.cells is not None:
            self.flush_cell()
            self.out.add("\t".join(c for c in self.cells if c))
            self.cells = None
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:
            self.title = " ".join(data.split()) or None
        if self.skip or self._in_title:
            return
        self.buffer.append((data, self.in_local_link > 0))

    def flush_cell(self) -> None:
        text = " ".join("".join(t for t, *_ in self.buffer).split())
        self.buffer = []
        if text and self.cells is not None:
            self.cells.append(text)

    def flush(self) -> None:
        if self.cells is not None:
            self.flush_cell()
            return
        text = "".join(t for t, *_ in self.buffer)
        letters = [(t, link) for t, link in self.buffer if t.strip()]
        self.buffer = []
        linked = sum(len(t.strip()) for t, link in letters if link)
        if letters and linked >= 0.6 * sum(len(t.strip()) for t, *_ in letters) and not self.level:
            self.level, self.item = 0, False
            return  # only links to places on the page: its table of contents
        size = {1: 24.0, 2: 18.0, 3: 14.0}.get(self.level, BODY_SIZE)
        # Bold on a web page is emphasis: its headings are the h1-h6 it states.
        self.out.add(text, size, False, level=self.level, item=self.item and not self.level)
        self.level, self.item = 0, False


def read_html(source: str) -> tuple[str, tuple[StyledLine, ...], str | None]:
    """Text, lines and <title> of a web page; scripts, styles and navigation are left out."""
    page = _Page()
    page.feed(source)
    page.close()
    page.flush()
    return page.out.text, tuple(page.out.lines), page.title
