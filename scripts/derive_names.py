"""Derive rag/data/names-da.txt from Debian's Danish Hunspell dictionary (package hunspell-da).

The dictionary (Stavekontrolden, LGPL-2.1 or GPL-2 or MPL-1.1) marks proper nouns with the
genitive affix class 9 and places additionally with class 54. Its proper nouns are mostly the
first names and surnames in use in Denmark, of every origin ("Fatima", "Yusuf", "Nielsen",
"Øllgaard"), which is what rag/names.py needs to see a person in a question. A name that is
also an ordinary lower-case word in the same dictionary ("Bo", "Per", "Rask", "Holm") is marked
with a trailing "*": alone, or written in lower case, it is read as the word.

Run: python scripts/derive_names.py [/usr/share/hunspell/da_DK.dic]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCE = Path("/usr/share/hunspell/da_DK.dic")
TARGET = Path(__file__).resolve().parents[1] / "rag" / "data" / "names-da.txt"
NAME = re.compile(r"^[A-ZÆØÅ][a-zæøåäöüéèáíóúñç']+(?:-[A-ZÆØÅ][a-zæøåäöüéèáíóúñç']+)?$")
HEADER = """\
# Person names in use in Denmark (first names and surnames of every origin), one a line; a
# trailing * marks a name that is also an ordinary Danish word (Bo, Per, Rask).
# Derived by scripts/derive_names.py from Debian's hunspell-da {version} (da_DK.dic by
# Foreningen for frit tilgængelige sprogværktøjer, stavekontrolden.dk; licence LGPL-2.1 or
# GPL-2 or MPL-1.1): its proper nouns (affix class 9) that are not places (class 54).
"""


def entries(dic: Path) -> list[tuple[str, set[str]]]:
    lines = dic.read_text(encoding="utf-8").splitlines()[1:]  # the first line is a count
    out = []
    for line in lines:
        word, _, flags = line.strip().partition("/")
        out.append((word, set(flags.split(",")) if flags else set()))
    return out


def derive(dic: Path) -> list[str]:
    found = entries(dic)
    words = {w for w, _ in found if w[:1].islower()}
    names = {w for w, flags in found if "9" in flags and "54" not in flags and NAME.match(w)}
    return [f"{n}*" if n.lower() in words else n for n in sorted(names)]


def main() -> None:
    dic = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    version = "?"
    status = Path("/var/lib/dpkg/status")
    if status.exists():
        block = status.read_text(encoding="utf-8").split("Package: hunspell-da\n", 1)
        if len(block) == 2:
            version = re.search(r"^Version: (\S+)", block[1], re.M).group(1)
    names = derive(dic)
    TARGET.write_text(HEADER.format(version=version) + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} navne skrevet til {TARGET}")


if __name__ == "__main__":
    main()
