"""How many of a question's own words its expected passage uses: the measure of how much a
question was written in the material's words.

A question written from a sentence of the material shares most of its words with the passage
that answers it; a manager's question from a situation shares few. Answer figures are reported
by bucket of this overlap (≤ 0.3, 0.3–0.6, > 0.6), so a gate that only works for familiar words
shows up as a gap between the buckets.

    overlap = content words of the question that occur in the expected passage
              ─────────────────────────────────────────────────────────────────
                              content words of the question

Content words: the question's words without stopwords and without the question's frame
("hvordan kan jeg", "findes der", "hvad siger materialet om"). Words are compared as lemmas,
folded like the lexical index folds spelling (rag/search/lemmas.py); a compound of the question
occurs when the passage has it or all of its parts, and the passage's compounds bring their
parts ("møde" occurs in a passage about "teammøder"). The expected passage is every indexed
passage holding one of the question's quotes (the chunks a hit would have to be).

The definition is fixed here, independent of the answer step's own word lists, so tuning the
answers never moves the measure.
"""

from __future__ import annotations

from rag.documents import Chunk
from rag.index.lexical import danish_stopwords
from rag.measure.evaluate import EvalQuestion, QuoteMatcher
from rag.search.language import ENGLISH_WORDS
from rag.search.lemmas import compound_parts, keys, words
from rag.text import fold_spelling

BUCKETS = ("≤0.3", "0.3–0.6", ">0.6")

# The frame of a question: what asks, not what is asked about.
FRAME = frozenset(
    """
    hvad hvordan hvorfor hvornår hvem hvor hvilke hvilken hvilket hvis hvorvidt kan kunne skal
    skulle bør burde må vil ville jeg vi man du min mit mine vores jeres os mig dig din dit dine
    sig gøre gør gjorde gøres få får fik give giver giv gives fortæl fortælle nævn nævner nævnes
    sige siger står stå findes finde fx eksempelvis materialet materiale materialets hæftet
    hæfterne pjecen kilden kilderne noget nogen nogle ting måde måder egentlig gerne lige bare
    der her da så også mere mest især typisk fx altså rigtig godt helt
    what how why when who which where whom whose can could should would shall will may might
    must do does did doing i we you me us my our your get gets make tell give say says said
    material booklet booklets there any some way ways really actually also more most please
    anything something thing things explain describe mention mentions
    """.split()
)


def _stop() -> frozenset[str]:
    return danish_stopwords() | ENGLISH_WORDS | FRAME


def content_words(question: str) -> list[str]:
    """The question's words that say what it is about, in order, once each."""
    stop = _stop()
    out: list[str] = []
    for w in words(question):
        low = w.lower()
        if low in stop or fold_spelling(low) in stop or (len(w) < 2):
            continue
        if low not in out:
            out.append(low)
    return out


def passage_keys(text: str) -> set[str]:
    """Every form a passage's words are compared by: folded words, lemmas, compound parts."""
    found: set[str] = set()
    for w in set(words(text)):
        found |= keys(w)
        found |= {fold_spelling(p) for p in compound_parts(w)}
    return found


def occurs(word: str, passage: set[str]) -> bool:
    if keys(word) & passage:
        return True
    parts = compound_parts(word)
    return bool(parts) and all(fold_spelling(p) in passage for p in parts[:2])


def overlap(question: str, passage_text: str) -> float | None:
    """Share of the question's content words in the passage; None without content words."""
    content = content_words(question)
    if not content:
        return None
    passage = passage_keys(passage_text)
    return sum(occurs(w, passage) for w in content) / len(content)


def bucket(value: float | None) -> str | None:
    if value is None:
        return None
    if value <= 0.3:
        return BUCKETS[0]
    return BUCKETS[1] if value <= 0.6 else BUCKETS[2]


def expected_passages(
    question: EvalQuestion, chunks: list[Chunk], matcher: QuoteMatcher
) -> list[Chunk]:
    """The indexed passages that hold one of the question's quotes."""
    return [c for c in chunks if matcher.satisfied(c, question.sources)]


def question_overlap(question: EvalQuestion, chunks: list[Chunk], matcher: QuoteMatcher):
    """The overlap of an answerable question with its expected passages (None otherwise)."""
    if not question.answerable:
        return None
    passages = expected_passages(question, chunks, matcher)
    if not passages:
        return None
    return overlap(question.question, "\n".join(c.text for c in passages))
