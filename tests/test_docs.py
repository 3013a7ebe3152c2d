"""The README and docs/ hold line by line: every `tillidsguiden …` and `make …` command they show
exists with the options shown, every file they name is there, and every figure they quote is
the one a named command wrote to eval/results/, with its date."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
RESULTS = PROJECT_ROOT / "eval" / "results"
MAX_README_LINES = 200

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PROGRAM = re.compile(r"(?:^|\s|`)((?:\.venv/bin/)?tillidsguiden|python -m rag|make)(?=\s|`|$)")
# Measured figures: a time or a memory size. Settings and counts are not figures.
UNIT_FIGURE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(ms|s|MB)\b")
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
RESULT_FILE = re.compile(r"eval/results/([\w.-]+\.md)")
# Paths the docs name that must exist (data/ and .cache/ are made by running the program).
TRACKED = ("corpus/", "rag/", "docs/", "eval/", "tests/", "scripts/", "prompts/", ".ci/")


def text_of(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def commands(page: Path) -> list[tuple[int, str]]:
    """(line number, command) for every tillidsguiden/make command shown, in code blocks and
    in inline code."""
    found = []
    in_fence = False
    for n, line in enumerate(text_of(page).splitlines(), 1):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        pieces = [line.split(" # ")[0]] if in_fence else CODE_SPAN.findall(line)
        for piece in pieces:
            for part in re.split(r"&&|;|\|(?!\w)", piece):
                m = PROGRAM.search(part)
                if m:
                    found.append((n, part[m.start(1) :].strip()))
    return found


def parse(command: str) -> tuple[str, str | None, list[str]]:
    """(program, subcommand or target, --options) of a shown command."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    program = "make" if words[0] == "make" else "tillidsguiden"
    words = words[3:] if words[:3] == ["python", "-m", "rag"] else words[1:]
    words = [w.strip("[]") for w in words]
    if "--" in words:  # what follows is another program's (serve -- --server.port 8501)
        words = words[: words.index("--")]
    sub = words[0] if words and re.fullmatch(r"[a-z][\w-]*", words[0]) else None
    options = [w.split("=")[0] for w in words if w.startswith("--") and len(w) > 2]
    return program, sub, options


@cache
def help_text(sub: str | None) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main([sub, "--help"] if sub else ["--help"])
    assert done.value.code == 0, f"tillidsguiden {sub or ''} --help failed"
    return out.getvalue()


def shown_commands():
    return [(p, n, c) for p in PAGES for n, c in commands(p)]


def test_the_readme_is_at_most_200_lines():
    assert len(text_of(README).splitlines()) <= MAX_README_LINES


def test_every_tillidsguiden_command_shown_exists_with_the_options_shown():
    wrong = []
    for page, n, command in shown_commands():
        program, sub, options = parse(command)
        if program != "tillidsguiden":
            continue
        try:
            text = help_text(sub)
        except BaseException as exc:  # an unknown subcommand exits 2 inside argparse
            wrong.append(f"{page.name}:{n}: {command} ({type(exc).__name__})")
            continue
        wrong += [f"{page.name}:{n}: {command}: no {o}" for o in options if o not in text]
    assert wrong == []


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_every_make_target_shown_exists():
    targets = {sub for _, _, c in shown_commands() for p, sub, _ in [parse(c)] if p == "make"}
    assert targets, "the README shows make commands"
    missing = []
    for target in sorted(t for t in targets if t):
        done = subprocess.run(
            ["make", "-n", "-C", str(PROJECT_ROOT), target], capture_output=True, text=True
        )
        if done.returncode != 0:
            missing.append(f"make {target}: {done.stderr.strip()[:200]}")
    assert missing == []


def named_paths(page: Path):
    """(line number, path) of every repository file the page names: in inline code (from the
    repository root) and as a link or image target (from the page's folder)."""
    for n, line in enumerate(text_of(page).splitlines(), 1):
        for span in CODE_SPAN.findall(line):
            for word in span.split():
                path = word.rstrip(".,:;)")
                if path.startswith(TRACKED) and not any(c in path for c in "*<…{"):
                    yield n, PROJECT_ROOT / path
        for target in re.findall(r"\]\(([^)#\s]+)\)", line):
            if "://" not in target:
                yield n, page.parent / target


def test_every_file_the_docs_name_exists():
    missing = [
        f"{page.name}:{n}: {path.relative_to(PROJECT_ROOT)}"
        for page in PAGES
        for n, path in named_paths(page)
        if not path.exists()
    ]
    assert missing == []


def blocks(page: Path) -> list[str]:
    """The page's paragraphs, list items and tables, code blocks left out."""
    return [b for b in re.split(r"\n\s*\n", FENCE.sub("", text_of(page))) if b.strip()]


def result_date(name: str) -> str | None:
    """The date a report says it was generated, else the date git last committed it."""
    text = (RESULTS / name).read_text(encoding="utf-8")
    m = re.search(r"Generated (20\d\d-\d\d-\d\d)", text)
    if m:
        return m.group(1)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            [
                "git",
                "-C",
                str(PROJECT_ROOT),
                "log",
                "-1",
                "--format=%cs",
                "--",
                f"eval/results/{name}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        changed = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", f"eval/results/{name}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode == 0 and done.stdout.strip() and not changed.stdout.strip():
            return done.stdout.strip()
    return None


def test_every_figure_quoted_is_in_the_report_it_names_with_its_date():
    wrong = []
    for page in PAGES:
        for block in blocks(page):
            prose = CODE_SPAN.sub(lambda m: "" if "/" not in m.group(1) else m.group(1), block)
            figures = DECIMAL.findall(prose) + [m.group(1) for m in UNIT_FIGURE.finditer(prose)]
            if not figures:
                continue
            where = f"{page.name}: «{' '.join(block.split())[:90]} …»"
            names = sorted(set(RESULT_FILE.findall(block)))
            if not names:
                units = [m.group(0) for m in UNIT_FIGURE.finditer(prose)]
                if units:
                    wrong.append(f"{where}: {units} quoted without the eval/results/ file")
                continue
            if not all((RESULTS / n).is_file() for n in names):
                wrong.append(f"{where}: names a report that does not exist")
                continue
            reports = " ".join((RESULTS / n).read_text(encoding="utf-8") for n in names)
            absent = [
                f for f in figures if not re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", reports)
            ]
            if absent:
                wrong.append(f"{where}: {absent} are not in {names}")
            dates = set(DATE.findall(block))
            expected = {d for d in map(result_date, names) if d}
            if not dates:
                wrong.append(f"{where}: figures without a date")
            elif expected and not dates & expected:
                wrong.append(f"{where}: dated {sorted(dates)}, the report is of {sorted(expected)}")
    assert wrong == [], "\n".join(wrong)
