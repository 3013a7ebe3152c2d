"""Material added and removed from the page Materialet (AppTest, no browser): a maintainer sees
what ingest finds before anything is published, the build runs as a process of its own with its
progress in a status file every page reads, the list of documents changes, a file put in
corpus/ by hand is noticed; a manager sees none of it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_material import TEXT, report_pdf, snapshot

from rag.chat import jobs
from rag.config import PROJECT_ROOT, Settings
from rag.index.builder import ingest

APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def site(tmp_path, monkeypatch, embedder) -> Settings:
    """A small material of its own, indexed, that the page and its CLI runs both read."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "vejledning.txt").write_text("Vejledning\n\n" + TEXT * 8, encoding="utf-8")
    entry = {"id": "vejledning", "file": "vejledning.txt", "title": "Vejledning"}
    (corpus / "manifest.json").write_text(json.dumps({"documents": [entry]}), encoding="utf-8")
    monkeypatch.setenv("TILLID_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("TILLID_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TILLID_DATABASE_URL", f"sqlite:///{tmp_path / 'chat.sqlite'}")
    monkeypatch.delenv("TILLID_LLM", raising=False)
    settings = Settings.load()
    ingest(settings, embedder=embedder)
    return settings


def materialet() -> AppTest:
    at = AppTest.from_string("from rag.chat import material\nmaterial.page()", default_timeout=120)
    at.run()
    assert not at.exception
    return at


def finished(settings: Settings, timeout: float = 240) -> jobs.Job:
    """The job once its runner has finished (the build of a small file takes seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.status(settings)
        if job is not None and not job.running:
            return job
        time.sleep(0.3)
    raise AssertionError("the job did not finish")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_upload_is_previewed_published_in_the_background_and_removed_again(site, tmp_path):
    at = materialet()
    before = snapshot(site.corpus_dir)
    pdf = report_pdf(tmp_path / "Trivsel rapport.pdf").read_bytes()
    at.file_uploader[0].set_value(("Trivsel rapport.pdf", pdf, "application/pdf"))
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Forhåndsvisning af Trivsel rapport.pdf" in text
    sections = at.dataframe[0].value
    assert "2 Tjekliste til moedet" in " ".join(sections["Afsnit"])
    assert "Tjekliste" in list(sections["Slags"])
    assert snapshot(site.corpus_dir) == before  # nothing is published by a preview
    (title,) = [t for t in at.text_input if t.key.startswith("tilfoej-titel-")]
    title.input("Trivsel i teamet")
    button(at, "Tilføj til materialet").click().run()
    assert not at.exception
    job = finished(site)
    assert job.state == "done", job.message
    assert job.message.startswith("Tilføjet trivsel-rapport.pdf som trivsel-i-teamet")
    assert not list((site.data_dir / "uploads").iterdir())  # the upload is not kept twice
    at.run()
    listed = " ".join(m.value for m in at.markdown)
    assert "**Trivsel i teamet**" in listed and "tilføjet " + time.strftime("%Y-%m-%d") in listed
    assert any(s.value.startswith("Færdig. Tilføjet trivsel-rapport.pdf") for s in at.success)
    at.button(key="fjern-trivsel-i-teamet").click().run()
    button(at, "Ja, fjern").click().run()
    assert finished(site).state == "done"
    at.run()
    assert "Trivsel i teamet" not in " ".join(m.value for m in at.markdown)
    manifest = json.loads((site.corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in manifest["documents"]] == ["vejledning"]


def test_a_file_that_cannot_be_read_is_refused_in_danish_and_nothing_is_stored(site):
    at = materialet()
    before = snapshot(site.corpus_dir)
    at.file_uploader[0].set_value(("noter.pdf", b"ikke en pdf", "application/pdf"))
    at.run()
    assert not at.exception
    assert "noter.pdf kan ikke tilføjes" in at.error[0].value
    assert not [b for b in at.button if b.label == "Tilføj til materialet"]
    assert snapshot(site.corpus_dir) == before


def test_a_manager_sees_no_upload_no_removal_and_no_notice(site, monkeypatch):
    monkeypatch.setenv("TILLID_LOCAL_MAINTAINER", "0")
    (site.corpus_dir / "noter.md").write_text("# Noter\n\n" + TEXT, encoding="utf-8")
    at = materialet()
    assert not at.file_uploader and not [b for b in at.button if b.label == "Fjern"]
    assert not [e for e in at.expander if e.label == "Tilføj eller fjern materiale"]
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert not [w for w in app.sidebar.warning if "corpus/" in w.value]


NOTES = (
    "Vores team aftaler hver måned, hvilke opgaver der skal prioriteres, og hvem der gør hvad. "
    "Medarbejderne foreslår selv forbedringer af arbejdsgangene på et fælles møde. "
)
PLAN = (
    "Planen for næste år beskriver tre indsatser for bedre trivsel og færre sygedage. "
    "Lederne følger op på indsatserne hvert kvartal sammen med arbejdsmiljørepræsentanten. "
)


def test_a_maintainer_is_told_of_files_put_in_corpus_by_hand_and_can_read_them(site):
    (site.corpus_dir / "noter.md").write_text("# Noter\n\n" + NOTES * 4, encoding="utf-8")
    (site.corpus_dir / "plan.md").write_text("# Plan\n\n" + PLAN * 4, encoding="utf-8")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    (warning,) = [w.value for w in at.sidebar.warning if "corpus/" in w.value]
    assert warning == "2 nye filer i corpus/ – opdatér materialet."
    at.sidebar.button(key="opdater-materialet").click().run()
    job = finished(site)
    assert job.state == "done", job.message
    at.run()
    assert not [w for w in at.sidebar.warning if "corpus/" in w.value]


def test_a_failed_job_says_why_in_danish_and_a_dead_one_is_not_running_forever(site):
    jobs.start(site, "remove", "findes-ikke", ["remove", "findes-ikke"])
    job = finished(site)
    assert job.state == "failed" and "findes ikke i materialet" in job.message
    dead = jobs.Job("add", "x.pdf", pid=2**22 + 7)  # no such process
    jobs.status_path(site).write_text(json.dumps(dead.__dict__), encoding="utf-8")
    job = jobs.status(site)
    assert job is not None and not job.running and job.state == "failed"
    assert "afbrudt" in job.message


def test_progress_follows_files_pages_and_embedding_n_of_m():
    job = jobs.Job("add", "rapport.pdf")
    seen = []
    for line in [
        "Læser materialet …",
        "Læst rapport.pdf: 102 sider",
        "Skriver indekset: 2 dokumenter, 120 afsnit …",
        "Embedder tekstvinduer: 40/120 …",
        "Embedder sætninger: 300/300 …",
    ]:
        jobs.follow(job, line)
        seen.append((job.step, round(job.fraction, 2)))
    assert seen[1][0] == "Læst rapport.pdf: 102 sider"
    assert seen[3][0] == "Embedder tekstvinduer: 40/120 …"
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and 0 < fractions[-1] < 1


def test_a_second_change_waits_for_the_first(site):
    busy = jobs.Job("ingest", "materialet", pid=os.getpid())
    jobs.status_path(site).parent.mkdir(parents=True, exist_ok=True)
    jobs.status_path(site).write_text(json.dumps(busy.__dict__), encoding="utf-8")
    with pytest.raises(jobs.JobBusy, match="opdateres allerede"):
        jobs.start(site, "remove", "vejledning", ["remove", "vejledning"])
    assert Path(site.corpus_dir / "vejledning.txt").is_file()


def test_a_refusal_names_the_documents_indexed_not_a_fixed_subject(site, embedder, tmp_path):
    from rag.answer.assistant import Assistant
    from rag.ingest.material import add_file

    add_file(report_pdf(tmp_path / "r.pdf"), site, title="Trivsel i teamet")
    ingest(site, embedder=embedder)
    with Assistant.open(site, embedder=embedder) as assistant:
        answer = assistant.ask("Hvordan bager man rugbrød?")
    assert answer.refused
    assert "Materialet består af »" in answer.text and "»Trivsel i teamet«" in answer.text
    assert "»Vejledning«" in answer.text and "social kapital" not in answer.text


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(site, tmp_path, monkeypatch):
    monkeypatch.setenv("TILLID_MAX_FILE_MB", "0.001")
    at = materialet()
    pdf = report_pdf(tmp_path / "stor.pdf").read_bytes()
    at.file_uploader[0].set_value(("stor.pdf", pdf, "application/pdf")).run()
    assert at.error[0].value == "stor.pdf er større end 0.001 MB."
    assert not (site.data_dir / "uploads").exists()
