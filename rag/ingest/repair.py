"""Text repair rules for PDF and Markdown extractions.

Each rule works on a `MappedText`, so the repaired text still points into the source file.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from pathlib import Path

import simplemma
from wordfreq import zipf_frequency

from rag.config import PACKAGE_DATA
from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText
from rag.ingest.pronoun import ADVERBS, finite_verb, verb_form
from rag.names import danish_first_names
from rag.text import MONTHS_DA

# Words that follow a hyphen at line end when the hyphen is real ("ergo- og fysioterapeuter").
# Not "men": Danish suspends a compound only before og/eller/samt/såvel/hhv, so "sam-" + "men"
# is "sammen" wrapped at its hyphen.
CONJUNCTIONS = {"og", "eller", "samt", "såvel", "hhv"}
# Abbreviations after which a full stop does not end the sentence.
ABBREVIATIONS = {
    "fx",
    "f.eks",
    "bl.a",
    "bl",
    "a",
    "mv",
    "m.v",
    "m.fl",
    "fl",
    "ca",
    "evt",
    "pct",
    "etc",
    "dvs",
    "jf",
    "nr",
    "kr",
    "mio",
    "mia",
    "hhv",
    "inkl",
    "ift",
    "osv",
    "mht",
    "vedr",
    "ph.d",
    "d",
    "st",
}
LIST_LOWERCASE_STARTS = {"at", "med", "og", "eller", "som", "der", "hvor", "til", "for", "af", "om"}


def join_lines(lines: list[MappedText], lexicon: Lexicon) -> MappedText:
    """Join hard-wrapped lines into one paragraph, undoing line-end hyphenation.

    "til-" + "lid" becomes "tillid", but a hyphen stays where it is real: before a conjunction
    ("Erhvervs- og Vækstministeriet") or in a hyphenated form the corpus uses elsewhere
    ("post-its").
    """
    parts: list[MappedText] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if parts:
            prev = parts[-1]
            hyphen = _ends_with_hyphenation(prev.text)
            if hyphen and _joins_hyphenated(prev.text, line.text, lexicon):
                parts[-1] = prev.slice(0, len(prev) - 1)
            elif hyphen and not _starts_with_conjunction(line.text):
                pass  # a real hyphenated word wrapped at its hyphen: "post-" + "its"
            else:
                parts.append(MappedText.literal(" ", prev.src[-1] + 1))
        parts.append(line)
    return MappedText.join(parts)


def _starts_with_conjunction(text: str) -> bool:
    word = re.match(r"([^\W\d_]+)", text)
    return bool(word and word.group(1).lower() in CONJUNCTIONS)


def _ends_with_hyphenation(text: str) -> bool:
    return len(text) >= 2 and text.endswith("-") and text[-2].isalpha()


def _joins_hyphenated(left_text: str, right_text: str, lexicon: Lexicon) -> bool:
    """Is the hyphen ending `left_text` hyphenation of a word that `right_text` continues?"""
    left = re.search(r"([^\W\d_]+)-$", left_text)
    right = re.match(r"([^\W\d_]+)", right_text)
    if not left or not right:
        return False
    a, b = left.group(1), right.group(1)
    if (a + b) in lexicon:
        return True  # the joined word is one the material uses
    if b.lower() in CONJUNCTIONS or not b[0].islower():
        return False
    return not (lexicon.knows_hyphenated(a, b) and (a + b) not in lexicon)


def join_across_break(first: MappedText, second: MappedText, lexicon: Lexicon) -> MappedText:
    """Join a paragraph cut by a page or column break with its continuation."""
    first, second = first.strip(), second.strip()
    if _ends_with_hyphenation(first.text) and _joins_hyphenated(first.text, second.text, lexicon):
        return MappedText.join([first.slice(0, len(first) - 1), second])
    # "spydspidskommuner" + "ner” men ...": the converter repeated the tail of a split word.
    last = re.search(r"([^\W\d_]+)$", first.text)
    head = re.match(r"([^\W\d_]+)", second.text)
    if last and head and head.group(1) not in lexicon and last.group(1).endswith(head.group(1)):
        second = second.slice(len(head.group(1)), len(second))
        return MappedText.join([first, second])
    return MappedText.join([first, MappedText.literal(" ", first.src[-1] + 1), second])


URL_END = r"https?://\S+$|www\.\S+$|\.\w{2,4}/?$|\S\.(?:dk|com|org|no|nu)/\S*$"


def dangles(text: str) -> bool:
    """Does this paragraph stop mid-sentence (cut by a page or column break)?"""
    text = text.rstrip()
    if not text or re.search(
        r"https?://\S+$|www\.\S+$|\.\w{2,4}/?$|\S\.(?:dk|com|org|no|nu)/\S*$", text
    ):
        return False
    if text[-1] in "”\"'»":  # a closing quote ends a sentence only after a full stop
        return len(text) < 2 or text[-2] not in ".!?"
    return text[-1] not in ".!?:;)…"


_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [link text](url) -> link text
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # <http://...> -> http://...
    (re.compile(r"</?(?:b|i|strong|em|u|br|span)[^>]*>", re.I), ""),  # stray HTML tags
    (re.compile(r"\*\*([^*]+?)\*\*"), r"\1"),  # **bold**
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"\\([_*\[\]()#\\])"), r"\1"),  # markdown escapes
    (re.compile(r"\\\\_"), "_"),
]


def strip_markup(text: MappedText) -> MappedText:
    """Remove conversion debris inside a line: markdown emphasis, link syntax, HTML tags."""
    for pattern, repl in _MD_RULES:
        text = text.sub(pattern, repl)
    return text


_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def normalise_spaces(text: MappedText) -> MappedText:
    return text.sub(_SPACES, " ").strip()


# Abbreviations that may close a sentence as well as a list ("… kaffeøer mv. I nogle …").
CLOSING_ABBREVIATIONS = {"mv", "m.v", "osv", "etc", "m.m", "m.fl", "o.a"}
# A main clause may open with a phrase of place or time: "i nogle virksomheder har …".
_PHRASE_PREPOSITIONS = {"i", "på", "hos", "blandt", "inden", "efter", "under", "for"}


def opens_main_clause(rest: str) -> bool:
    """Does the text after "mv." start a sentence of its own? A phrase of place or time, then a
    finite verb, then its subject: Danish puts the verb second in a main clause ("i nogle
    virksomheder har fx tillids- og arbejdsmiljørepræsentanter …"). "ved trepartsaftalerne i
    2007 skal udvides" continues its sentence: its verb's subject came before ("udvides")."""
    words = re.findall(r"[^\W\d_]+|\d+", rest[:120].split(".")[0])[:9]
    if len(words) < 3 or words[0] not in _PHRASE_PREPOSITIONS:
        return False
    for k in range(2, min(5, len(words))):
        if finite_verb(words[k]):
            after = [w for w in words[k + 1 :] if w.lower() not in ADVERBS]
            return bool(after) and not verb_form(after[0])
    return False


_SENTENCE_START = re.compile(r"(?:(?<=^)|(?<=[.!?]\s)|(?<=[.!?]”\s)|(?<=^[–•-]\s))([a-zæøå])")


_MONTHS = frozenset(MONTHS_DA)


def _numbered_step(before: str, word: re.Match[str] | None) -> bool:
    """The number opens the text, as a numbered item's does ("1. led med troværdighed …", one of
    Gittell's ten pieces of advice), and no month follows it ("17. marts …" is a date)."""
    return bool(re.fullmatch(r"\d{1,2}\.", before)) and not (word and word.group(0) in _MONTHS)


def capitalise_sentences(text: MappedText, *, list_item: bool = False) -> MappedText:
    """Restore capitals at sentence starts, which one extraction lower-cased ("dette hæfte er ...").

    List items that continue an introducing sentence ("• at sætte ord på ...") stay lower-case.
    """

    def fix(m: re.Match[str]) -> str:
        start = m.start(1)
        word = re.match(r"[^\W\d_]+", text.text[start:])
        if start == 0 and list_item and word and word.group(0) in LIST_LOWERCASE_STARTS:
            return m.group(1)
        if start > 0:
            before = text.text[:start].rstrip()
            prev_word = re.search(r"([\w.]+)[.!?]”?$", before)
            token = prev_word.group(1).lower().rstrip(".") if prev_word else ""
            if token in CLOSING_ABBREVIATIONS and opens_main_clause(text.text[start:]):
                return m.group(1).upper()  # "kaffeøer mv. i nogle virksomheder har …"
            if token in ABBREVIATIONS:
                return m.group(1)
            if token.isdigit() and len(token) <= 2 and not _numbered_step(before, word):
                return m.group(1)  # "17. marts" is a date, not a sentence end
        return m.group(1).upper()

    return text.sub(_SENTENCE_START, fix)


# --- debris an extraction left in words and names ------------------------------------------

# "FREMGANGSMåDE": a capitals word whose æ, ø or å the extraction lower-cased.
_CAPS_WITH_SMALL_DANISH = re.compile(r"\b[A-ZÆØÅ]{2,}[æøå][A-ZÆØÅæøå]*\b|\b[A-ZÆØÅ]+[æøå][A-ZÆØÅ]+")


def upper_danish_letters(text: MappedText) -> MappedText:
    """ "FREMGANGSMåDE" → "FREMGANGSMÅDE"; "På" and "Århus" are left alone."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        big = sum(c.isupper() for c in word)
        return word.upper() if big >= 3 and big > len(word) / 2 else word

    return text.sub(_CAPS_WITH_SMALL_DANISH, fix)


_INNER_HYPHEN = re.compile(r"(?<![\w-])([^\W\d_]{2,})-([a-zæøå]{1,})(?![\w-])")


def join_inner_hyphens(text: MappedText, lexicon: Lexicon) -> MappedText:
    """ "dokumentati-on" → "dokumentation": a line-end hyphen the converter left mid-line.

    Joined only when the material uses the joined word more often than the hyphenated form and
    the left part is no word of its own (so "e-mail", "post-its" and "styrings- og" stay).
    """

    def fix(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        joined = (a + b).lower()
        if b in CONJUNCTIONS or (a.lower() in lexicon.counts and lexicon.count(a) > 1):
            return m.group(0)
        if lexicon.count(joined) >= 2 and lexicon.hyphenated[f"{a}-{b}".lower()] < lexicon.count(
            joined
        ):
            return a + b
        return m.group(0)

    return text.sub(_INNER_HYPHEN, fix)


class Names:
    """Danish personal names (rag/data/names-da.tsv, from hunspell-da): lower-case form →
    whether it is also an ordinary word ("søren", "hans")."""

    def __init__(self, rows: dict[str, bool]) -> None:
        self.rows = rows

    @classmethod
    def load(cls, path: Path | None = None) -> Names:
        rows: dict[str, bool] = {}
        path = path or PACKAGE_DATA / "names-da.tsv"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                name, common = line.split("\t")
                rows[name.lower()] = common == "1"
        return cls(rows)

    @staticmethod
    @lru_cache(maxsize=1)
    def shipped() -> Names:
        return Names.load()

    def is_name(self, word: str) -> bool:
        return word.lower() in self.rows

    def name_like(self, word: str) -> bool:
        """A first name used in Denmark, or a name that is no ordinary word."""
        return word[:1].upper() + word[1:].lower() in danish_first_names() or self.only_name(word)

    def only_name(self, word: str) -> bool:
        return self.rows.get(word.lower()) is False


_WORD = re.compile(r"(?<![\w./@-])[^\W\d_]+(?![\w/@-]|[.]\w)")


def capitalise_names(text: MappedText, names: Names) -> MappedText:
    """ "søren aakjær" → "Søren Aakjær", "mette Nørgaard" → "Mette Nørgaard".

    Two adjacent words are a person's name when both are names (a Danish first name, or a name
    of the dictionary that is no ordinary word) and one of them is a surname that is no ordinary
    word or is already capitalised. "hans bog", "siger Stinne" and a single "mark" stay.
    """
    words = list(_WORD.finditer(text.text))
    starts: set[int] = set()
    for a, b in itertools.pairwise(words):
        if text.text[a.end() : b.start()] != " ":
            continue
        x, y = a.group(0), b.group(0)
        if not (x.islower() or y.islower()) or not (names.name_like(x) and names.name_like(y)):
            continue
        if names.only_name(y) or y[:1].isupper():
            starts |= {a.start(), b.start()}
    if not starts:
        return text
    return text.sub(
        _WORD,
        lambda m: m.group(0)[:1].upper() + m.group(0)[1:] if m.start() in starts else m.group(0),
    )


def _a_word(word: str) -> bool:
    """Danish uses the word as an ordinary word (not only as a name)."""
    return zipf_frequency(word, "da") >= 2.0 or simplemma.is_known(word, lang="da")


def _first_name(word: str, names: Names) -> bool:
    """A first name that is rarely a word ("inge", "søren"; not "andre", "per")."""
    return names.name_like(word) and zipf_frequency(word.lower(), "da") < _COMMON_WORD


def _surname(word: str, names: Names) -> bool:
    """A word neither Danish nor English uses ("mærkedahl"; not "fora", "practise")."""
    return not _a_word(word) and zipf_frequency(word, "en") < 2.0 and not names.name_like(word)


_COMMON_WORD = 5.0
# A quote's speaker: up to three lower-case words between "siger" and a capitalised surname
# that ends the name ("siger line skytte mørke Hansen, koncerncenterchef").
_SPEAKER = re.compile(
    r"\b(?:siger|fortæller|forklarer|mener|understreger|tilføjer)\s+"
    r"((?:[a-zæøå]+\s+){1,3})(?=[A-ZÆØÅ][a-zæøå]+[,.])"
)
# Words that are no part of a speaker's name: "siger han til Hansen."
_NOT_NAMES = frozenset(
    "han hun de den det man vi jeg du i til om at og også så nu her der ikke bare".split()
)
_AUTHORS = re.compile(r"((?:[^\W\d_]+,\s+)*[^\W\d_]+(?:\s+og\s+[^\W\d_]+)?)\s+\(\d{4}[a-z]?\)")


def capitalise_proper_words(text: MappedText, names: Names) -> MappedText:
    """Names the PDF lost the capitals of, where one word says it is a name:

    * a word whose dictionary form is a name: "i danmark", "viborgs", "olesen";
    * the word after a first name when it is no ordinary word: "direktør inge mærkedahl";
    * the authors before a year in a reference: "Hasle, thoft og olesen (2010)";
    * the first names of a speaker whose surname kept its capital: "…, siger line skytte mørke
      Hansen, koncerncenterchef …".
    """
    words = list(_WORD.finditer(text.text))
    starts: set[int] = set()
    for k, m in enumerate(words):
        w = m.group(0)
        if not w.islower() or (len(w) <= 4 and text.text[m.end() : m.end() + 1] == "."):
            continue  # "mia." and "mio." are abbreviations
        base = simplemma.lemmatize(w, lang="da")
        if base[:1].isupper() and len(base) >= 3:
            starts.add(m.start())
        elif k and text.text[words[k - 1].end() : m.start()] == " ":
            before = words[k - 1].group(0)
            if _first_name(before, names) and _surname(w, names):
                starts |= {words[k - 1].start(), m.start()}
    for m in _SPEAKER.finditer(text.text):
        run = m.group(1).split()
        if not any(w in _NOT_NAMES for w in run):
            starts |= {m.start(1) + a.start() for a in _WORD.finditer(m.group(1))}
    for m in _AUTHORS.finditer(text.text):
        several = "," in m.group(1) or " og " in m.group(1)  # "i maj (2014)" is no reference
        for a in _WORD.finditer(m.group(1)):
            w = a.group(0)
            if w != "og" and (not _a_word(w) or (several and names.name_like(w))):
                starts.add(m.start(1) + a.start())
    if not starts:
        return text
    return text.sub(
        _WORD,
        lambda m: m.group(0)[:1].upper() + m.group(0)[1:] if m.start() in starts else m.group(0),
    )


_REFERENCE_TITLE = re.compile(r"(?<=\(\d{4}\))(?:[:.,]?\s*)[”\"“]([a-zæøå])")


def capitalise_reference_titles(text: MappedText) -> MappedText:
    """ "Hornstrup (2013): ”strategisk relationel ledelse”" → "… ”Strategisk relationel
    ledelse”": the title a reference quotes after its year starts with a capital, which one
    extraction lower-cased; a quoted phrase inside a sentence ("opfatter ”god service”") keeps
    its case."""
    return text.sub(_REFERENCE_TITLE, lambda m: m.group(0)[:-1] + m.group(1).upper())


def one_letter_apart(a: str, b: str) -> bool:
    """`a` becomes `b` by adding, dropping or changing one letter ("vejlen" → "vejen")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diff) == 1 and diff[0][0].isalpha() and diff[0][1].isalpha()
    short, long = sorted((a, b), key=len)
    k = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return long[k].isalpha() and short[k:] == long[k + 1 :]


def heading_typo(heading: str, usual: list[str], lexicon: Lexicon) -> str | None:
    """The usual heading a one-off heading misspells, else None: "Vejlen derhen" under a
    document whose subsections are "Vejen derhen" again and again. Only a word the material
    uses nowhere else and Danish does not know ("Vejene derhen" is a plural, not a typo) may
    be the typo, and only for a word the material uses often."""
    words = heading.split()
    for other in usual:
        theirs = other.split()
        if len(theirs) != len(words):
            continue
        differ = [(w, t) for w, t in zip(words, theirs, strict=True) if w.lower() != t.lower()]
        if len(differ) != 1:
            continue
        mine, right = differ[0]
        if (
            lexicon.count(mine) <= 1
            and zipf_frequency(mine.lower(), "da") == 0.0
            and lexicon.count(right) >= 3
            and one_letter_apart(mine.lower(), right.lower())
        ):
            return other
    return None


@lru_cache(maxsize=1)
def shipped_acronyms() -> dict[str, str]:
    """rag/data/acronyms-da.tsv: acronym → "word" or "compound"."""
    out: dict[str, str] = {}
    for line in (PACKAGE_DATA / "acronyms-da.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            acronym, when = line.split("\t")
            out[acronym.strip()] = when.strip()
    return out


# A short word with what follows it: a hyphen or apostrophe and a letter make it a compound's
# first part ("Hr-afdelingen", "tr’erne"); after a hyphen it is a compound's last ("fælles-tr").
_ACRONYM_WORD = re.compile(
    r"(?<![\w.@])([^\W\d_]{2,4})(?=([-’'][^\W\d_])|\.?(?:[^\w./@]|$)|/[^\W\d_])"
)
_ADDRESS = re.compile(r"://|www\.|\.(dk|com|org|eu|net)\b|@", re.I)


def restore_acronyms(text: MappedText, acronyms: dict[str, str] | None = None) -> MappedText:
    """ "amo, sU eller med-udvalg" → "AMO, SU eller MED-udvalg"; "Tr’erne" → "TR’erne";
    "amo/MED-udvalg" → "AMO/MED-udvalg"; a short word that starts in lower case and has a capital
    inside is an acronym whatever it stands for ("(stFi)" → "(STFI)"). Web addresses
    ("www.oao.dk"), "kl. 14" and "med- og modspil" are left alone."""
    known = shipped_acronyms() if acronyms is None else acronyms
    whole = text.text

    def fix(m: re.Match[str]) -> str:
        word = m.group(1)
        upper = word.upper()
        when = known.get(upper)
        if when is None and word[:1].islower() and not word[1:].islower():
            when = "word"  # "stFi": its capitals survived in part
        if when is None or word == upper or (when == "compound" and not m.group(2)):
            return word
        start = whole.rfind(" ", 0, m.start()) + 1
        end = whole.find(" ", m.end())
        if _ADDRESS.search(whole[start : end if end >= 0 else len(whole)]):
            return word
        if upper == "KL" and whole[m.end() : m.end() + 1] == ".":
            return word  # "kl. 14"
        return upper

    return text.sub(_ACRONYM_WORD, fix)


# A name a document writes with its capitals inside a sentence: two or more capitalised words,
# perhaps joined by "for", "og", "i" ("Viborg Arrest", "Styrelsen for Forskning og Innovation").
_TITLE_WORD = r"[A-ZÆØÅ][a-zæøå]+"
_NAME_RUN = re.compile(
    rf"(?<=[a-zæøå,] )({_TITLE_WORD}(?: (?:for |og |i )?{_TITLE_WORD})+)(?![\w-])"
)


_ARTICLES = frozenset({"den", "det", "de", "en", "et"})


def attested_names(texts: list[str]) -> dict[str, str]:
    """The names a document's running text writes with their capitals inside sentences,
    by their lower-case form: "viborg arrest" → "Viborg Arrest"."""
    names: dict[str, str] = {}
    for text in texts:
        for m in _NAME_RUN.finditer(text):
            words = m.group(1).split()
            if words[0].lower() in _ARTICLES and sum(w[0].isupper() for w in words) < 3:
                continue  # "Det Nationale kraftcenter": an article and a word, no name
            names.setdefault(m.group(1).lower(), m.group(1))
    return names


def restore_attested_names(text: MappedText, names: dict[str, str]) -> MappedText:
    """ "Viborg arrest er et mellemstort arresthus" → "Viborg Arrest er …", "mellem danske
    Banks filialer" → "mellem Danske Banks filialer": where the document writes the name with
    its capitals elsewhere and one word here says it is a name (a capital inside the sentence,
    or a word the dictionary knows as a name), the name gets all its capitals back. "tillid og
    samarbejde" stays, though the document also names a project "Tillid og Samarbejde"."""
    if not names:
        return text
    whole = text.text
    low = whole.lower()
    starts: dict[int, str] = {}
    for name in names.values():
        words = name.split()
        if words[0].lower() not in low:
            continue  # most blocks hold none of a document's names: no pattern to run
        for m in _name_pattern(name).finditer(whole):
            found = m.group(0)
            if found == name or not _says_name(whole, m.start(), found.split()):
                continue
            for w, right in zip(re.finditer(r"\S+", found), words, strict=True):
                if w.group(0) != right:
                    starts[m.start() + w.start()] = right
    if not starts:
        return text
    return text.sub(re.compile(r"[^\W\d_]+"), lambda m: starts.get(m.start(), m.group(0)))


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str]:
    """The name in any case, its words apart by any space, perhaps with a genitive s."""
    words = (re.escape(w) for w in name.split())
    return re.compile(r"\b" + r"\s+".join(words) + r"(?=s?\b)", re.I)


def _says_name(whole: str, start: int, words: list[str]) -> bool:
    """One of the words found is written as a name: capitalised where no sentence starts
    (not the first word after a full stop), or a name by its dictionary form ("Viborg")."""
    before = start
    while before and whole[before - 1].isspace():
        before -= 1
    first_at_start = not before or whole[before - 1] in ".!?:•"
    for k, w in enumerate(words):
        if w[:1].isupper() and (k or not first_at_start):
            return True
        if simplemma.lemmatize(w.lower(), lang="da")[:1].isupper():
            return True
    return False
