"""Give every block a section path a manager recognises and a kind.

The documents' structure is visible in their own words: "Udfordring 2", "Tjekliste ...",
DELTAGERE/VARIGHED/FREMGANGSMÅDE, a case that ends with "casen stammer fra ...", the
pamphlet's category banners, the ten "Anbefaling N". PDF layout moves some of these away from
what they label (a chapter label printed after the chapter's first page, a case's banner in its
middle, a box title after the box); the rules below put them back.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from rag.ingest.layout import FIELD_RE, NOTE_RE, Block, ParsedDocument
from rag.ingest.outline import outline_labels

CASE_END_RE = re.compile(r"^(?:casen|artiklen)\s+(?:stammer|er)\b", re.I)
EXERCISE_END_RE = re.compile(r"^(?:øvelsen|fasemodellen)\b", re.I)
CHAPTER_RE = re.compile(r"^(Udfordring|Kapitel|Del|Tema)\s+(\d+)\b\s*:?\s*(.*)$", re.I)
CHECKLIST_RE = re.compile(r"^Tjekliste\b\s*:?\s*(.*)$", re.I)
READ_MORE_RE = re.compile(r"^Læs mere om\b", re.I)
CITATION_RE = re.compile(r"\(\d{4}\)|https?://|www\.", re.I)
NUMBERED_FAMILY_RE = re.compile(r"^(Anbefaling|Udfordring|Kapitel)\s+(\d+)\b", re.I)
REFERENCE_TITLES = re.compile(r"^(?:referencer|litteratur|kilder|læs mere)\b", re.I)
PHASE_RE = re.compile(r"^(?:Fase|Trin)\s*\d")
SKIP_TITLES = re.compile(r"^(?:indhold|indholdsfortegnelse)$", re.I)

# What a category banner says about the items under it.
CATEGORY_KINDS = [
    (re.compile(r"initiativ|videnscent", re.I), "initiative"),
    (re.compile(r"undersøgelse|forskning", re.I), "research"),
    (re.compile(r"erfaring|praksis|cases?\b", re.I), "case"),
    (re.compile(r"litteratur|referencer", re.I), "reference"),
]
KIND_PREFIX = {"case": "Case: ", "checklist": "Tjekliste: ", "exercise": "Øvelse: "}


@dataclass
class Section:
    """A run of blocks with one section path and kind; `unit` groups sections chunks may join."""

    path: tuple[str, ...]
    kind: str
    unit: int
    blocks: list[Block] = field(default_factory=list)


def sections(parsed: ParsedDocument) -> list[Section]:
    blocks = parsed.blocks
    if parsed.doc.lines:
        labels = outline_labels(blocks, parsed.doc.title)
    elif parsed.doc.path.suffix.lower() == ".md":
        labels = _markdown_labels(blocks)
    else:
        labels = _text_labels(blocks, parsed.doc.title)
    out: list[Section] = []
    names = proper_words(blocks)
    capitals = {_title_key(b.text.text) for b in blocks if b.caps}  # titles set in capitals
    for block, label in zip(blocks, labels, strict=True):
        if label is None:
            continue
        path, kind, unit = label
        path = tuple(
            restore_proper_words(p, names) if _title_key(p) in capitals else p for p in path
        )
        if out and out[-1].path == path and out[-1].unit == unit:
            out[-1].blocks.append(block)
        else:
            out.append(Section(path, kind, unit, [block]))
    # A title with no text after it (in a scanned copy whose text was dropped as a duplicate,
    # or a stray heading) is no section.
    return [s for s in out if any(b.type not in ("title", "heading") for b in s.blocks)]


class Label(NamedTuple):
    """Where a block belongs: its section path, its kind and the unit chunks may not cross."""

    path: tuple[str, ...]
    kind: str
    unit: int


# --- Markdown ---------------------------------------------------------------------------------


def _markdown_labels(blocks: list[Block]) -> list[Label | None]:
    labels: list[Label | None] = []
    top: str | None = None  # "Anbefaling 3: Sammen om kvaliteten", "Forord"
    sub: str | None = None
    kind = "section"
    unit = 0
    numbered_level: int | None = None
    skipping = False
    for b in blocks:
        text = b.text.text.strip()
        if b.type == "heading":
            title = tidy_title(text)
            family = NUMBERED_FAMILY_RE.match(title)
            if b.level == 1 and not family:
                skipping = bool(SKIP_TITLES.match(title))
                top, sub, numbered_level = (None if skipping else title), None, None
                kind, unit = "section", unit + 1
            elif family:
                numbered_level = b.level
                top, sub, unit = title, None, unit + 1
                kind = "recommendation" if family.group(1).lower() == "anbefaling" else "section"
                skipping = False
            elif numbered_level is not None and top is not None:
                sub = title  # "## Økonomi" under "## Anbefaling 1" is still part of it
                section_kind = "reference" if REFERENCE_TITLES.match(sub) else kind
                labels.append(Label((top, sub), section_kind, unit))  # the title is text too
                continue
            else:
                top, sub, kind, unit = title, None, "section", unit + 1
                skipping = bool(SKIP_TITLES.match(title))
            labels.append(None)
            continue
        if skipping:
            labels.append(None)
            continue
        section_kind = "reference" if sub and REFERENCE_TITLES.match(sub) else kind
        path = tuple(p for p in (top, sub) if p)
        labels.append(Label(path or ("Indledning",), section_kind, unit))
    return labels


# --- PDF and plain text -----------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A titled unit inside a chapter or part: a checklist, exercise, reference or text box.

    `ends_at_note`: the box closes at its "Kilde:" note, and the subsection that was open before
    it comes back (a checklist box in the middle of a chapter's text).
    """

    title: str
    kind: str
    ends_at_note: bool = False


class _TextLabeller:
    """Walks the blocks of a PDF or text document once, knowing where it stands.

    Where it stands is a small state: the chapter, the category banner and its kind, the part,
    the item under a category, the open box, the subsection and the unit number. Each rule of
    the document's layout is one named transition on that state (open a box, close it, enter a
    case, ...); `label` decides which rule a block triggers and returns its label.
    """

    def __init__(self, blocks: list[Block], doc_title: str) -> None:
        self.blocks = blocks
        self.acronyms = acronyms(blocks)
        self.case_of = _case_regions(blocks)
        self.chapter_of = _chapters(blocks, self.case_of)
        self.trailing = _trailing_labels(blocks, self.case_of, doc_title)
        self.categories = _category_headings(blocks)
        _fix_category_order(blocks, self.categories)
        self._case_titles: dict[int, tuple[str, set[int]]] = {}
        self.unit = 0
        self.chapter: str | None = None
        self.category: str | None = None
        self.category_kind = "section"
        self.part: str | None = None
        self.item: str | None = None  # caps item heading under a category
        self.box: Box | None = None
        self.sub: str | None = None
        self.restore_sub: str | None = None  # the subsection a closing box gives back
        self.case: int | None = None

    def labels(self) -> list[Label | None]:
        return [self.label(i, b) for i, b in enumerate(self.blocks)]

    def label(self, i: int, b: Block) -> Label | None:
        text = b.text.text.strip()
        self._follow_chapter(i)
        if FIELD_RE.match(text) and self._in_box("exercise"):
            return self._here()  # DELTAGERE, VARIGHED, FREMGANGSMÅDE stay in the exercise's text
        if self.case_of[i] is not None:
            return self._case_block(i, b, text)
        self._leave_case()
        if i in self.trailing:
            self._open_trailing(i)
        if b.type == "heading" or (b.type == "title" and b.caps and not FIELD_RE.match(text)):
            return self._heading(i, text)
        if b.type == "title":
            return self._title(i, b, text)
        return self._body(b, text)

    # --- where the block stands ---------------------------------------------------------------

    def _here(self) -> Label:
        path: list[str] = []
        kind = "section"
        if self.chapter:
            path.append(self.chapter)
        elif self.category:
            path.append(self.category)
            kind = self.category_kind
        elif self.part:
            path.append(self.part)
        if self.item:
            path.append(self.item)
        if self.box:
            prefix = KIND_PREFIX.get(self.box.kind, "")
            title = self.box.title
            named = title.lower().startswith(prefix.lower().strip(": "))
            path.append(title if named else prefix + title)
            kind = self.box.kind
        if self.sub:
            path.append(self.sub)
        if kind == "section" and self.sub and REFERENCE_TITLES.match(self.sub) and not self.item:
            kind = "reference"
        return Label(tuple(path) or ("Indledning",), kind, self.unit)

    def _in_box(self, *kinds: str) -> bool:
        return self.box is not None and self.box.kind in kinds

    # --- transitions --------------------------------------------------------------------------

    def _next_unit(self) -> None:
        self.unit += 1

    def _follow_chapter(self, i: int) -> None:
        """A new chapter closes the part, the box and the subsection."""
        chapter = self.chapter_of[i]
        if chapter != self.chapter:
            self.part, self.box, self.sub = None, None, None
            self._next_unit()
            self.chapter = chapter

    def _open_box(self, box: Box, keep_sub: bool = False) -> None:
        if keep_sub:
            self.restore_sub = self.sub
        self.box, self.sub = box, None
        self._next_unit()

    def _close_box(self, restore: bool = True) -> None:
        self.box = None
        self.sub = self.restore_sub if restore else None
        self._next_unit()

    def _open_reference(self, title: str) -> None:
        """A "Læs mere om ..." box: literature until the first line that is not a reference."""
        if self.box is None:
            self.restore_sub = self.sub
        self._open_box(Box(title.rstrip(":"), "reference"))

    def _case_block(self, i: int, b: Block, text: str) -> Label | None:
        """Cases own their blocks completely: banner titles name them, other titles are
        subsections, everything else is case text."""
        case = self.case_of[i]
        assert case is not None
        if case != self.case:
            self.case, self.sub = case, None
            self._next_unit()
        title, banner = self._case_title(case)
        if i in banner:
            return None
        if b.type == "title":
            self.sub = tidy_title(text)  # and the title is the first line of its subsection
        base = (self.chapter,) if self.chapter else ((self.category,) if self.category else ())
        path = (*base, "Case: " + title, *((self.sub,) if self.sub else ()))
        return Label(path, "case", self.unit)

    def _case_title(self, case: int) -> tuple[str, set[int]]:
        if case not in self._case_titles:
            self._case_titles[case] = _case_title(self.blocks, self.case_of, case)
        return self._case_titles[case]

    def _leave_case(self) -> None:
        if self.case is not None:
            self.case, self.sub, self.box = None, None, None

    def _open_trailing(self, i: int) -> None:
        """A title printed after what it labels opens its box where the labelled text began;
        the document's own title at the end opens the back cover."""
        title, kind = self.trailing[i]
        if kind == "back":
            self.part, self.box, self.item = title, None, None
            self.chapter = None
            self.chapter_of[i:] = [None] * (len(self.blocks) - i)
            self.sub = None
            self._next_unit()
        else:
            self._open_box(Box(title, kind))

    def _heading(self, i: int, text: str) -> None:
        """Headings (and caps titles) name a category banner, an item under it, or a part."""
        title = tidy_title(text, self.acronyms)
        if CHAPTER_RE.match(title):
            return None
        if i in self.categories:
            self.category, self.category_kind = title, _category_kind(title)
            self.item, self.part = None, None
        elif self.categories or self.item is not None:
            self.item = title
        else:
            self.part, self.item = title, None
        self.box, self.sub = None, None
        self._next_unit()
        return None

    def _title(self, i: int, b: Block, text: str) -> Label | None:
        """Titles open checklists, reference boxes, page units and text boxes, continue an
        exercise's phases, or name a subsection."""
        title = tidy_title(text)
        if CHAPTER_RE.match(title) or i in self.trailing.values_at:
            return None
        checklist = CHECKLIST_RE.match(title)
        if checklist and i not in self.trailing.starts:
            name = tidy_title(checklist.group(1)) or title
            self._open_box(Box(name, "checklist", ends_at_note=True), keep_sub=True)
            return None
        if READ_MORE_RE.match(title):
            self._open_reference(title)
            return None
        if self._in_box("reference"):
            if CITATION_RE.search(title):
                return self._here()  # a literature line set as a title
            self._close_box()
        if b.page_start and self._in_box("exercise") and PHASE_RE.match(title):
            self.sub = title  # "Fase 2: ..." continues the exercise on the next page
            return self._here()  # and is a line of its steps
        if b.page_start and i not in self.trailing.starts:
            self._open_page_unit(i, title)
            return None
        if _is_box_title(self.blocks, i) and self.box is None:
            kind = "checklist" if _is_checklist_box(self.blocks, i) else "section"
            self._open_box(Box(title, kind, ends_at_note=True), keep_sub=True)
            return None
        box = self.box
        if box and box.kind in ("exercise", "checklist", "recommendation") and not box.ends_at_note:
            return self._here()  # a title inside an exercise, checklist or recommendation
        self.sub = title
        return self._here()  # a subsection's title is the first line of its text

    def _open_page_unit(self, i: int, title: str) -> None:
        """A page that starts with a title: an exercise, checklist or recommendation box, a
        text box inside a chapter, or a new part of plain text."""
        kind = _unit_kind(self.blocks, i)
        if kind == "section" and not self.chapter:
            self.part = title
            self.box, self.sub = None, None
            self._next_unit()
        else:
            self._open_box(Box(title, kind))

    def _body(self, b: Block, text: str) -> Label | None:
        """Body text belongs where the state stands; a note may close the box it ends."""
        if b.type == "para" and READ_MORE_RE.match(text) and len(text) < 80:
            self._open_reference(text)
            return None
        is_reference = CITATION_RE.search(text) and len(text) < 200
        if self._in_box("reference") and not READ_MORE_RE.match(text) and not is_reference:
            self._close_box()
        label = self._here()
        if b.type == "note" and self.box is not None:
            if self.box.ends_at_note:
                self._close_box()
            elif self.box.kind == "exercise" and EXERCISE_END_RE.match(text):
                self._close_box(restore=False)
        return label


def _text_labels(blocks: list[Block], doc_title: str) -> list[Label | None]:
    return _TextLabeller(blocks, doc_title).labels()


def _case_regions(blocks: list[Block]) -> list[int | None]:
    """Each case runs from the block after the previous unit's closing note to its own note."""
    case_of: list[int | None] = [None] * len(blocks)
    last_note = -1
    case_id = 0
    for i, b in enumerate(blocks):
        if b.type != "note":
            continue
        if CASE_END_RE.match(b.text.text.strip()):
            start = last_note + 1
            while (
                start < i
                and blocks[start].type == "title"
                and CHAPTER_RE.match(blocks[start].text.text)
            ):
                start += 1
            for j in range(start, i + 1):
                case_of[j] = case_id
            case_id += 1
        last_note = i
    return case_of


def _case_title(blocks: list[Block], case_of: list[int | None], case: int) -> tuple[str, set[int]]:
    """A case's banner is two short titles in a row ("Danske Bank" + "Fælles prioritering ...")."""
    idx = [i for i, c in enumerate(case_of) if c == case]
    for i in idx[:-1]:
        a, b = blocks[i], blocks[i + 1]
        if (
            a.type == "title"
            and b.type == "title"
            and case_of[i + 1] == case
            and len(a.text.text) <= 60
            and not a.page_start
            and not b.page_start
        ):
            return f"{tidy_title(a.text.text)} – {tidy_title(b.text.text)}", {i, i + 1}
    first = blocks[idx[0]].text.text
    return tidy_title(" ".join(first.split()[:8])), set()


def _chapters(blocks: list[Block], case_of: list[int | None]) -> list[str | None]:
    """ "Udfordring 1 / Stil skarpt på kerneopgaven" is printed after the chapter's first page:
    the chapter starts at the text frame where that page began."""
    out: list[str | None] = [None] * len(blocks)
    starts: list[tuple[int, str]] = []
    for i, b in enumerate(blocks):
        m = CHAPTER_RE.match(b.text.text.strip()) if b.type == "title" else None
        if not m:
            continue
        name = f"{m.group(1).capitalize()} {m.group(2)}"
        if m.group(3):
            name += f": {tidy_title(m.group(3))}"
        start = i
        for j in range(i - 1, max(-1, i - 60), -1):
            if blocks[j].page_start:
                start = j
                break
        starts.append((start, name))
    # A page that starts with a plain section title after the last chapter ends it
    # ("En opgave for hele virksomheden").
    ends: list[int] = []
    for k, (start, _) in enumerate(starts):
        nxt = starts[k + 1][0] if k + 1 < len(starts) else len(blocks)
        end = nxt
        for j in range(start + 1, nxt):
            b = blocks[j]
            if (
                b.type == "title"
                and b.page_start
                and case_of[j] is None
                and j > start + 1
                and _unit_kind(blocks, j) == "section"
                and k + 1 == len(starts)
            ):
                end = j
                break
        ends.append(end)
    for (start, name), end in zip(starts, ends, strict=True):
        for j in range(start, end):
            out[j] = name
    return out


class _Trailing(dict):
    """Titles printed after what they label: {first labelled block: (title, kind)}."""

    def __init__(self) -> None:
        super().__init__()
        self.values_at: set[int] = set()  # where the label itself stands
        self.starts: set[int] = set()


def _trailing_labels(blocks: list[Block], case_of: list[int | None], doc_title: str) -> _Trailing:
    out = _Trailing()
    for i, b in enumerate(blocks):
        if b.type != "title" or case_of[i] is not None or i == 0:
            continue
        text = b.text.text.strip()
        if CHAPTER_RE.match(text) or FIELD_RE.match(text) or blocks[i - 1].type == "heading":
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        followed_by_break = (
            nxt is None
            or nxt.page_start
            or (
                nxt.type == "note"
                and NOTE_RE.match(nxt.text.text)
                and nxt.text.text.lower().startswith("kilde")
            )
        )
        if not followed_by_break:
            continue
        prev = blocks[i - 1]
        checklist = CHECKLIST_RE.match(text)
        back_cover = text.casefold() == doc_title.casefold()
        if prev.type == "title" and not checklist:
            continue
        start = None
        for j in range(i - 1, -1, -1):
            bj = blocks[j]
            if bj.page_start:
                start = j
                break
            if back_cover:
                continue
            if not checklist and (bj.type in ("note", "title") or case_of[j] is not None):
                start = j + 1
                break
            if (
                not checklist
                and bj.type == "para"
                and CITATION_RE.search(bj.text.text)
                and len(bj.text.text) < 200
            ):
                start = j + 1
                break
        if start is None:
            start = 0
        if start >= i:
            continue
        rest = checklist.group(1) if checklist else ""
        title = tidy_title(rest) if rest[:1].isupper() else tidy_title(text)
        kind = "checklist" if checklist else "section"
        if back_cover:
            title, kind = f"{tidy_title(text)} (bagsiden)", "back"
        out[start] = (title, kind)
        out.values_at.add(i)
        out.starts.add(start)
    return out


def _unit_kind(blocks: list[Block], i: int) -> str:
    """What a page that starts with a title holds: an exercise, a checklist, or plain text."""
    end = i + 1
    while end < len(blocks) and not (blocks[end].page_start and blocks[end].type == "title"):
        end += 1
    body = blocks[i + 1 : end]
    titles = [b.text.text for b in body if b.type == "title"]
    if any(FIELD_RE.match(t) for t in titles) or any(re.match(r"^Fase\s+\d", t) for t in titles):
        return "exercise"
    intro = " ".join(b.text.text for b in body[:2]).lower()
    if "tjekliste" in intro:
        return "checklist"
    if "anbefalinger" in intro:
        return "recommendation"
    if any(FIELD_RE.match(b.text.text) for b in body):
        return "exercise"
    return "section"


def _is_box_title(blocks: list[Block], i: int) -> bool:
    """A title whose content ends with a "Kilde:" note within a few blocks is a box."""
    for j in range(i + 1, min(len(blocks), i + 9)):
        b = blocks[j]
        if b.type == "note":
            return b.text.text.lower().startswith("kilde")
        if b.type in ("title", "heading") or b.page_start:
            return False
    return False


def _is_checklist_box(blocks: list[Block], i: int) -> bool:
    items = []
    for b in blocks[i + 1 : i + 9]:
        if b.type == "note":
            break
        if b.type == "item":
            items.append(b.text.text)
    return bool(items) and sum("?" in t for t in items) >= len(items) / 2


def _category_headings(blocks: list[Block]) -> set[int]:
    """Category banners: caps headings named in the introduction's list of what the
    document contains ("Der er eksempler på: • Initiativer ... • Videnscentre ...")."""
    first_heading = next((i for i, b in enumerate(blocks) if b.type == "heading"), len(blocks))
    intro_words = {
        _stem(b.text.text.split()[0])
        for b in blocks[:first_heading]
        if b.type == "item" and b.text.text.split()
    }
    cats = set()
    for i, b in enumerate(blocks):
        if b.type != "heading":
            continue
        words = b.text.text.split()
        if words and _stem(words[0]) in intro_words:
            cats.add(i)
    return cats


def _fix_category_order(blocks: list[Block], categories: set[int]) -> None:
    """A category banner printed after its first item ("PROJEKT I POLITIET" ... "ERFARINGER FRA
    ARBEJDSPLADSER"): move it before that item when the item's questions ("Hvad har de gjort?",
    "Resultater") match the items after the banner better than those before it."""
    heads = [i for i, b in enumerate(blocks) if b.type == "heading"]
    for c in sorted(categories):
        before = [h for h in heads if h < c]
        if not before or before[-1] in categories:
            continue
        item = before[-1]
        after_items = [h for h in heads if h > c and h not in categories][:2]
        prev_items = [h for h in before[:-1] if h not in categories][-2:]
        own = _subtitles(blocks, item, heads)
        score_after = sum(len(own & _subtitles(blocks, h, heads)) for h in after_items)
        score_before = sum(len(own & _subtitles(blocks, h, heads)) for h in prev_items)
        if score_after > score_before:
            banner = blocks.pop(c)
            blocks.insert(item, banner)
            categories.discard(c)
            categories.add(item)
            heads = [i for i, b in enumerate(blocks) if b.type == "heading"]


def _subtitles(blocks: list[Block], h: int, heads: list[int]) -> set[str]:
    end = next((x for x in heads if x > h), len(blocks))
    return {b.text.text.strip().lower() for b in blocks[h + 1 : end] if b.type == "title"}


def _category_kind(title: str) -> str:
    for pattern, kind in CATEGORY_KINDS:
        if pattern.search(title):
            return kind
    return "section"


def _stem(word: str) -> str:
    return re.sub(r"\W", "", word.lower())[:6]


def tidy_title(text: str, keep_upper: set[str] | None = None) -> str:
    """Titles as a manager would write them: "SAMARBEJDSAFTALEN" -> "Samarbejdsaftalen"."""
    text = _plain_title(text)
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        words = text.lower().split()
        keep_upper = keep_upper or set()
        out = []
        for k, w in enumerate(words):
            bare = re.sub(r"\W", "", w)
            if bare.upper() in keep_upper:
                w = w.upper()
            elif k == 0 or (k > 0 and words[k - 1].endswith(("”", "–"))):
                w = _cap_first(w)
            out.append(w)
        text = " ".join(out)
        text = re.sub(r"”(\w)", lambda m: "”" + m.group(1).upper(), text)
    return text


def _cap_first(w: str) -> str:
    for k, c in enumerate(w):
        if c.isalpha():
            return w[:k] + c.upper() + w[k + 1 :]
    return w


def acronyms(blocks: list[Block]) -> set[str]:
    """Words a document writes in capitals in running text at least twice (CLIPS, OAO, TR)."""
    counts: Counter[str] = Counter()
    for b in blocks:
        if b.type in ("para", "item"):
            counts.update(re.findall(r"\b[A-ZÆØÅ]{2,}\b", b.text.text))
    return {w for w, n in counts.items() if n >= 2}


# A capitalised word inside a sentence: after a lower-case word or a comma, not after a full stop.
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-zæøå,] )([A-ZÆØÅ][a-zæøå]{2,})\b")
_LOWER_WORD = re.compile(r"(?<![\w./@\-−–])([a-zæøå]{3,})(?![\w./@\-−–])")


def _plain_title(text: str) -> str:
    """A title without bold marks, extra spaces and a closing colon."""
    return " ".join(text.replace("**", "").split()).strip(" :")


def _title_key(text: str) -> str:
    return _plain_title(text).lower()


def proper_words(blocks: list[Block]) -> set[str]:
    """Words a document's running text capitalises inside sentences and never writes in lower
    case (Kriminalforsorgen, Glostrup): names, which a title set in capitals lost."""
    capital: set[str] = set()
    lower: set[str] = set()
    for b in blocks:
        if b.type in ("para", "item", "note"):
            capital.update(w.lower() for w in _MID_SENTENCE_CAPITAL.findall(b.text.text))
            lower.update(_LOWER_WORD.findall(b.text.text))
    return capital - lower


def restore_proper_words(title: str, names: set[str]) -> str:
    """ "Projekt i kriminalforsorgen" → "Projekt i Kriminalforsorgen", when the document's
    running text writes Kriminalforsorgen as a name (`proper_words`)."""
    return _LOWER_WORD.sub(
        lambda m: m.group(1).capitalize() if m.group(1) in names else m.group(1), title
    )
