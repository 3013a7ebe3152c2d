"""The folder listing is the architecture: stages in the order of the flow, each importing only
from itself, the stages before it and the shared modules; the module map (docs/architecture.md,
which the README's "Where things are" points to) names every module."""

from __future__ import annotations

import ast
import re

from rag.config import PROJECT_ROOT

RAG = PROJECT_ROOT / "rag"
# The flow, first to last; the shared top-level modules come before every stage.
STAGES = ("shared", "ingest", "index", "search", "answer", "chat", "measure", "cli")
SHARED = {
    "rag",
    "rag.config",
    "rag.documents",
    "rag.text",
    "rag.privacy",
    "rag.names",
    "rag.sensitive",
    "rag.storage",
}


def stage(module: str) -> int:
    if module in SHARED:
        return 0
    if module in ("rag.cli", "rag.__main__"):
        return STAGES.index("cli")
    return STAGES.index(module.split(".")[1])


def module_name(path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # inside functions too: a late import is still a dependency
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rag"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("rag")}
    return found


def test_no_module_imports_from_a_stage_after_its_own():
    backwards = []
    for path in sorted(RAG.rglob("*.py")):
        me = module_name(path)
        for other in imports(path):
            if stage(other) > stage(me):
                backwards.append(f"{me} ({STAGES[stage(me)]}) imports {other}")
    assert backwards == []


def test_every_package_is_a_stage_of_the_flow():
    packages = {p.name for p in RAG.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(STAGES) - {"shared", "cli"}


# The module map: the README's "Where things are" points to it.
MODULE_MAP = PROJECT_ROOT / "docs" / "architecture.md"


def test_the_module_map_names_every_module():
    text = MODULE_MAP.read_text(encoding="utf-8")
    start = text.index("## Module map")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    outside = ("app.py", "tests/")  # named in the map's text, not modules of rag/
    named = {n for n in re.findall(r"`([\w/]+\.py)`", section) if not n.startswith(outside)}
    modules = {str(p.relative_to(RAG)) for p in RAG.rglob("*.py") if p.name != "__init__.py"} - {
        "__main__.py"
    }
    assert modules - named == set(), f"modules missing from the map in {MODULE_MAP.name}"
    assert named - modules == set(), f"the map in {MODULE_MAP.name} names modules that do not exist"
