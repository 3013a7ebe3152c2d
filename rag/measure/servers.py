"""Real servers for the tests and the load benchmark, started and stopped by the caller: a
Chroma server from the installed `chromadb` package, and PostgreSQL from Debian's package in a
temporary folder. Both listen on 127.0.0.1 on a free port and leave nothing behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.measure.pagebench import free_port


class ServerMissing(RuntimeError):
    """The program the server needs is not installed; the message says how to install it."""


def chroma_program() -> Path:
    return Path(sys.executable).with_name("chroma")


@contextmanager
def chroma_server(folder: Path, timeout: float = 60) -> Iterator[str]:
    """`chroma run` on a free port; yields its URL (http://127.0.0.1:<port>)."""
    program = chroma_program()
    if not program.exists():
        raise ServerMissing("chroma mangler: installér chromadb (make install).")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder.parent / f"chroma-{port}.log").open("w")
    proc = subprocess.Popen(
        [str(program), "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _http_ok(f"{url}/api/v2/heartbeat"), proc, timeout, "chroma")
        yield url
    finally:
        _stop(proc)
        log.close()


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return found[0].parent if found else None


def _as_postgres(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


@contextmanager
def postgres_server(timeout: float = 60) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port; yields a SQLAlchemy URL.

    The cluster lives in a fresh folder directly under the system's temporary folder (a folder
    the `postgres` user can reach, unlike pytest's private ones) and is removed afterwards.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise ServerMissing(
            "PostgreSQL mangler: installér med 'sudo apt-get install postgresql' (make test "
            "prøver selv)."
        )
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="tillidsguiden-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        _as_postgres(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "tillid", "--auth=trust", "-E", "UTF8"]
        )
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "postgres.log"),
                "-o",
                f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ]
        )
        try:
            _as_postgres(
                [
                    str(bin_dir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "tillid",
                    "tillid",
                ]
            )
            yield f"postgresql+psycopg://tillid@127.0.0.1:{port}/tillid"
        finally:
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _http_ok(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def _wait(ready, proc: subprocess.Popen, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} startede ikke")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
