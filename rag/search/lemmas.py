"""Words compared by meaning, not by spelling: lemmas, compound parts and word classes.

A manager writes "inddrog", "firmaer", "teammøder"; the material writes "inddrage",
"virksomheder", "møder i teamet". Comparing surface forms (or Snowball stems, which leave
"inddrog" and "inddrage" apart) makes such words look foreign. Here every word is reduced to

- its lemma (`simplemma`, whose Danish data is bundled: "inddrog" → "inddrage", "lønnen" →
  "løn"), folded like the lexical index folds spelling ("samarbejde" typed "samarbejde",
  "samarbeide" …);
- its compound parts, against general Danish (`wordfreq`), independent of the material:
  "sygefraværssamtale" → sygefravær, syge, fravær, samtale;
- its word class from Debian's hunspell-da (rag/data/words-da.tsv, derived by
  tools/derive_word_data.py): only nouns, names and acronyms are topics a refusal may name.

The evaluation (rag/measure/overlap.py) and the answer step use the same functions, so what
counts as "the same word" is one definition.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import simplemma
from wordfreq import zipf_frequency

from rag.config import PACKAGE_DATA
from rag.search.language import english_noun
from rag.text import fold_spelling

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LINKS = ("s", "e", "")
MIN_HEAD = 4
MIN_TAIL = 3
MIN_COMPOUND = 8
MIN_PART_ZIPF = 2.0  # a part general Danish uses (wordfreq); rarer "parts" are chance letters
# Derivational endings that are words too ("hede", "skab"): never the tail of a compound.
_SUFFIXES = frozenset(["hed", "heder", "dom", "skab", "else", "ning", "lig", "ende", "isk"])
# Endings a Danish noun takes after its lemma (definite, plural, genitive), for telling the
# noun "lønnen" from the verb "steg" when both lemmatise to a noun entry.
_NOUN_ENDINGS = ("", "en", "et", "n", "t", "e", "er", "r", "erne", "ene", "ne", "s")


def words(text: str) -> list[str]:
    """The words of a text as typed (hyphenated compounds kept whole)."""
    return WORD.findall(text)


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str = "da") -> str:
    """The dictionary form, lower-case: "inddrog" → "inddrage", "Medarbejderne" → "medarbejder"."""
    low = word.lower()
    try:
        return simplemma.lemmatize(low, lang=lang).lower()
    except (ValueError, KeyError):
        return low


def known(word: str, lang: str = "da") -> bool:
    """General Danish (or English) uses the word: it can be a compound's part."""
    return zipf_frequency(word, lang) >= MIN_PART_ZIPF


@lru_cache(maxsize=65536)
def compound_parts(word: str) -> tuple[str, ...]:
    """The lemmas of the parts of a compound, every level of the split, or () for a word that
    is no compound: "sygefraværssamtale" → (sygefravær, samtale, syge, fravær). The last part
    is the longest known tail whose head (without a linking s or e) is a word or a compound."""
    w = lemma(word)
    if "-" in w:  # "it-system", "trivsels-måling": the parts as written
        return tuple(lemma(p) for p in w.split("-") if len(p) >= MIN_TAIL)
    if len(w) < MIN_COMPOUND:
        return ()
    for i in range(MIN_HEAD, len(w) - MIN_TAIL + 1):
        head, tail = w[:i], w[i:]
        if tail in _SUFFIXES or not known(tail):
            continue
        for link in _LINKS:
            if link and not head.endswith(link):
                continue
            base = head[: len(head) - len(link)] if link else head
            if len(base) < MIN_HEAD - 1:
                continue
            for candidate in (base, base + "e") if link else (base,):
                inner = compound_parts(candidate) if len(candidate) >= MIN_COMPOUND else ()
                if known(candidate) or inner:
                    return (lemma(candidate), lemma(tail), *inner)
    return ()


def keys(word: str) -> set[str]:
    """What a word is compared by: its folded surface form and its folded lemma."""
    return {fold_spelling(word), fold_spelling(lemma(word))}


@cache
def word_classes() -> dict[str, frozenset[str]]:
    """word → {"noun", "verb", "adj", "name", "other"} from rag/data/words-da.tsv."""
    out: dict[str, frozenset[str]] = {}
    path = PACKAGE_DATA / "words-da.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, classes = line.partition("\t")
            out[word] = frozenset(classes.split(","))
    return out


def classes_of(word: str) -> frozenset[str]:
    table = word_classes()
    return table.get(word) or table.get(word.lower()) or frozenset()


_NOUN_SUFFIX = re.compile(r"(ing|ning|else|hed|skab|tion|isme|itet|ør|ist)(en|er|erne|ens|s)?$")
_VERB_ENDINGS = ("r", "de", "te", "t", "ede", "et")


def is_noun(word: str) -> bool:
    """A Danish noun in one of its forms ("løn", "lønnen", "firmaer", "omorganisering",
    "whistleblowerordning"), not a verb or adjective form that lemmatises to a noun entry
    ("steg", "vandt", "opsætter")."""
    low = word.lower()
    own = classes_of(low)
    if "noun" in own and "verb" not in own:
        return True
    base = lemma(low)
    verbal = base != low and "noun" not in classes_of(base) and _verb_form(low, base)
    if verbal and not _ends_with_noun(base):
        return False  # "opsætter" is "opsætte" + r; "teammøder" is no verb
    if "noun" in classes_of(base) and _noun_form(low, base):
        return not ("verb" in own and low != base)
    if _NOUN_SUFFIX.search(low):
        return True
    return _ends_with_noun(low)


def _verb_form(word: str, base: str) -> bool:
    stem = base[:-1] if base.endswith("e") else base
    return any(word in (base + e, stem + e) for e in _VERB_ENDINGS)


_PARTICLES = frozenset(
    "op af ind ud over under fra til om an be for ned frem gen mis sam bort".split()
)


def _ends_with_noun(word: str) -> bool:
    """A compound whose last part is a noun: "lønramme", "whistleblowerordningen". A part
    that is a verb too counts only after a head that is a word and no verb particle
    ("inddrog" is ind + drog, a verb)."""
    for i in range(3, len(word) - 3):
        head, tail = word[:i], word[i:]
        base = lemma(tail)
        classes = classes_of(tail) | classes_of(base)
        if "noun" not in classes or len(base) < 4 or not _noun_form(tail, base):
            continue
        if "verb" not in classes:
            return True
        if head not in _PARTICLES and _a_head(head):
            return True
    return False


def _a_head(head: str) -> bool:
    """The first part of a compound: a word, a compound, either with a linking s or e."""
    for h in (head, head[:-1] if head.endswith(("s", "e")) else head):
        if known(h) or classes_of(h) - {"name"} or (len(h) >= MIN_COMPOUND and compound_parts(h)):
            return True
    return False


def _noun_form(word: str, base: str) -> bool:
    """`word` is `base` with a noun ending, perhaps after a doubled consonant ("lønnen")."""
    stems = {base, base[:-1] if base.endswith("e") else base}
    stems |= {s + s[-1] for s in list(stems) if s and s[-1] not in "aeiouyæøå"}
    return any(word == s + e for s in stems for e in _NOUN_ENDINGS)


def is_name(word: str) -> bool:
    """A proper name whose lower-case form is no ordinary word ("Petersen")."""
    return classes_of(word[:1].upper() + word[1:].lower()) == {"name"}


def is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def is_topic(word: str, lang: str = "da") -> bool:
    """A word a refusal may name as a topic the material lacks: a noun, a name or an acronym
    (never an inflected verb, an adjective or a function word)."""
    if is_acronym(word):
        return True
    if lang == "en":
        return english_noun(word) or (word[:1].isupper() and not word.isupper())
    return is_noun(word) or (word[:1].isupper() and is_name(word))
