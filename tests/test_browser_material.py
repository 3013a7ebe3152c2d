"""Material of one's own in a real browser: a maintainer uploads a PDF on Materialet, sees the
preview, publishes it with the progress shown; a manager, on a page process of their own, is
answered from it with its section cited; the maintainer removes it again.

Two page servers share one data folder (the maintainer's at the machine, the manager's with
TILLID_LOCAL_MAINTAINER=0), as two page processes of one installation do. Skipped with the
reason when Chromium or chromedriver is missing (`make test` installs them).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, EMBEDDING_CACHE, unavailable
from test_browser import MISSING, real_click, text_in_main, wait_for

from rag.config import Settings
from rag.measure.pagebench import ChatPage, browser_available, chromium, streamlit_app

QUESTION = "Hvad fortæller hver medarbejder om på fredagsmødet?"


def friday_pdf(path: Path) -> Path:
    """A one-page Danish PDF with two numbered headings, the second a checklist."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for heading, text in [
        (
            "1 Fredagsmødet i teamet",
            "I vores afdeling holder teamet et kort fredagsmøde hver fredag klokken ni. "
            "Hver medarbejder fortæller om ugens største succes og om en opgave, hvor der er "
            "brug for hjælp fra kollegerne. Mødet varer højst et kvarter og ledes på skift af "
            "medarbejderne, ikke af lederen. Formålet er at styrke tilliden i teamet og gøre det "
            "let at bede om hjælp i tide.",
        ),
        (
            "2 Tjekliste til fredagsmødet",
            "Er der valgt en mødeleder for næste fredag? Har alle fået ordet? Er de opgaver, der "
            "blev bedt om hjælp til, fordelt på kolleger, før mødet slutter?",
        ),
    ]:
        pdf.set_font("Helvetica", "B", 18)
        pdf.cell(0, 12, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(3)
    pdf.output(str(path))
    return path


@pytest.fixture
def installation(tmp_path, first_ingest):
    """The guidance material in a corpus folder of its own, indexed (the session's first ingest
    of the same files, copied: see `ingested`); two page servers on it."""
    if not browser_available():
        unavailable(MISSING)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    data = tmp_path / "data"
    shutil.copytree(first_ingest[0].data_dir, data)
    settings = Settings.load(env={}, corpus_dir=corpus, data_dir=data, cache_dir=EMBEDDING_CACHE)
    common = {"TILLID_CORPUS_DIR": str(corpus), "TILLID_DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    with contextlib.ExitStack() as stack:
        urls = [
            stack.enter_context(
                streamlit_app(
                    data,
                    tmp_path / f"streamlit-{who}.log",
                    cache_dir=EMBEDDING_CACHE,
                    settings={**common, "TILLID_LOCAL_MAINTAINER": local},
                )
            )
            for who, local in (("maintainer", "1"), ("manager", "0"))
        ]
        yield settings, *urls


def job_done(driver, result: str, timeout: float = 400) -> None:
    """The page says the background build finished with `result` (slow on a busy machine)."""
    from selenium.webdriver.common.by import By

    def said(d):  # a redrawn (stale) alert counts as "not yet": `wait_for` ignores it
        failed = d.find_elements(By.CSS_SELECTOR, "[data-testid=stAlertContentError]")
        assert not failed, failed[0].text
        found = d.find_elements(By.CSS_SELECTOR, "[data-testid=stAlertContentSuccess]")
        return any(result in e.text for e in found)  # after the icon's name

    wait_for(driver, said, timeout)


def upload_file(driver, path: Path) -> None:
    """Give the page's file input `path`. The input is redrawn while the panel that holds it
    reruns: one found a moment before may be stale when the file is given, so it is found
    again (`wait_for` takes a stale element as "not yet")."""
    from selenium.webdriver.common.by import By

    def given(d) -> bool:
        d.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
        return True

    wait_for(driver, given)


def test_a_maintainer_adds_a_pdf_a_manager_is_answered_from_it_and_it_is_removed(
    installation, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    settings, maintainers, managers = installation
    pdf = friday_pdf(tmp_path / "fredagsmoedet.pdf")
    with chromium(tmp_path / "maintainer") as driver:
        driver.get(maintainers + "/materialet")
        panel = (By.XPATH, "//summary[contains(., 'Tilføj eller fjern materiale')]")
        real_click(driver, panel)
        upload_file(driver, pdf)
        text_in_main(driver, "Forhåndsvisning af fredagsmoedet.pdf", 180)
        text_in_main(driver, "Intet er gemt endnu")
        assert "fredagsmoedet.pdf" not in {p.name for p in settings.corpus_dir.iterdir()}
        real_click(driver, (By.XPATH, "//button[contains(., 'Tilføj til materialet')]"))
        bar = wait_for(
            driver, ec.presence_of_element_located((By.CSS_SELECTOR, "[data-testid=stProgress]"))
        )
        assert "Tilføjer fredagsmoedet.pdf" in bar.text
        job_done(driver, "Færdig. Tilføjet fredagsmoedet.pdf som ")
        manifest = json.loads((settings.corpus_dir / "manifest.json").read_text(encoding="utf-8"))
        doc_id = manifest["documents"][-1]["id"]

        with chromium(tmp_path / "manager") as other:
            chat = ChatPage(other, managers)
            chat.open()
            chat.ask(QUESTION)
            card = wait_for(
                other,
                ec.presence_of_element_located(
                    (By.XPATH, "//*[@data-testid='stExpander']//summary[contains(., '[1]')]")
                ),
            )
            assert "Fredagsmødet i teamet" in card.text
            text_in_main(other, "ugens største succes")

        driver.refresh()
        real_click(driver, panel)
        real_click(driver, (By.CSS_SELECTOR, f".st-key-fjern-{doc_id} button"))
        real_click(driver, (By.CSS_SELECTOR, ".st-key-fjern-ja button"))
        job_done(driver, f"Færdig. Fjernet {doc_id}")
    manifest = json.loads((settings.corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    assert doc_id not in [e["id"] for e in manifest["documents"]]
