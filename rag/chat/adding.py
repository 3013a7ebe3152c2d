"""Material of one's own, from the browser: the maintainer's part of the page "Materialet".

A maintainer uploads a PDF, Word, web page, Markdown or text file and sees what ingest finds in
it (`rag.ingest.material.preview`: its sections with kinds and pages, the quality line, warnings
such as "ingen overskrifter fundet") before anything is published; "Tilføj til materialet" then
runs `tillidsguiden add` in the background (rag/chat/jobs.py) with a progress bar, while every
page goes on answering from the current build. The list of documents has their date and number
of passages and a way to remove each. Files put in corpus/ by hand are noticed (`notice`): a
maintainer is told on every page that the material has changed and can re-read it; managers see
none of it. Who may is asked of rag/chat/identity.py on the server, not by hiding a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import shutil
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

import streamlit as st

from rag.answer.labels import kind_label
from rag.chat import audit, identity, jobs, resources
from rag.config import Settings
from rag.index.store import StoredIndex
from rag.ingest.loading import MANIFEST_NAME, SUPPORTED_SUFFIXES, corpus_files, read_manifest
from rag.ingest.material import KIND_RE, MaterialError, Preview, preview

UPLOADS = "uploads"
PANEL = "materiale-panel"
_KEY = "_tilfoej"  # the upload being previewed: {"id", "path", "preview" | "error"}
_REMOVE = "_fjern"  # the document a maintainer asked to remove, awaiting "Ja, fjern"
_SEEN = "_job_set"  # the job this session last saw running, to reload once it has finished
_ROUND = "_tilfoej_runde"  # a new upload widget (an empty one) after each publication


def maintainer(s: Settings) -> identity.User | None:
    user = identity.current_user(s)
    return user if user is not None and user.may("maintainer") else None


def section(s: Settings, index: StoredIndex) -> None:
    """The maintainer's panel on Materialet; nothing at all for anyone else."""
    user = maintainer(s)
    if user is None:
        return
    job = jobs.status(s)
    busy = job is not None and job.running
    if busy and st.session_state.get(_SEEN) != job.started:
        st.session_state[PANEL] = True  # opened for a change this session has not seen yet
    # A key of its own, so that it stays open while the upload beneath it reruns the page.
    with st.expander("Tilføj eller fjern materiale", key=PANEL, on_change="rerun"):
        # Read again every second while a change is built; no timer otherwise.
        st.fragment(progress, run_every=1.0 if busy else None)(s)
        upload(s, user, busy)
        documents(s, user, index, busy)


def progress(s: Settings) -> None:
    """The running or last change, read from the status file every second; the whole page
    reloads once when it finishes, so it answers from the new build."""
    job = jobs.status(s)
    if job is None:
        return
    if job.running:
        st.session_state[_SEEN] = job.started
        st.progress(min(job.fraction, 1.0), text=f"{_what(job)}: {job.step}")
        return
    if st.session_state.pop(_SEEN, None) == job.started:
        st.rerun()
    if time.time() - job.finished > 3600:  # an old result is no news
        return
    if job.state == "done":
        st.success(f"Færdig. {job.message}", icon=":material/check:")
    else:
        st.error(f"{_FAILED.get(job.action, 'Ændringen')} mislykkedes: {job.message}")


_FAILED = {"add": "Tilføjelsen", "remove": "Fjernelsen", "ingest": "Opdateringen"}


def _what(job: jobs.Job) -> str:
    return jobs.describe(job).capitalize()


def upload(s: Settings, user: identity.User, busy: bool) -> None:
    st.subheader("Tilføj materiale", anchor=False)
    types = sorted(x.lstrip(".") for x in SUPPORTED_SUFFIXES)
    given = st.file_uploader(
        f"Vælg en fil (PDF, Word, HTML, Markdown eller tekst, højst {s.max_file_mb:g} MB)",
        type=types,
        key=f"tilfoej-fil-{st.session_state.get(_ROUND, 0)}",
    )
    if given is None:
        _forget_upload(s)
        return
    current = st.session_state.get(_KEY)
    if current is None or current["id"] != given.file_id:
        _forget_upload(s)
        current = _read_upload(s, given)
        st.session_state[_KEY] = current
    if "error" in current:
        st.error(current["error"])
        return
    found: Preview = current["preview"]
    show_preview(found)
    title = st.text_input("Titel", value=found.title, key=f"tilfoej-titel-{given.file_id}")
    kind = st.text_input(
        "Slags (valgfri, fx rapport, pjece, politik)",
        key=f"tilfoej-slags-{given.file_id}",
        max_chars=40,
    )
    if st.button(
        "Tilføj til materialet", type="primary", disabled=busy, icon=":material/upload_file:"
    ):
        kind = kind.strip().lower()
        if kind and not KIND_RE.fullmatch(kind):
            st.error("Slagsen må kun have små bogstaver, tal og bindestreg (fx pjece).")
            return
        args = ["add", current["path"], "--title", title.strip() or found.title]
        args += ["--kind", kind] if kind else []
        _start(s, user, "add", found.file, args, "add_material", Path(current["path"]).parent)


def show_preview(found: Preview) -> None:
    """What ingest found, before anything is published."""
    kinds = Counter(x.kind for x in found.sections)
    special = [(k, n) for k, n in kinds.most_common() if k != "section"]
    pages = f", {found.pages} sider" if found.pages else ""
    language = {"da": "dansk", "en": "engelsk"}.get(found.language, found.language)
    st.markdown(
        f"**Forhåndsvisning af {found.file}:** »{found.title}« ({language}{pages}), "
        f"{len(found.sections)} afsnit"
        + (
            ", heraf " + ", ".join(f"{n} {kind_label(k).lower()}" for k, n in special)
            if special
            else ""
        )
    )
    words = [x.words for x in found.sections]
    headings = len({x.section for x in found.sections})
    st.caption(
        f"Kvalitet: {len(words)} afsnit, {headings} forskellige overskrifter, "
        f"{sum(words) // max(len(words), 1)} ord pr. afsnit i gennemsnit. Intet er gemt endnu."
    )
    for warning in found.warnings:
        st.warning(warning, icon=":material/warning:")
    rows = [
        {
            "Afsnit": x.section,
            "Slags": kind_label(x.kind),
            "Side": x.page if x.page else None,
            "Ord": x.words,
        }
        for x in found.sections
    ]
    st.dataframe(rows, hide_index=True, height=min(38 + 35 * len(rows), 320))


def documents(s: Settings, user: identity.User, index: StoredIndex, busy: bool) -> None:
    """The documents of the current build, with date and passages, each removable."""
    st.subheader("Dokumenter i materialet", anchor=False)
    counts = Counter(c.doc_id for c in index.chunks)
    dates = _dates(s)
    asked = st.session_state.get(_REMOVE)
    for doc in index.documents:
        doc_id, title = doc["doc_id"], doc["title"]
        left, right = st.columns([5, 1], vertical_alignment="center")
        copy = " · kopi, dubletter udeladt" if doc.get("copy_of") else ""
        left.markdown(
            f"**{title}**  \n{counts[doc_id]} afsnit · tilføjet {dates.get(doc['file'], '–')}"
            f" · id `{doc_id}`{copy}"
        )
        if right.button("Fjern", key=f"fjern-{doc_id}", disabled=busy):
            st.session_state[_REMOVE] = doc_id
            asked = doc_id
        if asked == doc_id:
            st.warning(f"Fjern »{title}« fra materialet? Filen gemmes, så den kan lægges tilbage.")
            yes, no = st.columns(2)
            if yes.button("Ja, fjern", key="fjern-ja", type="primary", disabled=busy):
                st.session_state.pop(_REMOVE, None)
                _start(s, user, "remove", doc_id, ["remove", doc_id], "remove_material")
            if no.button("Fortryd", key="fjern-nej"):
                st.session_state.pop(_REMOVE, None)
                st.rerun()


def notice(s: Settings) -> None:
    """In the sidebar, for a maintainer only: files in corpus/ that the index was not built
    from (or that changed since), with a button that reads the material again."""
    user = maintainer(s)
    if user is None:
        return
    try:
        index = resources.index(s)
    except Exception:  # no index yet: the page itself offers to build it
        return
    job = jobs.status(s)
    busy = job is not None and job.running
    if busy:  # an addition puts its file in corpus/ before the build that reads it
        return
    new, changed, gone = corpus_changes(s, index.meta.get("files", {}))
    if not (new or changed or gone):
        return
    parts = []
    if new:
        parts.append(f"{len(new)} {'ny fil' if len(new) == 1 else 'nye filer'}")
    if changed:
        parts.append(f"{len(changed)} {'ændret fil' if len(changed) == 1 else 'ændrede filer'}")
    if gone:
        parts.append(f"{len(gone)} {'fil fjernet' if len(gone) == 1 else 'filer fjernet'}")
    box = st.sidebar.container(key="materiale-aendret")
    box.warning(f"{' og '.join(parts)} i corpus/ – opdatér materialet.", icon=":material/sync:")
    if box.button("Opdatér materialet", key="opdater-materialet"):
        _start(s, user, "ingest", "materialet", ["ingest"], "rebuild_index")


def corpus_changes(s: Settings, built: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(new, changed, removed) file names of the corpus folder against a build's file hashes."""
    folder = s.corpus_dir
    now = {p.name: p for p in corpus_files(folder)}
    if (folder / MANIFEST_NAME).is_file():
        now[MANIFEST_NAME] = folder / MANIFEST_NAME
    new = sorted(n for n in now if n not in built and n != MANIFEST_NAME)
    changed = sorted(n for n, p in now.items() if n in built and _hash(p) != built[n])
    gone = sorted(n for n in built if n not in now and n != MANIFEST_NAME)
    return new, changed, gone


def _hash(path: Path) -> str:
    with contextlib.suppress(OSError):
        stat = path.stat()
        return _hashed(str(path), stat.st_size, stat.st_mtime_ns)
    return ""


@lru_cache(maxsize=256)
def _hashed(path: str, size: int, mtime_ns: int) -> str:
    """A file's hash, computed once per version of the file (size and time say which)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _dates(s: Settings) -> dict[str, str]:
    """The date each corpus file was added (the manifest's, else the file's own)."""
    entries, _ = read_manifest(s.corpus_dir)
    dates = {e["file"]: e["added"] for e in entries if e.get("added")}
    for p in corpus_files(s.corpus_dir):
        if p.name not in dates:
            dates[p.name] = time.strftime("%Y-%m-%d", time.localtime(p.stat().st_mtime))
    return dates


def _read_upload(s: Settings, given) -> dict:
    """Keep the upload under the data folder and read it as ingest will (nothing published)."""
    name = Path(given.name).name
    if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        return {
            "id": given.file_id,
            "error": f"{name} kan ikke tilføjes: filtypen understøttes ikke.",
        }
    if given.size > s.max_file_mb * 1024 * 1024:
        return {"id": given.file_id, "error": f"{name} er større end {s.max_file_mb:g} MB."}
    folder = s.data_dir / UPLOADS / secrets.token_hex(8)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(given.getvalue())
    try:
        with st.spinner(f"Læser {name} …"):
            found = preview(path, s)
    except MaterialError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return {"id": given.file_id, "error": str(exc)}
    return {"id": given.file_id, "path": str(path), "preview": found}


def _forget_upload(s: Settings) -> None:
    """Drop an upload that was replaced or cleared before it was published."""
    old = st.session_state.pop(_KEY, None)
    if old and old.get("path"):
        shutil.rmtree(Path(old["path"]).parent, ignore_errors=True)


def _start(
    s: Settings,
    user: identity.User,
    action: str,
    subject: str,
    args: list[str],
    event: str,
    upload: Path | None = None,
) -> None:
    identity.require("maintainer")  # checked again on the server at the moment of the change
    try:
        jobs.start(s, action, subject, args, cleanup=upload)
    except jobs.JobBusy as exc:
        st.warning(str(exc))
        return
    audit.log(event, user)
    if action == "add":  # the runner removes the upload once it has run; the widget is new
        st.session_state.pop(_KEY, None)
        st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    st.rerun()
