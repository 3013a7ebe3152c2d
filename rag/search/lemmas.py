"""Words compared by meaning, not by spelling: lemmas, compound parts and word classes.

A manager writes "inddrog", "firmaer", "teammøder"; the material writes "inddrage",
"virksomheder", "møder i teamet". Comparing surface forms (or Snowball stems, which leave
"inddrog" and "inddrage" apart) makes such words look foreign. Here every word is reduced to

- its lemma ("inddrog" → "inddrage", "lønnen" → "løn"; a table derived from simplemma's
  Danish data, rag/data/lemmas-da.tsv), folded like the lexical index folds spelling;
- its compound parts, against general Danish (`wordfreq`), independent of the material:
  "sygefraværssamtale" → sygefravær, syge, fravær, samtale;
- its word class from Debian's hunspell-da (rag/data/words-da.tsv, derived by
  scripts/derive_word_data.py): only nouns, names and acronyms are topics a refusal may name.

The evaluation (rag/measure/overlap.py) and the answer step use the same functions, so what
counts as "the same word" is one definition.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rag.config import PACKAGE_DATA
from rag.search.language import english_lemma, english_noun, word_frequencies
from rag.text import fold_spelling, word_classes

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


@cache
def _lemma_table() -> dict[str, str]:
    """form → lemma (rag/data/lemmas-da.tsv, derived from simplemma's Danish data by
    scripts/derive_word_data.py: simplemma's own dictionary takes seconds to load)."""
    table: dict[str, str] = {}
    for line in (PACKAGE_DATA / "lemmas-da.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            form, _, base = line.partition("\t")
            table[form] = base
    return table


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str = "da") -> str:
    """The dictionary form, lower-case: "inddrog" → "inddrage", "Medarbejderne" → "medarbejder".
    A form the table does not know loses an inflection ending when what is left is a word
    ("teammøderne" → "teammøde" through its last part "møderne")."""
    low = word.lower()
    if lang == "en":
        return english_lemma(low)
    table = _lemma_table()
    if low in table:
        return table[low]
    if known(low) or classes_of(low):
        return low
    for k in range(3, len(low) - 3):  # a compound: inflect its last part
        head, tail = low[:k], low[k:]
        if tail in table and (known(tail) or classes_of(tail)):
            return head + table[tail]
    return _without_ending(low)


_INFLECTIONS = ("erne", "ene", "ens", "ets", "en", "et", "er", "ne", "e", "s", "r", "n")


def _without_ending(word: str) -> str:
    """An unknown form without the inflection ending that leaves a known word, or a known
    compound's tail ("kørselsgodtgørelsen" → "kørselsgodtgørelse")."""
    for ending in _INFLECTIONS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3:
            tail = next((stem[k:] for k in range(len(stem) - 3) if known(stem[k:])), "")
            if known(stem) or (len(tail) >= 4 and tail == stem[-len(tail) :]):
                return stem
    return word


def load() -> None:
    """Read the word tables now, so that no question waits for them."""
    _lemma_table()
    word_frequencies("da")
    word_classes()
    _synonym_table()


def known(word: str, lang: str = "da") -> bool:
    """General Danish (or English) uses the word: it can be a compound's part (a dictionary
    lookup: wordfreq's own `zipf_frequency` normalises the word first and is slow per call)."""
    return word_frequencies(lang).get(word, 0.0) >= 10 ** (MIN_PART_ZIPF - 9)


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


def classes_of(word: str) -> frozenset[str]:
    table = word_classes()
    return table.get(word) or table.get(word.lower()) or frozenset()


_NOUN_SUFFIX = re.compile(
    r"(ing|ning|else|hed|skab|tion|isme|itet|ør|ist)(en|er|erne|ens|s|n|r|rne|ns)?$"
)
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
    """A proper name whose lower-case form is no ordinary word ("Petersen"), also in the
    genitive ("Petersens"), or a capitalised word the dictionary knows in no form, as typed
    or without a genitive s ("Bentzen", "Bentzens", "Aakjærs"): Danish capitalises names,
    not nouns."""
    forms = [word, word[:-1]] if len(word) > 3 and word.endswith("s") else [word]
    known = [classes_of(f[:1].upper() + f[1:].lower()) for f in forms]
    if {"name"} in known:
        return True
    low = word.lower()
    return not any(known) and not classes_of(lemma(low)) and not _ends_with_noun(low)


@cache
def _synonym_table() -> dict[str, tuple[str, ...]]:
    """word → synonyms the material uses (rag/data/synonyms-da.tsv, from mythes-da)."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (PACKAGE_DATA / "synonyms-da.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, _, synonyms = line.partition("\t")
            table[word] = tuple(synonyms.split())
    return table


def synonyms(word: str) -> tuple[str, ...]:
    """Synonyms of a word (by its lemma) that the shipped material uses: "firmaer" →
    virksomhed, …; () when the thesaurus has none."""
    return _synonym_table().get(lemma(word), ())


def is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


# English pronouns the noun lexicon also lists ("them", "ones", "everyone"): never a topic.
_ENGLISH_PRONOUNS = frozenset(
    "me him her us them mine ours yours hers his theirs myself yourself himself herself "
    "itself ourselves yourselves themselves one ones someone somebody anyone anybody everyone "
    "everybody everything something anything nothing nobody".split()
    # Closed-class words lemminflect also lists as nouns, and nouns that name no topic: "The
    # material does not mention whether" refused "How can I tell whether my unit has high or
    # low social capital?".
    + "whether while neither both each such other another many lot lots thing things way ways "
    "sort kind".split()
)


def is_topic(word: str, lang: str = "da") -> bool:
    """A word a refusal may name as a topic the material lacks: a noun, a name or an acronym
    (never an inflected verb, an adjective or a function word)."""
    if is_acronym(word):
        return True
    if lang == "en":
        if word.lower() in _ENGLISH_PRONOUNS:
            return False
        return english_noun(word) or (word[:1].isupper() and not word.isupper())
    return is_noun(word) or (word[:1].isupper() and is_name(word))
