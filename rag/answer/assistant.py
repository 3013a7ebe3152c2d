"""The answer step: question (and chat history) in, a cited `Answer` out.

follow-up made standalone → hybrid search → evidence strong enough? → compose
├─ no LLM ("uddrag"): the material's own sentences (rag/compose.py)
└─ LLM: streamed answer from the numbered sources, every [n] checked afterwards;
   any LLM failure falls back to the extracts with a visible notice.
"""

from __future__ import annotations

import copy
import gc
import re
import time
import unicodedata
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from rag import names
from rag.answer.cited import Checked, check_answer, fallback_notice
from rag.answer.compose import Composer
from rag.answer.evidence import Evidence, Gate, TermStats
from rag.answer.excerpts import choose_sources
from rag.answer.followup import content_words, is_follow_up, left_behind, set_in, standalone
from rag.answer.grounding import GroundingCheck
from rag.answer.labels import join_words, kind_label, label
from rag.answer.llm import LLM, LLMError, Waiting, load_chat_model
from rag.answer.model import load_models
from rag.answer.parts import asks_across_documents, asks_for_examples
from rag.answer.prompts import answer_messages, condense_messages, instructions
from rag.answer.ranking import SentenceRanker, Unit
from rag.config import Settings
from rag.documents import Answer, Chunk, Citation
from rag.index.embeddings import Embedder, EmbeddingCache, vector_cache
from rag.index.store import StoredIndex
from rag.privacy import redact, without_placeholders
from rag.search import language, lemmas
from rag.search.question import Question, drop_instructions, question_parts
from rag.search.retrieve import Hit, Searcher

EXTRACT_MODE = "uddrag"
LLM_MODE = "llm"
_POINTER = re.compile(r"\b(det|den|dem|dette|denne|de|it|that|them|this|those)\b", re.I)


MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


class Step(NamedTuple):
    """What the assistant is doing now, yielded by `stream` for a page to show (a progress
    line); `label(language, f"step_{name}")` says it in words."""

    name: str  # "search", "rank", "write", "llm", "queue"
    ahead: int = 0  # "queue": how many questions are before this one


class QuestionError(ValueError):
    """A question that cannot be asked; the message says why, in Danish."""


def normalise(question: str) -> str:
    """One form for a question: NFC, no control characters, single spaces at the ends."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", question)).strip()


def check_question(question: str) -> str | None:
    """Why a question cannot be asked, in Danish for the page, the CLI and the API; None when
    it can."""
    if any("\ud800" <= ch <= "\udfff" for ch in question):
        return (
            "Spørgsmålet indeholder tegn, der ikke er gyldig tekst (fx fra en ødelagt "
            "kopiering). Skriv det igen."
        )
    if not question.strip():
        return "Skriv et spørgsmål."
    if len(question) > MAX_QUESTION_CHARS:
        return (
            f"Spørgsmålet er for langt ({len(question)} tegn). Skriv det kortere – "
            f"højst {MAX_QUESTION_CHARS} tegn."
        )
    if not any(ch.isalpha() for ch in question):
        return "Spørgsmålet skal indeholde ord. Prøv fx: Hvad er social kapital?"
    return None


def load_llm(settings: Settings, spec: str | None = None) -> LLM | None:
    """The configured LLM, or None in the default extract mode; `LLMError` when misconfigured."""
    spec = spec if spec is not None else settings.llm
    if not spec:
        return None
    model = load_chat_model(
        spec,
        settings.llm_base_url,
        settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_tokens=settings.llm_max_tokens,
    )
    return LLM(model, spec, timeout=settings.llm_timeout)


class Assistant:
    """Answers questions from one index; holds nothing per user (history is passed in)."""

    def __init__(
        self,
        searcher: Searcher,
        settings: Settings,
        llm: LLM | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        self.searcher = searcher
        self.settings = settings
        self.llm = llm
        # The word tables every answer may need, read now rather than while a user waits.
        for module in (names, lemmas, language):
            module.load()
        models = load_models()
        bar = settings.refuse_below if settings.refuse_below is not None else models.refuse_below
        self.gate = Gate(models.answerable, bar, models.topic)
        self.stats = TermStats(
            searcher.lexical.analyzer, searcher.chunks, together=settings.compound_together
        )
        self.ranker = SentenceRanker(
            self.stats,
            searcher.embedder,
            models.sentence,
            cache,
            settings.answer_passages,
            adapt=searcher.adapted,
        )
        self.ranker.prepare(searcher.chunks)
        self.composer = Composer(
            self.ranker,
            self._siblings,
            catalogue=self._catalogue,
            max_bullets=settings.max_bullets,
            bullet_ratio=settings.bullet_ratio,
            bullet_floor=settings.bullet_floor,
            bullet_fill_ratio=settings.bullet_fill_ratio,
            bullet_fill_floor=settings.bullet_fill_floor,
            rare_passages=settings.rare_term_passages,
            max_items=settings.max_list_items,
            fit_reach=settings.lead_fit_reach,
            carry_ratio=settings.lead_carry_ratio,
            max_cases=settings.max_cases,
            max_listed=settings.max_listed,
            step_margin=settings.exercise_step_margin,
            purpose_sentences=settings.purpose_sentences,
            case_sentences=settings.case_sentences,
            case_name_passages=settings.case_name_passages,
        )
        self._parts = _parts_index(searcher.chunks)
        self._catalogues = catalogues(searcher.chunks)
        documents = searcher.index.documents if searcher.index is not None else []
        self._titles = _main_titles(documents, searcher.chunks)

    @classmethod
    def open(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        index: StoredIndex | None = None,
        llm: LLM | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> Assistant:
        """The one way to assemble the assistant: index (rebuilt first if stale, said through
        `notify`), embedder, searcher, sentence-vector cache and answer mode from `settings`.
        A long-lived caller passes the `embedder` and `index` it already holds."""
        searcher = Searcher.open(settings, embedder=embedder, index=index, notify=notify)
        assistant = cls(searcher, settings, llm, vector_cache(settings))
        settle()
        return assistant

    def close(self) -> None:
        """Release the searcher's index files and Chroma client (see `Searcher.close`)."""
        self.searcher.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def with_llm(self, llm: LLM | None) -> Assistant:
        """The same index and caches with another answer mode (one per chat session)."""
        clone = copy.copy(self)
        clone.llm = llm
        return clone

    @property
    def mode(self) -> str:
        return LLM_MODE if self.llm else EXTRACT_MODE

    def margin(self, answer: Answer) -> float:
        """How far the answer's evidence cleared the refusal bar (negative: refused)."""
        return answer.strength - self.gate.bar

    def ask(self, question: str, history: Sequence[Answer] = (), **filters: str | None) -> Answer:
        answer = None
        for piece in self.stream(question, history, **filters):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[Answer] = (),
        doc: str | tuple[str, ...] | None = None,
        kind: str | None = None,
    ) -> Iterator[Step | str | Answer]:
        """Steps and text as they are produced, then the finished `Answer` (whose text is
        authoritative).

        Personal data in the question is replaced by placeholders here, where it enters:
        search, the answer, everything stored and (unless Settings.llm_sees_personal_data)
        the LLM see only the redacted question. `QuestionError` when it cannot be asked.
        """
        started = time.perf_counter()
        problem = check_question(question)
        if problem:
            raise QuestionError(problem)
        typed = normalise(question)
        redacted = redact(typed, self.searcher.public_names)
        question = redacted.text
        # Sentences addressed to the assistant ("Ignorer alle tidligere instruktioner …") are
        # not part of what is searched, answered or sent to an LLM.
        meant, instructed = drop_instructions(question)
        meant = meant or question
        yield Step("search")
        # Search gets the topics of special-category details back ("stress", "sygefravær");
        # what is kept (`standalone`) and what an LLM condenses stay redacted.
        kept = self.standalone(meant, history)
        asked = self.searcher.analyse(meant, redacted.with_topics(kept))
        parts = self._parts_of(asked)
        sharing = self._sharing(asked, parts)
        if parts:  # embedded together: side by side when two cores are free
            own = [q for q in (asked, *parts) if q not in sharing]
            self.searcher.embed_query.many([self.searcher.dense_text(q) for q in own])
        shared = {p.searched: self.searcher.embed_query(asked.searched) for p in sharing}
        hits = self.retrieve(asked, doc=doc, kind=kind)
        part_hits = self._part_hits(parts, shared, doc=doc, kind=kind)
        yield Step("rank")
        query = self._vector(asked, shared)
        ranked = _away_from(self.ranker.rank(asked, hits, query), meant, history)
        judged = [
            self._judge_part(p, h, self._vector(p, shared))
            for p, h in zip(parts, part_hits, strict=True)
        ]
        evidence = self.gate.assess(
            asked, hits, self.stats, ranked, (query, self.searcher.embedder.name)
        )
        language = asked.language
        floor = self.settings.part_uncovered_below
        uncovered = [
            p.text for p, (_, e) in zip(parts, judged, strict=True) if e.probability < floor
        ]
        answered = next((k for k, (_, e) in enumerate(judged) if self._part_answered(e)), None)
        rescued = evidence.refused and bool(uncovered) and answered is not None
        if rescued:
            # "Hvad er social kapital, og hvordan beregner jeg overtidsbetaling?": the part the
            # material answers is answered, and the answer says which part it does not cover.
            asked = replace(parts[answered], language=language)
            hits = self.retrieve(asked, doc=doc, kind=kind, vector=shared.get(asked.searched))
            query = self._vector(asked, shared)
            ranked = self.ranker.rank(asked, hits, query)
            evidence = judged[answered][1]
        must = [
            u
            for k, (u, e) in enumerate(judged)
            if u is not None and e.probability >= floor and not (rescued and k == answered)
        ]

        keyword_only = self.searcher.keyword_only  # the vectors' server did not answer

        def finish(text: str, cites: list[Citation], **extra: object) -> Answer:
            said = [extra.get("notice")]
            said += [label(language, "instructions_ignored")] if instructed else []
            said += [label(language, "keyword_only")] if keyword_only else []
            extra["notice"] = " ".join(str(n) for n in said if n) or None
            return Answer(
                question=question,
                text=text,
                citations=cites,
                language=language,
                standalone=without_placeholders(kept),
                strength=evidence.probability,
                evidence=evidence.to_dict(self.gate.model),
                personal_data=list(redacted.kinds),
                passages=[passage(h) for h in hits],
                seconds=time.perf_counter() - started,
                **extra,  # type: ignore[arg-type]
            )

        if evidence.refused:
            text = refusal(language, hits, evidence, _filters(language, doc, kind), self._titles)
            yield text
            yield finish(text, [], refused=True, mode=self.mode)
            return
        notice, grounding = None, {}
        if self.llm is not None:
            yield Step("llm")
            to_llm = typed if self.settings.llm_sees_personal_data else question
            asked_llm = time.perf_counter()
            checked = yield from self._ask_llm(drop_instructions(to_llm)[0] or to_llm, hits, ranked)
            llm_seconds = round(time.perf_counter() - asked_llm, 3)
            if isinstance(checked, Checked) and checked.reason is None:
                yield finish(
                    checked.text,
                    checked.citations,
                    refused=checked.refused,
                    mode=LLM_MODE,
                    flagged=checked.flagged,
                    notice=checked.notice(language),
                    grounding={**checked.report(), "seconds": llm_seconds},
                )
                return
            # Failed, or not grounded (a model repeating its instructions, or obeying text
            # injected into a question or passage, answers this way): the extracts instead.
            notice, grounding = fallback_notice(language, checked)
            grounding["seconds"] = llm_seconds
        yield Step("write")
        composed = self.composer.compose(
            asked,
            hits,
            ranked,
            query,
            must=must,
            cases=self._case_hits(asked, shared.get(asked.searched), doc=doc, kind=kind),
            uncovered=uncovered,
        )
        yield from composed.text.splitlines(keepends=True)
        yield finish(
            composed.text,
            composed.citations,
            refused=False,
            mode=EXTRACT_MODE,
            notice=notice,
            partial=composed.partial,
            grounding=grounding,
        )

    def standalone(self, question: str, history: Sequence[Answer]) -> str:
        previous = [a.standalone or a.question for a in history]
        if not previous or not is_follow_up(question):
            return question.strip()
        if self.llm is not None:
            try:
                rewritten = self.llm.complete(condense_messages(question, previous))
                if rewritten and len(rewritten) < 400:
                    return rewritten.strip().strip('"')
            except LLMError:
                pass
        return standalone(question, previous)

    def retrieve(
        self,
        question: Question,
        doc: str | tuple[str, ...] | None = None,
        kind: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Hybrid hits; a question that asks for a checklist/exercise/case by name gets one.
        `vector`: the question's, when it shares another's (`_sharing`)."""
        n = self.settings.hits_per_answer
        hits = self.searcher.search(question, k=n, doc=doc, kind=kind, vector=vector)
        if doc is None and asks_across_documents(question):
            hits = self._each_document(question, hits, kind, vector)
        wanted = None if kind else question.kind
        if wanted and hits and all(h.chunk.kind != wanted for h in hits[:3]):
            extra = self.searcher.search(question, k=1, doc=doc, kind=wanted, vector=vector)
            if extra:
                ids = {extra[0].chunk.chunk_id}
                hits = [hits[0], extra[0], *(h for h in hits[1:] if h.chunk.chunk_id not in ids)]
                for rank, h in enumerate(hits, 1):
                    h.rank = rank
        return hits[:n]

    def _each_document(
        self, question: Question, hits: list[Hit], kind: str | None, vector: np.ndarray | None
    ) -> list[Hit]:
        """For a question across the booklets, each document's best passage among the
        `Settings.across_depth` best of the whole material, within the passages sentences are
        ranked from (`Settings.answer_passages`); the rest by score after them. The answer can
        then quote each booklet, not only the one that ranks best. (One wider search: a search
        kept to one document scores its passages against each other, not against the rest.)"""
        wide = self.searcher.search(
            question, k=self.settings.across_depth, kind=kind, vector=vector
        )
        best: dict[str, Hit] = {}
        for h in [*hits, *wide]:
            best.setdefault(h.chunk.doc_id, h)
        room = self.settings.answer_passages
        keep = sorted(best.values(), key=lambda h: -h.score)[:room]
        ids = {h.chunk.chunk_id for h in keep}
        rest = [h for h in hits if h.chunk.chunk_id not in ids]
        first = sorted([*keep, *rest[: max(0, room - len(keep))]], key=lambda h: -h.score)
        taken = {h.chunk.chunk_id for h in first}
        out = [*first, *(h for h in rest if h.chunk.chunk_id not in taken)][: len(hits)]
        for rank, h in enumerate(out, 1):
            h.rank = rank
        return out

    def _case_hits(
        self,
        question: Question,
        vector: np.ndarray | None,
        doc: str | tuple[str, ...] | None,
        kind: str | None,
    ) -> list[Hit]:
        """For a question after several examples ("Findes der arbejdspladser, der …",
        "Hvilke eksempler …"), the best passages among the cases alone: the cases the answer
        shows and names come from all of them, not only from those among the hits."""
        if question.kind != "case" or kind not in (None, "case") or not asks_for_examples(question):
            return []
        k = self.settings.case_passages
        return self.searcher.search(question, k=k, doc=doc, kind="case", vector=vector)

    def _ask_llm(
        self, question: str, hits: list[Hit], ranked: list
    ) -> Generator[Step | str, None, Checked | str]:
        """Stream the model's answer from budgeted excerpts, then check it; the checked
        answer, or why the model gave none (`LLMError`'s reason)."""
        assert self.llm is not None
        s = self.settings
        sources = choose_sources(hits, ranked, s.llm_context_tokens, s.llm_sources)
        produced: list[str] = []
        try:
            for piece in self.llm.stream(answer_messages(question, sources)):
                if isinstance(piece, Waiting):
                    yield Step("queue", piece.ahead)
                    continue
                produced.append(piece)
                yield piece
        except LLMError as exc:
            return str(exc)
        check = GroundingCheck(self.stats, self.ranker.vectors)
        return check_answer("".join(produced), sources, check, instructions(question))

    def _parts_of(self, asked: Question) -> list[Question]:
        """The parts of a two-part question, each analysed; [] for a single question. A
        short part or one that points back ("og hvordan bruger man den?") is searched with
        the first part beside it."""
        texts = question_parts(asked.searched)[: self.settings.max_question_parts]
        if len(texts) < 2:
            return []
        out = [self.searcher.analyse(texts[0])]
        for text in texts[1:]:
            alone = len(content_words(text)) >= 3 and not _POINTER.search(text)
            out.append(self.searcher.analyse(text, text if alone else f"{text} ({texts[0]})"))
        return out

    def _sharing(self, asked: Question, parts: list[Question]) -> list[Question]:
        """The parts that share the whole question's vector instead of being embedded. With
        `Settings.share_whole_vector`, a later part that points back and is searched with the
        first beside it ("Hvad står forkortelsen IPLS for, og hvad går det ud på?": "hvad går
        det ud på? (Hvad står forkortelsen IPLS for)") uses the whole question's vector: the
        same words in another order (cosine 0.95-0.99 with its own vector on the eval's
        two-part questions). Such a question embeds two texts, not three. The first part keeps
        its own (sharing it too lost d021's definition on the tune half). None when no part
        points back, or the whole question is more than its parts."""
        if not self.settings.share_whole_vector or not parts:
            return []
        dense = self.searcher.dense_text
        pointing = [p for p in parts[1:] if p.searched != p.text]
        if (
            not pointing
            or any(dense(q) != q.searched for q in (asked, *pointing))
            or len(question_parts(asked.searched)) != len(parts)
        ):
            return []
        return pointing

    def _vector(self, question: Question, shared: dict[str, np.ndarray]) -> np.ndarray:
        """The question's vector for ranking and the gate: shared, else its own."""
        found = shared.get(question.searched)
        return found if found is not None else self.searcher.embed_query(question.searched)

    def _part_hits(
        self,
        parts: list[Question],
        shared: dict[str, np.ndarray],
        **filters: str | tuple[str, ...] | None,
    ) -> list[list[Hit]]:
        """Each part's own three best passages."""
        return [
            self.searcher.search(p, k=3, vector=shared.get(p.searched), **filters)  # type: ignore[arg-type]
            for p in parts
        ]

    def _judge_part(
        self, part: Question, hits: list[Hit], vector: np.ndarray
    ) -> tuple[Unit | None, Evidence]:
        """The unit of a part's own passages that best answers that part, and how likely the
        material answers the part at all (the refusal gate, asked of the part alone)."""
        ranked = self.ranker.rank(part, hits, vector)
        evidence = self.gate.assess(
            part, hits, self.stats, ranked, (vector, self.searcher.embedder.name)
        )
        return (ranked[0] if ranked else None), evidence

    def _part_answered(self, evidence: Evidence) -> bool:
        return not evidence.refused and (evidence.probability >= self.settings.part_answered_above)

    def _catalogue(self, chunk: Chunk) -> list[Chunk]:
        return self._catalogues.get(chunk.chunk_id, [])

    def _siblings(self, chunk: Chunk) -> list[Chunk]:
        """The chunks of the same checklist, exercise or case (a long one spans several)."""
        return self._parts.get(_part_key(chunk), [chunk])[:4]


def settle() -> None:
    """Exempt what the process holds now (the index, the prepared units and vectors, the word
    tables: ~200,000 objects that live as long as it) from Python's full garbage collections,
    which otherwise stop an answer for 100-250 ms on two busy cores now and then. Unfrozen and
    collected first, so an assistant a rebuild left behind is freed rather than kept."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _main_titles(documents: list[dict], chunks: list[Chunk]) -> list[str]:
    """The titles of the indexed documents (copies left out), the one with most passages first."""
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    originals = [d for d in documents if not d.get("copy_of") and counts.get(d["doc_id"])]
    originals.sort(key=lambda d: -counts[d["doc_id"]])
    return [str(d["title"]) for d in originals]


_PART = re.compile(r"^(Case|Tjekliste|Øvelse)\b")


def _part_key(chunk: Chunk) -> tuple[str, str, str]:
    parts = [p.strip() for p in chunk.section.split("›")]
    upto = next((k for k, p in enumerate(parts) if _PART.match(p)), len(parts) - 1)
    return chunk.doc_id, chunk.kind, " › ".join(parts[: upto + 1])


def _parts_index(chunks: list[Chunk]) -> dict[tuple[str, str, str], list[Chunk]]:
    index: dict[tuple[str, str, str], list[Chunk]] = {}
    for c in chunks:
        index.setdefault(_part_key(c), []).append(c)
    return index


def catalogues(chunks: list[Chunk], least: int = 3) -> dict[str, list[Chunk]]:
    """Each passage that is one item of a catalogue, with all the catalogue's items: at least
    `least` sections side by side under one heading ("Videnscentre › Mindlab", "… › Midtlab"),
    each one passage of the same kind, and no checklist, exercise or case (those have parts
    of their own). Found from the index's structure, so material added later gets them too."""
    groups: dict[tuple[str, str], dict[str, list[Chunk]]] = {}
    for c in chunks:
        path = [p.strip() for p in c.section.split("›")]
        if len(path) >= 2:
            groups.setdefault((c.doc_id, " › ".join(path[:-1])), {}).setdefault(path[-1], [])
            groups[(c.doc_id, " › ".join(path[:-1]))][path[-1]].append(c)
    out: dict[str, list[Chunk]] = {}
    for items in groups.values():
        passages = [found[0] for found in items.values() if len(found) == 1]
        kinds = {c.kind for c in passages}
        if len(passages) < least or len(passages) < len(items) or len(kinds) > 1:
            continue
        if kinds & {"checklist", "exercise", "case"}:
            continue
        for c in passages:
            out[c.chunk_id] = passages
    return out


def passage(hit: Hit) -> dict:
    """A retrieved passage as kept with the answer: where it is and how it scored."""
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "channels": {k: round(v, 4) for k, v in hit.channels.items()},
        "chunk_id": c.chunk_id,
        "doc_id": c.doc_id,
        "title": c.title,
        "section": c.section,
        "kind": c.kind,
    }


def _filters(language: str, doc: str | tuple[str, ...] | None, kind: str | None) -> str:
    """The active filters in words, or "" when the search was not limited."""
    if doc and not isinstance(doc, str):  # a copy searched with its original: name the copy
        doc = doc[-1]
    names = [f"{'dokument' if language == 'da' else 'document'} {doc}"] if doc else []
    names += [kind_label(kind, language)] if kind else []
    return ", ".join(names)


def scope(language: str, titles: list[str], shown: int = 3) -> str:
    """What the material consists of, from the documents indexed (not fixed text: material a
    municipality adds is named too): »A«, »B«, »C« og 4 andre dokumenter."""
    shown = len(titles) if len(titles) <= shown + 1 else shown  # never "og 1 andre dokumenter"
    names = [f"»{t}«" for t in titles[:shown]]
    if len(titles) > shown:
        names.append(label(language, "others", n=str(len(titles) - shown)))
    return join_words(names, language)


def _topic(chunk: Chunk) -> str:
    """A passage's section as a refusal names it: its own heading, after its parent's short
    name when the heading is a few words that many sections share ("Anbefaling 3 – Vejen
    derhen", "Case: Glostrup Hospital – Samles en gang om dagen", not a bare "Vejen derhen")."""
    parts = [p.strip() for p in chunk.section.split("›") if p.strip()]
    if not parts:
        return chunk.title
    if len(parts) < 2 or (len(parts[-1].split()) > 4 and not _PART.match(parts[-2])):
        return parts[-1]
    parent = parts[-2]
    parent = (
        parent.split(" – ")[0] if _PART.match(parent) else re.split(r": (?=[A-ZÆØÅ])", parent)[0]
    )
    return f"{parent} – {parts[-1]}"


def refusal(
    language: str, hits: list[Hit], evidence: Evidence, filters: str = "", titles=()
) -> str:
    """Says the material does not cover it, names the question's words the material never
    uses, blames an active filter, names the documents the material consists of and the
    nearest topics it does cover."""
    lines = [label(language, "refusal")]
    if evidence.missing:
        lines.append(label(language, "missing", words=join_words(evidence.missing, language)))

    if filters:
        lines.append(label(language, "filtered", filters=filters))
    topics: list[str] = []
    for h in hits[:4]:
        section = _topic(h.chunk)  # a passage before the first heading has only its title
        topic = section if section == h.chunk.title else f"{section} ({h.chunk.title})"
        if topic not in topics:
            topics.append(topic)
    if topics:
        documents = scope(language, list(titles))
        said = label(language, "refusal_scope", documents=documents) if documents else ""
        lines += ["", said or label(language, "refusal_near")]
        lines += [f"- {t}" for t in topics[:3]]
    return "\n".join(lines)


def _away_from(ranked: list[Unit], question: str, history: Sequence[Answer]) -> list[Unit]:
    """A follow-up that moves the question elsewhere ("Er der noget tilsvarende herhjemme?"
    after the Norwegian programme) is answered anew: sentences still set where the previous
    question was are left out: they answered the previous question (unless nothing else is
    left)."""
    if not history:
        return ranked
    left = left_behind(question, history[-1].standalone or history[-1].question)
    if not left:
        return ranked
    return [u for u in ranked if not set_in(u.hit.chunk.text, u.sentence.end, left)] or ranked
