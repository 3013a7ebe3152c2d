"""A reader that goes away (`tillidsguiden chunks --json | head`) is not an error: a command
stops printing and exits 0 without a traceback, and an ingest finishes whatever happens to its
output. Each command runs as its own process with stdout (for ingest also stderr) a pipe whose
reading end is already closed, so every write meets a closed pipe, whatever the output's size.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rag.config import PROJECT_ROOT
from rag.index.store import current_build


def run_into_closed_pipe(args: list[str], settings, stderr_too: bool = False):
    """(exit code, what the command wrote to stderr) with stdout a pipe nobody reads."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {
        **os.environ,
        "TILLID_CORPUS_DIR": str(settings.corpus_dir),
        "TILLID_DATA_DIR": str(settings.data_dir),
        "TILLID_CACHE_DIR": str(settings.cache_dir),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rag", *args],
            stdout=write_end,
            stderr=write_end if stderr_too else subprocess.PIPE,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=300,
        )
    finally:
        os.close(write_end)
    return done.returncode, (done.stderr or b"").decode("utf-8", "replace")


@pytest.mark.parametrize(
    "args",
    [
        ["chunks", "--json"],
        ["search", "tillid og samarbejde", "--json"],
        ["ask", "Hvad er social kapital?"],
        ["bench", "--help"],
    ],
    ids=lambda a: " ".join(a),
)
def test_a_command_whose_reader_went_away_exits_quietly(real_index, args):
    code, err = run_into_closed_pipe(args, real_index)
    assert code == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err


def test_an_ingest_whose_output_nobody_reads_still_commits_its_build(ingested):
    settings, _ = ingested
    before = current_build(settings.index_dir)
    code, _ = run_into_closed_pipe(["ingest", "--force"], settings, stderr_too=True)
    assert code == 0
    after = current_build(settings.index_dir)
    assert after is not None and after != before and (after / "meta.json").is_file()
