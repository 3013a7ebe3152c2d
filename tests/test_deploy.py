"""Running for an organisation: the deployment files, and the same topology with local processes.

Docker is not available on these machines, so compose.yaml and the Dockerfile are checked for
structure here, and the topology they describe (a Chroma server, PostgreSQL, one ingest, several
page processes) is run for real with local processes: a conversation started in one page
process opens from another by its URL, and feedback from both lands in one table.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import fields

import chromadb
import pytest
import yaml
from conftest import CORPUS, EMBEDDING_CACHE

from rag.chat.identity import COOKIE as COOKIE_NAME
from rag.chat.identity import owner_key
from rag.chat.store import ChatStore
from rag.config import PROJECT_ROOT, Settings
from rag.index.builder import ingest
from rag.measure.loadbench import Session
from rag.measure.pagebench import streamlit_app

# One browser's key (rag/chat/identity.py), sent as its cookie to both page processes.
BROWSER = "deploy-test-browser-key-0123456789"
COOKIE = {"Cookie": f"{COOKIE_NAME}={BROWSER}"}
COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
SERVICES = COMPOSE["services"]


def env_of(service: str) -> dict:
    return SERVICES[service]["environment"]


def test_compose_has_the_organisation_topology():
    assert set(SERVICES) == {"chroma", "postgres", "ingest", "page", "proxy"}
    assert SERVICES["page"]["deploy"]["replicas"] >= 2
    assert set(COMPOSE["volumes"]) == {"chroma", "postgres", "index"}
    for service in ("chroma", "postgres", "page", "proxy"):
        assert SERVICES[service]["healthcheck"]["test"], service
    # Only the proxy is reachable from outside; the pages share one index volume.
    assert [s for s, spec in SERVICES.items() if spec.get("ports")] == ["proxy"]
    assert SERVICES["page"]["volumes"] == SERVICES["ingest"]["volumes"] == ["index:/data"]


def test_the_pages_wait_for_a_built_index_and_healthy_servers():
    assert SERVICES["ingest"]["depends_on"] == {
        "chroma": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert SERVICES["page"]["depends_on"] == {
        "ingest": {"condition": "service_completed_successfully"}
    }
    assert SERVICES["proxy"]["depends_on"]["page"]["condition"] == "service_healthy"


def test_the_proxy_keeps_each_browser_on_its_page_process():
    labels = SERVICES["page"]["labels"]
    assert labels["traefik.http.services.tillid.loadbalancer.sticky.cookie"] == "true"
    assert labels["traefik.http.services.tillid.loadbalancer.server.port"] == "8501"
    assert labels["traefik.http.services.tillid.loadbalancer.healthcheck.path"] == "/_stcore/health"
    assert "--providers.docker.exposedbydefault=false" in SERVICES["proxy"]["command"]


# Headers a client could send to pose as someone a proxy signed in (oauth2-proxy, Authelia,
# Authentik, Traefik's forward auth), and the shared secret header of rag/chat/identity.py.
IDENTITY_HEADERS = (
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Groups",
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "Remote-User",
    Settings().trusted_proxy_secret_header,
)


def test_users_sign_in_and_the_proxy_removes_identity_headers_a_client_sends():
    env = env_of("page")
    assert env["TILLID_REQUIRE_SIGN_IN"] == "1"  # no provider configured: the page refuses
    assert "TILLID_TRUSTED_USER_HEADER" not in env  # identity comes from the sign-in alone
    (secret,) = SERVICES["page"]["secrets"]  # the [auth] section for st.login
    assert secret["target"] == "/app/.streamlit/secrets.toml"
    assert COMPOSE["secrets"][secret["source"]]["file"].endswith(".streamlit/secrets.toml}")
    labels = SERVICES["page"]["labels"]
    middleware = labels["traefik.http.routers.tillid.middlewares"]
    prefix = f"traefik.http.middlewares.{middleware}.headers.customrequestheaders."
    for header in IDENTITY_HEADERS:
        assert labels[prefix + header] == "", header  # an empty value removes it
    for ignore in (".gitignore", ".dockerignore"):  # never in git, never baked into the image
        assert ".streamlit/secrets.toml" in (PROJECT_ROOT / ignore).read_text().split(), ignore


def test_every_variable_the_services_set_is_a_setting_and_points_at_a_service():
    settings = {f"TILLID_{f.name.upper()}" for f in fields(Settings)}
    env = env_of("page")
    assert env == env_of("ingest")
    assert set(env) <= settings
    assert env["TILLID_CHROMA_URL"] == "http://chroma:8000"
    assert env["TILLID_DATABASE_URL"].startswith("postgresql+psycopg://tillid:")
    assert "@postgres:5432/tillid" in env["TILLID_DATABASE_URL"]


def test_the_chroma_image_matches_the_installed_client():
    image = SERVICES["chroma"]["image"]
    assert image == f"chromadb/chroma:{chromadb.__version__}"


def test_the_dockerfile_builds_the_page_with_its_material_and_a_health_check():
    assert DOCKERFILE.splitlines()[3].startswith("FROM python:3.11")
    assert re.search(r'pip install -e "\.\[postgres\]"', DOCKERFILE)
    for folder in ("rag/", "prompts/", "corpus/", ".streamlit/"):
        assert f"COPY {folder}" in DOCKERFILE
    assert "EXPOSE 8501" in DOCKERFILE and "HEALTHCHECK" in DOCKERFILE
    assert "--server.address 0.0.0.0" in DOCKERFILE
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert ".venv/" in ignored and "data/" in ignored


# --- the same topology, with local processes -----------------------------------------------


@pytest.fixture(scope="module")
def organisation(tmp_path_factory, chroma_url, postgres_url, embedder):
    """A Chroma server, PostgreSQL, one ingest and two page processes on 127.0.0.1."""
    root = tmp_path_factory.mktemp("organisation")
    shutil.copytree(CORPUS, root / "corpus")  # the last test adds a document to it
    settings = Settings.load(
        env={},
        corpus_dir=root / "corpus",
        data_dir=root / "data",
        cache_dir=EMBEDDING_CACHE,
        chroma_url=chroma_url,
        database_url=postgres_url,
    )
    ingest(settings, embedder=embedder)
    env = {"TILLID_CHROMA_URL": chroma_url, "TILLID_DATABASE_URL": postgres_url}
    with (
        streamlit_app(settings.data_dir, root / "a.log", EMBEDDING_CACHE, settings=env) as a,
        streamlit_app(settings.data_dir, root / "b.log", EMBEDDING_CACHE, settings=env) as b,
        ChatStore(postgres_url) as store,
    ):
        yield a, b, store, settings


def test_a_conversation_from_one_page_process_opens_in_another(organisation):
    a, b, store, _ = organisation
    asyncio.run(_session(a, "Hvad er udfordringsretten?"))
    owner = owner_key("browser", BROWSER)  # the browser's own key, in its cookie
    cid = next(s.id for s in store.recent(owner) if s.title == "Hvad er udfordringsretten?")
    shown = asyncio.run(_reopen(b, cid))  # the link ?samtale=<id>, opened on the other process
    assert "Hvad er udfordringsretten?" in shown and "udfordringsret" in shown.lower()
    assert "delt med dig" not in shown  # the same browser goes on with its own conversation


def test_feedback_from_every_page_process_lands_in_one_table(organisation):
    a, b, store, _ = organisation
    before = len(store.feedback())
    asyncio.run(_session(a, "Hvad er social kapital?", thumb_up=True))
    asyncio.run(_session(b, "Hvad er tillid?", thumb_up=True))
    rated = store.feedback()[before:]
    assert sorted(r["question"] for r in rated) == ["Hvad er social kapital?", "Hvad er tillid?"]
    assert {r["rating"] for r in rated} == {"up"}


NEW_DOCUMENT = """Stafetmødet

Stafetmødet er et kort møde, hvor en medarbejder fra hvert team fortæller de andre teams, hvad \
de har lært om kerneopgaven i den forløbne uge. Stafetmødet holdes hver fredag i femten minutter \
og styrker tilliden mellem teamene, fordi erfaringerne deles åbent.
"""


def test_running_pages_answer_from_a_new_build_without_a_restart(organisation, embedder):
    a, b, _, settings = organisation
    question = "Hvad er et stafetmøde?"
    assert "fredag" not in asyncio.run(_answer(a, question))  # not in the material yet
    (settings.corpus_dir / "stafetmoedet.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    report = ingest(settings, embedder=embedder)  # a new collection on the server, then the pointer
    assert report.changed and report.added == ["stafetmoedet.txt"], report
    for page in (a, b):  # both processes, started before the ingest, answer from the new build
        assert "hver fredag i femten minutter" in asyncio.run(_answer(page, question))


async def _answer(url: str, question: str) -> str:
    async with Session(url, timeout=60) as session:
        assert await session.run() == []
        assert await session.run(question) == []
        return "\n".join(session.texts)


async def _session(url: str, question: str, thumb_up: bool = False) -> None:
    """A browser session on one page process: load, ask, and maybe click the thumb up."""
    async with Session(url, timeout=60, headers=COOKIE) as session:
        assert await session.run() == []
        assert await session.run(question) == []
        assert session.thumbs
        if thumb_up:
            assert await session.run(thumb_up=True) == []


async def _reopen(url: str, conversation_id: str) -> str:
    async with Session(
        url, timeout=60, query=f"samtale={conversation_id}", headers=COOKIE
    ) as session:
        assert await session.run() == []
        return "\n".join(session.texts)
