"""Read the corpus folder: the manifest's documents and any file users drop in beside them.

A file that cannot be read is reported (by name, with the reason in Danish) and skipped, so one
bad upload never stops the rest of the material from being indexed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import LoadProblem, SourceDocument

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")
MANIFEST_NAME = "manifest.json"


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Files the loader will look at, in a stable order (hidden files and the manifest excluded)."""
    if not corpus_dir.is_dir():
        return []
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST_NAME
    )


def load_corpus(corpus_dir: Path) -> LoadResult:
    result = LoadResult()
    if not corpus_dir.is_dir():
        result.problems.append(LoadProblem(corpus_dir, "mappen findes ikke"))
        return result
    entries, manifest_problem = read_manifest(corpus_dir)
    if manifest_problem:
        result.problems.append(manifest_problem)
    by_file = {e["file"]: e for e in entries if isinstance(e.get("file"), str)}
    for name in by_file:
        if not (corpus_dir / name).is_file():
            result.problems.append(
                LoadProblem(corpus_dir / name, "står i manifest.json, men filen findes ikke")
            )
    used_ids: set[str] = {e["id"] for e in entries if isinstance(e.get("id"), str)}
    for path in corpus_files(corpus_dir):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result.problems.append(
                LoadProblem(path, "filtypen understøttes ikke (kun .txt, .md og .pdf)")
            )
            continue
        try:
            doc = load_file(path, by_file.get(path.name), used_ids)
        except DocumentError as exc:
            result.problems.append(LoadProblem(path, str(exc)))
            continue
        used_ids.add(doc.doc_id)
        result.documents.append(doc)
    return result


def read_manifest(corpus_dir: Path) -> tuple[list[dict], LoadProblem | None]:
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return [], None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        docs = data["documents"]
        if not isinstance(docs, list):
            raise TypeError("documents er ikke en liste")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [], LoadProblem(path, f"manifest.json kan ikke læses ({exc}); filerne indlæses uden")
    return [d for d in docs if isinstance(d, dict)], None


class DocumentError(Exception):
    """A file that cannot become a document; the message is the Danish reason."""


def load_file(path: Path, entry: dict | None, used_ids: set[str]) -> SourceDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"filen kan ikke læses ({exc.strerror})") from exc
    if not data.strip():
        raise DocumentError("filen er tom")
    sha = hashlib.sha256(data).hexdigest()
    page_starts: tuple[int, ...] = ()
    pdf_title = None
    if path.suffix.lower() == ".pdf":
        text, page_starts, pdf_title = read_pdf(path)
    else:
        text = decode_text(data)
    if not text.strip():
        raise DocumentError("filen indeholder ingen tekst")

    if entry:
        extraction = str(entry.get("extraction", "")).lower()
        return SourceDocument(
            doc_id=str(entry["id"]),
            title=str(entry.get("title") or path.stem),
            path=path,
            text=text,
            doc_kind=str(entry.get("kind", "document")),
            language=str(entry.get("language", "da")),
            ocr=bool(entry.get("ocr")) or "ocr" in extraction,
            same_as=entry.get("same_as"),
            page_starts=page_starts,
            sha256=sha,
        )
    return SourceDocument(
        doc_id=unique_id(slugify(path.stem), used_ids),
        title=pdf_title or first_heading(text) or path.stem.replace("-", " ").replace("_", " "),
        path=path,
        text=text,
        doc_kind="pdf" if page_starts else "document",
        page_starts=page_starts,
        sha256=sha,
    )


def decode_text(data: bytes) -> str:
    if b"\x00" in data:
        raise DocumentError("filen er ikke en tekstfil (indeholder binære data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Files saved by older Windows tools are often Windows-1252; accept them only when the result
    # looks like Danish text rather than noise.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise DocumentError("filen kan ikke afkodes som UTF-8-tekst") from None
    if re.search(r"[æøåÆØÅ]", text) and not re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", text):
        return text
    raise DocumentError("filen kan ikke afkodes som UTF-8-tekst")


def read_pdf(path: Path) -> tuple[str, tuple[int, ...], str | None]:
    """Text of a PDF with the offset where each page starts (pages joined by a form feed)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF'en er krypteret med en adgangskode")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError("PDF'en er krypteret med en adgangskode") from exc
    except (PdfReadError, ValueError, TypeError, KeyError, OSError) as exc:
        raise DocumentError(f"PDF'en er beskadiget og kan ikke læses ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on corrupt input; never stop the ingest
        raise DocumentError(f"PDF'en kan ikke læses ({type(exc).__name__}: {exc})") from exc
    if not any(p.strip() for p in pages):
        raise DocumentError("PDF'en har intet tekstlag (måske et scannet billede)")
    starts, parts, pos = [], [], 0
    for i, page_text in enumerate(pages):
        if i:
            parts.append("\n\f\n")
            pos += 3
        starts.append(pos)
        parts.append(page_text)
        pos += len(page_text)
    return "".join(parts), tuple(starts), (title.strip() if isinstance(title, str) else None)


def slugify(name: str) -> str:
    name = name.lower()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.replace(a, b)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "dokument"


def unique_id(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def first_heading(text: str) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 120 else None
    return None
