"""The vectors shipped with the code for the shipped material: what they must cover, whether
they do, and how to rewrite them (`python -m rag vectors [--refresh]`).

They must cover every text ingest embeds for `corpus/` with the default embedder: each chunk's
windows and every text an answer scores (rag/index/vectors.py `answer_texts`). A change to
the material, the chunking or the sentence rules makes them stale; a test says so, and ingest
still works (it embeds what the shipped file lacks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rag.config import PROJECT_ROOT, Settings
from rag.index.embeddings import (
    DEFAULT_EMBEDDER,
    Embedder,
    EmbeddingCache,
    ShippedVectors,
    load_embedder,
    text_key,
)
from rag.index.vectors import answer_texts, windows
from rag.ingest.pipeline import build_chunks

SHIPPED_CORPUS = PROJECT_ROOT / "corpus"


@dataclass(frozen=True)
class ShippedStatus:
    needed: int  # texts ingest embeds for the material
    shipped: int  # vectors in the shipped file
    missing: int  # needed but not shipped
    extra: int  # shipped but no longer needed

    @property
    def current(self) -> bool:
        return self.missing == 0 and self.extra == 0

    def describe(self) -> str:
        state = "opdateret" if self.current else "forældet"
        return (
            f"Medfølgende vektorer ({DEFAULT_EMBEDDER}): {state}. {self.needed} tekster i "
            f"materialet, {self.shipped} vektorer i filen, {self.missing} mangler, "
            f"{self.extra} bruges ikke længere."
            + ("" if self.current else " Opdatér med: python -m rag vectors --refresh")
        )


def embedded_texts(settings: Settings) -> list[str]:
    """Every text ingest embeds for the corpus: chunk windows and what answers score."""
    chunks = build_chunks(settings.corpus_dir, settings).chunks
    texts = [w for c in chunks for w in windows(c)]
    texts += [t for c in chunks for t in answer_texts(c)]
    return list(dict.fromkeys(texts))


def status(
    settings: Settings | None = None, shipped: ShippedVectors | None = None
) -> ShippedStatus:
    settings = replace(settings or Settings.load(env={}), corpus_dir=SHIPPED_CORPUS)
    needed = {text_key(t) for t in embedded_texts(settings)}
    have = (shipped or ShippedVectors()).keys(DEFAULT_EMBEDDER)
    return ShippedStatus(len(needed), len(have), len(needed - have), len(have - needed))


def refresh(
    settings: Settings, embedder: Embedder | None = None, shipped: ShippedVectors | None = None
) -> ShippedStatus:
    """Embed (through the cache) every text of the shipped material and rewrite the file."""
    settings = replace(settings, corpus_dir=SHIPPED_CORPUS)
    embedder = embedder or load_embedder(DEFAULT_EMBEDDER)
    shipped = shipped or ShippedVectors()
    texts = embedded_texts(settings)
    cache = EmbeddingCache(settings.embedding_cache, shipped=None)  # the model's own vectors
    vectors = cache.embed_passages(embedder, texts)
    shipped.write(
        embedder.name, {text_key(t): v for t, v in zip(texts, vectors.vectors, strict=True)}
    )
    return status(settings, shipped)
