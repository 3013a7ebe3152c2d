"""The pronoun "I" (you, plural) where an extraction lower-cased it into the preposition "i".

The guidance material addresses its readers as "I" ("Hvad vil I opnå?"); one extraction wrote
every "I" as "i", which reads as the preposition ("in") and makes a quote look broken. A word
alone cannot tell the two apart, its clause can:

* after a modal verb (or "har") that opens its clause or follows a question word:
  "Hvad vil i opnå" (`capitalise_pronoun_i`);
* as the subject of a clause that a conjunction, a question word or a comma opens, before its
  finite verb, perhaps after an adverb ("hvordan i vil", "at i sammen er", "den forskel, i
  gerne vil gøre", "løsninger, i har afprøvet, i forhold til …") or a phrase ("om i med
  delopgaverne er kommet") (`capitalise_subordinate_i`);
* right after the finite verb of a question, where Danish puts the subject ("Hvordan tror i
  borgeren oplever …?", "Hvad opfatter i som …?", "Ved i nok om …?") (`capitalise_asked_i`);
* right after the finite verb that opens a condition before its main clause ("Vælger i
  afstemning, skal mødelederne …"): such a clause has its subject there
  (`capitalise_conditional_i`).

The preposition stays where the same places hold it: "i forhold til", "i gang", "i praksis",
"i 2013", "i staten", "på plejehjem, i fængsler og i sygehuse". Each rule is specified on real
sentences of the material in tests/test_repair.py.
"""

from __future__ import annotations

import re

import simplemma

from rag.ingest.mapped import MappedText
from rag.text import word_classes

# After a modal verb, a lower-case "i" is the pronoun "I" ("Hvad vil i opnå"), unless it opens
# one of the phrases where it is the preposition ("skal i gang", "kan i princippet").
MODALS = {"vil", "kan", "skal", "må", "bør", "tør", "gider", "ville", "kunne", "skulle", "måtte"}
AUXILIARIES = MODALS | {"har", "havde", "er", "var", "bliver", "blev"}
PREPOSITION_AFTER = {
    "en", "et", "den", "det", "de", "dag", "alt", "gang", "princippet", "praksis", "høring",
    "stand", "forvejen", "forhold", "fremtiden", "spil", "orden", "mål", "brug", "tvivl",
}  # fmt: skip
# Adverbs that stand between a subject and its verb ("i gerne vil", "i endnu ikke kender").
ADVERBS = {
    "gerne", "selv", "ikke", "allerede", "også", "sammen", "endnu", "nok", "altid", "ofte",
    "måske", "jo", "kun", "egentlig", "faktisk", "netop", "aldrig", "stadig", "især", "fx",
    "virkelig", "fortsat", "først", "så",
}  # fmt: skip
# A preposition never takes another preposition as its complement: "om i med delopgaverne er
# kommet" has the pronoun. Not "blandt": "undersøgelser i blandt andet luftfartsindustrien".
PREPOSITIONS = {"med", "på", "til", "for", "af", "fra", "om", "hos", "efter", "under", "uden"}
_PRONOUN_I = re.compile(
    r"\b(" + "|".join(sorted(MODALS | {"har"})) + r") i (?=([a-zæøå]+)\b)", re.I
)
# Words that put the verb before its subject: "Hvad kan I …", "Nu har I …", "Så kan I …".
INVERTING = {
    "hvad", "hvordan", "hvilke", "hvilken", "hvilket", "hvor", "hvornår", "hvorfor", "hvem",
    "hvorledes", "så", "nu", "derfor", "her", "da", "dernæst", "måske", "og", "eller",
}  # fmt: skip
_CLAUSE_START = re.compile(r"(?:^|[.?!:;,•–(]\s*)([^.?!:;,•–(]*)$")


def capitalise_pronoun_i(text: MappedText) -> MappedText:
    """ "Hvad vil i opnå" → "Hvad vil I opnå": a lower-case "i" right after a modal verb (or
    "har") is the pronoun where that verb opens its clause or follows a question word or an
    inverting adverb; "Partnerskaber kan i samspil med …" keeps its preposition."""

    def fix(m: re.Match[str]) -> str:
        if m.group(2) in PREPOSITION_AFTER:
            return m.group(0)
        before = _CLAUSE_START.search(text.text[: m.start()])
        lead = before.group(1).split() if before else []
        if len(lead) > 1 and lead[0].lower() == "men":
            lead = lead[1:]  # "…, men så kan i aftale": the adverb after "men" inverts
        verbs = MODALS | {"har"}
        asks = len(lead) > 1 and lead[1].lower() in INVERTING and lead[1].lower().startswith("hv")
        opens = not lead or lead[0].lower() in INVERTING or lead[0].lower() in verbs
        if not (opens or asks):  # "På hvilke måder vil i selv …" asks too
            return m.group(0)
        return f"{m.group(1)} I "

    return text.sub(_PRONOUN_I, fix)


# After a conjunction or a question word, a lower-case "i" before a verb in the present tense is
# the pronoun: "hvordan i vil tilrettelægge", "at i får løst", "som i er sat i verden", "Inden i
# lægger jer fast"; "som i praksis", "at i går" keep their preposition.
SUBORDINATORS = {
    "hvis", "når", "at", "om", "fordi", "som", "mens", "inden", "før", "hvad", "hvordan",
    "hvorfor", "hvornår", "hvor", "hvem", "hvilke", "hvilken", "hvilket", "hvorledes",
}  # fmt: skip
_NOT_VERBS = {"går", "år", "morgen", "aftes", "dag"}
# A lower-case "i" standing alone, followed by a word, a comma or a question mark.
_SMALL_I = re.compile(r"(?:(?<=^)|(?<=\s))i(?= [a-zæøå]|[,?])")
_WORDS = re.compile(r"[^\W\d_]+|\d+|[,?.!:;–]")
_SUBORDINATOR_BEFORE = re.compile(
    r"\b(?:" + "|".join(sorted(SUBORDINATORS)) + r")(?: ikke)?\s*$", re.I
)
_COMMA_BEFORE = re.compile(r",(?:\s+(?:og|men|eller))?\s*$")
# "på plejehjem, i fængsler og i sygehuse": after a phrase that a preposition opens, a comma
# lists the next place.
_PHRASE_OPENERS = {"i", "på", "ved", "hos", "fra", "til", "under", "blandt", "inden", "uden"}


def present_tense(word: str) -> bool:
    """A finite verb in the present tense ("regner", "får", "gør", "kan"), told by its lemma."""
    low = word.lower()
    if low in MODALS or low in {"har", "er", "var"}:
        return True
    if low in _NOT_VERBS or not low.endswith("r"):
        return False
    base = simplemma.lemmatize(low, lang="da")
    return base != low and (low == base + "r" or (base.endswith("e") and low == base[:-1] + "r"))


def finite_verb(word: str) -> bool:
    """An auxiliary, or a present-tense form whose lemma the dictionary knows as a verb:
    "betjener" (betjene), "møder" (møde, also a noun); not "kommuner" or "grupper"."""
    low = word.lower()
    if low in AUXILIARIES:
        return True
    lemma = simplemma.lemmatize(low, lang="da")
    return present_tense(low) and "verb" in word_classes().get(lemma, frozenset())


def verb_form(word: str) -> bool:
    """Any form of a word the dictionary knows only as a verb ("udvides", "afprøvet")."""
    classes = word_classes().get(simplemma.lemmatize(word.lower(), lang="da"), frozenset())
    return "verb" in classes and "noun" not in classes


def _verb_after_adverbs(words: list[str], verb=present_tense) -> bool:
    """Do the words open with a finite verb, perhaps after adverbs ("gerne vil", "endnu ikke
    kender", "sammen er")?"""
    k = 0
    while k < len(words) - 1 and k < 2 and words[k] in ADVERBS:
        k += 1
    return bool(words) and verb(words[k])


def _subject_after_opener(before: str, words: list[str]) -> bool:
    """Is "i" the subject of a clause that a conjunction or a comma opens?"""
    if not words or words[0] in PREPOSITION_AFTER:
        return False
    if _SUBORDINATOR_BEFORE.search(before):
        return _verb_after_adverbs(words) or words[0] in PREPOSITIONS
    if not _COMMA_BEFORE.search(before):
        return False
    segment = re.split(r"[,.;:?!•–(]", before.rstrip().rstrip(","))[-1].split()
    if segment and segment[0].lower() in _PHRASE_OPENERS:
        return False  # "på plejehjem, i fængsler": a list of places
    return _verb_after_adverbs(words, finite_verb) or words[0] in PREPOSITIONS


def capitalise_subordinate_i(text: MappedText) -> MappedText:
    """ "Tag stilling til, hvordan i vil tilrettelægge" → "… hvordan I vil …"; "Det er den
    forskel, i gerne vil gøre" → "…, I gerne vil gøre"; "Mødelederen samler op, og i drøfter
    sammen" → "…, og I drøfter sammen"."""

    def fix(m: re.Match[str]) -> str:
        words = _WORDS.findall(text.text[m.end() : m.end() + 80])
        return "I" if _subject_after_opener(text.text[: m.start()], words) else m.group(0)

    return text.sub(_SMALL_I, fix)


# Question words that are never the subject: after them and the verb, the subject follows.
_ADVERBIAL_QUESTION = {"hvordan", "hvorfor", "hvornår", "hvorledes", "hvor"}
_SUBJECT_QUESTION = {"hvad", "hvem", "hvilke", "hvilken", "hvilket"}
_QUANTIFIERS = {"mange", "meget", "få", "lidt"}
_QUESTION_CLAUSE = re.compile(r"(?:^|[.?!:;,•(]\s*)(?:(?:og|men|eller)\s+)?([^.?!:;,•–(]*)$", re.I)


def _asked_verb(lead: list[str]) -> str | None:
    """Of a question clause's words before "i": "adverbial" ("Hvordan tror", "hvor bundet
    er"), "subject" ("Hvad opfatter", "Hvilke forventninger fornemmer") or "first" ("Ved")
    when they end in its finite verb, else None."""
    if not lead or not (finite_verb(lead[-1]) or lead[-1] == "ved"):
        return None
    head, between = lead[0], lead[1:-1]
    if len(lead) == 1:
        return "first"
    if head in _ADVERBIAL_QUESTION and len(between) <= 1:
        return "subject" if set(between) & _QUANTIFIERS else "adverbial"
    if head in _SUBJECT_QUESTION and len(between) <= 2:
        return "subject"
    return None


def capitalise_asked_i(text: MappedText) -> MappedText:
    """ "Hvordan tror i borgeren oplever den situation?" → "Hvordan tror I borgeren …?".

    In a question a lower-case "i" right after the finite verb is the subject when a question
    word that is never the subject ("hvordan", "hvor bundet") comes first; after "hvad",
    "hvilke …" or a verb that opens the question ("Ved i nok om …?") only when no noun phrase
    follows it ("Hvad opfatter i som …", "fornemmer i, at …"), since "Hvad sker i staten?" has
    the preposition."""

    def fix(m: re.Match[str]) -> str:
        rest = text.text[m.end() :]
        end = re.search(r"[.!?\n]", rest)
        if not end or end.group(0) != "?":
            return m.group(0)
        clause = _QUESTION_CLAUSE.search(text.text[: m.start()])
        lead = clause.group(1).lower().split() if clause else []
        kind = _asked_verb(lead)
        words = _WORDS.findall(rest[:80])
        if kind is None or not words or words[0] in PREPOSITION_AFTER or words[0].isdigit():
            return m.group(0)
        if kind == "adverbial":
            return "I"
        free = ADVERBS | PREPOSITIONS | {"som", ",", "?"}
        return "I" if words[0] in free else m.group(0)

    return text.sub(_SMALL_I, fix)


# A condition without "hvis": a finite verb opens the sentence or list item, and the main
# clause after the comma starts with its own verb ("Vælger i afstemning, skal mødelederne").
_CONDITION = re.compile(
    r"(?:^|(?<=[.!?•:]))\s*([^\W\d_]+) (i) [^.,;:?!•]{1,60}, (?:"
    + "|".join(sorted(AUXILIARIES | {"så", "får", "bør"}))
    + r")\b",
    re.I | re.M,
)


def capitalise_conditional_i(text: MappedText) -> MappedText:
    """ "• Vælger i afstemning, skal mødelederne …" → "• Vælger I afstemning, …": a clause that
    opens with its finite verb and is followed by a main clause is a condition, whose subject
    follows the verb. "• Deltager i møder" (no main clause) keeps its preposition."""
    starts = {
        m.start(2)
        for m in _CONDITION.finditer(text.text)
        if finite_verb(m.group(1)) and m.group(1).lower() not in AUXILIARIES
    }
    if not starts:
        return text
    return text.sub(_SMALL_I, lambda m: "I" if m.start() in starts else m.group(0))
