"""Which language a question is in, and English questions in Danish words.

The guidance material is Danish. An English question gets its domain terms translated from a
small glossary (rag/data/glossary-en-da.tsv) so the lexical index can match it; the dense model
is multilingual and sees the question as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN_PLUS
from lemminflect import getAllLemmas
from wordfreq import get_frequency_dict

from rag.config import PACKAGE_DATA, Settings

# Read from the environment once, when the process starts (`TILLID_COMMON_ENGLISH_ZIPF`).
COMMON_ENGLISH_ZIPF = Settings.load().common_english_zipf

_WORD = re.compile(r"[^\W\d_]+(?:'[a-z]+)?", re.UNICODE)

ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "what",
        "how",
        "why",
        "when",
        "where",
        "who",
        "which",
        "whom",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "my",
        "our",
        "your",
        "their",
        "this",
        "that",
        "these",
        "those",
        "about",
        "from",
        "as",
        "at",
        "by",
        "it",
        "its",
        "there",
        "any",
        "some",
        "give",
        "me",
        "tell",
        "please",
        "i",
        "we",
        "you",
        "they",
    ]
)

# English words that name nothing the material is about: the detection words above, NLTK's
# English stopwords (as bm25s ships them) and the modal verbs it leaves out.
ENGLISH_FUNCTION_WORDS = (
    ENGLISH_WORDS
    | frozenset(STOPWORDS_EN_PLUS)
    | frozenset("would could might must shall may also us let".split())
)

_DANISH = frozenset(
    [
        "og",
        "i",
        "på",
        "til",
        "med",
        "som",
        "er",
        "det",
        "den",
        "de",
        "en",
        "et",
        "af",
        "for",
        "at",
        "hvad",
        "hvordan",
        "hvorfor",
        "hvornår",
        "hvor",
        "hvem",
        "hvilke",
        "hvilken",
        "kan",
        "skal",
        "vil",
        "jeg",
        "vi",
        "du",
        "man",
        "ikke",
        "der",
        "har",
        "har",
        "om",
        "mine",
        "vores",
        "jeres",
        "giv",
        "mig",
        "noget",
        "nogle",
        "også",
        "sådan",
        "være",
        "bliver",
    ]
)


def detect_language(text: str) -> str:
    """'da' or 'en'. Danish letters settle it; otherwise function words vote, Danish on ties."""
    lowered = text.lower()
    if re.search(r"[æøå]", lowered):
        return "da"
    words = _WORD.findall(lowered)
    english = sum(w in ENGLISH_WORDS for w in words)
    danish = sum(w in _DANISH for w in words)
    return "en" if english > danish else "da"


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[tuple[str, ...], str]]:
    entries: list[tuple[tuple[str, ...], str]] = []
    for line in (PACKAGE_DATA / "glossary-en-da.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, danish = line.partition("\t")
        entries.append((tuple(english.lower().split()), danish.strip()))
    return sorted(entries, key=lambda e: -len(e[0]))


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """The glossary's entries under their first English word, longest terms first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for english, danish in _glossary():
        index.setdefault(english[0] if english else "", []).append((english, danish))
    return index


@lru_cache(maxsize=1)
def _single_words() -> frozenset[str]:
    return frozenset(e[0] for e, _ in _glossary() if len(e) == 1)


def _matches(text: str) -> list[tuple[tuple[str, ...], str]]:
    """The glossary entries found in an English text, longest terms first, left to right: the
    text's words as found and the entry's Danish words. A plural meets its singular when the
    glossary has no entry for the plural itself ("cooperation committees" is the entry
    "cooperation committee"; "social workers" keeps its own, "socialrådgivere")."""
    words = _WORD.findall(text.lower())
    found: list[tuple[tuple[str, ...], str]] = []
    i = 0
    while i < len(words):
        entry = _entry_at(words, i)
        if entry is None:
            i += 1
            continue
        found.append((tuple(words[i : i + len(entry[0])]), entry[1]))
        i += len(entry[0])
    return found


def _entry_at(words: list[str], i: int) -> tuple[tuple[str, ...], str] | None:
    """The longest glossary entry that starts at `words[i]`; among entries as long, one
    spelled as the text spells it before one that reads the text's plurals as singulars,
    else the glossary's first."""
    index = _by_first_word()
    best, best_rank = None, (0, False)
    for english, danish in (
        e for w in dict.fromkeys(_singular(words[i])) for e in index.get(w, ())
    ):
        here = words[i : i + len(english)]
        if len(here) == len(english) and all(
            e in _singular(w) for w, e in zip(here, english, strict=True)
        ):
            rank = (len(english), tuple(here) == english)
            if rank > best_rank:
                best, best_rank = (english, danish), rank
    return best


def glossary_matches(text: str) -> list[tuple[tuple[str, ...], str]]:
    """(English words, Danish words) of each glossary term in `text`, longest terms first."""
    return _matches(text)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, dict[str, tuple[str, ...]]]:
    """english → {word class: Danish words the material uses} (rag/data/lexicon-en-da.tsv,
    derived from FreeDict by scripts/derive_word_data.py)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for line in (PACKAGE_DATA / "lexicon-en-da.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        english, pos, danish = [*line.split("\t"), "", ""][:3]
        out.setdefault(english, {})[pos] = tuple(danish.split())
    return out


def _singular(word: str) -> list[str]:
    w = word.lower()
    forms = [w]
    if w.endswith("ies") and len(w) > 4:
        forms.append(w[:-3] + "y")
    if w.endswith("es") and len(w) > 4:
        forms.append(w[:-2])
    if w.endswith("s") and len(w) > 3:
        forms.append(w[:-1])
    return forms


def load() -> None:
    """Read the glossary, the lexicon and the English lemmatiser's tables now (the first
    English question would otherwise wait over a second for them)."""
    _by_first_word()
    _single_words()
    _lexicon()
    word_frequencies("en")
    english_lemma("employees")


def translations(word: str) -> tuple[str, ...]:
    """Danish words the material uses for an English word (FreeDict, by its lemma too):
    "employee" → arbejdstager; () when the lexicon has none."""
    lexicon = _lexicon()
    found: list[str] = []
    for form in dict.fromkeys([word.lower(), english_lemma(word), *_singular(word)]):
        for danish in lexicon.get(form, {}).values():
            found += [d for d in danish if d not in found]
    return tuple(found)


def english_lemma(word: str) -> str:
    """The English dictionary form ("experiences" → "experience", "wrote" → "write")."""
    classes = getAllLemmas(word.lower()) if word.isalpha() else {}
    for pos in ("NOUN", "VERB", "ADJ", "ADV"):
        if pos in classes:
            return classes[pos][0]
    return word.lower()


def english_noun(word: str) -> bool:
    """An English noun that is no adjective or adverb too (lemminflect's lexicon: "salary",
    "leave", "contribution"; not "annual", "overall", "wrote"), or a term of the glossary."""
    low = word.lower()
    if low in _single_words():
        return True
    classes = getAllLemmas(low) if low.isalpha() else {}
    return "NOUN" in classes and not {"ADJ", "ADV"} & set(classes)


def danish_terms(text: str) -> str:
    """Danish words for an English text: the glossary's for its domain terms (longest terms
    first), then the lexicon's for its other words that are not everyday English
    ("employees" → arbejdstager; "back", "went", "people" → nothing, see `everyday`)."""
    covered = glossary_words(text)
    found = [danish for _, danish in _matches(text) if danish]
    for word in _WORD.findall(text):
        low = word.lower()
        if low not in covered and low not in ENGLISH_WORDS and len(low) > 2 and not everyday(low):
            found += translations(low)[:2]
    return " ".join(dict.fromkeys(found))


def everyday(word: str) -> bool:
    """Everyday English (`Settings.common_english_zipf`): "how do we win that trust back"
    gave "tjene ryg tilbage", and "people" gave "folk", a word few passages use, so a story
    that says "folk" once led the answer to a question about something else."""
    return word_frequencies("en").get(word, 0.0) >= 10 ** (COMMON_ENGLISH_ZIPF - 9)


@lru_cache(maxsize=2)
def word_frequencies(lang: str) -> dict[str, float]:
    """wordfreq's table of a language, read once (its `zipf_frequency` normalises the word
    first and is slow per call)."""
    return get_frequency_dict(lang)


def english_names(text: str) -> str:
    """What of an English text may match the Danish material as typed: its numbers and its
    capitalised words ("Glostrup", "OAO", "MindLab"), function words aside. Every other English
    word reaches the lexical side only as its Danish words (`danish_terms`); as typed it matches
    Danish by accident: "to" is a number, "it" and "posts" the post-its of an exercise, and "We
    have to cut around 15 posts …" found that exercise before the agency that cut 70 posts."""

    def kept(m: re.Match) -> str:
        word = m.group(0)
        return word if word[:1].isupper() and word.lower() not in ENGLISH_FUNCTION_WORDS else ""

    return _WORD.sub(kept, text)


def glossary_pairs(text: str) -> list[tuple[str, str]]:
    """(English term as found, its Danish words) for each glossary term in an English text."""
    return [(" ".join(english), danish) for english, danish in _matches(text)]


def glossary_words(text: str) -> set[str]:
    """The English words of `text` that the glossary translates (or marks as empty)."""
    return {w for english, _ in _matches(text) for w in english}
