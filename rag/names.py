"""Person names in what a manager types, found as whole names and told apart from the names the
material itself uses.

A name is found
  * after a role word ("min medarbejder Jens", "kollegaen Søren Nielsen", "min kollega peter",
    "my colleague John"): the capitalised words that follow, or lower-case ones that are names
    and not words ("peter", "mette jensen"; "bo" and "per" are words);
  * as a chain of a first name and the capitalised words after it on the same line, middle
    names and surnames included ("Anne Sofie Kjærgaard Holm", "Jody Hoffer Gittell");
  * as a first name alone, capitalised inside a sentence ("… med Kirsten"), or opening one
    unless it is also a word ("Fatima har …" is a name; "Per måned …", "Hans opgave …" are
    not).

First names are those of gender-guesser's list used in Denmark, and the names of every origin
that both gender-guesser and the Danish dictionary know ("Fatima", "Yusuf", "Agnieszka");
surnames and "is also a word" come from the Danish dictionary's proper nouns
(rag/data/names-da.txt, derived by scripts/derive_names.py from Debian's hunspell-da).

The material's own people ("Jody Gittell", "Tina Øllgaard Bentzen") are public: `names_in`
lists the whole names a text holds (ingest keeps those of the material with the index), and a
name passed in `public` is not personal data when it names the surname ("Gittell",
"Jody Gittell"); a first name alone ("Tina") could be anyone's colleague and stays a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

from wordfreq import zipf_frequency

from rag.config import PACKAGE_DATA

UPPER = "A-ZÆØÅ"
LOWER = "a-zæøåäöüéèáíóúñç'"
_CAP = rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
_LOW = rf"[{LOWER}]+(?:-[{LOWER}]+)?"
# Whole words only: "Gallup-undersøgelsen" is a compound, not the name Gallup.
_CAP_WORD = re.compile(rf"(?<![\w-]){_CAP}(?![\w-])")
_CHAIN = re.compile(rf"(?<![\w-]){_CAP}(?: {_CAP}){{1,3}}(?![\w-])")
ROLE = (
    r"medarbejder(?:en|e|s)?|kollega(?:en)?|kollegaen|leder(?:en)?|chef(?:en)?|souschef(?:en)?|"
    r"afdelingsleder(?:en)?|teamleder(?:en)?|ansat(?:te)?|elev(?:en)?|praktikant(?:en)?|"
    r"vikar(?:en)?|tillidsrepræsentant(?:en)?|TR|AMR|pædagog(?:en)?|sygeplejerske(?:n)?|"
    r"assistent(?:en)?|sosu-assistent(?:en)?|sosu-hjælper(?:en)?|hjælper(?:en)?|"
    r"sekretær(?:en)?|konsulent(?:en)?|lærer(?:en)?|betjent(?:en)?|borger(?:en)?|"
    r"beboer(?:en)?|colleague|employee|co-worker|coworker|manager|boss"
)
_ROLE = re.compile(rf"(?i:\b(?:{ROLE}))(?:,)?[ \t]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|[-•–]\s+|\(\s*|[\"»«]\s*)$")
_WORD = re.compile(rf"[{UPPER}{LOWER}]+(?:-[{UPPER}{LOWER}]+)?")
_PRONOUNS = frozenset("han hun den det de man min din sin vi jeg du i".split())
# A name that is also a word opens a sentence as its subject: "Kim er anholdt", "Bo siger …"
# ("Per måned …", "Hans opgave …" do not).
_SUBJECT_VERB = re.compile(
    r" (?:er|var|har|havde|bliver|blev|siger|sagde|vil|skal|kan|mener|synes|føler|får|fik|"
    r"kommer|kom|gør|gjorde|arbejder|møder|melder|virker|tager|tog|ved|vil|is|has|was|says)\b"
)


@cache
def _stopwords() -> frozenset[str]:
    text = (PACKAGE_DATA / "stopwords-da.txt").read_text(encoding="utf-8")
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    # English function words that a role word may precede ("my colleague and I").
    return frozenset(words | {"and", "is", "has", "was", "who", "the", "a", "an", "i", "in"})


@cache
def dictionary_names() -> tuple[frozenset[str], frozenset[str]]:
    """(the Danish dictionary's person names, those of them that are also words)."""
    names, words = set(), set()
    for line in (PACKAGE_DATA / "names-da.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name = line.rstrip("*")
        names.add(name)
        if line.endswith("*"):
            words.add(name)
    return frozenset(names), frozenset(words)


@cache
def gender_guesser_names(danish_only: bool) -> frozenset[str]:
    """First names from the name list inside the gender-guesser package: those used in
    Denmark, or those of any country."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: set[str] = set()
    with data.open(encoding="utf-8") as f:
        for line in f:
            if line[:1] in "#=":
                continue
            if danish_only and (len(line) <= 46 or line[46] in " \n"):
                continue  # column 30 + 16 holds the name's frequency in Denmark
            name = line.split()[1]
            names |= {name.replace("+", sep) for sep in ("", " ", "-")}
    return frozenset(names)


def danish_first_names() -> frozenset[str]:
    """The first names used in Denmark (gender-guesser's Danish column)."""
    return gender_guesser_names(True)


@cache
def first_names() -> frozenset[str]:
    """Names that alone are a first name: Denmark's, and any country's the dictionary knows."""
    known, _ = dictionary_names()
    return gender_guesser_names(True) | (gender_guesser_names(False) & known)


@cache
def _lower_names(first: bool) -> frozenset[str]:
    """Lower-cased first names (or any names) that are no word: "min kollega peter hansen"."""
    known, words = dictionary_names()
    names = first_names() if first else known | first_names()
    return frozenset(n.lower() for n in names - words if not _is_word(n)) - _stopwords()


def load() -> None:
    """Read the name lists now (the first question would otherwise wait for them: checking
    which names are also words takes a good part of a second)."""
    _lower_names(True)
    _lower_names(False)
    zipf_frequency("tillid", "da")
    zipf_frequency("trust", "en")


def _is_first_name(word: str) -> bool:
    names = first_names()
    if word in names or all(part in names for part in word.split("-")):
        return True
    return word.endswith("s") and word[:-1] in names  # the genitive: "Fatimas vagter"


# English capitalises days and months; some are first names too ("Friday", "June").
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)


@cache
def _is_word(word: str) -> bool:
    """A name that is also an ordinary word: Danish (Bo, Per, Hans, Rask) or a frequent English
    one ("Can", "Will", "May" opening an English question, "Friday")."""
    _, words = dictionary_names()
    lower = word.lower()
    return (
        word in words
        or lower in _stopwords()
        or lower in _CALENDAR
        or zipf_frequency(lower, "en") >= 5.5
    )


def _subject(word: str, text: str, end: int) -> bool:
    """A name that is also a word, opening a sentence as its subject ("Kim er anholdt"); a
    pronoun is never a name ("Han er …", "Min kollega …")."""
    return word.lower() not in _PRONOUNS and bool(_SUBJECT_VERB.match(text, end))


def _alone_a_name(word: str, text: str, start: int, end: int) -> bool:
    """A first name on its own: capitalised inside a sentence (a Danish name even when it is
    also a word: "… med Bo"), or opening one unless it is a word not followed by a verb."""
    if _SENTENCE_START.search(text[:start]):
        return not _is_word(word) or _subject(word, text, end)
    return word in gender_guesser_names(True) or not _is_word(word)


def _after_role(text: str, start: int) -> tuple[int, int] | None:
    """The name right after a role word at `start`: capitalised words, or lower-case names."""
    rest = text[start:]
    taken: list[re.Match] = []
    for m in _WORD.finditer(rest[:80]):
        if taken and rest[taken[-1].end() : m.start()] != " ":
            break
        if not _name_word(m.group(0), first=not taken):
            break
        taken.append(m)
        if len(taken) == 4:
            break
    if not taken or taken[0].start() != 0:
        return None
    return start, start + taken[-1].end()


def _name_word(word: str, first: bool) -> bool:
    """A word of a name after a role: capitalised and no function word, or a lower-case name
    that is no word ("peter hansen"; "bo" is a word)."""
    if word[0].isupper() and not word.isupper():
        return word.lower() not in _stopwords()
    return word.islower() and word in _lower_names(first=first)


def name_spans(text: str, public: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Where `text` names a person who is not one of the `public` names (the material's)."""
    found: list[tuple[int, int]] = []
    for m in _ROLE.finditer(text):
        span = _after_role(text, m.end())
        if span:
            found.append(span)
    for m in _CHAIN.finditer(text):
        words, start = m.group(0).split(), m.start()
        if words[0].lower() in _stopwords() and words[0] not in gender_guesser_names(True):
            # "The Danish prison service", "Med Peter Hansen": a function word opening the
            # sentence is no part of a name ("Hans Nielsen", "Per Hansen" are: Danish first
            # names); a single capitalised word after it is judged alone.
            if len(words) == 2:
                continue
            start += len(words[0]) + 1
            words = words[1:]
        first, *rest = words
        # "Hans Nielsen" is a name; "On Friday" (two words that are also names) is not
        if _is_first_name(first) and not (_is_word(first) and any(map(_is_word, rest))):
            found.append((start, m.end()))
    for m in _CAP_WORD.finditer(text):
        word = m.group(0)
        if not _is_first_name(word):
            continue
        if _alone_a_name(word, text, m.start(), m.end()):
            found.append((m.start(), m.end()))
    known = _public(public)
    public_spans = [(s, e) for s, e in found if _is_public(text[s:e], known)]
    return [
        (s, e)
        for s, e in found
        if (s, e) not in public_spans and not any(a <= s and e <= b for a, b in public_spans)
    ]


def _words(name: str) -> tuple[str, ...]:
    return tuple(w.lower().removesuffix("s") for w in _WORD.findall(name))


def _public(names: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(_words(n) for n in names)


def _is_public(span: str, known: tuple[tuple[str, ...], ...]) -> bool:
    """A span that names a public person: only words of one public name, its surname among
    them ("Gittell", "Jody Gittell" for Jody Hoffer Gittell; not "Jody" alone)."""
    words = set(_words(span))
    return any(words <= set(name) and name[-1] in words for name in known if len(name) > 1)


def names_in(texts: Iterable[str]) -> list[str]:
    """The whole names (first name and surname at least) that `texts` hold, sorted. Scanned
    and converted material writes some in lower case ("Nils petersen", "søren aakjær")."""
    return sorted({name for text in texts for name in _whole_names(text)})


def _whole_names(text: str) -> Iterator[str]:
    known, _ = dictionary_names()
    for line in text.splitlines():
        tokens = list(_WORD.finditer(line))
        i = 0
        while i < len(tokens):
            first = tokens[i].group(0)
            j = i + 1
            if _is_first_name(first.title()):
                while j < len(tokens) and j - i < 4 and _adjacent(line, tokens[j - 1], tokens[j]):
                    if not _surname(tokens[j].group(0), known):
                        break
                    j += 1
            if j - i >= 2:
                yield line[tokens[i].start() : tokens[j - 1].end()]
            i = j


def _surname(word: str, known: frozenset[str]) -> bool:
    """A word that may continue a whole name: capitalised, or a lower-case dictionary name."""
    if word[0].isupper():
        return word.lower() not in _stopwords()
    return word.title() in known and not _is_word(word.title())


def _adjacent(line: str, a: re.Match, b: re.Match) -> bool:
    return line[a.end() : b.start()] == " "
