"""From a document's raw text to typed blocks: headings, titles, paragraphs, list items, notes.

PDF text layers and converted Markdown carry the layout only implicitly: short lines that end
early are titles, ALL-CAPS lines are headings, a line that starts with one space opens a new
text frame on the page, a paragraph that stops mid-sentence continues after a page or column
break. This module reads those signals; `structure` then turns blocks into sections.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from rag.documents import SourceDocument
from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText
from rag.ingest.ocr import OcrRepairer
from rag.ingest.pronoun import (
    capitalise_asked_i,
    capitalise_conditional_i,
    capitalise_pronoun_i,
    capitalise_subordinate_i,
)
from rag.ingest.repair import (
    Names,
    attested_names,
    capitalise_names,
    capitalise_proper_words,
    capitalise_reference_titles,
    capitalise_sentences,
    dangles,
    heading_typo,
    join_across_break,
    join_inner_hyphens,
    join_lines,
    normalise_spaces,
    restore_acronyms,
    restore_attested_names,
    strip_markup,
    upper_danish_letters,
)

BULLET_RE = re.compile(r"^\s*(?:[•·▪■●◦]|[-*](?=\s)|[o»«](?=\s))\s*")
NUMBERED_RE = re.compile(r"^\s*\d{1,2}[.)]\s+\S")
TAB_ITEM_RE = re.compile(r"^\t+\s*\S")
PAGE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
TOC_RE = re.compile(r"\.{4,}\s*(?:<[^>]+>\s*)*\d+\s*(?:<[^>]+>\s*)*$")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Notes that close a unit: the source line of a case, an exercise, a model or a checklist.
NOTE_RE = re.compile(
    r"^(?:casen\s+(?:stammer|er)\b|artiklen\s+er\b|øvelsen\s+(?:bygger|er\s+inspireret)\b"
    r"|fasemodellen\s+bygger\b|de\s+\w+\s+anbefalinger\s+(?:er|bygger)\b|kilde\s*:)",
    re.IGNORECASE,
)
# A label line whose title follows on the next line.
LABEL_RE = re.compile(r"^(?:Tjekliste|Udfordring\s+\d+|Øvelse|Værktøj|Case|Kapitel\s+\d+)$", re.I)
FUNCTION_WORDS = {
    "og",
    "eller",
    "i",
    "på",
    "til",
    "af",
    "for",
    "med",
    "om",
    "at",
    "der",
    "som",
    "en",
    "et",
    "den",
    "det",
    "de",
    "fra",
    "ved",
    "men",
    "samt",
    "når",
    "hvis",
    "er",
    "har",
    "du",
    "jeg",
    "vi",
    "man",
    "kan",
    "skal",
    "vil",
    "må",
    "bør",
    "sig",
    "sin",
    "sit",
    "sine",
    "din",
    "dit",
    "dine",
    "jeres",
    "vores",
    "hvor",
    "så",
    "da",
    "end",
    "ikke",
    "også",
}
# Exercise fields stand alone: "VARIGHED" is never the start of a longer title.
FIELD_RE = re.compile(r"^(?:DELTAGERE|VARIGHED|RAMMER OG MATERIALER|FREMGANGSM[ÅåA]DE)\s*$", re.I)
# Exercise fields whose lines are a list the PDF set without bullets, one entry per line that
# ends early ("Arrangørernes forberedelse: 1 time" / "Hele kortlægningen: 2-3 timer.").
LISTED_FIELD_RE = re.compile(r"^(?:VARIGHED|RAMMER OG MATERIALER)\s*$", re.I)
# A step's duration on the line under its numbered heading ("1. Kortlægning af opgaverne" /
# "Varighed: 20-30 minutter"): a line of its own, not the end of the step's name.
STEP_DURATION_RE = re.compile(r"^Varighed\s*:", re.I)
URL_RE = re.compile(r"^(?:https?://|www\.)\S+$|^\S+\.(?:dk|no|com|org|nu)(?:/\S*)?$", re.I)


@dataclass
class Block:
    type: str  # "heading" | "title" | "para" | "item" | "note"
    text: MappedText
    page_start: bool = False  # first line opened a new text frame (leading single space)
    break_before: int = 0  # blank lines before the block
    level: int = 0  # Markdown heading level
    caps: bool = False  # written in capitals in the source
    moved: bool = False  # placed here by the continuation repair
    line_ids: list[int] = field(default_factory=list)  # typeset documents: its printed lines

    @property
    def span(self) -> tuple[int, int]:
        return self.text.span()

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        flag = "^" if self.page_start else ""
        return f"<{self.type}{flag} {self.text.text[:60]!r}>"


@dataclass
class Line:
    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


@dataclass
class ParsedDocument:
    doc: SourceDocument
    blocks: list[Block]
    ocr_repaired: int = 0
    debris_lines: int = 0
    joins: list[str] = field(default_factory=list)  # continuation repairs, for the report


def parse(doc: SourceDocument, lexicon: Lexicon, ocr: OcrRepairer | None = None) -> ParsedDocument:
    markdown = doc.path.suffix.lower() == ".md"
    lines = _split_lines(doc.text)
    frames = sum(1 for ln in lines if re.match(r"^ (?! )\S", ln.text)) >= 3 and not markdown
    width = _wrap_width(lines)
    parsed = ParsedDocument(doc, [])
    groups = _groups(lines, doc, parsed, frames)
    for group, breaks in groups:
        if markdown:
            new = _markdown_blocks(group, doc.text)
        else:
            new = _text_blocks(group, doc.text, width, frames)
        if new:
            new[0].break_before = breaks
        parsed.blocks.extend(new)
    _attach_note_tails(parsed.blocks)
    if not markdown:
        _title_numbered_items(parsed.blocks, width)
    _finish_text(parsed, lexicon, ocr, markdown)
    _repair_heading_typos(parsed, lexicon)
    _repair_continuations(parsed, lexicon)
    _join_split_urls(parsed)
    _capitalise(parsed)
    parsed.blocks = [b for b in parsed.blocks if b.text.text.strip()]
    return parsed


# --- lines and groups -------------------------------------------------------------------------


def _split_lines(text: str) -> list[Line]:
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(Line(pos, pos + len(body), body.replace("\f", "")))
        pos += len(raw)
    return lines


def _wrap_width(lines: list[Line]) -> int:
    """Typical width of a hard-wrapped line; a line much shorter than this ended on purpose."""
    lengths = sorted(len(ln.stripped) for ln in lines if len(ln.stripped) > 20)
    if len(lengths) < 10:
        return 10_000
    width = int(statistics.quantiles(lengths, n=10)[8])  # 90th percentile
    return width if width < 200 else 10_000  # unwrapped text (web pages, Markdown)


def _is_debris(line: Line, doc: SourceDocument) -> bool:
    s = line.stripped
    if PAGE_NUMBER_RE.match(s) or TOC_RE.search(s):
        return True
    # Running head: "18   Kom videre med social Kapital" (page number + document title).
    m = re.match(r"^\d{1,3}\s{2,}(.+)$", s) or re.match(r"^(.+?)\s{2,}\d{1,3}$", s)
    return bool(m and _fold(m.group(1)) == _fold(doc.title))


def _fold(s: str) -> str:
    return re.sub(r"\W+", "", s.casefold())


def _groups(
    lines: list[Line], doc: SourceDocument, parsed: ParsedDocument, frames: bool
) -> list[tuple[list[Line], int]]:
    groups: list[tuple[list[Line], int]] = []
    current: list[Line] = []
    blanks = 0
    for line in lines:
        if not line.stripped:
            if current:
                groups.append((current, blanks))
                current, blanks = [], 0
            blanks += 1
            continue
        if _is_debris(line, doc):
            parsed.debris_lines += 1
            if current:
                groups.append((current, blanks))
                current, blanks = [], 0
            blanks += 2  # a page number or running head marks a page break
            continue
        if frames and current and re.match(r"^ (?! )\S", line.text):
            groups.append((current, blanks))  # a new text frame starts a new group
            current, blanks = [], 0
        current.append(line)
    if current:
        groups.append((current, blanks))
    return groups


# --- blocks -----------------------------------------------------------------------------------


def _line_text(source: str, line: Line) -> MappedText:
    return MappedText.from_source(source, line.start, line.end)


def _markdown_blocks(group: list[Line], source: str) -> list[Block]:
    blocks: list[Block] = []
    for line in group:
        m = MD_HEADING_RE.match(line.text)
        text = _line_text(source, line)
        if m:
            offset = line.text.index(m.group(2)) if m.group(2) else len(line.text)
            blocks.append(
                Block(
                    "heading", text.slice(offset, offset + len(m.group(2))), level=len(m.group(1))
                )
            )
        elif BULLET_RE.match(line.text) and not line.text.lstrip().startswith("**"):
            cut = BULLET_RE.match(line.text).end()
            blocks.append(Block("item", text.slice(cut, len(text))))
        elif blocks and blocks[-1].type in ("para", "item"):
            blocks[-1].text = MappedText.join(
                [blocks[-1].text, MappedText.literal("\n", line.start), text]
            )
        else:
            blocks.append(Block("para", text))
    return blocks


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) >= 0.85


def title_like(s: str) -> bool:
    s = s.strip()
    words = s.split()
    if not s or len(s) > 90 or len(words) > 12:
        return False
    if URL_RE.match(s) or not (s[0].isupper() or s[0].isdigit() or s[0] in "”\"'"):
        return False
    if s[0].isdigit() and len(words) < 2:
        return False
    if re.search(r"\S\.(?:dk|com|org|no|nu)(?:/\S*)?$", s):
        return False
    if ", " in s and len(words) > 5:  # headings rarely carry clauses
        return False
    if words[-1].lower() in FUNCTION_WORDS:  # "... SKAF og" continues on the next line
        return False
    return not re.search(r"[.,;:\-–(]$", s)


def _ends_early(line: Line, next_line: Line | None, width: int) -> bool:
    if next_line is None:
        return True
    next_word = next_line.stripped.split()[0] if next_line.stripped else ""
    return len(line.stripped) + 1 + len(next_word) < width - 2


def _text_blocks(group: list[Line], source: str, width: int, frames: bool) -> list[Block]:
    page_start = frames and bool(re.match(r"^ (?! )\S", group[0].text))
    joined = " ".join(ln.stripped for ln in group)
    if all(_is_caps(ln.stripped) for ln in group) and len(joined) <= 120:
        text = MappedText.join(_join_parts([_line_text(source, ln).strip() for ln in group], group))
        return [Block("heading", text, page_start=page_start, caps=True)]

    blocks: list[Block] = []
    others = [len(ln.stripped) for ln in group[1:]]
    page_width = width
    if len(group) >= 3:  # a narrow column has its own wrap width
        width = min(width, max(others) + 1)
    title_lines = _leading_title_lines(group, width)
    # Under VARIGHED or RAMMER OG MATERIALER every line that ends early closes an entry (the
    # narrow column's own width would make these short lines look wrapped).
    listed = bool(title_lines) and bool(LISTED_FIELD_RE.match(title_lines[0].stripped))
    i = len(title_lines)
    if title_lines:
        text = MappedText.join(
            _join_parts([_line_text(source, ln).strip() for ln in title_lines], title_lines)
        )
        blocks.append(Block("title", text, page_start=page_start, caps=_is_caps(text.text)))

    current: Block | None = None
    current_lines: list[MappedText] = []

    def flush() -> None:
        nonlocal current, current_lines
        if current is not None:
            current.text = MappedText.join_with("\n", current_lines)
            blocks.append(current)
        current, current_lines = None, []

    for k, ln in enumerate(group[i:], i):
        text = _line_text(source, ln)
        bullet = BULLET_RE.match(ln.text)
        if bullet or NUMBERED_RE.match(ln.text) or TAB_ITEM_RE.match(ln.text):
            flush()
            cut = bullet.end() if bullet else len(ln.text) - len(ln.text.lstrip())
            current = Block("item", MappedText.literal("", ln.start))
            current_lines = [text.slice(cut, len(text))]
        elif NOTE_RE.match(ln.stripped) and (current is None or current.type != "note"):
            flush()
            current = Block("note", MappedText.literal("", ln.start))
            current_lines = [text]
        elif current is not None and current.type == "item" and STEP_DURATION_RE.match(ln.stripped):
            flush()
            current = Block("para", MappedText.literal("", ln.start))
            current_lines = [text]
        else:
            if current is None:
                current = Block("item" if listed else "para", MappedText.literal("", ln.start))
            current_lines.append(text)
            following = group[k + 1] if k + 1 < len(group) else None
            # "masser af post-its i mange farver" / "+ tuscher.": one entry
            joined = following is not None and following.stripped.startswith("+")
            if listed and not joined and _ends_early(ln, following, page_width):
                flush()
    flush()
    if blocks and page_start:
        blocks[0].page_start = True
    return blocks


def _title_numbered_items(blocks: list[Block], width: int) -> None:
    """A run of numbered items set as a title line over a text ("1. Tænk psykisk arbejdsmiljø
    ind fra starten" / "tænk et godt psykisk arbejdsmiljø ind …") gets a colon after each
    title, instead of running title and text together into one false sentence. A run is
    titled when two or more of its items have a first line that is plainly a title (short,
    unpunctuated, ending well before the wrap width, as a wrapped sentence never does); then
    every item of it whose first line ends without punctuation has one ("4. Forklar, hvad der
    sker med arbejdsmiljøet" / "Kommunikér åbent …")."""
    runs: list[list[Block]] = []  # numbered items with only notes between them
    open_run = False
    for b in blocks:
        if b.type == "item" and NUMBERED_RE.match(b.text.text):
            if open_run:
                runs[-1].append(b)
            else:
                runs.append([b])
            open_run = True
        elif b.type != "note":
            open_run = False
    for run in runs:
        lines = [_split_mapped_lines(b.text) for b in run]
        plain = sum(_titled(ls, width, strict=True) for ls in lines)
        if plain < 2:
            continue
        for b, ls in zip(run, lines, strict=True):
            if _titled(ls, width, strict=False):
                first = ls[0].strip()
                ls[0] = MappedText.join([first, MappedText.literal(":", first.span()[1])])
                b.text = MappedText.join_with("\n", ls)


def _titled(lines: list[MappedText], width: int, strict: bool) -> bool:
    if len(lines) < 2 or not lines[1].text.strip()[:1].isalpha():
        return False
    first = re.sub(r"^\s*\d{1,2}[.)]\s+", "", lines[0].text.strip())
    if re.search(r"[.,:;!?–-]$", first) or len(first.split()) > 10:
        return False
    if not strict:
        return True
    nxt = lines[1].text.split()[0]
    return title_like(first) and len(lines[0].text.strip()) + 1 + len(nxt) < width - 2


def _leading_title_lines(group: list[Line], width: int) -> list[Line]:
    """Lines at the top of a group that form a title: short, unpunctuated, ending early."""
    first = group[0].stripped
    if LABEL_RE.match(first):  # "Udfordring 2" + "Styrk samarbejde" + "og koordinering"
        taken = [group[0]]
        for ln in group[1:3]:
            if BULLET_RE.match(ln.text) or len(ln.stripped) > 45 or NOTE_RE.match(ln.stripped):
                break
            taken.append(ln)
        return taken
    if FIELD_RE.match(first):
        return [group[0]]
    if re.match(r"^(?:Fase\s+\d+:|[A-H]\.\s)", first) and len(first) <= 70:
        return [
            group[0]
        ]  # "Fase 3: Udvælg løsningsforslag, og ...", "A. Et ledelsessystem, der ..."
    taken: list[Line] = []
    for k, ln in enumerate(group):
        nxt = group[k + 1] if k + 1 < len(group) else None
        if (
            BULLET_RE.match(ln.text)
            or NUMBERED_RE.match(ln.text)
            or NOTE_RE.match(ln.stripped)
            or not title_like(ln.stripped)
            or not _ends_early(ln, nxt, width)
        ):
            break
        taken.append(ln)
        if nxt is None:
            break
        rest = nxt.stripped
        # "Går forandringerne" + "ordentligt for sig?": a two-line title whose second line is
        # the last of the group.
        if k + 2 == len(group) and len(rest) <= 45 and not re.search(r"[.,;]$", rest):
            if not BULLET_RE.match(nxt.text) and not URL_RE.match(rest):
                taken.append(nxt)
            break
        if not (title_like(rest) and _ends_early(nxt, None, width)) or FIELD_RE.match(rest):
            break
    return taken


def _join_parts(parts: list[MappedText], lines: list[Line]) -> list[MappedText]:
    out: list[MappedText] = []
    for k, p in enumerate(parts):
        if k:
            out.append(MappedText.literal(" ", lines[k].start))
        out.append(p)
    return out


def _attach_note_tails(blocks: list[Block]) -> None:
    """A source note is double-spaced in the PDF; its following lines belong to it."""
    k = 0
    while k < len(blocks):
        b = blocks[k]
        if b.type == "note":
            while k + 1 < len(blocks):
                nxt = blocks[k + 1]
                first = nxt.text.text.lstrip()[:1]
                single = "\n" not in nxt.text.text.strip()
                has_url = re.search(r"\S\.(?:dk|com|org|no|nu)\b", nxt.text.text)
                if (
                    nxt.type in ("para", "title")
                    and not nxt.page_start
                    and single
                    and (first.islower() or first in '”"' or has_url)
                ):
                    b.text = MappedText.join(
                        [b.text, MappedText.literal("\n", nxt.text.src[0]), nxt.text]
                    )
                    del blocks[k + 1]
                else:
                    break
        k += 1


# --- text of each block -----------------------------------------------------------------------


def _finish_text(
    parsed: ParsedDocument, lexicon: Lexicon, ocr: OcrRepairer | None, markdown: bool
) -> None:
    for b in parsed.blocks:
        lines = _split_mapped_lines(b.text)
        if ocr is not None:
            fixed = []
            for ln in lines:
                ln, n = ocr.repair(ln)
                parsed.ocr_repaired += n
                fixed.append(ln)
            lines = fixed
        text = join_lines(lines, lexicon)
        if markdown:
            text = strip_markup(text)
        text = upper_danish_letters(join_inner_hyphens(text, lexicon))
        b.text = normalise_spaces(text)


def _repair_heading_typos(parsed: ParsedDocument, lexicon: Lexicon) -> None:
    """A one-off heading one letter from a heading the document uses three times or more is
    that heading ("Vejlen derhen" among eight "Vejen derhen"): it names the same subsection."""
    headings = [b for b in parsed.blocks if b.type in ("heading", "title")]
    counts = Counter(b.text.text.strip() for b in headings)
    usual = [h for h, n in counts.items() if n >= 3]
    for b in headings:
        text = b.text.text.strip()
        if counts[text] != 1 or not usual:
            continue
        right = heading_typo(text, usual, lexicon)
        for mine, theirs in zip(text.split(), (right or "").split(), strict=False):
            if mine != theirs:  # the word alone, so that it still points at its source word
                b.text = b.text.sub(rf"\b{re.escape(mine)}\b", lambda _m, t=theirs: t)


def _capitalise(parsed: ParsedDocument) -> None:
    names = Names.shipped()
    running = [b.text.text for b in parsed.blocks if b.type in ("para", "item", "note")]
    attested = attested_names(running)
    for b in parsed.blocks:
        if b.type in ("para", "item", "note") and not URL_RE.match(b.text.text):
            b.text = capitalise_sentences(b.text, list_item=b.type == "item")
            b.text = capitalise_subordinate_i(capitalise_pronoun_i(b.text))
            b.text = capitalise_conditional_i(capitalise_asked_i(b.text))
            b.text = capitalise_proper_words(capitalise_names(b.text, names), names)
            b.text = capitalise_reference_titles(b.text)
            b.text = restore_attested_names(b.text, attested)
        if not URL_RE.match(b.text.text):
            b.text = restore_acronyms(b.text)


def _split_mapped_lines(text: MappedText) -> list[MappedText]:
    out, start = [], 0
    for i, ch in enumerate(text.text):
        if ch == "\n":
            out.append(text.slice(start, i))
            start = i + 1
    out.append(text.slice(start, len(text)))
    return out


# --- paragraphs cut by page and column breaks -------------------------------------------------


def _repair_continuations(parsed: ParsedDocument, lexicon: Lexicon) -> None:
    """Rejoin paragraphs that a page or column break cut in two.

    Adjacent: "... og med strategisk forny-" / "else af aktiviteter" → one paragraph.
    Interleaved (two-column pages): a paragraph that starts in lower case right after a complete
    one belongs to the nearest earlier paragraph that stopped mid-sentence.
    """
    blocks = parsed.blocks
    # Where paragraphs often start in lower case anyway, only a paragraph right after a box's
    # source note ("Kilde: ...") is taken to continue one that the box interrupted.
    lowercase_starts = _lowercase_start_rate(blocks) > 0.2
    open_ends: list[int] = []  # indices of body blocks that stop mid-sentence
    k = 0
    while k < len(blocks):
        b = blocks[k]
        text = b.text.text
        first_token = text.split(" ")[0]
        # "medarbejderne/kollegerne?" continues; "arbejdsmiljøweb.dk/komvidere" is an address
        starts_lower = text.lstrip("”\"'")[:1].islower() and not _address_like(first_token)
        prev = blocks[k - 1] if k else None
        if b.type == "para" and prev is not None and starts_lower and not b.moved:
            prev_open = prev.type in ("para", "item") and dangles(prev.text.text)
            target = _pick_open_end(blocks, open_ends, b, lexicon, k - 1 if prev_open else None)
            if target == k - 1:
                prev.text = join_across_break(prev.text, b.text, lexicon)
                parsed.joins.append(f"{_short(prev.text.text, -40)} | {_short(text, 30)}")
                del blocks[k]
                if k - 1 in open_ends and not dangles(prev.text.text):
                    open_ends.remove(k - 1)
                continue
            after_box = prev.type == "note" or (
                prev.type == "title" and k >= 2 and blocks[k - 2].type == "title"
            )
            if (
                target is not None
                and target != k - 1
                and not _completes_word(blocks[target], b, lexicon)
                and ((lowercase_starts and not after_box) or len(text.split()) < 5)
            ):
                target = None  # figure labels and the like are not continuations
            if target is not None:
                run_end = _run_end(blocks, k)
                run = blocks[k:run_end]
                del blocks[k:run_end]
                blocks[target].text = join_across_break(blocks[target].text, run[0].text, lexicon)
                for r in run[1:]:
                    r.moved = True
                blocks[target + 1 : target + 1] = run[1:]
                parsed.joins.append(
                    f"{_short(blocks[target].text.text, -40)} <moved> {_short(text, 30)}"
                )
                open_ends = [
                    (i + len(run) - 1 if i > target else i) for i in open_ends if i != target
                ]
                k += len(run) - 1
                k = max(k, 0) + 1
                continue
        if b.type == "para" and len(text) > 40 and dangles(text) and re.search(r"[\w,-]$", text):
            nxt = blocks[k + 1] if k + 1 < len(blocks) else None
            if nxt is None or nxt.break_before >= 1:
                open_ends.append(k)
        open_ends = [i for i in open_ends if k - i <= _reach(blocks[i])]
        k += 1
    _attach_capitalised_continuations(parsed, lexicon)


def _address_like(token: str) -> bool:
    """A web address or a label, not a word that continues a sentence: "arbejdsmiljøweb.dk/
    komvidere", "politikere/" (a column label); "medarbejderne/kollegerne?" is words."""
    if re.search(r"[_=]|\.\w|://", token):
        return True
    return "/" in token and not re.fullmatch(r"[^\W\d_]+(/[^\W\d_]+)+[?.,!:;]*", token)


MAX_INTERRUPTION = 15  # blocks a box or column may put between a paragraph and its continuation
# A paragraph cut inside a word ("… med fokus på samar-") waits longer: only a paragraph whose
# first word completes it ("bejdsudvalgets kerneopgave") is taken as its continuation.
MAX_HYPHEN_INTERRUPTION = 40


def _reach(block: Block) -> int:
    """How many blocks later a paragraph that stops mid-sentence may still be continued."""
    return MAX_HYPHEN_INTERRUPTION if block.text.text.endswith("-") else MAX_INTERRUPTION


def _lowercase_start_rate(blocks: list[Block]) -> float:
    """Share of paragraphs after a complete paragraph that still start in lower case."""
    n = lower = 0
    for prev, b in itertools.pairwise(blocks):
        if prev.type == "para" and b.type == "para" and not dangles(prev.text.text):
            n += 1
            lower += b.text.text[:1].islower()
    return lower / n if n else 0.0


def _pick_open_end(
    blocks: list[Block], open_ends: list[int], b: Block, lexicon: Lexicon, prev: int | None
) -> int | None:
    """Which paragraph does `b` continue? The last index in `open_ends` is the most recent.

    A hyphenated end that forms a known word with `b`'s first word wins; then the paragraph
    right before `b` if it stops mid-sentence; then the most recent one that does.
    """
    candidates = open_ends + ([prev] if prev is not None and prev not in open_ends else [])
    if not candidates:
        return None
    for i in reversed(candidates):
        if _completes_word(blocks[i], b, lexicon):
            return i
    if prev is not None:
        return prev
    for i in reversed(open_ends):
        if not blocks[i].text.text.endswith("-"):
            return i
    return None


def _completes_word(block: Block, b: Block, lexicon: Lexicon) -> bool:
    """`block` ends inside a word that `b`'s first word completes into one the material uses:
    "… med fokus på samar-" and "bejdsudvalgets kerneopgave" (samarbejdsudvalgets)."""
    tail = re.search(r"([^\W\d_]+)-$", block.text.text)
    head = re.match(r"[^\W\d_]+", b.text.text)
    return bool(tail and head and (tail.group(1) + head.group(0)).lower() in lexicon.counts)


def _run_end(blocks: list[Block], k: int) -> int:
    """A moved continuation takes along what follows it, up to the next break, title or note,
    and the "Læs mere" link that closes it (the link names the moved text's own site)."""
    j = k + 1
    while j < len(blocks) and blocks[j].break_before < 2:
        stops = blocks[j].page_start or blocks[j].type in ("heading", "title", "note")
        if stops and not _link_footer(blocks, j):
            break
        j += 1
    return j


_READ_MORE = re.compile(r"^(læs mere|se mere)\s*:?$", re.I)


def _link_footer(blocks: list[Block], j: int) -> bool:
    """A "Læs mere" title whose next block is the address it points to."""
    nxt = blocks[j + 1] if j + 1 < len(blocks) else None
    return bool(
        blocks[j].type == "title"
        and _READ_MORE.match(blocks[j].text.text.strip())
        and nxt is not None
        and nxt.break_before == 0
        and _address_like(nxt.text.text.split(" ")[0])
    )


def _attach_capitalised_continuations(parsed: ParsedDocument, lexicon: Lexicon) -> None:
    """ "... Undervisningsministeriet og Odense" ‖ column break ‖ "Kommune og samarbejder med ..."

    A paragraph that stops mid-sentence right before a column break continues in the first
    paragraph after a later column break that is not a title, when nothing else claimed it.
    """
    blocks = parsed.blocks
    k = 0
    while k < len(blocks) - 1:
        b = blocks[k]
        if (
            b.type == "para"
            and len(b.text.text) > 40
            and dangles(b.text.text)
            and not b.text.text.endswith("-")
            and blocks[k + 1].break_before >= 2
        ):
            for j in range(k + 1, min(len(blocks), k + 40)):
                c = blocks[j]
                if c.break_before >= 2 and c.type == "para" and c.text.text[:1].isupper():
                    if title_like(c.text.text) or c.text.text.rstrip()[-1:] not in ".!?":
                        break
                    b.text = join_across_break(b.text, c.text, lexicon)
                    parsed.joins.append(
                        f"{_short(b.text.text, -40)} <moved> {_short(c.text.text, 30)}"
                    )
                    del blocks[j]
                    break
                if c.type == "heading":
                    break
        k += 1


def _join_split_urls(parsed: ParsedDocument) -> None:
    """ "http://.../Gallupundersoegelse_om_til-" + "lid.pdf": a URL wrapped onto the next line."""
    blocks = parsed.blocks
    k = 0
    while k < len(blocks) - 1:
        a, b = blocks[k].text.text.strip(), blocks[k + 1].text.text.strip()
        if (
            re.match(r"^(?:https?://|www\.)\S+$", a)
            and re.match(r"^[\w./?=&%~#-]+$", b)
            and not re.match(r"^(?:https?://|www\.)", b)
            and (a.endswith(("-", "_", "=", "/")) or re.search(r"[_=./]", b) or _hash_tail(a, b))
        ):
            first = blocks[k].text.strip()
            if a.endswith("-"):
                first = first.slice(0, len(first) - 1)
            blocks[k].text = MappedText.join([first, blocks[k + 1].text.strip()])
            del blocks[k + 1]
            continue
        k += 1


def _hash_tail(url: str, tail: str) -> bool:
    """ "…&cHash=45d34a1661b7d6af9d" + "1debb3f39dbbf3": a hexadecimal value wrapped in two."""
    return bool(re.search(r"[=/][0-9a-f]{6,}$", url) and re.fullmatch(r"[0-9a-f]{6,}", tail))


def _short(s: str, n: int) -> str:
    return s[n:] if n < 0 else s[:n]
