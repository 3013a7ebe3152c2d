"""Real servers for the tests and the load benchmark, started and stopped by the caller: a
Chroma server from the installed `chromadb` package, and PostgreSQL from Debian's package in a
temporary folder. Both listen on 127.0.0.1 on a free port and leave nothing behind.
"""

from __future__ import annotations

import contextlib
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
def chroma_server(folder: Path, timeout: float = 60, port: int | None = None) -> Iterator[str]:
    """`chroma run` on a free port (or `port`: a server started again on the same folder and
    port is the same server back); yields its URL (http://127.0.0.1:<port>)."""
    program = chroma_program()
    if not program.exists():
        raise ServerMissing("chroma mangler: installér chromadb (make install).")
    port = port or free_port()
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


class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 that a test can `stop` and `start` again
    (a database server going away under running pages, and coming back)."""

    def __init__(self, bin_dir: Path, folder: Path, port: int, timeout: float) -> None:
        self.bin_dir, self.folder, self.port, self.timeout = bin_dir, folder, port, timeout
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://tillid@127.0.0.1:{port}/tillid"

    def _pg_ctl(self, *argv: str) -> None:
        _as_postgres([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *argv])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "postgres.log")
        self._pg_ctl("-l", log, "-o", options, "-w", "-t", str(int(self.timeout)), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: connections are closed, as at a shutdown)."""
        self._pg_ctl("-m", mode, "-w", "stop")


@contextmanager
def postgres_cluster(timeout: float = 60) -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on a free port, started, with a database `tillid`.

    The cluster lives in a fresh folder directly under the system's temporary folder (a folder
    the `postgres` user can reach, unlike pytest's private ones) and is removed afterwards.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise ServerMissing(
            "PostgreSQL mangler: installér med 'sudo apt-get install postgresql' (make test "
            "prøver selv)."
        )
    folder = Path(tempfile.mkdtemp(prefix="tillidsguiden-pg-"))
    cluster = PostgresCluster(bin_dir, folder, free_port(), timeout)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(cluster.data),
                "-U",
                "tillid",
                "--auth=trust",
                "-E",
                "UTF8",
            ]
        )
        cluster.start()
        try:
            createdb = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port)]
            _as_postgres([*createdb, "-U", "tillid", "tillid"])
            yield cluster
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
                cluster.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server(timeout: float = 60) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a free port; yields a SQLAlchemy URL."""
    with postgres_cluster(timeout) as cluster:
        yield cluster.url


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
