"""The default answer mode, "uddrag": an answer made only of the material's own sentences.

No LLM: the lead is the sentence that best answers the question, the bullets are the next best
sentences from other places, and a checklist, exercise or case among the top passages gets its
own part with its items, participants, duration and steps as the source gives them. The only
words added are the labels in rag/labels.py; every quoted sentence carries a marker `[n]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.answer.evidence import TermStats
from rag.answer.labels import label
from rag.documents import Chunk, Citation
from rag.index.embeddings import Embedder, EmbeddingCache
from rag.ingest.sentences import Sentence, split, statements
from rag.search.question import Question
from rag.search.retrieve import Hit
from rag.text import plain_words, shingles

STRUCTURED_KINDS = ("checklist", "exercise", "case")
MAX_BULLETS = 3
MAX_ITEMS = 8
CANDIDATES = 4  # passages whose sentences compete for the lead and the bullets
_STEP_HEADING = re.compile(r"^\d+\.\s")
_EXERCISE_FIELDS = {
    "DELTAGERE": "participants",
    "VARIGHED": "duration",
    "RAMMER OG MATERIALER": "materials",
    "FREMGANGSMADE": "steps",
}


class SentenceScorer:
    """Ranks sentences by meaning (e5, vectors cached on disk) and by the question's terms."""

    def __init__(
        self, stats: TermStats, embedder: Embedder, cache: EmbeddingCache | None = None
    ) -> None:
        self.stats = stats
        self.embedder = embedder
        self.cache = cache
        self._memory: dict[str, np.ndarray] = {}

    def scores(
        self, question: Question, query: np.ndarray, sentences: list[Sentence]
    ) -> list[float]:
        if not sentences:
            return []
        vectors = self._vectors([s.text for s in sentences])
        meaning = vectors @ query
        terms = question.terms
        return [
            float(m) + 0.15 * self.stats.coverage(terms, self.stats.terms(s.text))
            for m, s in zip(meaning, sentences, strict=True)
        ]

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memory]
        if missing:
            if self.cache is not None:
                fresh = self.cache.embed_passages(self.embedder, missing).vectors
            else:
                fresh = self.embedder.embed_passages(missing)
            self._memory.update(zip(missing, fresh, strict=True))
        return np.stack([self._memory[t] for t in texts])


@dataclass
class _Quote:
    hit: Hit
    sentence: Sentence
    score: float


class Citations:
    """Numbers passages in order of first use; one `[n]` per chunk, its span growing as needed."""

    def __init__(self) -> None:
        self._by_chunk: dict[str, Citation] = {}

    def mark(self, chunk: Chunk, start: int, end: int) -> str:
        c = self._by_chunk.get(chunk.chunk_id)
        if c is None:
            c = self._by_chunk[chunk.chunk_id] = Citation(
                len(self._by_chunk) + 1, chunk, start, end
            )
        else:
            c.text_start, c.text_end = min(c.text_start, start), max(c.text_end, end)
        return f"[{c.n}]"

    def all(self) -> list[Citation]:
        return list(self._by_chunk.values())


def compose(
    question: Question,
    hits: list[Hit],
    query: np.ndarray,
    scorer: SentenceScorer,
) -> tuple[str, list[Citation]]:
    """The extract answer's Markdown and its citations."""
    language = question.language
    cites = Citations()
    # A checklist, exercise or case gets its own part when it is the best match or when the
    # question asks for that kind; otherwise its sentences compete like any other passage's.
    wanted = question.kind
    structured = [
        h
        for h in hits[:3]
        if h.chunk.kind in STRUCTURED_KINDS and (h.rank == 1 or h.chunk.kind == wanted)
    ]
    structured = _one_per_kind(structured)
    prose = [h for h in hits[:CANDIDATES] if h not in structured] or hits[:1]
    quotes = _ranked_quotes(question, prose, query, scorer)

    # Blocks (the lead, a part, the bullets) are separated by exactly one blank line.
    blocks: list[list[str]] = []
    if label(language, "lead"):
        blocks.append([label(language, "lead")])
    asked_for = [h for h in structured if h.chunk.kind == wanted]
    for hit in asked_for:  # the checklist/exercise/case the question asks for comes first
        blocks.append(_structured_part(hit, cites, language, question, query, scorer))
    if quotes:
        lead = quotes[0]
        if not asked_for:
            blocks.append([f"{lead.sentence.text} {_mark(cites, lead)}"])
        bullets = _pick_bullets(quotes, lead)[: MAX_BULLETS - 1 if asked_for else MAX_BULLETS]
        if bullets:
            blocks.append(
                [f"**{label(language, 'more')}:**"]
                + [f"- {q.sentence.text} {_mark(cites, q)}" for q in bullets]
            )
    for hit in structured:
        if hit not in asked_for:
            blocks.append(_structured_part(hit, cites, language, question, query, scorer))
    return "\n\n".join("\n".join(b) for b in blocks if b), cites.all()


def _one_per_kind(hits: list[Hit]) -> list[Hit]:
    seen: set[str] = set()
    out = []
    for h in hits:
        if h.chunk.kind not in seen:
            seen.add(h.chunk.kind)
            out.append(h)
    return out


def _mark(cites: Citations, q: _Quote) -> str:
    return cites.mark(q.hit.chunk, q.sentence.start, q.sentence.end)


def _ranked_quotes(
    question: Question, hits: list[Hit], query: np.ndarray, scorer: SentenceScorer
) -> list[_Quote]:
    # Questions in the text (a checklist's own) are not answers to the user's question.
    pool = [(h, s) for h in hits for s in statements(h.chunk)]
    scores = scorer.scores(question, query, [s for _, s in pool])
    # Passages the search ranked higher get a small head start: they were judged on more text.
    ranked = [
        _Quote(h, s, score + 0.02 * (CANDIDATES - min(h.rank, CANDIDATES)) / CANDIDATES)
        for (h, s), score in zip(pool, scores, strict=True)
    ]
    return sorted(ranked, key=lambda q: -q.score)


def _pick_bullets(quotes: list[_Quote], lead: _Quote) -> list[_Quote]:
    """Next best sentences that add something: close in score, not repeating one another."""
    chosen: list[_Quote] = []
    seen = [shingles(plain_words(lead.sentence.text), 2)]
    for q in quotes:
        if q is lead:
            continue
        if len(chosen) == MAX_BULLETS or q.score < lead.score - 0.03:
            break
        grams = shingles(plain_words(q.sentence.text), 2)
        if any(grams and len(grams & g) > 0.5 * len(grams) for g in seen):
            continue
        seen.append(grams)
        chosen.append(q)
    return chosen


def _title(chunk: Chunk, kind_prefix: str) -> str:
    """The part's own name, e.g. "Tjekliste: Er jeres kerneopgave klar?"."""
    parts = [p.strip() for p in chunk.section.split("›")]
    for p in reversed(parts):
        if p.lower().startswith(("tjekliste", "øvelse", "case")):
            name = p.split(":", 1)[1].strip() if ":" in p else p
            return name
    return parts[-1] if parts else chunk.title


def _structured_part(
    hit: Hit,
    cites: Citations,
    language: str,
    question: Question,
    query: np.ndarray,
    scorer: SentenceScorer,
) -> list[str]:
    chunk = hit.chunk
    units = split(chunk)
    if chunk.kind == "checklist":
        body, used = _checklist(units)
    elif chunk.kind == "exercise":
        body, used = _exercise(units, language)
    else:
        body, used = _case(chunk, question, query, scorer)
    if not body:
        return []
    marker = cites.mark(chunk, min(u.start for u in used), max(u.end for u in used))
    title, kind_name = _title(chunk, chunk.kind), label(language, chunk.kind)
    if not title.lower().startswith(kind_name.lower()):
        title = f"{kind_name}: {title}"
    heading = f"**{title}** {marker}"
    return [heading, *body]


def _checklist(units: list[Sentence]) -> tuple[list[str], list[Sentence]]:
    """Each item as the source gives it: the question, then its first explaining sentence."""
    items: list[list[Sentence]] = []
    for u in units:
        if u.bullet:
            items.append([u])
        elif items and len(items[-1]) == 1 and not u.heading and not u.text.startswith("Kilde"):
            items[-1].append(u)
    lines = [
        f"- **{item[0].text}**" + (f" {item[1].text}" if len(item) > 1 else "")
        for item in items[:MAX_ITEMS]
    ]
    used = [u for item in items[:MAX_ITEMS] for u in item]
    return lines, used


def _exercise(units: list[Sentence], language: str) -> tuple[list[str], list[Sentence]]:
    """Purpose, participants, duration, materials and steps under the source's own headings."""
    fields: dict[str, list[Sentence]] = {"intro": []}
    current = "intro"
    for u in units:
        key = _EXERCISE_FIELDS.get(fold_heading(u.text)) if u.heading else None
        if key:
            current = key
            fields.setdefault(current, [])
            continue
        fields.setdefault(current, []).append(u)
    lines: list[str] = []
    used: list[Sentence] = []
    if fields["intro"] and not fields["intro"][0].bullet:
        lines.append(fields["intro"][0].text)
        used.append(fields["intro"][0])
    for key in ("participants", "duration", "materials"):
        if fields.get(key):
            first = fields[key][0]
            lines.append(f"- *{label(language, key)}:* {first.text}")
            used.append(first)
    steps = fields.get("steps") or [u for u in fields["intro"] if u.bullet]
    if steps:
        lines.append(f"- *{label(language, 'steps')}:*")
        for u in steps[:MAX_ITEMS]:
            text = f"**{u.text}**" if _STEP_HEADING.match(u.text) else u.text
            lines.append(f"  - {text}")
            used.append(u)
        if len(steps) > MAX_ITEMS:
            lines.append(f"  - … {label(language, 'rest')}.")
    return (lines, used) if used else ([], [])


def _case(
    chunk: Chunk, question: Question, query: np.ndarray, scorer: SentenceScorer
) -> tuple[list[str], list[Sentence]]:
    """The case's own summary: its two sentences closest to the question, in source order."""
    candidates = statements(chunk)
    if not candidates:
        return [], []
    scores = scorer.scores(question, query, candidates)
    best = sorted(range(len(candidates)), key=lambda i: -scores[i])[:2]
    chosen = [candidates[i] for i in sorted(best)]
    return [" ".join(s.text for s in chosen)], chosen


def fold_heading(text: str) -> str:
    """ "FREMGANGSMåDE" and "Fremgangsmåde" alike: the PDF mixed the case of headings."""
    return " ".join(plain_words(text)).upper()
