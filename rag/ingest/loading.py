"""Read the corpus folder: the manifest's documents and any file users drop in beside them.

A file that cannot be read is reported (by name, with the reason in Danish) and skipped, so one
bad upload never stops the rest of the material from being indexed. Nothing outside the folder
is read: a link that leads out of it, a manifest id or file name that would name a path, and a
file above the size limit are rejected with their reason rather than repaired silently. What a
library says while reading (pypdf's English warnings) is kept for the ingest summary instead of
reaching the terminal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rag.documents import LoadProblem, SourceDocument
from rag.ingest.formats import read_docx, read_html
from rag.ingest.pdfpages import PdfText, read_pdf_pages

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
MANIFEST_NAME = "manifest.json"
# A document id names files in the index (sources/<id>.txt) and appears in citations and the
# evaluation files: lower-case letters, digits and . _ - only, never a path.
DOC_ID = re.compile(r"[a-z0-9æøå][a-z0-9æøå._-]{0,119}")


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    # What a library reported while reading a file that was still loaded (path, message).
    warnings: list[LoadProblem] = field(default_factory=list)


def valid_doc_id(doc_id: object) -> bool:
    return isinstance(doc_id, str) and bool(DOC_ID.fullmatch(doc_id)) and ".." not in doc_id


def plain_file_name(name: object) -> bool:
    """A name of a file directly in the corpus folder, not a path into or out of it."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
    )


def scan_corpus(corpus_dir: Path) -> tuple[list[Path], list[LoadProblem]]:
    """Files the loader may read, in a stable order, and the entries it refuses.

    Hidden files and the manifest are left out. A symbolic link is followed only when it ends
    at a file inside the corpus folder; one that leads out of it or nowhere is refused.
    """
    if not corpus_dir.is_dir():
        return [], []
    root = corpus_dir.resolve()
    files, problems = [], []
    for p in sorted(corpus_dir.iterdir()):
        if p.name.startswith(".") or p.name == MANIFEST_NAME:
            continue
        if p.is_symlink():
            target = p.resolve()
            if not target.exists():
                problems.append(LoadProblem(p, "genvejen peger på en fil, der ikke findes"))
                continue
            if not target.is_relative_to(root):
                problems.append(
                    LoadProblem(p, "genvejen peger uden for materialemappen og læses ikke")
                )
                continue
        if p.is_file():
            files.append(p)
    return files, problems


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files `load_corpus` reads (see `scan_corpus`)."""
    return scan_corpus(corpus_dir)[0]


def load_corpus(corpus_dir: Path, max_file_mb: float | None = None, notify=None) -> LoadResult:
    """Every readable document of the folder; files above `max_file_mb` are refused.

    `notify` hears one line per file read ("Læst rapport.pdf: 102 sider"), for a progress view.
    """
    result = LoadResult()
    if not corpus_dir.is_dir():
        result.problems.append(LoadProblem(corpus_dir, "mappen findes ikke"))
        return result
    entries, manifest_problems = read_manifest(corpus_dir)
    result.problems.extend(manifest_problems)
    by_file = {e["file"]: e for e in entries}
    for name in by_file:
        if not (corpus_dir / name).is_file():
            result.problems.append(
                LoadProblem(corpus_dir / name, "står i manifest.json, men filen findes ikke")
            )
    refused = {p.path.name for p in manifest_problems if p.path.parent == corpus_dir}
    used_ids: set[str] = {e["id"] for e in entries}
    files, link_problems = scan_corpus(corpus_dir)
    result.problems.extend(link_problems)
    for path in files:
        if path.name in refused:
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result.problems.append(
                LoadProblem(
                    path, "filtypen understøttes ikke (kun .txt, .md, .pdf, .docx og .html)"
                )
            )
            continue
        try:
            check_size(path, max_file_mb)
            with library_warnings() as heard:
                doc = load_file(path, by_file.get(path.name), used_ids)
        except DocumentError as exc:
            result.problems.append(LoadProblem(path, str(exc)))
            continue
        result.warnings.extend(LoadProblem(path, w) for w in [*heard, *doc.notes])
        if notify is not None:
            pages = f": {len(doc.page_starts)} sider" if doc.page_starts else ""
            notify(f"Læst {path.name}{pages}")
        used_ids.add(doc.doc_id)
        result.documents.append(doc)
    return result


def check_size(path: Path, max_file_mb: float | None) -> None:
    if max_file_mb is None or max_file_mb <= 0:
        return
    size = path.stat().st_size
    if size > max_file_mb * 1_000_000:
        raise DocumentError(
            f"filen er {size / 1_000_000:.1f} MB, over grænsen på {max_file_mb:g} MB "
            "(TILLID_MAX_FILE_MB)"
        )


@contextmanager
def library_warnings():
    """Collect what pypdf logs or warns while a file is read, instead of printing it."""
    heard: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append(record.getMessage())

    logger = logging.getLogger("pypdf")
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield heard
        heard.extend(str(w.message) for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
        unique = list(dict.fromkeys(heard))
        heard[:] = unique


def read_manifest(corpus_dir: Path) -> tuple[list[dict], list[LoadProblem]]:
    """The manifest's valid entries, and a problem for each one refused.

    An entry whose id or file name could name a path is refused, not repaired: its file is then
    skipped (problem path = that file), because its citations would otherwise change id.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        docs = data["documents"]
        if not isinstance(docs, list):
            raise TypeError("documents er ikke en liste")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        reason = f"manifest.json kan ikke læses ({exc}); filerne indlæses uden"
        return [], [LoadProblem(path, reason)]
    entries, problems, seen = [], [], set()
    for d in docs:
        if not isinstance(d, dict):
            continue
        name, doc_id = d.get("file"), d.get("id")
        if not plain_file_name(name):
            problems.append(
                LoadProblem(path, f"filnavnet {name!r} i manifest.json er ikke et filnavn i mappen")
            )
        elif not valid_doc_id(doc_id):
            problems.append(
                LoadProblem(
                    corpus_dir / name,
                    f"id'et {doc_id!r} i manifest.json er ugyldigt (kun små bogstaver, tal, "
                    "punktum, _ og -); filen springes over",
                )
            )
        elif doc_id in seen:
            problems.append(
                LoadProblem(
                    corpus_dir / name, f"id'et {doc_id!r} bruges af to filer i manifest.json"
                )
            )
        else:
            seen.add(doc_id)
            entries.append(d)
    return entries, problems


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
    lines: tuple = ()
    notes: tuple[str, ...] = ()
    if path.suffix.lower() == ".pdf":
        pdf = read_pdf(path)
        text, page_starts, pdf_title, lines, notes = (
            pdf.text,
            pdf.page_starts,
            pdf.title,
            pdf.lines,
            pdf.notes,
        )
    elif path.suffix.lower() == ".docx":
        text, lines, pdf_title = read_word(path)
    elif path.suffix.lower() in (".html", ".htm"):
        text, lines, pdf_title = read_html(decode_text(data))
    else:
        text = decode_text(data)
    if not text.strip():
        raise DocumentError("filen indeholder ingen tekst")

    if entry:
        extraction = str(entry.get("extraction", "")).lower()
        return SourceDocument(
            doc_id=str(entry["id"]),
            title=str(entry.get("title") or pdf_title or first_heading(text) or path.stem),
            path=path,
            text=text,
            doc_kind=str(entry.get("kind", "document")),
            language=str(entry.get("language", "da")),
            ocr=bool(entry.get("ocr")) or "ocr" in extraction,
            same_as=entry.get("same_as"),
            page_starts=page_starts,
            sha256=sha,
            lines=lines,
            notes=notes,
        )
    return SourceDocument(
        doc_id=unique_id(slugify(path.stem), used_ids),
        title=pdf_title or first_heading(text) or path.stem.replace("-", " ").replace("_", " "),
        path=path,
        text=text,
        doc_kind=path.suffix.lower().lstrip(".") if lines else "document",
        language=detect_language(text),
        page_starts=page_starts,
        sha256=sha,
        lines=lines,
        notes=notes,
    )


DANISH_MARKERS = set("og det er at en til på ikke med for som af der har de kan jeg vi".split())
ENGLISH_MARKERS = set("the and is of to in that it for with as on are this be by".split())


def detect_language(text: str) -> str:
    """ "da" or "en", by which language's commonest words the text uses more."""
    words = re.findall(r"[a-zæøå]+", text[:200_000].lower())
    da = sum(w in DANISH_MARKERS for w in words) + 3 * sum(c in "æøå" for c in "".join(words))
    en = sum(w in ENGLISH_MARKERS for w in words)
    return "en" if en > da else "da"


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


def read_word(path: Path):
    """A Word document's paragraphs with their styles (see rag/ingest/formats.py)."""
    try:
        return read_docx(path)
    except ImportError as exc:
        raise DocumentError(
            "Word-filer kræver pakken python-docx (pip install python-docx)"
        ) from exc
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds on damaged files
        raise DocumentError(
            f"Word-filen er beskadiget og kan ikke læses ({type(exc).__name__})"
        ) from exc


def read_pdf(path: Path) -> PdfText:
    """A PDF's printed lines with their look (see rag/ingest/pdfpages.py)."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("PDF'en er krypteret med en adgangskode")
        pdf = read_pdf_pages(reader)
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise DocumentError("PDF'en er krypteret med en adgangskode") from exc
    except (PdfReadError, ValueError, TypeError, KeyError, OSError) as exc:
        raise DocumentError(f"PDF'en er beskadiget og kan ikke læses ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on corrupt input; never stop the ingest
        raise DocumentError(f"PDF'en kan ikke læses ({type(exc).__name__}: {exc})") from exc
    if not pdf.lines:
        reason = "PDF'en har intet tekstlag (måske et scannet billede)"
        if pdf.notes:
            reason += "; " + pdf.notes[0]
        raise DocumentError(reason)
    return pdf


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
