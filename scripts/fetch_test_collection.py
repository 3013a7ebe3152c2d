"""Fetch the test collection (tests/collection/collection.json) into .cache/testdocs/.

Each document is one file inside a Debian package: `apt-get download` fetches the package (no
root needed once the package lists exist), `dpkg-deb` reads the file out of it, a `.gz` member
is unpacked, and the file's SHA-256 is checked against the collection, so the golden listings
always describe the same bytes. A document already in place is not fetched again. Where apt-get
or dpkg-deb is missing, one line says so and the tests that need the collection skip.

    python scripts/fetch_test_collection.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTION = ROOT / "tests" / "collection" / "collection.json"
TARGET = ROOT / ".cache" / "testdocs"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(entry: dict, work: Path) -> str:
    out = TARGET / entry["file"]
    if out.is_file() and sha256(out) == entry["sha256"]:
        return "har den allerede"
    spec = f"{entry['package']}={entry['version']}"
    got = subprocess.run(["apt-get", "download", spec], cwd=work, capture_output=True, text=True)
    if got.returncode != 0:
        got = subprocess.run(  # another point release: the checksum below decides
            ["apt-get", "download", entry["package"]], cwd=work, capture_output=True, text=True
        )
        if got.returncode != 0:
            return f"kunne ikke hente pakken {entry['package']}: {got.stderr.strip()[:200]}"
    deb = next(work.glob(f"{entry['package']}_*.deb"))
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True)
    member = subprocess.run(
        ["tar", "-xO", entry["member"]], input=tar.stdout, capture_output=True, check=True
    ).stdout
    if entry["member"].endswith(".gz"):
        member = gzip.decompress(member)
    out.write_bytes(member)
    if sha256(out) != entry["sha256"]:
        return f"hentet, men en anden udgave end den i samlingen ({deb.name})"
    return f"hentet fra {deb.name}"


def write_manifest(entries: list[dict]) -> None:
    """The folder is a corpus of its own: ids as in the collection, titles from the files."""
    docs = [
        {"id": e["id"], "file": e["file"], "kind": "document", "language": e["language"]}
        for e in entries
    ]
    (TARGET / "manifest.json").write_text(
        json.dumps({"documents": docs}, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def main() -> int:
    if not (shutil.which("apt-get") and shutil.which("dpkg-deb")):
        print(
            "apt-get/dpkg-deb mangler: testsamlingen kan ikke hentes; testene af den springes over."
        )
        return 0
    TARGET.mkdir(parents=True, exist_ok=True)
    failed = 0
    entries = json.loads(COLLECTION.read_text(encoding="utf-8"))["documents"]
    write_manifest(entries)
    for entry in entries:
        with tempfile.TemporaryDirectory() as work:
            try:
                said = fetch(entry, Path(work))
            except (subprocess.CalledProcessError, OSError, StopIteration) as exc:
                said = f"fejl: {exc}"
        failed += not said.startswith(("hentet fra", "har den"))
        print(f"  {entry['file']}: {said}")
    return 1 if failed and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
