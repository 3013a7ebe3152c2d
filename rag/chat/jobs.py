"""Changes to the material run as a CLI process of their own, never inside a page.

Adding, removing or re-reading material rebuilds the index, which takes seconds to minutes (a
large PDF's pages must be embedded). A page that did that in its own run would stop answering
for the maintainer and hold a worker for everyone. So `start` launches `python -m
rag.chat.jobs STATUS -- <tillidsguiden arguments>` detached; that runner starts the CLI
(`tillidsguiden add FILE`, `remove ID`, `ingest`), reads its progress lines and writes what it
has reached (file, pages, embedding n of m) to a status file in the data folder, replaced
whole on each line. Every page process of every user reads the same file (`status`), so each
shows the progress and the result, and the pages keep answering from the current build until
the new one is committed (rag/index/store.py). One job runs at a time per data folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.config import Settings

STATUS_NAME = "job.json"
_READ = re.compile(r"^Læst (?P<file>.+?)(?:: (?P<pages>\d+) sider)?$")
_EMBED = re.compile(r"^Embedder (?P<what>[^:]+): (?P<done>\d+)/(?P<total>\d+)")
# The share of the bar each phase fills: reading the files, then the two embedding passes.
_PHASES = {"read": (0.0, 0.3), "tekstvinduer": (0.3, 0.75), "sætninger": (0.75, 0.98)}


class JobBusy(Exception):
    """Another change to the material is still being built; the message is Danish."""


@dataclass
class Job:
    """What a change to the material has reached, as every page reads it."""

    action: str  # add, remove, ingest
    subject: str  # the file added, the id removed, or "materialet"
    state: str = "running"  # running, done, failed
    pid: int = 0
    started: float = field(default_factory=time.time)
    finished: float = 0.0
    step: str = "Starter …"  # the last progress line, in Danish
    fraction: float = 0.0
    files: int = 0  # files read so far
    message: str = ""  # the result (done) or the reason (failed)
    cleanup: str = ""  # a folder the runner removes when the CLI has finished (an upload)

    @property
    def running(self) -> bool:
        return self.state == "running" and _alive(self.pid)


def status_path(settings: Settings) -> Path:
    return settings.data_dir / STATUS_NAME


def status(settings: Settings) -> Job | None:
    """The last job's status, or None if there never was one. A job whose runner died (a
    killed server) is reported as failed, never as running forever."""
    path = status_path(settings)
    try:
        job = Job(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if job.state == "running" and not _alive(job.pid):
        job.state = "failed"
        job.message = "Opdateringen blev afbrudt. Materialet og indekset er som før."
    return job


def start(
    settings: Settings, action: str, subject: str, args: list[str], cleanup: Path | None = None
) -> Job:
    """Launch `tillidsguiden <args>` in the background and return its first status."""
    current = status(settings)
    if current is not None and current.running:
        raise JobBusy(
            f"Materialet opdateres allerede ({describe(current)}). Vent, til det er færdigt."
        )
    path = status_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    job = Job(action, subject, cleanup=str(cleanup or ""))
    _write(path, job)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.chat.jobs", str(path), "--", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a page process that stops does not stop the build
    )
    job.pid = proc.pid
    _write(path, job)
    return job


def describe(job: Job) -> str:
    names = {"add": "tilføjer", "remove": "fjerner", "ingest": "læser materialet igen"}
    return f"{names.get(job.action, job.action)} {job.subject}".strip()


def follow(job: Job, line: str) -> None:
    """Update `job` with one progress line of the CLI."""
    line = line.strip()
    if not line:
        return
    read, embed = _READ.match(line), _EMBED.match(line)
    if read:
        job.files += 1
        job.step = line
        job.fraction = max(job.fraction, _PHASES["read"][0] + 0.02 * min(job.files, 14))
    elif embed:
        low, high = _PHASES.get(embed["what"], (0.3, 0.98))
        done, total = int(embed["done"]), max(int(embed["total"]), 1)
        job.step = line
        job.fraction = max(job.fraction, low + (high - low) * done / total)
    elif line.startswith(("Skriver indekset", "Tager det nye indeks", "Læser materialet")):
        job.step = line


def run(path: Path, args: list[str]) -> int:
    """The runner: the CLI with `args`, its progress written to `path` as it comes."""
    job = Job(**json.loads(path.read_text(encoding="utf-8")))
    job.pid = os.getpid()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    last: list[str] = []
    assert proc.stderr is not None and proc.stdout is not None
    for line in proc.stderr:
        follow(job, line)
        last = [*last[-5:], line.rstrip()]
        _write(path, job)
    out = proc.stdout.read().strip()
    code = proc.wait()
    if job.cleanup:
        shutil.rmtree(job.cleanup, ignore_errors=True)
    job.finished = time.time()
    if code == 0:
        job.state, job.fraction = "done", 1.0
        job.message = out.splitlines()[0] if out else "Færdig."
    else:
        job.state = "failed"
        job.message = _reason(last)
    _write(path, job)
    return code


def _reason(lines: list[str]) -> str:
    """The CLI's own Danish reason (its last lines that are not progress), or a plain one."""
    reasons = [
        x
        for x in lines
        if x and not _READ.match(x) and not _EMBED.match(x) and not x.startswith("Traceback")
    ]
    return " ".join(reasons[-2:]) or "Opdateringen mislykkedes. Materialet og indekset er som før."


def _write(path: Path, job: Job) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True  # just written by `start`, before the runner had its id
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap our own child once it has ended
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]), sys.argv[3:]))
