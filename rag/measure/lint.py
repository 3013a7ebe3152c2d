"""Readability lint for extract answers: what makes a manager stop reading.

One short function per rule, each taking the answer's quoted lines (markers and labels
removed, in order) and returning True when the rule is broken. `lint(text)` names the rules an
answer breaks. The lead is the first quoted line.

Two more kinds of rule read what a manager notices at once:
- debris left by the PDF: a name or "I" in lower case ("søren aakjær", "Hvad vil i opnå"),
  mixed-case headings ("FREMGANGSMåDE"), a line-end hyphen inside a word ("dokumentati-on"),
  the wrapped tail of a URL ("1debb3f39dbbf3");
- a refusal whose "Materialet nævner ikke …" names words that are no topic ("vandt",
  "steg", "negotiate"): only nouns, names and acronyms say what the material lacks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import simplemma
from wordfreq import zipf_frequency

from rag.ingest.sentences import (
    ABBREVIATIONS,
    depends_on_previous,
    ends_in_address,
    split_text,
    whole_clause,
)
from rag.measure.evaluate import squash
from rag.names import danish_first_names
from rag.search.lemmas import classes_of, is_noun, is_topic, lemma

_MARKER = re.compile(r"\s*\[\d+\]")
_LABEL_ONLY = re.compile(r"^\*\*[^*]+:\*\*$|^[^\[\]]*:$")  # "**Det siger materialet også:**"
_PART_HEADING = re.compile(r"^\*\*[^*]+\*\*\s*(\[\d+\])*$")  # "**Tjekliste: …** [2][3]"
# The answer's own note after a step it names: "**2. Fra …** *(6 punkter i kilden)*".
_NOTE = re.compile(r"\s*\*\([^)*]+\)\*$")
_FIELD = re.compile(r"^\*[^*]+:\*\s*")  # "*Deltagere:* …"
_FROM = re.compile(r"^\*[^*]+\*\s*[–-]?\s*")  # "*Fra Case: Glostrup Hospital* – …"
_REFERENCE = re.compile(r"\(\d{4}[a-z]?\)\s*:?\s*[”\"“]|^kilde\b|\.{4,}|^læs mere\b", re.I)
_TOC = re.compile(r"^(Anbefaling|Udfordring|Kapitel)\s+\d+.*\s\d{1,3}$")
_ENDS = (".", "!", "?", ":", "”", '"', "’", ")")


def quoted_lines(text: str) -> list[str]:
    """The lines of an answer that quote the material, without markers, bullets or labels."""
    lines = []
    for raw in text.splitlines():
        line = _NOTE.sub("", raw.strip())
        if not line or ("[" not in line and not line.startswith("- ")):  # a list item at any depth
            continue  # a label, a notice or a blank line: no quote
        if _PART_HEADING.match(line) or _LABEL_ONLY.match(line):
            continue
        line = re.sub(r"^[-*]\s+", "", line)
        line = _FIELD.sub("", line)
        line = _FROM.sub("", line) if line.startswith("*") else line
        line = _MARKER.sub("", line).replace("**", "").strip()
        if line and not line.startswith("…"):
            lines.append(line)
    return lines


def fragment_lead(lines: list[str]) -> bool:
    """The lead is not a whole sentence: it starts mid-sentence or stops without an end (an
    e-mail address where the full stop would be is an end; a list item that is a clause of its
    own, as the material prints it, needs none)."""
    if not lines:
        return False
    lead = lines[0]
    starts_badly = lead[0].islower() or lead[0] in ",;)–-" or bool(re.match(r"^\d+ [A-ZÆØÅ]", lead))
    ends = lead.rstrip().endswith(_ENDS) or ends_in_address(lead) or whole_clause(lead)
    return starts_badly or not ends or len(lead.split()) < 3


def dangling_colon(lines: list[str]) -> bool:
    """A quoted line announces a list (ends with a colon) and no list line follows it."""
    for i, line in enumerate(lines):
        if line.endswith(":") and (i + 1 == len(lines) or lines[i + 1].endswith(":")):
            return True
    return False


def dependent_lead(lines: list[str]) -> bool:
    """The lead opens with a connective or pointer ("Men …", "Dette …") with nothing before it."""
    if not lines:
        return False
    first = split_text(lines[0])
    return bool(first) and depends_on_previous(first[0].text)


def duplicate(lines: list[str]) -> bool:
    """The same sentence is quoted twice."""
    seen: set[str] = set()
    for line in lines:
        for s in split_text(line):
            key = squash(s.text)
            if len(key) > 20 and key in seen:
                return True
            seen.add(key)
    return False


def abbreviation_cut(lines: list[str]) -> bool:
    """A sentence was cut at an abbreviation ("(mål nr.", "… bl.a.") or starts with the rest."""
    for line in lines:
        last = re.search(r"([\w.]+)\.$", line.rstrip('”"’) '))
        if last and last.group(1).lower().lstrip("(") in ABBREVIATIONS:
            return True
        if re.match(r"^\d+\s+[A-ZÆØÅ]", line):
            return True  # "3 Om nye rammer …": the rest of "(mål nr. 3 Om …"
    return False


def toc_or_reference(lines: list[str]) -> bool:
    """A table-of-contents line, a literature reference or a "Kilde:" line is quoted."""
    return any(_REFERENCE.search(line) or _TOC.match(line) for line in lines)


_MIXED_CASE = re.compile(r"\b[A-ZÆØÅ]{3,}[a-zæøå]+[A-ZÆØÅ]+\b")
_HEX_TAIL = re.compile(r"(?<![\w/=])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{10,}\b")
_SPLIT_WORD = re.compile(r"\b([a-zæøå]{2,})-\s*([a-zæøå]{1,})\b")
_NOT_CONTINUATIONS = frozenset(["og", "eller", "samt", "til", "som", "men"])
_PRONOUN_I = re.compile(
    r"\b(?i:kan|vil|skal|må|bør|har|får|gør|er|var|kunne|ville|skulle)\s+i\s+(\w+)"
    r"|\b(?i:hvis|når|at|om|fordi|som|hvordan|hvad|hvorfor|hvornår|hvor|mens|inden)\s+i\s+"
    r"(?:har|er|vil|kan|skal|må|bør|får|gør|ønsker|oplever|vælger|selv|gerne|lægger|følger)\b"
)
_AFTER_PRONOUN = frozenset(["selv", "gerne", "også", "ikke", "allerede", "nu", "jo", "bare"])
_WORD = re.compile(r"[^\W\d_]+")
_COMMON = 5.0  # a first name used this often in Danish is a word too ("andre", "per")


def _a_word(word: str) -> bool:
    return (
        zipf_frequency(word, "da") >= 2.0
        or bool(classes_of(word) - {"name"})
        or simplemma.is_known(word, lang="da")
    )


def _a_word_alone(piece: str) -> bool:
    """A piece after a hyphen that is a word of its own ("ydelser", "akademiske")."""
    classes = classes_of(piece) | classes_of(lemma(piece))
    return bool(classes & {"noun", "verb", "adj"}) or (
        len(piece) >= 4 and zipf_frequency(piece, "da") >= 3.0
    )


_DETERMINERS = frozenset(["den", "det", "de", "en", "et", "sin", "sit", "sine", "hans", "hendes"])


def _verb_not_noun(word: str) -> bool:
    """The word after "kan i …" is a verb ("opnå", "inddrage"), so "i" is the pronoun; a
    determiner or noun after it makes "i" the preposition ("er i sin natur", "i samspil")."""
    low = word.lower()
    if low in _AFTER_PRONOUN:
        return True
    if low in _DETERMINERS:
        return False
    classes = classes_of(low) or classes_of(lemma(low))
    if classes:
        return "verb" in classes and "noun" not in classes and "adj" not in classes
    return low.endswith(("e", "å")) and lemma(low) == low and not is_noun(low)


def lower_case_name(lines: list[str]) -> bool:
    """A name written in lower case: a word whose dictionary form is a name ("petersen",
    "danmark"; simplemma gives names their capital), or a Danish first name that is rarely
    a word, followed by a word that is none ("søren aakjær")."""
    first = danish_first_names()
    for line in lines:
        found = list(_WORD.finditer(line))
        for k, m in enumerate(found):
            w = m.group(0)
            if not w.islower() or line[m.end() : m.end() + 1] == ".":
                continue  # "mia." and "mio." are abbreviations
            base = simplemma.lemmatize(w, lang="da")
            if base[:1].isupper() and len(base) >= 3:  # not "jer" → "I"
                return True
            after = found[k + 1].group(0) if k + 1 < len(found) else ""
            rare = zipf_frequency(w, "da") < _COMMON
            if w.capitalize() in first and rare and after and not _a_word(after.lower()):
                return True
    return False


def lower_case_i(lines: list[str]) -> bool:
    """The pronoun "I" in lower case: "Hvad vil i opnå", "hvis i har"."""
    for line in lines:
        for m in _PRONOUN_I.finditer(line):
            if m.group(1) is None or _verb_not_noun(m.group(1)):
                return True
    return False


def mixed_case(lines: list[str]) -> bool:
    """A heading in capitals with a lower-case letter inside ("FREMGANGSMåDE")."""
    return any(_MIXED_CASE.search(line) for line in lines)


def split_word(lines: list[str]) -> bool:
    """A word kept in two by a line-end hyphen ("dokumentati-on", "forplig- tende"): joined
    it is a word, its second piece alone is none."""
    for line in lines:
        for m in _SPLIT_WORD.finditer(line):
            left, right = m.group(1), m.group(2)
            if right in _NOT_CONTINUATIONS:
                continue
            if _a_word(left + right) and not _a_word_alone(right):
                return True
    return False


def url_tail(lines: list[str]) -> bool:
    """The wrapped end of a web address on its own ("1debb3f39dbbf3")."""
    return any(_HEX_TAIL.search(line) for line in lines)


RULES: dict[str, Callable[[list[str]], bool]] = {
    "fragment_lead": fragment_lead,
    "dangling_colon": dangling_colon,
    "dependent_lead": dependent_lead,
    "duplicate": duplicate,
    "abbreviation_cut": abbreviation_cut,
    "toc_or_reference": toc_or_reference,
}
DEBRIS: dict[str, Callable[[list[str]], bool]] = {
    "lower_case_name": lower_case_name,
    "lower_case_i": lower_case_i,
    "mixed_case": mixed_case,
    "split_word": split_word,
    "url_tail": url_tail,
}
_MISSING = re.compile(r"^(?:Materialet nævner ikke|The material does not mention) (.+?)\.$", re.M)


def named_words(text: str) -> list[str]:
    """The words a refusal says the material does not mention."""
    m = _MISSING.search(text)
    if not m:
        return []
    return [w for w in re.split(r",\s*|\s+(?:og|and)\s+", m.group(1)) if w]


def refusal_words(text: str, language: str) -> bool:
    """The refusal names a word that is no topic: an inflected verb ("vandt"), an adjective,
    an English word in a Danish answer or a function word."""
    return any(not is_topic(w, language) for w in named_words(text))


def lint(text: str, refused: bool = False, language: str = "da") -> list[str]:
    """The names of the rules an answer breaks (empty when it reads cleanly). A refusal is
    read for what it names and for debris in the topics it lists."""
    lines = quoted_lines(text)
    broken = [] if refused else [name for name, rule in RULES.items() if rule(lines)]
    broken += [name for name, rule in DEBRIS.items() if rule(lines)]
    if refused and refusal_words(text, language):
        broken.append("refusal_words")
    return broken
