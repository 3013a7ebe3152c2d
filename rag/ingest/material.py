"""Add a file to the material and remove one again, without losing anything stored.

`preview` reads a file the way ingest will, in a folder of its own, and says what it found
(sections with kinds and pages, warnings such as "ingen overskrifter fundet") before anything is
published. `add_file` checks the file the same way, copies it into the corpus folder and gives it
a stable id in manifest.json; `remove_document` takes an entry out of the manifest and keeps its
file under the data folder's removed/. The manifest is written whole to a temporary file and
then renamed over the old one, so a crash leaves the old or the new manifest, never half of one.
Ids already in the manifest never change: they are what citations and the evaluation refer to.
The CLI (`tillidsguiden add`/`remove`) and, later, the page drive these and then rebuild the
index; a failed rebuild is undone with `undo`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rag.config import Settings
from rag.ingest.loading import (
    MANIFEST_NAME,
    SUPPORTED_SUFFIXES,
    check_size,
    corpus_files,
    read_manifest,
    slugify,
    unique_id,
    valid_doc_id,
)
from rag.ingest.pipeline import build_chunks

KIND_RE = re.compile(r"[a-zæøå][a-zæøå0-9-]{0,39}")


class MaterialError(Exception):
    """A file that cannot be added or an id that cannot be removed; the message is Danish."""


@dataclass
class PreviewSection:
    section: str
    kind: str
    page: int | None
    words: int


@dataclass
class Preview:
    """What ingest finds in one file, before it is published."""

    file: str
    title: str
    pages: int | None
    language: str
    sections: list[PreviewSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        pages = f", {self.pages} sider" if self.pages else ""
        lines = [
            f"{self.file}: »{self.title}« ({self.language}{pages}), {len(self.sections)} afsnit"
        ]
        lines += [
            f"  [{s.kind}] {s.section}" + (f" (s. {s.page})" if s.page else "") + f", {s.words} ord"
            for s in self.sections
        ]
        lines += [f"Advarsel: {w}" for w in self.warnings]
        return "\n".join(lines)


def preview(path: Path, settings: Settings, title: str | None = None) -> Preview:
    """Read `path` alone (copied into a temporary folder) and report what ingest found."""
    _check_file(path, settings)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy2(path, Path(tmp) / path.name)
        result = build_chunks(Path(tmp), settings)
    if result.problems:
        raise MaterialError(f"{path.name} kan ikke tilføjes: {result.problems[0].reason}")
    doc = result.documents[0]
    chunks = result.chunks
    if not chunks:
        raise MaterialError(f"{path.name} kan ikke tilføjes: der er ingen tekst at indeksere")
    warnings = [w.reason for w in result.warnings]
    stats = result.typeset.get(doc.doc_id)
    untitled = all(c.section in (doc.title, "Indledning") for c in chunks)
    if (stats is not None and stats.headings == 0) or untitled:
        warnings.append("ingen overskrifter fundet: alle afsnit får dokumentets titel")
    return Preview(
        path.name,
        title or doc.title,
        len(doc.page_starts) or None,
        doc.language,
        [PreviewSection(c.section, c.kind, c.page, len(c.text.split())) for c in chunks],
        warnings,
    )


def _check_file(path: Path, settings: Settings) -> None:
    if not path.is_file():
        raise MaterialError(f"Filen findes ikke: {path}")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise MaterialError(
            f"{path.name} kan ikke tilføjes: filtypen understøttes ikke "
            "(kun .txt, .md, .pdf, .docx og .html)"
        )
    try:
        check_size(path, settings.max_file_mb)
    except Exception as exc:
        raise MaterialError(f"{path.name} kan ikke tilføjes: {exc}") from exc


@dataclass
class Change:
    """What `add_file` or `remove_document` did, enough to undo it."""

    doc_id: str
    file: str
    manifest_before: str | None  # the manifest's text before the change (None: there was none)
    added: Path | None = None  # the copy placed in the corpus folder
    kept: Path | None = None  # where a removed file was put


def add_file(
    path: Path, settings: Settings, title: str | None = None, kind: str | None = None
) -> tuple[Change, Preview]:
    """Check `path` like ingest, copy it into the corpus folder, list it in the manifest."""
    if kind is not None and not KIND_RE.fullmatch(kind):
        raise MaterialError(
            f"Slagsen {kind!r} er ugyldig: brug små bogstaver, tal og bindestreg (fx pjece)"
        )
    found = preview(path, settings, title)
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    manifest_path = corpus / MANIFEST_NAME
    before = manifest_path.read_text(encoding="utf-8") if manifest_path.exists() else None
    data = _manifest_data(before)
    entries, _ = read_manifest(corpus)
    listed = {e["file"] for e in entries}
    unlisted = {slugify(p.stem) for p in corpus_files(corpus) if p.name not in listed}
    used = {e["id"] for e in entries} | unlisted
    doc_id = unique_id(slugify(title or path.stem), used)
    name = _free_name(corpus, path.name)
    target = corpus / name
    partial = corpus / f".{name}.tilføjes"
    shutil.copy2(path, partial)
    os.replace(partial, target)
    entry = {"id": doc_id, "file": name, "title": found.title, "kind": kind or "document"}
    entry["language"] = found.language
    entry["added"] = time.strftime("%Y-%m-%d")
    data["documents"].append(entry)
    try:
        _write_manifest(manifest_path, data)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Change(doc_id, name, before, added=target), found


def remove_document(doc_id: str, settings: Settings) -> Change:
    """Take `doc_id` out of the material; its file is kept in <data>/removed/."""
    corpus = settings.corpus_dir
    manifest_path = corpus / MANIFEST_NAME
    before = manifest_path.read_text(encoding="utf-8") if manifest_path.exists() else None
    data = _manifest_data(before)
    entry = next((e for e in data["documents"] if e.get("id") == doc_id), None)
    if entry is not None:
        name = str(entry.get("file", ""))
    else:
        listed = {e.get("file") for e in data["documents"]}
        name = next(
            (
                p.name
                for p in corpus_files(corpus)
                if p.name not in listed and slugify(p.stem) == doc_id
            ),
            "",
        )
    if not name or not valid_doc_id(doc_id):
        raise MaterialError(f"Dokumentet {doc_id!r} findes ikke i materialet")
    source = corpus / name
    kept_dir = settings.data_dir / "removed"
    kept_dir.mkdir(parents=True, exist_ok=True)
    kept = kept_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    if source.is_file():
        shutil.move(str(source), str(kept))
    if entry is not None:
        data["documents"] = [e for e in data["documents"] if e is not entry]
        try:
            _write_manifest(manifest_path, data)
        except BaseException:
            if kept.is_file():
                shutil.move(str(kept), str(source))
            raise
    return Change(doc_id, name, before, kept=kept if kept.is_file() else None)


def undo(change: Change, settings: Settings) -> None:
    """Put the corpus folder back as it was before `change` (a rebuild that failed)."""
    corpus = settings.corpus_dir
    manifest_path = corpus / MANIFEST_NAME
    if change.added is not None:
        change.added.unlink(missing_ok=True)
    if change.kept is not None and change.kept.is_file():
        shutil.move(str(change.kept), str(corpus / change.file))
    if change.manifest_before is None:
        manifest_path.unlink(missing_ok=True)
    else:
        _atomic_write(manifest_path, change.manifest_before)


def _manifest_data(text: str | None) -> dict:
    if text is None:
        return {"documents": []}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MaterialError(
            f"manifest.json kan ikke læses ({exc}); ret den, før materiale tilføjes eller fjernes"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise MaterialError("manifest.json har ingen liste over dokumenter; ret den først")
    return data


def _free_name(corpus: Path, name: str) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    base = slugify(stem) + suffix
    candidate, n = base, 2
    while (corpus / candidate).exists():
        candidate, n = f"{slugify(stem)}-{n}{suffix}", n + 1
    return candidate


def _write_manifest(path: Path, data: dict) -> None:
    _atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.ny")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
