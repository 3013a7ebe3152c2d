"""From the printed lines of a typeset document (PDF, Word, web page) to typed blocks.

Nothing here knows a document. What a line is follows from how the document itself prints it:
- running heads, feet and page numbers repeat at the top or bottom of many pages (by their
  words with the digits folded: "Manual for … 5 / 96" and "… 6 / 96" are one head);
- a table of contents is a run of lines ending in dot leaders or a column of page numbers;
- headings are set larger or bolder than the body text, or numbered ("7.3.2 Søg, ændr …");
  their level follows the numbering where there is one, else the size of their type;
- paragraphs end at a wider line gap, a change of type, a bullet, or a sentence that ends
  before a column or page break; a line with wide gaps between its cells is a table row.
`structure.sections` then turns the heading levels into section paths.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rag.documents import SourceDocument, StyledLine
from rag.ingest.layout import BULLET_RE, Block, ParsedDocument
from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText
from rag.ingest.repair import dangles, join_lines, normalise_spaces

DOT_LEADER_RE = re.compile(r"(?:\s?\.){4,}\s*(?:\d{1,4}|[ivxlcdm]{1,6})\s*$|…{2,}\s*\d{1,4}\s*$")
ENDS_IN_PAGE_NUMBER = re.compile(r"\S\s+(?:\d{1,4}|[ivxlcdm]{1,6})\s*$", re.I)
PAGE_NUMBER_ONLY = re.compile(
    r"^[\W_]*(?:(?:side|page|s\.)\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})"
    r"(?:\s*(?:/|af|of)\s*\d{1,4})?[\W_]*$",
    re.I,
)
NUMBERED_HEADING_RE = re.compile(r"^((?:\d{1,2}|[A-Z])(?:\.\d{1,2}){0,5})\.?\s+(\S.*)$")
ITEM_RE = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)]|\(\w{1,3}\))\s+\S")
MAX_HEADING_WORDS = 16


@dataclass
class TypesetStats:
    """What the reader found, for the quality line and the preview's warnings."""

    furniture: int = 0  # running heads, feet and page numbers left out
    toc: int = 0  # table-of-contents lines left out
    headings: int = 0
    levels: dict[int, int] = field(default_factory=dict)


def parse_typeset(doc: SourceDocument, lexicon: Lexicon) -> tuple[ParsedDocument, TypesetStats]:
    lines = list(doc.lines)
    texts = [doc.text[ln.start : ln.end] for ln in lines]
    stats = TypesetStats()
    furniture = running_furniture(lines, texts)
    toc = contents_lines(lines, texts) - furniture
    stats.furniture, stats.toc = len(furniture), len(toc)
    keep = [i for i in range(len(lines)) if i not in furniture and i not in toc]
    body = body_size(lines, texts, keep)
    levels = heading_levels(lines, texts, keep, body, doc.title)
    parsed = ParsedDocument(doc, [])
    parsed.blocks = _blocks(doc, lines, texts, keep, levels, body, lexicon)
    headings = [b for b in parsed.blocks if b.type == "heading"]
    stats.headings = len(headings)
    stats.levels = dict(Counter(b.level for b in headings))
    parsed.debris_lines = len(furniture) + len(toc)
    return parsed, stats


# --- running heads and feet -------------------------------------------------------------------


def _fold_digits(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.casefold().split()))


def running_furniture(lines: list[StyledLine], texts: list[str]) -> set[int]:
    """Lines at the top or bottom of a page whose words (digits folded) recur on other pages,
    and page numbers standing alone there."""
    by_page: dict[int, list[int]] = defaultdict(list)
    for i, ln in enumerate(lines):
        by_page[ln.page].append(i)
    if len(by_page) < 3:
        return set()
    edges: dict[int, list[int]] = {}
    for page, idx in by_page.items():
        ordered = sorted(idx, key=lambda i: -lines[i].y) if any(lines[i].y for i in idx) else idx
        edges[page] = list(dict.fromkeys(ordered[:2] + ordered[-2:]))
    pages_with: dict[str, set[int]] = defaultdict(set)
    for page, idx in edges.items():
        for i in idx:
            pages_with[_fold_digits(texts[i])].add(page)
    repeated = {key for key, pages in pages_with.items() if len(pages) >= 3}
    out = set()
    for idx in edges.values():
        for i in idx:
            if _fold_digits(texts[i]) in repeated or PAGE_NUMBER_ONLY.match(texts[i]):
                out.add(i)
    return out


# --- tables of contents -----------------------------------------------------------------------


def contents_lines(lines: list[StyledLine], texts: list[str]) -> set[int]:
    """Lines with dot leaders, and every line of a page most of whose lines end in a page
    number (a contents or index page)."""
    out = {i for i, t in enumerate(texts) if DOT_LEADER_RE.search(t)}
    by_page: dict[int, list[int]] = defaultdict(list)
    for i, ln in enumerate(lines):
        by_page[ln.page].append(i)
    for idx in by_page.values():
        if len(idx) < 5:
            continue
        numbered = [i for i in idx if DOT_LEADER_RE.search(texts[i]) or _toc_entry(texts[i])]
        if len(numbered) >= 0.5 * len(idx):
            first, last = idx.index(numbered[0]), idx.index(numbered[-1])
            out.update(idx[first : last + 1])
    return out


def _toc_entry(text: str) -> bool:
    return bool(ENDS_IN_PAGE_NUMBER.search(text)) and len(text.split()) <= 20


# --- headings ---------------------------------------------------------------------------------


def body_size(lines: list[StyledLine], texts: list[str], keep: list[int]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for i in keep:
        sizes[lines[i].size] += len(texts[i])
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _heading_like(ln: StyledLine, text: str, body: float) -> bool:
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > 120:
        return False
    if ln.level:
        return True
    if BULLET_RE.match(text) or text[:1] in "–—-•*" or "\t" in text:
        return False
    if not re.search(r"[^\W\d_]{2}", text):
        return False
    if text.rstrip()[-1:] in ",;" or (ENDS_IN_PAGE_NUMBER.search(text) and not ln.bold):
        return False
    larger = ln.size >= body * 1.12 and ln.size - body >= 0.9
    numbered = NUMBERED_HEADING_RE.match(text)
    if larger:
        return not text.rstrip().endswith(".") or bool(numbered)
    if ln.bold and ln.size >= body - 0.6:
        return len(text) <= 90 and (not text.rstrip().endswith(".") or bool(numbered))
    return False


def heading_levels(
    lines: list[StyledLine], texts: list[str], keep: list[int], body: float, title: str = ""
) -> dict[int, int]:
    """Line index → heading level (1 = top) for the lines that are headings."""
    found = [i for i in keep if _heading_like(lines[i], texts[i], body)]
    if not found:
        return {}
    styles = sorted({(lines[i].size, lines[i].bold) for i in found}, key=lambda s: (-s[0], -s[1]))
    rank = {s: k + 1 for k, s in enumerate(styles)}
    # The largest style, used once (or on adjacent lines) on the first pages, is the document's
    # title, not a part of it.
    title_styles = set()
    if len(styles) > 1:
        top = [i for i in found if (lines[i].size, lines[i].bold) == styles[0]]
        adjacent = len(top) == 1 or top == list(range(top[0], top[-1] + 1))
        numbered = any(NUMBERED_HEADING_RE.match(texts[i]) for i in top)
        if lines[top[-1]].page <= 2 and adjacent and not numbered:
            title_styles.add(styles[0])
    depth_of_style: dict[tuple[float, bool], Counter[int]] = defaultdict(Counter)
    for i in found:
        m = NUMBERED_HEADING_RE.match(texts[i])
        if m:
            depth_of_style[(lines[i].size, lines[i].bold)][m.group(1).count(".") + 1] += 1
    stated = [i for i in found if lines[i].level > 0]
    top_stated = min((lines[i].level for i in stated), default=0)
    # A format's top heading level used once, before every other heading, is the title; so is
    # a first heading that repeats the document's title.
    tops = [i for i in stated if lines[i].level == top_stated]
    title_line = tops[0] if len(tops) == 1 and tops[0] == stated[0] else None
    if stated and " ".join(texts[stated[0]].split()).casefold() == title.casefold():
        title_line = stated[0]  # the page's own title repeated as its first heading
    levels: dict[int, int] = {}
    for i in found:
        ln, style = lines[i], (lines[i].size, lines[i].bold)
        if i == title_line and len(stated) > 1:
            levels[i] = 0
        elif ln.level:
            levels[i] = ln.level
        elif style in title_styles:
            levels[i] = 0  # the document title
        elif m := NUMBERED_HEADING_RE.match(texts[i]):
            levels[i] = m.group(1).count(".") + 1
        elif depth_of_style.get(style):
            levels[i] = depth_of_style[style].most_common(1)[0][0]
        else:
            levels[i] = rank[style] - len(title_styles & set(styles[: rank[style]]))
    return levels


# --- blocks -----------------------------------------------------------------------------------


def _line_gap(lines: list[StyledLine], keep: list[int], body: float) -> float:
    """Usual distance between two lines of one paragraph of body text (the commonest)."""
    gaps = []
    for a, b in itertools.pairwise(keep):
        la, lb = lines[a], lines[b]
        if la.page == lb.page and la.size == lb.size == body and 0 < la.y - lb.y < 3 * body:
            gaps.append(la.y - lb.y)
    return Counter(round(g, 1) for g in gaps).most_common(1)[0][0] if gaps else body * 1.2


def _blocks(
    doc: SourceDocument,
    lines: list[StyledLine],
    texts: list[str],
    keep: list[int],
    levels: dict[int, int],
    body: float,
    lexicon: Lexicon,
) -> list[Block]:
    gap = _line_gap(lines, keep, body)
    blocks: list[Block] = []
    current: list[int] = []
    kind = "para"

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(_block(doc, lines, texts, current, kind, lexicon))
        current = []

    for i in keep:
        ln, text = lines[i], texts[i]
        if i in levels:
            flush()
            if (
                blocks
                and blocks[-1].type == "heading"
                and _continues_heading(lines, blocks[-1], ln, text, levels[i], gap)
            ):
                prev = blocks.pop()
                current, kind = [*prev.line_ids, i], "heading"
                flush()
                blocks[-1].level = prev.level
                continue
            current, kind = [i], "heading"
            flush()
            blocks[-1].level = levels[i]
            continue
        item = ln.item or bool(BULLET_RE.match(text) or ITEM_RE.match(text))
        row = "\t" in text
        if current and not _same_block(lines, texts, current[-1], i, gap, item, row, kind):
            flush()
        if not current:
            kind = "item" if item else ("row" if row else "para")
        current.append(i)
        if ln.gap_after:
            flush()
    flush()
    return [b for b in blocks if b.text.text.strip()]


def _continues_heading(
    lines: list[StyledLine], prev: Block, ln: StyledLine, text: str, level: int, gap: float
) -> bool:
    """A heading set on two lines: same type, same page, right below the first."""
    last = lines[prev.line_ids[-1]]
    return (
        prev.level == level
        and last.page == ln.page
        and (last.size, last.bold) == (ln.size, ln.bold)
        and 0 < last.y - ln.y <= 1.6 * max(gap, ln.size)
        and not NUMBERED_HEADING_RE.match(text)
        and len(prev.line_ids) < 3
    )


def _same_block(
    lines: list[StyledLine],
    texts: list[str],
    a: int,
    b: int,
    gap: float,
    item: bool,
    row: bool,
    kind: str,
) -> bool:
    la, lb = lines[a], lines[b]
    if item or row or kind == "row" or la.gap_after:
        return False
    if la.size != lb.size:
        return False
    open_end = dangles(texts[a]) or texts[a].endswith("-")
    if la.page != lb.page or lb.y > la.y:  # a page or column break
        return open_end and texts[b][:1].islower()
    if la.y - lb.y > 1.45 * gap:
        return False
    if kind == "item":
        return lb.x > lines[a].x - 1.0 or open_end  # an item's wrapped lines
    return not (lb.x > la.x + 1.5 * lb.size and not open_end)  # a first-line indent


def _block(
    doc: SourceDocument,
    lines: list[StyledLine],
    texts: list[str],
    ids: list[int],
    kind: str,
    lexicon: Lexicon,
) -> Block:
    parts = [MappedText.from_source(doc.text, lines[i].start, lines[i].end) for i in ids]
    if kind == "item":
        first = parts[0]
        m = BULLET_RE.match(first.text)
        parts[0] = first.slice(m.end(), len(first)) if m else first
    if kind == "row":
        text = MappedText.join_with("\n", [p.sub("\t", " | ") for p in parts])
    else:
        text = join_lines(parts, lexicon)
    block = Block(
        "heading" if kind == "heading" else ("item" if kind == "item" else "para"),
        normalise_spaces(text) if kind != "row" else text,
    )
    block.line_ids = ids
    block.page_start = lines[ids[0]].page != lines[ids[0] - 1].page if ids[0] else True
    return block
