"""The short connective texts an answer adds around its quotes, in Danish and English.

Quotes always stay in Danish (the material is Danish); only these labels follow the
question's language.
"""

from __future__ import annotations

from rag.documents import KIND_LABELS_DA

KIND_LABELS_EN = {
    "section": "Section",
    "case": "Case",
    "checklist": "Checklist",
    "exercise": "Exercise",
    "recommendation": "Recommendation",
    "initiative": "Initiative",
    "research": "Research",
    "reference": "Literature",
}

LABELS = {
    "da": {
        "lead": "",
        "more": "Det siger materialet også",
        "checklist": "Tjekliste",
        "exercise": "Øvelse",
        "case": "Eksempel fra praksis",
        "participants": "Deltagere",
        "duration": "Varighed",
        "materials": "Rammer og materialer",
        "steps": "Fremgangsmåde",
        "rest": "Resten står i kilden",
        "more_items": "{n} spørgsmål mere i kilden",
        "more_in_list": "… {n} mere i kilden",
        "step_points": "{n} punkter i kilden",
        "step_sentences": "{n} sætninger i kilden",
        "more_cases": "Og {n} flere eksempler i materialet: {names}",
        "more_listed": "Og {n} flere i materialet: {names}",
        "part_uncovered": "Materialet svarer ikke på denne del af spørgsmålet: »{part}«",
        "partial_count": "Materialet nævner ikke et antal for det, du spørger om. Det nærmeste, "
        "det siger, er:",
        "partial_duration": "Materialet nævner ikke, hvor lang tid det tager. Det nærmeste, det "
        "siger, er:",
        "partial_time": "Materialet nævner ikke et tidspunkt for det, du spørger om. Det "
        "nærmeste, det siger, er:",
        "partial_who": "Materialet nævner ikke, hvem det drejer sig om. Det nærmeste, det siger, "
        "er:",
        "missing": "Materialet nævner ikke {words}.",
        "and": "og",
        "filtered": "Med den valgte afgrænsning ({filters}) finder jeg intet om det. Prøv uden "
        "afgrænsningen.",
        "refusal": "Det kan jeg ikke finde i materialet.",
        "refusal_scope": "Materialet består af {documents}. Det nærmeste, det kommer ind på, er:",
        "others": "{n} andre dokumenter",
        "refusal_near": "Det nærmeste, materialet kommer ind på, er:",
        "sources": "Kilder",
        "page": "s.",
        "standalone": "Forstået som",
        "llm_failed": "Sprogmodellen svarede ikke ({reason}), så her er svaret som uddrag "
        "fra materialet.",
        "flagged": "Fjernede henvisninger, som ingen kilde svarer til: {markers}.",
        "step_search": "Søger i materialet …",
        "step_rank": "Vælger de bedste sætninger …",
        "step_write": "Sætter svaret sammen …",
        "step_llm": "Sprogmodellen skriver svaret …",
        "instructions_ignored": "Instrukser til assistenten i spørgsmålet er sprunget over; "
        "svaret bygger kun på selve spørgsmålet.",
        "keyword_only": "Søgningen bruger lige nu kun nøgleord, fordi en af tjenesterne bag den "
        "ikke svarer. Svaret kan derfor ramme lidt ved siden af; prøv evt. igen om lidt.",
        "llm_unsupported": "Sprogmodellens svar kunne ikke underbygges af kilderne ({reason}), "
        "så det vises ikke. Her er svaret som uddrag fra materialet.",
        "llm_dropped": "{n} sætning(er) i sprogmodellens svar stod ikke i kilderne og er fjernet.",
        "step_queue": "Venter på sprogmodellen … ({ahead} før dig i køen)",
    },
    "en": {
        "lead": "The Danish material says:",
        "more": "The material also says",
        "checklist": "Checklist",
        "exercise": "Exercise",
        "case": "Example from practice",
        "participants": "Participants",
        "duration": "Duration",
        "materials": "Setting and materials",
        "steps": "Steps",
        "rest": "The rest is in the source",
        "more_items": "{n} more questions in the source",
        "more_in_list": "… {n} more in the source",
        "step_points": "{n} points in the source",
        "step_sentences": "{n} sentences in the source",
        "more_cases": "And {n} more examples in the material: {names}",
        "more_listed": "And {n} more in the material: {names}",
        "part_uncovered": "The material does not answer this part of the question: »{part}«",
        "partial_count": "The material gives no number for what you ask about. The nearest it "
        "says is:",
        "partial_duration": "The material does not say how long it takes. The nearest it says is:",
        "partial_time": "The material gives no date or time for what you ask about. The nearest "
        "it says is:",
        "partial_who": "The material does not say who it is. The nearest it says is:",
        "missing": "The material does not mention {words}.",
        "and": "and",
        "filtered": "Within the chosen filter ({filters}) I find nothing about it. Try without "
        "the filter.",
        "refusal": "I cannot find that in the material.",
        "refusal_scope": "The material consists of {documents}. The nearest topics it covers are:",
        "others": "{n} other documents",
        "refusal_near": "The nearest topics the material covers are:",
        "sources": "Sources",
        "page": "p.",
        "standalone": "Understood as",
        "llm_failed": "The language model did not answer ({reason}), so here is the answer "
        "as excerpts from the material.",
        "flagged": "Removed citations that match no source: {markers}.",
        "step_search": "Searching the material …",
        "step_rank": "Choosing the best sentences …",
        "step_write": "Putting the answer together …",
        "step_llm": "The language model is writing …",
        "instructions_ignored": "Instructions to the assistant in the question were skipped; "
        "the answer is based on the question itself.",
        "keyword_only": "The search is using keywords only right now, because one of the "
        "services behind it does not answer. The answer may miss a little; try again shortly.",
        "llm_unsupported": "The language model's answer could not be backed by the sources "
        "({reason}), so it is not shown. Here is the answer as excerpts from the material.",
        "llm_dropped": "{n} sentence(s) of the language model's answer were not in the sources "
        "and have been removed.",
        "step_queue": "Waiting for the language model … ({ahead} ahead of you in the queue)",
    },
}


def label(language: str, key: str, **values: str) -> str:
    text = LABELS.get(language, LABELS["da"])[key]
    return text.format(**values) if values else text


def kind_label(kind: str, language: str = "da") -> str:
    table = KIND_LABELS_EN if language == "en" else KIND_LABELS_DA
    return table.get(kind, kind)


def source_heading(citation, language: str = "da") -> str:
    """ "Title › section (Kind, s. 5)": how a citation names its source to a manager."""
    d = citation.to_dict()
    page = f", {label(language, 'page')} {d['page']}" if d["page"] else ""
    return f"{d['title']} › {d['section']} ({kind_label(d['kind'], language)}{page}"


def join_words(words: list[str], language: str = "da") -> str:
    """ "a", "a og b", "a, b og c" (English: "and")."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {label(language, 'and')} " + words[-1]
