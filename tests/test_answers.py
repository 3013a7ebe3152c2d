"""The default answer mode ("uddrag"): grounded, cited, refusing what the material lacks."""

from __future__ import annotations

import json
import re

import pytest

from rag.answer.followup import is_follow_up, standalone
from rag.cli import main
from rag.config import PROJECT_ROOT
from rag.measure.answer_eval import claims
from rag.measure.evaluate import load_questions, squash
from rag.search.question import requested_kind

QUESTIONS = load_questions(PROJECT_ROOT / "eval" / "questions.jsonl")
MARKER = re.compile(r"\[(\d+)\]")


def source_text(citation) -> str:
    path = next((PROJECT_ROOT / "corpus").glob(f"{citation.chunk.doc_id}.*"))
    return path.read_text(encoding="utf-8")


def test_a_fact_question_is_answered_with_the_sentence_that_states_it(assistant):
    answer = assistant.ask("Hvem står bag projektet om at styrke tillid og samarbejde i staten?")
    assert not answer.refused and answer.mode == "uddrag"
    lead = answer.text.splitlines()[0]
    assert "Moderniseringsstyrelsen, Akademikerne, SKAF og OAO" in lead
    assert lead.endswith("[1]")


@pytest.mark.parametrize(
    "question",
    [
        "Hvem står bag projektet om at styrke tillid og samarbejde i staten?",
        "Er der en tjekliste om at lede på tværs?",
        "Hvordan kan man gennemføre øvelsen om at komme i dybden med kerneopgaven?",
        "Hvad gjorde Viborg Arrest for at styrke korpsånden?",
        "What are the three elements of social capital?",
    ],
)
def test_every_marker_resolves_and_every_citation_is_used_and_exact(assistant, question):
    answer = assistant.ask(question)
    used = {int(n) for n in MARKER.findall(answer.text)}
    assert used == {c.n for c in answer.citations}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        d = c.to_dict()
        assert set(d) >= {"n", "doc_id", "title", "section", "kind", "page", "quote", "spans"}
        # Each span points at the same words in the source file, which still has its line
        # breaks, hyphens and (in long spans) running heads the repaired quote leaves out.
        for span in d["spans"]:
            found, quoted = (
                squash(source_text(c)[span["start"] : span["end"]]),
                squash(span["quote"]),
            )
            assert found[:25] == quoted[:25] and found[-25:] == quoted[-25:]
            assert len(quoted) <= len(found) <= 1.2 * len(quoted) + 10
        assert d["quote"] == " … ".join(span["quote"] for span in d["spans"])


def test_a_checklist_request_gets_the_checklist_items_as_the_source_gives_them(assistant):
    answer = assistant.ask("Er der en tjekliste om at lede på tværs?")
    assert answer.text.startswith("**Tjekliste: Leder du på tværs?** [1]")
    assert "- **Gør du virksomhedens vision og strategier synlige og aktive i hverdagen?**" in (
        answer.text
    )
    assert answer.citations[0].chunk.kind == "checklist"


def test_an_exercise_request_gets_participants_duration_and_steps(assistant):
    answer = assistant.ask(
        "Hvordan kan man gennemføre øvelsen om at komme i dybden med kerneopgaven?"
    )
    assert "**Øvelse: Kom i dybden med kerneopgaven**" in answer.text
    assert "*Deltagere:* Alle medarbejdere og ledere i et team" in answer.text
    assert "*Varighed:* Mindst 1 time – gerne mere." in answer.text
    assert "*Fremgangsmåde:*" in answer.text and "**0. Forberedelse**" in answer.text


def test_a_request_for_an_example_gets_a_case_from_practice(assistant):
    answer = assistant.ask("Giv mig et eksempel på tværfagligt samarbejde på et hospital")
    assert "**Eksempel fra praksis: Glostrup Hospital" in answer.text


def test_out_of_scope_is_refused_with_the_nearest_topics_and_no_sources(assistant):
    answer = assistant.ask("Hvordan beregner jeg feriepenge for en timelønnet medarbejder?")
    assert answer.refused
    assert answer.text.startswith("Det kan jeg ikke finde i materialet.")
    assert "Det nærmeste, det kommer ind på, er:" in answer.text
    assert answer.text.count("\n- ") >= 2
    assert answer.citations == []


def test_a_nearest_topic_that_many_sections_share_is_named_with_its_parent(assistant):
    # spot check 11: a bare "Vejen derhen" is a subsection of each of the ten recommendations
    text = assistant.ask("What are the rules for overtime pay on a night shift schedule?").text
    topics = [line for line in text.splitlines() if line.startswith("- ")]
    assert topics and not any(line.startswith("- Vejen derhen") for line in topics), topics
    assert any(re.match(r"- Anbefaling \d+ – Vejen derhen \(", line) for line in topics), topics


def test_english_sick_leave_is_the_materials_sygefravaer_not_sick_and_leave(assistant):
    # spot check 13: "sick leave" reached the Danish side word by word ("syg orlov") and the
    # question was refused, though the white paper says social capital lowers sygefravær
    answer = assistant.ask("Does high social capital actually reduce sick leave?")
    assert not answer.refused
    assert "lavere sygefravær" in answer.text
    # asking what the material does not cover is still refused
    assert assistant.ask("When do I have to hold a sickness absence interview?").refused


def test_a_nearest_topic_that_is_its_documents_own_title_is_named_once(assistant):
    # eval q164: "OK13 – Tillid og samarbejde (OK13 – Tillid og samarbejde)" named the
    # booklet's opening passage, which sits under no heading, twice
    text = assistant.ask(
        "How many weeks of parental leave do fathers get in the Danish state?"
    ).text
    topics = [line for line in text.splitlines() if line.startswith("- ")]
    assert topics, text
    for line in topics:
        m = re.match(r"- (.+) \((.+)\)$", line)
        assert not (m and m.group(1) == m.group(2)), line


def test_an_english_question_gets_english_labels_and_danish_quotes(assistant):
    answer = assistant.ask("What are the three elements of social capital?")
    assert answer.language == "en"
    assert answer.text.startswith("The Danish material says:")
    assert "tillid, retfærdighed og samarbejdsevne" in answer.text
    refused = assistant.ask("What is the capital of Australia?")
    assert refused.refused and refused.text.startswith("I cannot find that in the material.")


def test_answer_sentences_are_whole_and_clean(assistant):
    for q in [q for q in QUESTIONS if q.answerable][:40]:
        text = assistant.ask(q.question).text
        assert "\n\n\n" not in text, q.id  # one blank line between blocks, never two
        # An exercise field's list entries ("Lang planche (1 m x 2-3 m)") and the items of a
        # list a bullet announces ("… om kerneopgaven: [3]" / "Med dem, der har været
        # inddraget …") end without a full stop in the material, one per line under it.
        entries = {
            e
            for block in re.findall(r"^- .*:\*?(?: \[\d+\])?\n((?:  - .+\n?)+)", text, flags=re.M)
            for e in re.findall(r"^  - (.+)$", block, flags=re.M)
        }
        for sentence in claims(text):
            if sentence in entries:
                continue
            assert sentence[0].isupper() or sentence[0].isdigit() or sentence[0] in "”\"'(–", (
                q.id,
                sentence,
            )
            if len(sentence.split()) > 6:  # shorter ones are the source's own step names
                assert sentence.rstrip("”\"') ").endswith((".", "!", "?", ":")), (q.id, sentence)
            assert "-\n" not in sentence and "  " not in sentence


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("Hvad med i staten?", True),
        ("Giv mig et eksempel på det", True),
        ("Og hvad med medarbejderne?", True),
        ("What about the state?", True),
        ("Er der noget tilsvarende herhjemme?", True),
        ("Anything similar for schools?", True),
        ("Hvad er social kapital?", False),
        ("Hvordan styrker man samarbejdet mellem faggrupper på et hospital?", False),
    ],
)
def test_follow_ups_are_recognised(question, follow_up):
    assert is_follow_up(question) is follow_up


def test_kind_words_ask_for_a_kind():
    assert requested_kind("Er der en tjekliste?") == "checklist"
    assert requested_kind("Giv mig et eksempel") == "case"
    assert requested_kind("Hvilken øvelse kan vi bruge?") == "exercise"
    assert requested_kind("Hvad er tillid?") is None


@pytest.mark.parametrize(
    "question",
    [
        "Hvordan kan jeg tjekke, om en forandring går ordentligt for sig?",
        "Findes der nogle kontrolspørgsmål, jeg selv kan stille mig?",
        "Har I en huskeliste til et projekt om social kapital?",
        "How can I check whether we are handling the change fairly?",
    ],
)
def test_asking_how_to_check_oneself_asks_for_a_checklist(question):
    assert requested_kind(question) == "checklist"


def test_a_scripted_dialogue_carries_the_topic_into_follow_ups(assistant):
    first = assistant.ask("Hvordan inddrager man tillidsrepræsentanterne i en omstrukturering?")
    second = assistant.ask("Giv mig et eksempel på det", history=[first])
    assert second.standalone == standalone("Giv mig et eksempel på det", [first.question])
    assert "tillidsrepræsentanterne" in second.standalone
    assert "**Eksempel fra praksis:" in second.text
    assert any(c.chunk.kind == "case" for c in second.citations)
    third = assistant.ask("Hvad med i staten?", history=[first, second])
    assert "staten" in third.standalone and "tillidsrepræsentanterne" in third.standalone
    assert not third.standalone.startswith("Hvad med i staten?")  # asked anew, in the state
    assert not third.refused


def test_the_held_out_half_keeps_the_level_this_version_reached(answer_run):
    """A regression guard on questions nothing was tuned on (figures in docs/answers.md); the
    committed baseline's gate (tests/test_regression.py) reads the same run.

    The held-out half holds the questions written from managers' situations (eval/README.md).
    The bars sit a little below this version's level there (recall 0.507, answerable refused
    0.021, neighbouring refused 0.759, lint 0.008; `tillidsguiden eval --answers` of
    2026-12-01, evening), so that noise does not fail it; raise them with every change that
    moves it."""
    _, metrics, _ = answer_run
    held = metrics["halves"]["heldout"]
    assert held["support"] >= 0.98
    assert held["answerable_refused"] <= 0.04
    assert held["lint"] <= 0.04
    assert held["refused"]["neighbouring"] >= 0.72 and held["refused"]["off-topic"] >= 0.9
    assert held["answer_recall"] >= 0.48


def test_cli_ask_prints_json_with_the_documented_shape(real_index, capsys):
    code = main(
        ["ask", "Hvad er udfordringsretten?", "--json", "--data-dir", str(real_index.data_dir)]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {"answer", "refused", "mode", "citations"} <= set(out)
    assert out["mode"] == "uddrag" and not out["refused"]
    c = out["citations"][0]
    assert set(c) >= {"n", "doc_id", "title", "section", "kind", "page", "quote", "start", "end"}


def test_cli_ask_prints_the_answer_and_its_sources(real_index, capsys):
    code = main(
        ["ask", "Er der en tjekliste om at lede på tværs?", "--data-dir", str(real_index.data_dir)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Kilder:" in out and "[1] Kom videre med social kapital ›" in out and "»" in out


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "Skriv et spørgsmål."), ("x" * 2001, "for langt"), ("?!? 123", "skal indeholde ord")],
)
def test_cli_ask_explains_bad_questions_in_danish(real_index, capsys, question, message):
    assert main(["ask", question, "--data-dir", str(real_index.data_dir)]) == 2
    assert message in capsys.readouterr().err


def test_cli_eval_answers_prints_the_figures_and_the_tradeoff(real_index, tmp_path, capsys):
    lines = (PROJECT_ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    small = tmp_path / "q.jsonl"
    small.write_text("\n".join(lines[:4] + lines[-2:]) + "\n", encoding="utf-8")
    args = ["eval", "--answers", "--questions", str(small), "--data-dir", str(real_index.data_dir)]
    assert main([*args, "--json", "--details"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["metrics"]["questions"] == 6
    assert set(out["metrics"]["halves"]) == {"tune", "heldout", "all"}
    assert all(len(rows) > 5 for rows in out["metrics"]["tradeoff"].values())
    assert all("answer" in row and "citations" in row for row in out["questions"])
    assert main(args) == 0
    assert "kildepræcision" in capsys.readouterr().out


class PassageCounter:
    """An embedder that counts the passage texts it is asked to embed (questions pass)."""

    def __init__(self, embedder) -> None:
        self.embedder, self.name, self.passages = embedder, embedder.name, 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return self.embedder.embed_passages(texts)

    def __getattr__(self, attr):
        return getattr(self.embedder, attr)


@pytest.mark.parametrize(
    "question",
    [
        "Er der en tjekliste om at lede på tværs?",
        "Har I en øvelse, hvor vi tegner, hvordan vi samarbejder med andre afdelinger?",
        "Giv mig et eksempel fra et hospital på bedre samarbejde mellem faggrupper",
    ],
)
def test_after_a_fresh_ingest_no_answer_embeds_a_sentence(ingested, embedder, question):
    """Ingest embeds every text an answer scores: checklist items and exercise steps too."""
    from rag.answer.assistant import Assistant

    settings, _ = ingested
    counting = PassageCounter(embedder)
    answer = Assistant.open(settings, embedder=counting).ask(question)
    assert not answer.refused and counting.passages == 0


def test_an_opened_assistant_is_exempt_from_full_garbage_collections(assistant):
    """A full collection over the prepared index stopped a warm answer for 100-250 ms."""
    import gc

    assert gc.get_freeze_count() > 100_000


def test_out_of_fold_answers_tuning_questions_through_other_maps_and_keeps_the_held_out_half(
    real_index, tmp_path, capsys
):
    rows = [
        json.loads(line)
        for line in (PROJECT_ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()
    ]
    tune = [r for r in rows if r["split"] == "tune" and r["answerable"] and not r.get("history")]
    held = [r for r in rows if r["split"] == "heldout" and r["answerable"]]
    small = tmp_path / "q.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in tune[:10] + held[:2]), "utf-8")
    args = ["eval", "--answers", "--questions", str(small), "--data-dir", str(real_index.data_dir)]
    assert main([*args, "--json", "--details"]) == 0
    shipped = {q["id"]: q for q in json.loads(capsys.readouterr().out)["questions"]}
    assert main([*args, "--out-of-fold", "--json", "--details"]) == 0
    apart = {q["id"]: q for q in json.loads(capsys.readouterr().out)["questions"]}
    assert all(apart[r["id"]]["answer"] == shipped[r["id"]]["answer"] for r in held[:2])
    moved = [r["id"] for r in tune[:10] if apart[r["id"]]["margin"] != shipped[r["id"]]["margin"]]
    assert moved, "no tuning question met another map"
    assert main([*args, "--out-of-fold", "--report", str(tmp_path / "r")]) == 2
    assert "--out-of-fold" in capsys.readouterr().err


def test_out_of_fold_without_a_tuning_question_the_index_answers_is_a_danish_message(
    real_index, tmp_path, capsys
):
    row = {
        "id": "x1",
        "question": "Hvordan bygger vi tillid?",
        "lang": "da",
        "category": "concept",
        "answerable": True,
        "split": "tune",
        "sources": [{"doc": "kom-videre-med-social-kapital", "quote": "ord som ingen side har"}],
    }
    small = tmp_path / "q.jsonl"
    small.write_text(json.dumps(row) + "\n", "utf-8")
    args = ["eval", "--answers", "--questions", str(small), "--data-dir", str(real_index.data_dir)]
    assert main([*args, "--out-of-fold"]) == 2
    err = capsys.readouterr().err
    assert "Spørgsmålsafbildningen kan ikke tilpasses" in err and "Traceback" not in err
