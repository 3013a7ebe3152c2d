"""`python -m rag bench --load N[,M,…]`: many managers at once, against 1 and 3 page processes.

The topology is an organisation's (docs/deployment.md): one Chroma server, one database
(PostgreSQL when both its server and its Python driver are installed, else one SQLite file; the
report says which and why), and P `streamlit run app.py`
processes on 127.0.0.1; users are spread over the processes and stay on theirs, as behind a
proxy with sticky sessions. Each simulated user is a real Streamlit session over the same
websocket a browser opens (`/_stcore/stream`, Streamlit's own protobuf messages): it loads the
page, then asks ten different questions one after another, reading each answer for a few
seconds (`think`) before the next. Measured per question: the time from sending it to the
server's "script finished" with the answer and its rating row drawn; an error is a failed
run, an error box in the page, a closed connection or a question over the time limit.
Memory is each page process's peak RSS during the run.

A run with any error is a failed run, never a pass: its latencies are of the questions that
happened to be answered, so the report marks it and `bench --load` exits non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import random
import signal
import statistics
import threading
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.measure.evaluate import load_questions, percentile

QUESTIONS_PER_USER = 10
TARGET_P95_S = 3.0
MAX_USERS = 200


@dataclass
class Run:
    processes: int
    users: int
    think_s: float
    p50_s: float | None  # None: no question was answered
    p95_s: float | None
    max_s: float | None
    answers: int
    errors: int
    rss_mb: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every question answered, none failed, and p95 within the target."""
        return self.errors == 0 and self.answers > 0 and self.p95_s <= TARGET_P95_S


class Session:
    """One browser tab's worth of Streamlit: a websocket session that reruns the app, as the
    browser does when a question is sent or a thumb clicked. `query` is the URL's query string
    (e.g. "samtale=…"); `texts` are the Markdown texts the last run drew."""

    def __init__(
        self,
        url: str,
        timeout: float,
        query: str = "",
        headers: dict[str, str] | None = None,
        source: str | None = None,
    ) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.timeout = timeout
        self.query = query
        # Request headers of the handshake (a cookie, a proxy's header) and the address the
        # connection comes from (a proxy's, in the sign-in tests).
        self.headers = headers or {}
        self.source = source
        self.page = ""
        self.chat_input = ""
        self.thumbs: list[str] = []
        self.texts: list[str] = []
        self.ws = None

    async def __aenter__(self) -> Session:
        import websockets

        where = {"local_addr": (self.source, 0)} if self.source else {}
        self.ws = await websockets.connect(
            self.url,
            max_size=None,
            open_timeout=self.timeout,
            additional_headers=self.headers,
            **where,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self, question: str | None = None, thumb_up: bool = False) -> list[str]:
        """One rerun: the page load, a question sent from the chat box, or a thumb up on the
        newest answer; the errors the page showed. Raises TimeoutError past the deadline."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page
        msg.rerun_script.query_string = self.query
        if question is not None:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.chat_input
            state.chat_input_value.data = question
        if thumb_up:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.thumbs[-1]
            state.string_value = "1"  # st.feedback's wire value for the first option (up)
        self.texts, self.thumbs = [], []
        await self.ws.send(msg.SerializeToString())
        errors: list[str] = []
        async with asyncio.timeout(self.timeout):
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await self.ws.recv())
                kind = forward.WhichOneof("type")
                if kind == "new_session":
                    self.page = forward.new_session.page_script_hash
                elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    errors += self._element(forward.delta.new_element)
                elif kind == "script_finished":
                    finished = ForwardMsg.ScriptFinishedStatus.Name(forward.script_finished)
                    if finished == "FINISHED_EARLY_FOR_RERUN":
                        continue
                    if finished != "FINISHED_SUCCESSFULLY":
                        errors.append(finished)
                    return errors

    def _element(self, element) -> list[str]:
        kind = element.WhichOneof("type")
        if kind == "chat_input":
            self.chat_input = element.chat_input.id
        if kind == "feedback":
            self.thumbs.append(element.feedback.id)
        if kind == "markdown":
            self.texts.append(element.markdown.body)
        if kind == "exception":
            return [element.exception.message or "exception"]
        if kind == "alert" and element.alert.format == element.alert.ERROR:
            return [element.alert.body]
        return []


async def simulated_user(
    url: str, questions: list[str], think: float, timeout: float, seed: int
) -> tuple[list[float], int]:
    """Load the page, then ask each question after reading the last answer; (seconds per
    answered question, errors)."""
    rng = random.Random(seed)
    times, errors = [], 0
    try:
        async with Session(url, timeout) as session:
            errors += len(await session.run())
            for q in questions:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
                started = time.perf_counter()
                failed = await session.run(q)
                if failed:
                    errors += 1
                else:
                    times.append(time.perf_counter() - started)
    except Exception:  # a dropped, refused or stuck session: its unanswered questions are errors
        errors += len(questions) - len(times)
    return times, errors


class PeakMemory:
    """Peak RSS (MB) of the page processes, sampled every 0.2 s in a thread."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.procs = [psutil.Process(p) for p in pids]
        self.peak = [0] * len(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for i, p in enumerate(self.procs):
                with contextlib.suppress(Exception):
                    self.peak[i] = max(self.peak[i], p.memory_info().rss // 2**20)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def question_pool(questions_file: Path) -> list[str]:
    return [q.question for q in load_questions(questions_file) if q.lang == "da"]


async def _drive(urls: list[str], users: int, pool: list[str], think: float, timeout: float):
    tasks = []
    for u in range(users):
        start = (u * QUESTIONS_PER_USER) % len(pool)
        qs = [pool[(start + i) % len(pool)] for i in range(QUESTIONS_PER_USER)]
        # Users arrive over the first second, not all in the same millisecond.
        tasks.append(
            _later(u / max(users, 1), simulated_user(urls[u % len(urls)], qs, think, timeout, u))
        )
    return await asyncio.gather(*tasks)


async def _later(delay: float, work):
    await asyncio.sleep(delay)
    return await work


def measure(
    urls: list[str], pids: list[int], users: int, pool: list[str], think: float, timeout: float
) -> Run:
    started = time.perf_counter()
    with PeakMemory(pids) as memory:
        results = asyncio.run(_drive(urls, users, pool, think, timeout))
    times = [t for ts, _ in results for t in ts]
    errors = sum(e for _, e in results)
    return Run(
        processes=len(urls),
        users=users,
        think_s=think,
        p50_s=round(statistics.median(times), 3) if times else None,
        p95_s=round(percentile(times, 95), 3) if times else None,
        max_s=round(max(times), 3) if times else None,
        answers=len(times),
        errors=errors,
        rss_mb=memory.peak,
        seconds=round(time.perf_counter() - started, 1),
    )


def run(
    settings: Settings,
    questions_file: Path,
    users: list[int],
    processes: tuple[int, ...] = (1, 3),
    think: float = 4.0,
    timeout: float = 60.0,
    log=print,
) -> dict:
    """Every user count against each number of processes, on one Chroma server and database."""
    from rag.index.builder import ingest
    from rag.measure.pagebench import streamlit_process
    from rag.measure.servers import chroma_server

    if any(u < 1 or u > MAX_USERS for u in users):
        raise ValueError(f"antal brugere skal være mellem 1 og {MAX_USERS}")
    # A `kill` stops the servers and page processes too (their contexts close on the way out).
    signal.signal(signal.SIGTERM, _interrupted)
    pool = question_pool(questions_file)
    runs: list[Run] = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(_tempdir()))
        log("starter Chroma-server og database …")
        chroma = stack.enter_context(chroma_server(work / "chroma"))
        database, why = choose_database(stack, work)
        log(f"database: {why}")
        data = work / "data"
        shared = Settings.load(
            corpus_dir=settings.corpus_dir,
            data_dir=data,
            cache_dir=settings.embedding_cache.parent,
            chroma_url=chroma,
            database_url=database,
        )
        ingest(shared)
        env = {"TILLID_CHROMA_URL": chroma, "TILLID_DATABASE_URL": database}
        for p in processes:
            with ExitStack() as pages:
                log(f"starter {p} sideproces(ser) …")
                started = [
                    pages.enter_context(
                        streamlit_process(
                            data,
                            work / f"streamlit-{p}-{i}.log",
                            cache_dir=shared.embedding_cache.parent,
                            settings=env,
                        )
                    )
                    for i in range(p)
                ]
                urls, pids = [u for u, _ in started], [pid for _, pid in started]
                measure(urls, pids, min(p, 3), pool, 0.0, timeout)  # warm every process
                for n in users:
                    r = measure(urls, pids, n, pool, think, timeout)
                    log(
                        f"{p} proces(ser), {n} brugere: p50 {_seconds(r.p50_s)}, "
                        f"p95 {_seconds(r.p95_s)}, {r.errors} fejl"
                    )
                    runs.append(r)
    return {
        "database": "postgresql" if database.startswith("postgresql") else "sqlite",
        "database_reason": why,
        "questions_per_user": QUESTIONS_PER_USER,
        "target_p95_s": TARGET_P95_S,
        "runs": [{**asdict(r), "passed": r.passed} for r in runs],
        "errors": sum(r.errors for r in runs),
        "verdict": verdict(runs),
    }


def choose_database(stack: ExitStack, work: Path) -> tuple[str, str]:
    """PostgreSQL when its server and its Python driver (psycopg) are both installed, else one
    SQLite file; (SQLAlchemy URL, why, in Danish)."""
    from rag.measure.servers import ServerMissing, postgres_server

    sqlite = f"sqlite:///{work / 'chat.sqlite'}"
    if importlib.util.find_spec("psycopg") is None:
        return sqlite, (
            "SQLite, for PostgreSQL-driveren (psycopg) er ikke installeret "
            "(pip install -e '.[postgres]')"
        )
    try:
        return stack.enter_context(postgres_server()), "PostgreSQL (server og driver fundet)"
    except ServerMissing:
        return sqlite, "SQLite, for PostgreSQL-serveren er ikke installeret"


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _tempdir():
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tillidsguiden-load-") as d:
        yield d


def verdict(runs: list[Run]) -> dict[str, dict]:
    """Per process count: the most users every run up to which passed (None: not even the
    first), and the first user count that failed with why. A run with errors never passes."""
    out: dict[str, dict] = {}
    for p in sorted({r.processes for r in runs}):
        mine = sorted((r for r in runs if r.processes == p), key=lambda r: r.users)
        failed = next((r for r in mine if not r.passed), None)
        passed = [r.users for r in mine if failed is None or r.users < failed.users]
        out[str(p)] = {
            "passes_up_to": max(passed) if passed else None,
            "fails_at": failed.users if failed else None,
            "why": _why(failed) if failed else "",
        }
    return out


def _why(r: Run) -> str:
    if r.errors:
        return f"{r.errors} fejl, {r.answers} svar"
    if not r.answers:
        return "ingen svar"
    return f"p95 {r.p95_s:.2f} s"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _cell(value: float | None) -> str:
    return f"{'–':>7}" if value is None else f"{value:>7.2f}"


def format_load(r: dict) -> str:
    lines = [
        f"Belastning: {r['questions_per_user']} spørgsmål pr. bruger, mål p95 ≤ "
        f"{r['target_p95_s']:.0f} s, database: {r['database_reason']}",
        f"{'processer':>9} {'brugere':>8} {'p50 s':>7} {'p95 s':>7} {'maks s':>7} {'svar':>5} "
        f"{'fejl':>5}  RSS MB pr. proces",
    ]
    for run in r["runs"]:
        lines.append(
            f"{run['processes']:>9} {run['users']:>8} {_cell(run['p50_s'])} "
            f"{_cell(run['p95_s'])} {_cell(run['max_s'])} {run['answers']:>5} "
            f"{run['errors']:>5}  {', '.join(str(m) for m in run['rss_mb'])}"
            + ("" if run["passed"] else "  IKKE BESTÅET")
        )
    for p, v in r["verdict"].items():
        held = (
            f"holder målet op til {v['passes_up_to']} brugere"
            if v["passes_up_to"]
            else "holder ikke målet ved nogen af de målte antal brugere"
        )
        fails = f"; fejler ved {v['fails_at']} brugere ({v['why']})" if v["fails_at"] else ""
        lines.append(f"{p} proces(ser): {held}{fails}")
    if r["errors"]:
        lines.append(
            f"Kørslen havde {r['errors']} fejl og er ikke bestået: tallene gælder kun de "
            "spørgsmål, der blev besvaret."
        )
    return "\n".join(lines)


def plot(r: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for p in sorted({run["processes"] for run in r["runs"]}):
        rows = [run for run in r["runs"] if run["processes"] == p and run["answers"]]
        ax.plot(
            [x["users"] for x in rows],
            [x["p95_s"] for x in rows],
            marker="o",
            label=f"{p} sideproces{'ser' if p > 1 else ''} (p95)",
        )
        ax.plot(
            [x["users"] for x in rows],
            [x["p50_s"] for x in rows],
            linestyle="--",
            alpha=0.6,
            label=f"{p}: p50",
        )
    ax.axhline(r["target_p95_s"], color="grey", linestyle=":", label="mål: p95 ≤ 3 s")
    ax.set_xlabel("samtidige brugere")
    ax.set_ylabel("tid til færdigt svar (s)")
    ax.set_title("Tillidsguiden under belastning (2 kerner)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
