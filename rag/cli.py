"""`python -m rag ...`: everything the app can do, from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .config import Settings
from .documents import CHUNK_KINDS, KIND_LABELS_DA
from .ingest import IngestReport, ingest, open_index
from .store import IndexMissing


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        settings = Settings.load(corpus_dir=args.corpus, data_dir=args.data_dir)
    except ValueError as exc:
        print(f"Fejl i indstillingerne: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except IndexMissing as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Afbrudt.", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="mappe med materialet (standard: corpus/)")
    common.add_argument("--data-dir", help="mappe til indekset (standard: data/)")

    parser = argparse.ArgumentParser(
        prog="python -m rag", description="Tillidsguiden: materialet, søgning og svar."
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("ingest", parents=[common], help="indlæs materialet og byg indekset")
    p.add_argument("--force", action="store_true", help="byg igen, selv om intet er ændret")
    p.add_argument("--json", action="store_true", help="skriv opsummeringen som JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("chunks", parents=[common], help="vis indekserede afsnit (chunks)")
    p.add_argument("--doc", help="kun dette dokument (id fra manifest.json)")
    p.add_argument("--kind", help="kun denne slags: " + ", ".join(CHUNK_KINDS))
    p.add_argument("--json", action="store_true", help="skriv én JSON-liste")
    p.set_defaults(func=cmd_chunks)
    return parser


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.corpus_dir.is_dir():
        print(f"Mappen med materialet findes ikke: {settings.corpus_dir}", file=sys.stderr)
        return 2
    report = ingest(settings, force=args.force)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    return 0


def format_report(r: IngestReport) -> str:
    if not r.changed:
        return (
            f"Ingen ændringer i materialet – indekset er uændret "
            f"({r.documents} dokumenter, {r.chunks} afsnit; {r.seconds:.2f} s)."
        )
    lines = [f"Indlæst {r.documents} dokumenter og {r.chunks} afsnit på {r.seconds:.1f} s."]
    changes = [
        f"{label}: {', '.join(names)}"
        for label, names in (("tilføjet", r.added), ("ændret", r.modified), ("fjernet", r.removed))
        if names
    ]
    if changes:
        lines.append("Filer " + "; ".join(changes) + ".")
    lines.append("Afsnit pr. slags:")
    for kind, n in r.chunks_by_kind.items():
        lines.append(f"  {KIND_LABELS_DA.get(kind, kind):<12} ({kind}): {n}")
    for d in r.duplicates:
        lines.append(
            f"Dubletter: {d['copy']} gentager {d['original']} ({d['overlap']:.0%} af teksten); "
            f"{d['dropped']} afsnit droppet, {d['kept']} kun i kopien beholdt."
        )
    if not r.duplicates:
        lines.append("Dubletter: ingen fundet.")
    for o in r.ocr:
        lines.append(
            f"OCR-rettelser i {o.doc_id}: {o.repaired} ord rettet; ordforrådsdækning "
            f"{o.coverage_before:.1%} før og {o.coverage_after:.1%} efter ({o.tokens} ord)."
        )
    if not r.ocr:
        lines.append("OCR-rettelser: ingen.")
    for p in r.problems:
        lines.append(f"Sprunget over: {p.path.name}: {p.reason}")
    return "\n".join(lines)


def cmd_chunks(args: argparse.Namespace, settings: Settings) -> int:
    index = open_index(settings)
    chunks = index.chunks
    if args.kind and args.kind not in CHUNK_KINDS:
        print(f"Ukendt slags: {args.kind!r}. Vælg en af: {', '.join(CHUNK_KINDS)}", file=sys.stderr)
        return 2
    if args.doc:
        known = sorted({c.doc_id for c in chunks} | {d["doc_id"] for d in index.documents})
        if args.doc not in known:
            print(
                f"Ukendt dokument: {args.doc!r}. Kendte dokumenter: {', '.join(known)}",
                file=sys.stderr,
            )
            return 2
        chunks = [c for c in chunks if c.doc_id == args.doc]
    if args.kind:
        chunks = [c for c in chunks if c.kind == args.kind]
    if args.json:
        print(json.dumps([c.public_dict() for c in chunks], ensure_ascii=False, indent=1))
        return 0
    for c in chunks:
        page = f", s. {c.page}" if c.page else ""
        words = len(c.text.split())
        print(f"{c.chunk_id}  [{c.kind}] {c.section}  ({words} ord, tegn {c.start}-{c.end}{page})")
    print(f"{len(chunks)} afsnit.")
    return 0
