"""Derive rag/data/names-da.tsv from Debian's hunspell-da dictionary (da_DK.dic).

The dictionary marks personal names with the genitive-only flag 9 ("Søren/9", "Aakjær/9").
Ingest uses the list to restore the capitals of names an extraction lower-cased ("søren
aakjær"). The second column says whether the name is also an ordinary lower-case word of the
dictionary in any inflected form ("søren", "siger"), which alone is no evidence of a name;
the forms come from hunspell-tools' `unmunch` (apt-get install hunspell-da hunspell-tools).

    python scripts/derive_names_da.py [/usr/share/hunspell/da_DK.dic]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "rag" / "data" / "names-da.tsv"
NOTICE = (
    "# Personal names from hunspell-da 1:7.5.0-1 (Debian), dictionaries/da_DK/da_DK.dic:\n"
    "# Copyright 2007-2014 Foreningen for frit tilgængelige sprogværktøjer\n"
    "# <info@stavekontrolden.dk>; licence LGPL-2.1 or GPL-2 or MPL-1.1.\n"
    "# Derived by scripts/derive_names_da.py: name<TAB>1 when also an ordinary word, else 0.\n"
)


def main(dic: Path) -> None:
    entries = [line.strip() for line in dic.read_text(encoding="utf-8").splitlines()[1:]]
    words = ordinary_words(dic)
    names = sorted(
        {
            e.split("/")[0]
            for e in entries
            if e.endswith("/9") and re.fullmatch(r"[A-ZÆØÅ][a-zæøåéü]{2,}", e.split("/")[0])
        }
    )
    rows = [f"{n}\t{int(n.lower() in words)}" for n in names]
    OUT.write_text(NOTICE + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} names written to {OUT}")


def ordinary_words(dic: Path) -> set[str]:
    """Every lower-case form the dictionary accepts, expanded from its affix rules."""
    out = subprocess.run(
        ["unmunch", str(dic), str(dic.with_suffix(".aff"))],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", "replace")  # unmunch cuts a few long forms mid-character
    forms: set[str] = set()
    for line in out.splitlines():
        tokens = line.split()
        if tokens:
            forms.add(tokens[0])
            forms |= {t[3:] for t in tokens[1:] if t.startswith("al:")}
    return {f for f in forms if f[:1].islower()}


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/hunspell/da_DK.dic"))
