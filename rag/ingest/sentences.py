"""Whole, clean sentences of a chunk, with their offsets, for the answer to quote.

An extractive answer is only as good as its sentences: a chunk may begin or end mid-sentence
(chunks overlap), bullets are units of their own, and links or "Kilde:" lines are not answers.
Each `Sentence` keeps its offsets in the chunk text so a citation can point at the exact span.

Danish specifics: a full stop after an abbreviation ("bl.a.", "nr.", "ca.") or a numbered item
("3. Om nye rammer") does not end a sentence; a sentence that opens with a connective or a
pointer ("Men …", "Samtidig …", "Dette …", "De fungerer …") leans on the one before it and is
marked `depends`; a sentence ending in a colon announces the list after it (`announces`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from rag.documents import Chunk
from rag.ingest.pronoun import finite_verb

BULLET = "•"
# Bump when the rules below change which sentences exist: ingest then embeds the new ones.
SENTENCES_VERSION = "13"
# Abbreviations whose full stop never ends a sentence, even before a capital or a digit
# ("bl.a. Moderniseringsstyrelsen", "ca. 250", "nr. 7"). Lower-cased, without the last stop.
ABBREVIATIONS = frozenset(
    [
        "nr",
        "ca",
        "bl.a",
        "hhv",
        "fx",
        "f.eks",
        "dvs",
        "jf",
        "jvf",
        "mio",
        "mia",
        "kr",
        "kl",
        "evt",
        "inkl",
        "pga",
        "st",
        "ang",
        "vedr",
        "o.l",
        "ifm",
        "iht",
        "ift",
        "mht",
        "pct",
        "tlf",
        "bl",
        "ekskl",
        "vha",
        "s",
        "p.t",
    ]
)
# Abbreviations that also close a sentence ("… kaffeøer mv. I nogle …"): a capital after them
# starts a new one, a digit or a lower-case word does not.
CLOSING_ABBREVIATIONS = frozenset(["osv", "mv", "m.v", "m.fl", "m.m", "etc", "o.a"])
# A candidate sentence end: . ! ? (and a closing quote) before whitespace and an upper-case
# letter, digit, bullet or quote; or a line break, which ends a line-unit (bullets, headings).
_END = re.compile(r"(?<=[.!?])[”\"’)]?\s+(?=[A-ZÆØÅ0-9•”\"“(])|\n+")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_URL = re.compile(r"https?://|www\.", re.I)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_STEP_NUMBER = re.compile(r"^•?\s*\(?\d{1,2}[.)]$")
_SOURCE_LINE = re.compile(r"^(Kilde|Kilder|Læs mere|Se også)\b\s*:?", re.I)
# "Casen stammer fra …", "Øvelsen er inspireret af …", "Fasemodellen bygger på …".
_SOURCE_NOTE = re.compile(
    r"^\w+(?:en|et)\s+(?:stammer fra|bygger på|er inspireret af|er en forkortet|er en bearbejdet)",
    re.I,
)
# "Den bearbejdede udgave af casen er godkendt af Inge Mærkedahl." – who approved a case.
_APPROVED = re.compile(r"\budgave af (?:casen|teksten|artiklen)\b.*\bgodkendt af\b", re.I)
# "Hasle, thoft og olesen (2010): ”ledelse med social kapital”." – a literature line.
_REFERENCE = re.compile(r"\(\d{4}[a-z]?\)\s*:?\s*[”\"“]")

# A sentence that names a number of things ("tre vigtige forudsætninger", "følgende").
_COUNTED = re.compile(
    r"\b(to|tre|fire|fem|seks|syv|otte|ni|ti|\d+)\s+(\w+\s+)?\w+(er|ne)\b|\bfølgende\b", re.I
)
# Openers that make a sentence lean on the one before it (notes: answers-without-an-llm.md).
_CONNECTIVES = frozenset(
    [
        "men",
        "og",
        "samtidig",
        "derfor",
        "dermed",
        "desuden",
        "endelig",
        "også",
        "både",
        "her",
        "dette",
        "disse",
        "dét",
        "heller",
        "hertil",
        "dertil",
        "således",
        "ligeledes",
        "derudover",
        "herudover",
        "alligevel",
        "tilsvarende",
        "omvendt",
        "hermed",
        "derved",
        "sådan",
        "eksempelvis",
        "fx",
        "denne",
        "deres",
        "dens",
        "dets",
        "endvidere",
        "ydermere",
        "især",
    ]
)
# Openers of several words, matched as whole words from the sentence's start ("På den anden
# side skal du formidle …" answers the "På den ene side …" before it).
_PHRASE_CONNECTIVES = (
    "til gengæld",
    "på den måde",
    "på samme måde",
    "på den anden side",
    "i det tilfælde",
    "i den forbindelse",
    "af den grund",
    "det samme",
)
_MEANS_THAT = re.compile(
    r"^det (?!(?:er|var|bliver|blev|kan|skal|vil|må|gælder|handler|handlede)\b)[^\W\d_]+"
    r"(?: (?:også|dog|blandt andet|langtfra|altså|derfor|typisk|ofte|netop|i realiteten))*, at\b"
)
# Words that open the clause a forward-looking "det" stands for ("Det er vigtigt at …").
_FORWARD = frozenset(["at", "om", "hvis", "når", "hvor", "hvordan"])
_AFTER_COMMA = _FORWARD - {"hvor"}
_PREPOSITIONS = frozenset("for til på om med af i ved fra over under efter".split())
# Subjects that follow the verb when something else opens the clause ("Det er du nødt til …");
# "de" is left out: "Det er de færreste, der …" is a cleft, not a pointer.
_SUBJECT_PRONOUNS = frozenset("du vi man jeg han hun".split())
# After "De"/"Den" a finite verb means a pointer ("De fungerer som …"), not an article.
_FINITE_VERBS = frozenset(
    "kender mener oplever arbejder bruger hjælper sidder taler ønsker tror vælger deltager "
    "fortæller siger ser hedder findes mødes skaber sikrer viser betyder handler består".split()
) | frozenset(
    [
        "er",
        "var",
        "har",
        "havde",
        "kan",
        "kunne",
        "skal",
        "skulle",
        "vil",
        "ville",
        "må",
        "måtte",
        "bør",
        "burde",
        "bliver",
        "blev",
        "får",
        "fik",
        "gør",
        "gjorde",
        "giver",
        "gav",
        "går",
        "gik",
        "står",
        "stod",
        "kommer",
        "kom",
        "ligger",
        "lå",
        "tager",
        "tog",
    ]
)


@dataclass(frozen=True)
class Sentence:
    """`text` is clean for display; `start`/`end` are offsets of the original in `chunk.text`;
    `index` is the unit's position in `split(chunk)`."""

    text: str
    start: int
    end: int
    bullet: bool = False
    heading: bool = False
    index: int = 0
    continues: bool = False  # on the same line as the unit before it (a bullet item's rest)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def depends(self) -> bool:
        """Leans on the sentence before it: quoted alone it reads as a fragment."""
        return depends_on_previous(self.text)

    @property
    def announces(self) -> bool:
        """Introduces the list that follows it ("… består af tre elementer:")."""
        return self.text.rstrip().endswith(":") and not self.heading

    @property
    def counts(self) -> bool:
        """Names how many things follow ("Der er tre vigtige forudsætninger for, …")."""
        return bool(_COUNTED.search(self.text)) and not self.heading

    @property
    def source_line(self) -> bool:
        """A "Kilde:" line, a literature reference, or a note on where a case comes from or
        who approved it."""
        return bool(
            _SOURCE_LINE.match(self.text)
            or _SOURCE_NOTE.match(self.text)
            or _APPROVED.search(self.text)
            or _REFERENCE.search(self.text)
        )


def split(chunk: Chunk) -> tuple[Sentence, ...]:
    """Every unit of the chunk: sentences, bullet items and heading lines, in order."""
    return split_text(chunk.text)


@lru_cache(maxsize=8192)
def split_text(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    pos = 0
    same_line = False
    for match in [*_END.finditer(text), None]:
        end = match.start() if match else len(text)
        if match and not _ends_here(text, pos, match):
            continue
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            start = pos + lead
            bullet = body.startswith(BULLET)
            if bullet:
                body = body.lstrip(BULLET).strip()
            out.append(
                Sentence(
                    text=tidy(body),
                    start=start,
                    end=start + len(piece.strip()),
                    bullet=bullet,
                    heading=_is_heading(body),
                    index=len(out),
                    continues=same_line and bool(out),
                )
            )
        pos = match.end() if match else len(text)
        same_line = bool(match) and "\n" not in match.group(0)
    return tuple(out)


def _ends_here(text: str, pos: int, match: re.Match) -> bool:
    """Is this candidate a real sentence end? Line breaks always are; a full stop is not after
    a numbered item ("0. Forberedelse"), an ordinal, or an abbreviation."""
    if "\n" in match.group(0):
        return True
    before = text[pos : match.start()].strip()
    if _STEP_NUMBER.match(before) or _STEP_NUMBER.match(before.split("\n")[-1].strip()):
        return False  # "• 0. Forberedelse", "3. Om nye rammer": a numbered item
    word = _WORD_BEFORE.search(before.rstrip('”"’)'))
    if not word or not before.rstrip('”"’)').endswith("."):
        return True
    token = word.group(1).lower().lstrip("(")
    if token in ABBREVIATIONS:
        return False
    nxt = text[match.end() : match.end() + 1]
    if token in CLOSING_ABBREVIATIONS:
        return nxt.isupper()  # "mv. I nogle …" ends; "m.fl. 2013" does not
    if token.isdigit() and len(token) <= 2:
        return not (nxt.isdigit() or nxt.islower())  # "1. oktober", "kl. 9.30"
    return True


def depends_on_previous(text: str) -> bool:
    """Does the sentence open with a connective or a pointer to what came before?"""
    words = re.findall(r"[^\W\d_]+", text.lower())[:10]
    if not words:
        return False
    first = words[0]
    opening = " ".join(words[:4]) + " "
    if first in _CONNECTIVES or any(opening.startswith(p + " ") for p in _PHRASE_CONNECTIVES):
        # "Dette hæfte er skrevet til dig": a determiner, not a pointer back.
        return not (
            first in ("dette", "denne") and len(words) > 1 and words[1] not in _FINITE_VERBS
        )
    if first in ("de", "den"):
        # "De fungerer som …" points back; "De faggrupper, …" is an article and a noun.
        nxt = words[1] if len(words) > 1 else ""
        return nxt in _FINITE_VERBS or nxt.endswith("erer")
    if first == "det":
        # "Det er du nødt til at afklare …", "Det kan man gøre ved at …": "det" is the object
        # put first, its subject after the verb, and it means what was said before.
        said = re.findall(r"[^\W\d_]+", text)[:3]  # "I" the pronoun, not "i" the preposition
        if len(said) > 2 and (said[2] == "I" or said[2].lower() in _SUBJECT_PRONOUNS):
            return True
        # "Det betyder, at …", "Det indebærer, at du …": "det" is the subject, what was said
        # before, and the clause is what it means ("Det skaber ro, at …" and "Det viste sig,
        # at …" put a clause in its place instead: a noun or "sig" stands between).
        if _MEANS_THAT.match(text.lower()):
            return True
        return not _looks_forward(text)
    return False


def _looks_forward(text: str) -> bool:
    """Does an opening "Det" stand for a clause that follows ("Det er vigtigt at …", "Det kan
    virke enkelt at …", "Det er … vigtigt, at …")? Not in "Det giver spild af ressourcer",
    "Det er en rolle, det er nemt at …" or "Det kan dels …, dels sikre, at …": that clause
    comes before the first comma, or right after it ("…, at", "…, hvordan"; not "…, hvor", a
    relative clause; after a preposition, "chancen for, at …", the clause is the
    preposition's)."""
    head, _, rest = text.lower().partition(",")
    before = re.findall(r"[^\W\d_]+", head)
    after = re.findall(r"[^\W\d_]+", rest)[:1]
    if after and after[0] in _AFTER_COMMA and before and before[-1] not in _PREPOSITIONS:
        return True
    return any(w in _FORWARD for w in before[1:9])


def quotable(chunk: Chunk, sentences: tuple[Sentence, ...] | None = None) -> list[Sentence]:
    """The sentences an answer may quote: whole, prose, not links, not cut at the chunk edges."""
    sentences = split(chunk) if sentences is None else sentences
    keep: list[Sentence] = []
    for i, s in enumerate(sentences):
        if s.heading or _URL.search(s.text) or s.source_line:
            continue
        if not 3 <= s.words <= 70 or (s.words < 5 and not s.text.endswith(".")):
            continue
        if i == 0 and not s.bullet and _starts_mid_sentence(chunk.text):
            continue
        if not _ends_sentence(s.text) and not s.bullet:
            continue
        if s.announces and not _items_follow(sentences, i):
            continue  # introduces a list the chunk does not hold
        keep.append(s)
    return keep


def statements(chunk: Chunk) -> list[Sentence]:
    """Quotable sentences that state something: no questions (a checklist's own), and no list
    items without a full stop (fragments out of their list). The sentences an answer ranks; a
    sentence announcing a list competes too, and brings its items."""
    return [
        s
        for s in quotable(chunk)
        if (s.announces or _states(s.text) or (s.bullet and whole_clause(s.text)))
        and (not s.text.endswith("?") or ": " in s.text)
    ]


# Words that open a relative or subordinate clause: a verb after them is not the item's own.
_SUBORDINATING = frozenset(
    "der som hvor når hvis at om fordi mens hvordan hvad hvilke hvem inden før".split()
)


def whole_clause(text: str) -> bool:
    """A list item that is a sentence of its own without its full stop: a finite verb after
    its subject among its first words ("Sygefraværet, frafaldet og mobningen er mindsket i de
    deltagende institutioner", "Metoden går ud på at afdække …"), not only in a relative
    clause ("Et lokale, hvor I kan være alle sammen") and not a bare predicate ("Formidler
    viden og erfaringer …")."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < 6 or not words[0][:1].isupper():
        return False
    for k, (before, word) in enumerate(itertools.pairwise(w.lower() for w in words[:7])):
        if k and before in _SUBORDINATING:  # first, "Der" is no relative pronoun
            return False
        if finite_verb(word) or (word == "går" and before != "i"):  # "i går" is yesterday
            return True
    return False


def _states(text: str) -> bool:
    """Ends like a statement, or like an instruction followed by the question it raises
    ("Afklar ledelsesrummet under forandringen: Hvad er besluttet …?")."""
    if ends_in_address(text):
        return True  # "… ved henvendelse til Kontoret for … movan@modst.dk"
    end = text.rstrip('”"’) ')
    return end.endswith((".", "!")) or (end.endswith("?") and ": " in text)


@dataclass(frozen=True)
class QuoteUnit:
    """A sentence as it may be quoted: with the sentence before it when it leans on that one,
    and with the items of the list it announces."""

    sentence: Sentence
    parts: tuple[Sentence, ...]  # in source order

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.parts)


MAX_LIST_ITEMS = 8


def quote_units(chunk: Chunk) -> list[QuoteUnit]:
    """Every statement of the chunk as a unit that reads on its own; a sentence leaning on one
    that cannot be quoted is left out. Ingest embeds each unit's text, answers rank them."""
    sentences = split(chunk)
    whole = {s.index for s in quotable(chunk, sentences)}
    out: list[QuoteUnit] = []
    for s in statements(chunk):
        parts = _leaning_chain(sentences, whole, s)
        if parts is None:
            continue
        if s.announces or (s.counts and not s.bullet):
            parts += list_items(sentences, s.index, MAX_LIST_ITEMS)
        out.append(QuoteUnit(s, tuple(parts)))
    return out


def _leaning_chain(
    sentences: tuple[Sentence, ...], whole: set[int], s: Sentence, longest: int = 3
) -> list[Sentence] | None:
    """`s` with the sentences it leans on, back to one that stands alone ("Hvordan …? Og i
    hvilken grad …? Det var nogle af de spørgsmål, …"); None when that start cannot be quoted."""
    chain = [s]
    while chain[0].depends and not chain[0].bullet:
        before = chain[0].index - 1
        if before not in whole or len(chain) == longest:
            return None
        chain.insert(0, sentences[before])
    return chain


def list_head(sentences: tuple[Sentence, ...], i: int) -> Sentence | None:
    """For a list item (or a sentence continuing one), the sentence that introduces its list:
    the nearest prose line before it."""
    for s in reversed(sentences[:i]):
        if not s.bullet and not s.continues:
            return None if s.heading else s
    return None


def list_items(sentences: tuple[Sentence, ...], i: int, limit: int = 12) -> list[Sentence]:
    """The bullet items right after unit `i` (the list it announces), each with the sentences
    that continue it on its line; at most `limit` items."""
    items: list[Sentence] = []
    count = 0
    for s in sentences[i + 1 :]:
        if s.bullet:
            if count == limit:
                break
            count += 1
        elif not (s.continues and items):
            break
        items.append(s)
    return items


def _items_follow(sentences: tuple[Sentence, ...], i: int) -> bool:
    return i + 1 < len(sentences) and sentences[i + 1].bullet


def tidy(text: str) -> str:
    """Display form: one line, single spaces, a capital first letter (the PDF lost many)."""
    text = " ".join(text.split())
    m = _LETTER.search(text)
    if m and m.start() <= 2 and text[m.start()].islower():
        i = m.start()
        text = text[:i] + text[i].upper() + text[i + 1 :]
    return text


# "… ved henvendelse til Kontoret for Arbejdsmiljø, Samarbejde og Kompetenceudvikling
# movan@modst.dk": a sentence that ends in the address to write to ends there.
_EMAIL_END = re.compile(r"\s[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.I)


def ends_in_address(text: str) -> bool:
    """The sentence ends in an e-mail address, where its full stop would be."""
    return bool(_EMAIL_END.search(text.rstrip('”"’) ')))


def _ends_sentence(text: str) -> bool:
    return text.rstrip('”"’) ').endswith((".", "!", "?", ":")) or ends_in_address(text)


def _starts_mid_sentence(text: str) -> bool:
    """A chunk that begins with a lower-case word or a comma continues a sentence before it."""
    head = text.lstrip()
    return bool(head) and (head[0] in ",;)" or (head[0].islower() and not head.startswith("i ")))


def _is_heading(text: str) -> bool:
    """A short line with no sentence punctuation, or an all-caps line (DELTAGERE, VARIGHED)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(text) < 60:
        return True
    return len(text.split()) <= 8 and not text.rstrip().endswith((".", "!", "?", ":", ","))
