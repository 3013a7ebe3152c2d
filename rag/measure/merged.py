"""The material together with other documents, as one corpus folder, for measuring how material
added to the guidance material is answered (`tillidsguiden eval --answers --with DIR`).

The evaluation of added material asks questions that only the added documents answer, with the
guidance material indexed beside them, as a municipality would run it. The two folders are
merged into a folder of their own (files copied only when they changed, manifests joined) so
neither is touched, and the same merged folder gives the same index and reuses its vectors.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from rag.ingest.loading import MANIFEST_NAME, corpus_files


class MergeError(ValueError):
    """The folders cannot be one corpus (a file name or document id in both); Danish."""


def merge_corpora(first: Path, second: Path, target: Path) -> Path:
    """`target` holding the files of `first` and `second` and one manifest listing both."""
    files = {p.name: p for p in corpus_files(first)}
    for p in corpus_files(second):
        if p.name in files:
            raise MergeError(f"{p.name} findes både i {first} og {second}")
        files[p.name] = p
    documents = _entries(first) + _entries(second)
    ids = [str(e.get("id")) for e in documents]
    taken = {i for i in ids if ids.count(i) > 1}
    if taken:
        raise MergeError(f"Dokument-id findes i begge mapper: {', '.join(sorted(taken))}")
    target.mkdir(parents=True, exist_ok=True)
    for old in corpus_files(target):
        if old.name not in files:
            old.unlink()
    for name, source in files.items():
        copy = target / name
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            shutil.copy2(source, copy)
    manifest = json.dumps({"documents": documents}, ensure_ascii=False, indent=1) + "\n"
    path = target / MANIFEST_NAME
    if not path.is_file() or path.read_text(encoding="utf-8") != manifest:
        path.write_text(manifest, encoding="utf-8")
    return target


def _entries(folder: Path) -> list[dict]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise MergeError(f"{path} kan ikke læses: {exc}") from exc
    return list(data.get("documents", [])) if isinstance(data, dict) else []


def write_report(folder: Path, metrics: dict, questions: Path, extra: Path) -> Path:
    """eval/results/answers-with-<folder>-<questions>.md: the answer figures (as `eval
    --answers` prints them) with the guidance material and `extra` indexed together."""
    from rag.measure.answer_eval import format_answer_metrics

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"answers-with-{extra.name}-{questions.stem}.md"
    command = (
        f"tillidsguiden eval --answers --questions {_shown(questions)} --with {_shown(extra)} "
        "--report"
    )
    text = "\n".join(
        [
            f"# Answers with {extra.name} indexed beside the guidance material",
            "",
            f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `{command}`: the guidance material "
            f"and the documents of `{_shown(extra)}` indexed as one corpus, the questions of "
            f"`{_shown(questions)}` answered from it in the default answer mode (no LLM).",
            "",
            "```",
            format_answer_metrics(metrics),
            "```",
            "",
        ]
    )
    path.write_text(text, encoding="utf-8")
    return path


def _shown(path: Path) -> str:
    """A path as the maintainer typed it, relative to the project where it lies inside."""
    from rag.config import PROJECT_ROOT

    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
