"""Derive the small word lists the app vendors in rag/data/ from Debian's Danish packages.

Run on a machine with the Debian packages installed (`make word-data` installs them first):

    simplemma's bundled Danish lemma data (PyPI; MIT code, data ODbL / CC BY-SA)
        → rag/data/lemmas-da.tsv: the lemma of every word form general Danish (wordfreq),
          the Danish dictionary and the material use, where it differs from the form; a
          lookup table loads in milliseconds, simplemma's own dictionary in seconds
    hunspell-da (Stavekontrolden, GPL-2.0/LGPL-2.1/MPL-1.1)
        → rag/data/words-da.tsv: word class of common Danish words (noun, verb, adjective,
          name), for "is this word a topic noun?" in refusal lines and the readability lint
    mythes-da (LibreOffice's Danish thesaurus, MPL-2.0)
        → rag/data/synonyms-da.tsv: synonyms of the material's own vocabulary
    dict-freedict-dan-eng, dict-freedict-eng-dan (FreeDict, GPL-3+ / CC-BY-SA-3.0)
        → rag/data/lexicon-en-da.tsv: English words with the Danish words the material uses

The app reads only the vendored files (no system package at run time); their licence notices
are in rag/data/LICENSES.md. Re-run after a change of the corpus:

    .venv/bin/python scripts/derive_word_data.py [--corpus corpus]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wordfreq import zipf_frequency  # noqa: E402

DATA = ROOT / "rag" / "data"
HUNSPELL = Path("/usr/share/hunspell/da_DK.dic")
AFFIX = Path("/usr/share/hunspell/da_DK.aff")
MYTHES = Path("/usr/share/mythes/th_da_DK.dat")
FREEDICT = Path("/usr/share/dictd")

# The affix file's comments name the word class of each flag ("#Substantiv, fælleskøn").
_CLASSES = (("Substantiv", "noun"), ("Verbum", "verb"), ("Adjektiv", "adj"), ("Proprium", "name"))
FORBIDDEN = 6
MIN_ZIPF = 1.0  # words general Danish uses at all (wordfreq): what a question may contain


def flag_classes(affix: Path = AFFIX) -> dict[int, str]:
    classes: dict[int, str] = {}
    comment = ""
    for line in affix.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comment = line
        m = re.match(r"^(?:SFX|PFX) (\d+) [YN] \d+", line)
        if m:
            for word, name in _CLASSES:
                if word in comment and "Verbalsubstantiv" not in comment:
                    classes[int(m.group(1))] = name
    return classes


def word_classes(dic: Path = HUNSPELL) -> dict[str, set[str]]:
    """Every dictionary word with the classes its flags give it (a strong verb is listed
    without flags, its forms as `al:` allomorphs)."""
    classes = flag_classes()
    out: dict[str, set[str]] = defaultdict(set)
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        head, *morph = line.split(" ")
        entry, _, flags_text = head.partition("/")
        flags = {int(f) for f in flags_text.split(",") if f.isdigit()}
        if FORBIDDEN in flags or not entry or any(":" not in m for m in morph):
            continue  # forbidden, or a phrase ("a cappella")
        names = {classes[f] for f in flags if f in classes}
        if not names and any(m.startswith("al:") for m in morph):
            names.add("verb")  # a strong verb: "drage al:drager al:drog …"
            for m in morph:
                if m.startswith("al:"):
                    out[m[3:]].add("verb")
        out[entry] |= names or {"other"}
    return out


def write_words(path: Path) -> int:
    """word<TAB>classes for words of some use in general Danish; a name only when its
    lower-case form is no ordinary word ("Petersen", not "Bjerg")."""
    classes = word_classes()
    lower = {w for w, c in classes.items() if w.islower() and c != {"name"}}
    rows = []
    for word, names in sorted(classes.items()):
        if names == {"name"} and word.lower() in lower:
            continue
        if zipf_frequency(word.lower(), "da") < MIN_ZIPF:
            continue
        rows.append(f"{word}\t{','.join(sorted(names))}")
    path.write_text(_header("hunspell-da (Stavekontrolden 2.7)") + "\n".join(rows) + "\n", "utf-8")
    return len(rows)


def material_words(corpus: Path) -> set[str]:
    from rag.search.lemmas import words

    found: set[str] = set()
    for path in sorted(corpus.glob("*")):
        if path.suffix in (".txt", ".md"):
            found |= {w.lower() for w in words(path.read_text(encoding="utf-8"))}
    return found


def write_lemmas(path: Path, material: set[str]) -> int:
    """form<TAB>lemma for every lower-case form whose lemma differs from it."""
    import simplemma
    from wordfreq import get_frequency_dict

    forms = set(get_frequency_dict("da")) | material
    forms |= {w.lower() for w in word_classes()}
    rows = []
    for form in sorted(f for f in forms if f.isalpha() and f.islower()):
        base = simplemma.lemmatize(form, lang="da")
        if base.lower() != form:
            rows.append(f"{form}\t{base.lower()}")
    header = _header("simplemma's Danish lemma data (PyPI package simplemma)")
    path.write_text(header + "\n".join(rows) + "\n", "utf-8")
    return len(rows)


def material_lemmas(corpus: Path) -> set[str]:
    """The lemmas (and compound parts) of every word the material uses."""
    from rag.search.lemmas import compound_parts, lemma, words

    found: set[str] = set()
    for path in sorted(corpus.glob("*")):
        if path.suffix in (".txt", ".md"):
            for w in set(words(path.read_text(encoding="utf-8"))):
                found.add(lemma(w))
                found.update(compound_parts(w))
    return found


def thesaurus(path: Path = MYTHES) -> dict[str, set[str]]:
    """headword → its synonyms (hyponyms, marked "(underbegreb)", and phrases left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    out: dict[str, set[str]] = defaultdict(set)
    head = ""
    for line in lines:
        if not line.startswith("|"):
            head = line.partition("|")[0]
            continue
        if " " in head:
            continue
        for syn in line.strip("|").split("|"):
            syn = syn.strip()
            if syn and " " not in syn and "(" not in syn and syn != head:
                out[head.lower()].add(syn.lower())
    return out


def write_synonyms(path: Path, material: set[str]) -> int:
    """word<TAB>synonyms the material uses, for words the material does not use itself."""
    rows = []
    for head, synonyms in sorted(thesaurus().items()):
        used = sorted(s for s in synonyms if s in material)
        if head not in material and used:
            rows.append(f"{head}\t{' '.join(used)}")
    path.write_text(_header("mythes-da (LibreOffice)") + "\n".join(rows) + "\n", "utf-8")
    return len(rows)


_ENTRY = re.compile(r"^(?P<word>[^/<]+?)\s*(?:/[^/]*/)?\s*(?:<(?P<pos>[^>]+)>)?\s*$")


def dict_entries(name: str) -> list[tuple[str, str, list[str]]]:
    """(headword, part of speech, translations) of a FreeDict dictionary in dictd format."""
    text = gzip.decompress((FREEDICT / f"{name}.dict.dz").read_bytes()).decode("utf-8")
    body = text.split("http://freedict.org/\n")[-1]
    entries: list[tuple[str, str, list[str]]] = []
    head: tuple[str, str] | None = None
    for line in body.splitlines():
        m = _ENTRY.match(line) if not line.startswith(" ") and "/" in line else None
        if m:
            head = (m.group("word").strip(), (m.group("pos") or "").strip())
            entries.append((*head, []))
        elif head and line.strip():
            plain = re.sub(r"\[[^\]]*\]", " ", line)
            entries[-1][2].extend(t.strip() for t in re.split(r"[,;]", plain) if t.strip())
    return entries


_POS = {"n": "noun", "v": "verb", "adj": "adj", "adv": "other", "adverb": "other"}


def write_lexicon(path: Path, material: set[str]) -> int:
    """english<TAB>word class<TAB>Danish words the material uses (maybe none): from both
    FreeDict directions. The class lets a refusal name only English nouns."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for danish, pos, english in dict_entries("freedict-dan-eng"):
        for e in english:
            pairs[(e.lower(), _POS.get(pos, "other"))].add(danish.lower())
    for english, pos, danish in dict_entries("freedict-eng-dan"):
        pairs[(english.lower(), _POS.get(pos, "other"))].update(d.lower() for d in danish)
    rows = []
    for (english, pos), danish in sorted(pairs.items()):
        if " " in english or not english.isalpha():
            continue
        used = sorted(d for d in danish if " " not in d and d in material)
        rows.append(f"{english}\t{pos}\t{' '.join(used)}")
    path.write_text(
        _header("dict-freedict-dan-eng and dict-freedict-eng-dan") + "\n".join(rows) + "\n", "utf-8"
    )
    return len(rows)


def _header(source: str) -> str:
    return (
        f"# Derived by scripts/derive_word_data.py from Debian's {source}; "
        "licence notice in rag/data/LICENSES.md.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    args = parser.parse_args(argv)
    needed = [HUNSPELL, AFFIX, MYTHES, FREEDICT / "freedict-dan-eng.dict.dz"]
    missing = [p for p in needed if not p.exists()]
    if missing:
        print("Mangler: " + ", ".join(map(str, missing)) + " (make word-data installerer dem).")
        return 2
    lemmas = write_lemmas(DATA / "lemmas-da.tsv", material_words(Path(args.corpus)))
    print(f"lemmas-da.tsv: {lemmas} ord")
    material = material_lemmas(Path(args.corpus))
    print(f"words-da.tsv: {write_words(DATA / 'words-da.tsv')} ord")
    print(f"synonyms-da.tsv: {write_synonyms(DATA / 'synonyms-da.tsv', material)} ord")
    print(f"lexicon-en-da.tsv: {write_lexicon(DATA / 'lexicon-en-da.tsv', material)} ord")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
