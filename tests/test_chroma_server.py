"""The dense index on a real Chroma server (`chroma run`, started by the test): ingest writes a
collection per build there, search and ask work unchanged, the hits equal the embedded mode's,
and old builds' collections are dropped."""

from __future__ import annotations

import json

import chromadb
from conftest import CORPUS, EMBEDDING_CACHE

from rag.cli import main
from rag.config import EVAL_QUESTIONS, Settings
from rag.index.builder import ingest, open_index
from rag.index.store import current_build
from rag.measure.evaluate import load_questions
from rag.search.retrieve import Searcher


def server_settings(tmp_path, url: str) -> Settings:
    return Settings.load(
        env={},
        corpus_dir=CORPUS,
        data_dir=tmp_path / "data",
        cache_dir=EMBEDDING_CACHE,
        chroma_url=url,
    )


def collections(url: str) -> list[str]:
    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    return sorted(getattr(c, "name", c) for c in client.list_collections())


def test_search_on_a_chroma_server_finds_what_the_embedded_index_finds(
    chroma_url, real_index, embedder, tmp_path
):
    settings = server_settings(tmp_path, chroma_url)
    report = ingest(settings, embedder=embedder)
    assert report.changed and report.windows > 800
    build = current_build(settings.index_dir)
    assert not (build / "chroma").exists()  # the vectors are on the server
    assert f"passages-{build.name}" in collections(chroma_url)

    on_server = Searcher.open(settings, embedder)
    embedded = Searcher.open(real_index, embedder)
    questions = [q.question for q in load_questions(EVAL_QUESTIONS) if q.answerable][:40]
    same = 0
    for q in questions:
        a = [h.chunk.chunk_id for h in on_server.search(q, k=5, mode="dense")]
        b = [h.chunk.chunk_id for h in embedded.search(q, k=5, mode="dense")]
        same += a == b
    assert same == len(questions)
    hybrid = [h.chunk.chunk_id for h in on_server.search(questions[0])]
    assert hybrid == [h.chunk.chunk_id for h in embedded.search(questions[0])]


def test_cli_search_and_ask_work_unchanged_against_the_server(
    chroma_url, embedder, tmp_path, monkeypatch, capsys
):
    settings = server_settings(tmp_path, chroma_url)
    ingest(settings, embedder=embedder)
    monkeypatch.setenv("TILLID_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TILLID_CHROMA_URL", chroma_url)
    assert main(["search", "Hvad er social kapital?", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and hits[0]["doc_id"]
    assert main(["ask", "Hvad er udfordringsretten?", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["citations"] and not answer["refused"]


def test_a_new_build_gets_its_own_collection_and_old_ones_are_dropped(
    chroma_url, embedder, tmp_path
):
    settings = server_settings(tmp_path, chroma_url)
    names = []
    for _ in range(3):
        ingest(settings, force=True, embedder=embedder)
        names.append(f"passages-{current_build(settings.index_dir).name}")
    mine = [c for c in collections(chroma_url) if c in names]
    assert mine == sorted(names[1:])  # the current build and the one before it
    assert open_index(settings).meta["chroma_url"] == chroma_url


def test_switching_between_embedded_and_server_rebuilds_the_index(chroma_url, embedder, tmp_path):
    settings = server_settings(tmp_path, chroma_url)
    ingest(settings, embedder=embedder)
    embedded = Settings.load(
        env={}, corpus_dir=CORPUS, data_dir=tmp_path / "data", cache_dir=EMBEDDING_CACHE
    )
    report = ingest(embedded, embedder=embedder)
    assert report.changed and "Vektorindekset ligger i" in report.rebuild_reason
    assert (current_build(embedded.index_dir) / "chroma").exists()


def test_an_unreachable_server_is_one_danish_line(tmp_path, embedder, monkeypatch, capsys):
    settings = server_settings(tmp_path, "http://127.0.0.1:9")
    monkeypatch.setenv("TILLID_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TILLID_CHROMA_URL", "http://127.0.0.1:9")
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert "Chroma-serveren http://127.0.0.1:9 svarer ikke" in err and "Traceback" not in err
