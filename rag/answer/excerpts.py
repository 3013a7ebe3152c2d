"""What the LLM reads: the best sentences of the top passages and their neighbours, within a
token budget (`Settings.llm_context_tokens`).

A CPU reads a prompt at some 100–235 tokens a second (docs/answers.md); five whole passages
are 2,600–4,900 tokens, half a minute before the first word. So the sources are not whole
passages but excerpts: the sentence ranking of the extract answer (rag/answer/ranking.py)
says which units answer best, and each chosen unit comes with the sentence before and after
it, until the budget is spent. A passage none of whose sentences made it is not sent.

Each `Source` keeps the sentences it sent, so the grounding check (rag/answer/grounding.py)
holds a cited sentence against exactly what the model read, and a citation points into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.answer.ranking import Unit
from rag.documents import Chunk
from rag.ingest.sentences import BULLET, Sentence, split
from rag.search.retrieve import Hit

# Characters per token of the Danish sources for the small BPE vocabularies CPU models use
# (SmolLM2's tokenizer, measured by the benchmark in docs/answers.md); rounded down, so the
# budget is not overrun.
CHARS_PER_TOKEN = 3.0
# What one source costs beyond its sentences: its `<kilde …>` line with title and section.
HEADER_TOKENS = 30
GAP = " … "


def tokens(text: str) -> int:
    """An estimate of the tokens `text` costs in a prompt (no tokenizer needed)."""
    return max(1, round(len(text) / CHARS_PER_TOKEN))


@dataclass
class Source:
    """One numbered source as the LLM sees it: a chunk and the sentences sent of it."""

    chunk: Chunk
    sentences: list[Sentence]  # in source order

    @classmethod
    def whole(cls, chunk: Chunk) -> Source:
        return cls(chunk, list(split(chunk)))

    @property
    def text(self) -> str:
        """The sentences in source order; a bullet on its own line, a gap as " … "."""
        out = ""
        previous = None
        for s in self.sentences:
            piece = f"{BULLET} {s.text}" if s.bullet else s.text
            if previous is None:
                out = piece
            elif s.index != previous + 1:
                out += GAP.rstrip() + ("\n" if s.bullet else " ") + piece
            else:
                out += ("\n" if s.bullet or s.heading else " ") + piece
            previous = s.index
        return out

    @property
    def tokens(self) -> int:
        return HEADER_TOKENS + tokens(self.text)


def whole_sources(chunks: Sequence[Chunk]) -> list[Source]:
    return [Source.whole(c) for c in chunks]


def choose_sources(
    hits: Sequence[Hit], ranked: Sequence[Unit], budget: int, max_sources: int
) -> list[Source]:
    """Excerpts of the first `max_sources` hits, filled best unit first within `budget`
    tokens, in the hits' order. Never empty while a hit has a sentence: the best unit goes
    in even when it alone is over the budget."""
    allowed = [h.chunk for h in hits[:max_sources]]
    ids = {c.chunk_id for c in allowed}
    chosen: dict[str, set[int]] = {}
    spent = 0
    for unit in ranked:
        chunk = unit.hit.chunk
        if chunk.chunk_id not in ids:
            continue
        have = chosen.get(chunk.chunk_id, set())
        for wanted in (_with_neighbours(unit), {p.index for p in unit.parts}):
            new = wanted - have
            cost = _cost(chunk, new) + (0 if have else HEADER_TOKENS)
            if not new or spent + cost <= budget or not chosen:
                if new:
                    chosen[chunk.chunk_id] = have | new
                    spent += cost
                break
        if spent >= budget:
            break
    if not chosen:
        return _first_sentences(allowed, budget)
    return [_source(c, chosen[c.chunk_id]) for c in allowed if c.chunk_id in chosen]


def _with_neighbours(unit: Unit) -> set[int]:
    """The unit's sentences and the sentence on each side of them (within the chunk)."""
    indices = {p.index for p in unit.parts}
    last = len(split(unit.hit.chunk)) - 1
    return indices | {max(min(indices) - 1, 0), min(max(indices) + 1, last)}


def _cost(chunk: Chunk, indices: set[int]) -> int:
    sentences = split(chunk)
    return sum(tokens(sentences[i].text) + 1 for i in indices)


def _source(chunk: Chunk, indices: set[int]) -> Source:
    sentences = split(chunk)
    return Source(chunk, [sentences[i] for i in sorted(indices)])


def _first_sentences(chunks: list[Chunk], budget: int) -> list[Source]:
    """No ranked unit (a passage of headings and list items only): its opening sentences."""
    out = []
    spent = 0
    for chunk in chunks:
        picked: set[int] = set()
        for s in split(chunk):
            cost = tokens(s.text) + 1 + (0 if picked else HEADER_TOKENS)
            if spent + cost > budget and (picked or out):
                break
            picked.add(s.index)
            spent += cost
        if picked:
            out.append(_source(chunk, picked))
        if spent >= budget:
            break
    return out
