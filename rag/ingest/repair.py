"""Text repair rules for PDF and Markdown extractions.

Each rule works on a `MappedText`, so the repaired text still points into the source file.
"""

from __future__ import annotations

import re

from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText

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


_SENTENCE_START = re.compile(r"(?:(?<=^)|(?<=[.!?]\s)|(?<=[.!?]”\s)|(?<=^[–•-]\s))([a-zæøå])")


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
            if prev_word and prev_word.group(1).lower().rstrip(".") in ABBREVIATIONS:
                return m.group(1)
            if prev_word and re.fullmatch(r"\d{1,2}", prev_word.group(1)):
                return m.group(1)  # "17. marts" is a date, not a sentence end
        return m.group(1).upper()

    return text.sub(_SENTENCE_START, fix)
