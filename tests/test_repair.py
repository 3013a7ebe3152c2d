"""Each text repair rule, on real lines of the corpus."""

from __future__ import annotations

import pytest

from rag.config import PROJECT_ROOT
from rag.ingest.lexicon import Lexicon
from rag.ingest.mapped import MappedText
from rag.ingest.ocr import OcrRepairer
from rag.ingest.pronoun import (
    capitalise_asked_i,
    capitalise_conditional_i,
    capitalise_pronoun_i,
    capitalise_subordinate_i,
)
from rag.ingest.repair import (
    Names,
    capitalise_names,
    capitalise_proper_words,
    capitalise_reference_titles,
    capitalise_sentences,
    heading_typo,
    join_inner_hyphens,
    join_lines,
    restore_acronyms,
    strip_markup,
    upper_danish_letters,
)
from rag.ingest.sentences import split_text

CORPUS = PROJECT_ROOT / "corpus"
CLEAN = [
    "inspiration-tillid-samarbejde.txt",
    "kom-videre-med-social-kapital.txt",
    "ok13-tillid-og-samarbejde.txt",
    "tillid-giver-verdensklasse.md",
]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon((CORPUS / name).read_text(encoding="utf-8") for name in CLEAN)


def lines(*texts: str) -> list[MappedText]:
    source = "\n".join(texts)
    out, pos = [], 0
    for t in texts:
        out.append(MappedText.from_source(source, pos, pos + len(t)))
        pos += len(t) + 1
    return out


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        # inspiration-tillid-samarbejde.txt, the introduction's list
        (
            ("•\t Initiativer, der er sat i gang for at skabe mere til-", "lid og samarbejde"),
            "•\t Initiativer, der er sat i gang for at skabe mere tillid og samarbejde",
        ),
        # kom-videre-med-social-kapital.txt, lines 18-19
        (
            ("• Hvordan kan du skærpe jeres fokus på kerneopga-", "ven?"),
            "• Hvordan kan du skærpe jeres fokus på kerneopgaven?",
        ),
        # kom-videre-med-social-kapital.txt, lines 193-195
        (
            (
                "løbende at afklare og konkretisere kerneop-",
                "gaven – i tæt dialog med medarbejderne.",
            ),
            "løbende at afklare og konkretisere kerneopgaven – i tæt dialog med medarbejderne.",
        ),
        # kom-videre-med-social-kapital.txt, lines 166-168: "men" after a hyphen is no
        # conjunction ("sam-" + "men" is "sammen")
        (
            ("dere og ledelse formår at arbejde effektivt sam-", "men om den opgave, virksomheden"),
            "dere og ledelse formår at arbejde effektivt sammen om den opgave, virksomheden",
        ),
        (
            ("Hvad er tidsram-", "men? Hvad bliver min opgave?"),
            "Hvad er tidsrammen? Hvad bliver min opgave?",
        ),
    ],
)
def test_line_end_hyphenation_is_undone(lexicon, wrapped, joined):
    assert join_lines(lines(*wrapped), lexicon).text == joined


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        # inspiration-tillid-samarbejde.txt: "Erhvervs- og Vækstministeriet" wrapped after the hyphen
        (
            ("MindLab ejes af Erhvervs-", "og Vækstministeriet"),
            "MindLab ejes af Erhvervs- og Vækstministeriet",
        ),
        # kom-videre: "post-its" is written with a hyphen elsewhere in the corpus
        (
            ("Giv hver deltager et antal post-", "its og bed dem om"),
            "Giv hver deltager et antal post-its og bed dem om",
        ),
    ],
)
def test_real_hyphens_survive_line_joining(lexicon, wrapped, joined):
    assert join_lines(lines(*wrapped), lexicon).text == joined


@pytest.mark.parametrize(
    "line",
    [
        "projekt Tillid og Samarbejde, herunder om OK13-projektet og status",
        "eksempelvis sad ergo- og fysioterapeuter, der spiller en væsentlig rolle",
        "samtidig tilfører social kapital-forståelsen et vigtigt",
    ],
)
def test_hyphens_inside_a_line_are_never_touched(lexicon, line):
    assert join_lines(lines(line), lexicon).text == line


def test_markdown_and_html_debris_is_removed():
    source = "<b>FORORD</b> med ”**inkluderende arbejdspladser**” og [www.oao.dk](http://www.oao.dk) samt <http://www.samanom.no>"
    cleaned = strip_markup(MappedText.from_source(source, 0, len(source)))
    assert (
        cleaned.text
        == "FORORD med ”inkluderende arbejdspladser” og www.oao.dk samt http://www.samanom.no"
    )


def test_repaired_text_still_points_at_the_source(lexicon):
    source = "løbende at afklare og konkretisere kerneop-\ngaven – i tæt dialog"
    text = join_lines(lines(*source.split("\n")), lexicon)
    i = text.text.index("kerneopgaven")
    start, end = text.source_span(i, i + len("kerneopgaven"))
    assert source[start:end] == "kerneop-\ngaven"


def test_sentence_starts_are_capitalised_but_not_after_abbreviations():
    source = (
        "dette hæfte er skrevet til dig. det bygger fx. på et hæfte fra 2010. i praksis er det let."
    )
    out = capitalise_sentences(MappedText.from_source(source, 0, len(source))).text
    assert (
        out
        == "Dette hæfte er skrevet til dig. Det bygger fx. på et hæfte fra 2010. I praksis er det let."
    )


@pytest.mark.parametrize(
    ("item", "repaired"),
    [
        # Gittell's ten pieces of advice (kom-videre line 2305), which the PDF lower-cased
        ("1. led med troværdighed og omsorg", "1. Led med troværdighed og omsorg"),
        (
            "10. opbyg relationer til jeres leverandører.",
            "10. Opbyg relationer til jeres leverandører.",
        ),
        # a date that opens an item stays a date
        ("17. marts blev der holdt et seminar.", "17. marts blev der holdt et seminar."),
    ],
)
def test_a_numbered_step_opens_with_a_capital_but_a_date_does_not(item, repaired):
    text = MappedText.from_source(item, 0, len(item))
    assert capitalise_sentences(text, list_item=True).text == repaired


def test_a_number_inside_a_sentence_is_still_a_date():
    source = "Den 17. marts 2016 blev der holdt et seminar. det var godt."
    out = capitalise_sentences(MappedText.from_source(source, 0, len(source))).text
    assert out == "Den 17. marts 2016 blev der holdt et seminar. Det var godt."


@pytest.mark.parametrize(
    ("scanned", "restored"),
    [
        ("pa", "på"),
        ("kraever", "kræver"),
        ("hjzlp", "hjælp"),
        ("ogsa", "også"),
        ("Undersogelser", "Undersøgelser"),
        ("@konomi", "Økonomi"),
        ("Laes", "Læs"),
    ],
)
def test_ocr_restores_danish_letters_in_known_words(lexicon, scanned, restored):
    assert OcrRepairer(lexicon).suggest(scanned) == restored


def test_ocr_never_guesses_unknown_or_ambiguous_words(lexicon):
    repairer = OcrRepairer(lexicon)
    assert repairer.suggest("Xylofonkraever") is None  # not a word the documents know
    assert repairer.suggest("arlige") is None  # årlige or ærlige? both are known
    assert repairer.suggest("tillid") is None  # already a known word


def test_ocr_repair_on_a_real_scanned_line(lexicon):
    line = (
        "De statslige arbejdspladser skal vaere i top, nar det"  # inspiration-...-scan.txt line 3
    )
    fixed, n = OcrRepairer(lexicon).repair(MappedText.from_source(line, 0, len(line)))
    assert fixed.text == "De statslige arbejdspladser skal være i top, når det"
    assert n == 2


# --- debris an extraction left in words and names (issue 20, item 6) -------------------------


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt, line 792 (and 1351, 1481)
        ("FREMGANGSMåDE", "FREMGANGSMÅDE"),
        ("RAMMER OG MATERIALER", "RAMMER OG MATERIALER"),
        ("På arbejdspladsen i Århus", "På arbejdspladsen i Århus"),
    ],
)
def test_capitals_words_get_their_danish_letters_in_capitals(line, repaired):
    assert upper_danish_letters(lines(line)[0]).text == repaired


def test_a_line_end_hyphen_left_inside_a_line_is_undone(lexicon):
    # tillid-giver-verdensklasse.md, line 283
    line = "Særligt i forhold til nye krav om dokumentati-on og styring er der behov for et mere"
    assert "krav om dokumentation og styring" in join_inner_hyphens(lines(line)[0], lexicon).text


@pytest.mark.parametrize(
    "line",
    [
        # tillid-giver-verdensklasse.md, line 197: a suspended compound
        "nye dokumentations- og måleredskaber, der i højere grad er handlingsanvisende",
        "Kultur- og fritidsforvaltningen i Københavns Kommune",
        "skriv på post-its og sæt dem op",
    ],
)
def test_real_hyphens_inside_a_line_stay(lexicon, line):
    assert join_inner_hyphens(lines(line)[0], lexicon).text == line


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt, lines 2362, 682, 199, 1568-ish questions
        (
            "• Hvad vil i opnå ved at sætte fokus på social kapital?",
            "• Hvad vil I opnå ved at sætte fokus på social kapital?",
        ),
        ("• Hvad kan i lære af de krav og ønsker,", "• Hvad kan I lære af de krav og ønsker,"),
        ("Skal i løse kerneopgaven sammen?", "Skal I løse kerneopgaven sammen?"),
        (
            "Måske kan du ikke få svar på det hele, men så kan i aftale, hvordan du bedst kan",
            "Måske kan du ikke få svar på det hele, men så kan I aftale, hvordan du bedst kan",
        ),
        (
            "• Hvilke forventninger har i til den måde,",
            "• Hvilke forventninger har I til den måde,",
        ),
    ],
)
def test_the_pronoun_i_gets_its_capital(line, repaired):
    assert capitalise_pronoun_i(lines(line)[0]).text == repaired


@pytest.mark.parametrize(
    "line",
    [
        # kom-videre-med-social-kapital.txt, line 413
        "den nye sammenlagte filial har i alt 17 ansatte –",
        # tillid-giver-verdensklasse.md, lines 193 and 237
        "Partnerskaber kan i samspil med et nationalt",
        "for små forandringer kan i synergi blive til store forandringer.",
        "Dokumentation og kontrol skal i højere grad understøtte fagligheden",
        "Et lokalt serviceeftersyn af regler vil i mange tilfælde vise,",
    ],
)
def test_the_preposition_i_stays_small(line):
    assert capitalise_pronoun_i(lines(line)[0]).text == line


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt, lines 2037, 2053, 1984
        (
            "om deres kerneopgave, siger søren aakjær.",
            "om deres kerneopgave, siger Søren Aakjær.",
        ),
        (
            "udgave af casen er godkendt af Nils petersen og søren aakjær.",
            "udgave af casen er godkendt af Nils Petersen og Søren Aakjær.",
        ),
        ("de gik til Nils petersen og sagde:", "de gik til Nils Petersen og sagde:"),
    ],
)
def test_lower_cased_names_get_their_capitals(line, repaired):
    assert capitalise_names(lines(line)[0], Names.shipped()).text == repaired


@pytest.mark.parametrize(
    "line",
    [
        "Han tog hans bog med, siger Stinne Henriksen",
        "læs mere på www.oao.dk/soren.aakjaer",
        "hvor mange mark er der",
    ],
)
def test_ordinary_words_are_not_taken_for_names(line):
    assert capitalise_names(lines(line)[0], Names.shipped()).text == line


@pytest.mark.parametrize(
    ("heading", "repaired"),
    [
        # tillid-giver-verdensklasse.md, line 700, among eight "Vejen derhen"
        ("Vejlen derhen", "Vejen derhen"),
        ("Vejene derhen", None),  # a Danish plural, not a typo
        ("Vejen frem", None),  # two words differ
        ("Vision 2", None),  # a digit is no typo
    ],
)
def test_a_one_off_heading_a_letter_from_the_documents_usual_one_is_that_heading(
    lexicon, heading, repaired
):
    assert heading_typo(heading, ["Vejen derhen", "Vision"], lexicon) == repaired


def test_the_misspelt_subsection_of_the_vision_paper_is_named_as_its_siblings(corpus_build):
    sections = {c.section.split(" › ")[-1] for c in corpus_build.chunks}
    texts = "\n".join(c.text for c in corpus_build.chunks)
    assert "Vejlen derhen" not in sections and "Vejlen" not in texts
    assert "Vejene derhen" in texts  # the plural heading stays as written


def test_a_wrapped_url_tail_joins_its_url(corpus_build):
    # inspiration-tillid-samarbejde.txt, lines 343-345: the cHash value wrapped onto its own line
    text = "\n".join(c.text for c in corpus_build.chunks)
    assert "cHash=45d34a1661b7d6af9d1debb3f39dbbf3" in text
    assert "\n1debb3f39dbbf3" not in text


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt: the exercises' and checklists' lines
        (
            "Tag stilling til, hvordan i vil tilrettelægge den videre indsats.",
            "Tag stilling til, hvordan I vil tilrettelægge den videre indsats.",
        ),
        (
            "de delopgaver, der er væsentlige for at sikre, at i får løst jeres kerneopgave.",
            "de delopgaver, der er væsentlige for at sikre, at I får løst jeres kerneopgave.",
        ),
        ("Inden i lægger jer endelig fast", "Inden I lægger jer endelig fast"),
        ("hvis ikke i har en feedback-kultur", "hvis ikke I har en feedback-kultur"),
        (
            "Med de borgere eller kunder, som i er sat i verden for at hjælpe",
            "Med de borgere eller kunder, som I er sat i verden for at hjælpe",
        ),
        (
            "hvordan i regner med at håndtere det psykiske arbejdsmiljø",
            "hvordan I regner med at håndtere det psykiske arbejdsmiljø",
        ),
        ("På hvilke måder vil i selv kunne bidrage?", "På hvilke måder vil I selv kunne bidrage?"),
    ],
)
def test_the_pronoun_i_after_a_conjunction_gets_its_capital(line, repaired):
    repair = capitalise_subordinate_i(capitalise_pronoun_i(lines(line)[0]))
    assert repair.text == repaired


@pytest.mark.parametrize(
    "line",
    [
        # kom-videre-med-social-kapital.txt
        "Det betyder, at arresthuse som viborgs i praksis har en del afsonere siddende.",
        "at i går blev det besluttet",
        "hvor i alt 17 ansatte",
    ],
)
def test_the_preposition_i_after_a_conjunction_stays_small(line):
    assert capitalise_subordinate_i(lines(line)[0]).text == line


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt
        (
            "En af de tilgange, der er blevet mest udbredt i danmark, er at vurdere",
            "En af de tilgange, der er blevet mest udbredt i Danmark, er at vurdere",
        ),
        (
            "valgte direktøren inge mærkedahl at melde hurtigt og ærligt ud",
            "valgte direktøren Inge Mærkedahl at melde hurtigt og ærligt ud",
        ),
        (
            "Hasle, thoft og olesen (2010): ”ledelse med social kapital”.",
            "Hasle, Thoft og Olesen (2010): ”ledelse med social kapital”.",
        ),
        (
            "udviklet af arbejdsmiljøkonsulent eva thoft i samarbejde med journalist søren svith",
            "udviklet af arbejdsmiljøkonsulent Eva Thoft i samarbejde med journalist Søren Svith",
        ),
        ("arresthuse som viborgs i praksis", "arresthuse som Viborgs i praksis"),
        (
            "i beslutningsprocessen, siger line skytte mørke Hansen, koncerncenterchef i",
            "i beslutningsprocessen, siger Line Skytte Mørke Hansen, koncerncenterchef i",
        ),
        ("det ved vi godt, siger han til Hansen.", "det ved vi godt, siger han til Hansen."),
        ("du siger goddag til om morgenen og", "du siger goddag til om morgenen og"),
    ],
)
def test_names_the_pdf_lowered_get_their_capitals(line, repaired):
    names = Names.shipped()
    assert capitalise_proper_words(capitalise_names(lines(line)[0], names), names).text == repaired


@pytest.mark.parametrize(
    "line",
    [
        "det kan ske i maj (2014)",
        "som beskrevet i rapporten (2010)",
        "hvor mange mark er der",
        "Han tog hans bog med, siger Stinne Henriksen",
    ],
)
def test_words_beside_names_keep_their_case(line):
    names = Names.shipped()
    assert capitalise_proper_words(lines(line)[0], names).text == line


def all_i_rules(line: str) -> str:
    text = capitalise_subordinate_i(capitalise_pronoun_i(lines(line)[0]))
    return capitalise_conditional_i(capitalise_asked_i(text)).text


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt: a relative clause without "som", after a comma
        (
            "Det er den forskel, i gerne vil gøre – for samfundet, borgerne eller jeres kunder.",
            "Det er den forskel, I gerne vil gøre – for samfundet, borgerne eller jeres kunder.",
        ),
        (
            "over for de borgere eller kunder, i betjener. For det handler ikke om",
            "over for de borgere eller kunder, I betjener. For det handler ikke om",
        ),
        (
            "• Hvad kan I lære af de krav og ønsker, i møder i hverdagen fra borgere/kunder?",
            "• Hvad kan I lære af de krav og ønsker, I møder i hverdagen fra borgere/kunder?",
        ),
        (
            "• Gennemgår de enkelte løsninger, i har afprøvet, i forhold til disse kriterier.",
            "• Gennemgår de enkelte løsninger, I har afprøvet, i forhold til disse kriterier.",
        ),
        (
            "• Er der opgaver, i endnu ikke kender indholdet og omfanget af?",
            "• Er der opgaver, I endnu ikke kender indholdet og omfanget af?",
        ),
        (
            "Mødelederen samler op, og i drøfter sammen, hvordan det er muligt",
            "Mødelederen samler op, og I drøfter sammen, hvordan det er muligt",
        ),
        # ... and after a conjunction, with an adverb or a phrase before the verb
        (
            "en bekræftelse af, at i sammen er på rette spor.",
            "en bekræftelse af, at I sammen er på rette spor.",
        ),
        (
            "• at understøtte de sammenhænge, hvor i allerede samarbejder på tværs.",
            "• at understøtte de sammenhænge, hvor I allerede samarbejder på tværs.",
        ),
        (
            "• Drøft om i med delopgaverne er kommet hele vejen rundt om kerneopgaven.",
            "• Drøft om I med delopgaverne er kommet hele vejen rundt om kerneopgaven.",
        ),
        (
            "inden i på et senere tidspunkt går videre til næste trin.",
            "inden I på et senere tidspunkt går videre til næste trin.",
        ),
    ],
)
def test_the_pronoun_i_opening_a_clause_gets_its_capital(line, repaired):
    assert all_i_rules(line) == repaired


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt: the subject right after a question's verb
        (
            "Hvordan tror i borgeren oplever den situation, i har kortlagt?",
            "Hvordan tror I borgeren oplever den situation, I har kortlagt?",
        ),
        ("• Hvordan forstår i kerneopgaven?", "• Hvordan forstår I kerneopgaven?"),
        (
            "• Hvordan oplever i samarbejdsfladerne til andre fagligheder?",
            "• Hvordan oplever I samarbejdsfladerne til andre fagligheder?",
        ),
        ("• Hvad opfatter i som vores kerneopgave?", "• Hvad opfatter I som vores kerneopgave?"),
        (
            "• Hvilke forventninger fornemmer i, at borgere/ kunder har til fremtidens kerneopgave?",
            "• Hvilke forventninger fornemmer I, at borgere/ kunder har til fremtidens kerneopgave?",
        ),
        (
            "Hvilke lovkrav er der fx til jeres kerneopgave, og hvor bundet er i til "
            "arbejdspladsens vision, mission etc?",
            "Hvilke lovkrav er der fx til jeres kerneopgave, og hvor bundet er I til "
            "arbejdspladsens vision, mission etc?",
        ),
        (
            "Ved i nok om, hvad hinanden bidrager med?",
            "Ved I nok om, hvad hinanden bidrager med?",
        ),
    ],
)
def test_the_pronoun_i_after_a_questions_verb_gets_its_capital(line, repaired):
    assert all_i_rules(line) == repaired


def test_the_pronoun_i_after_the_verb_that_opens_a_condition_gets_its_capital():
    # kom-videre-med-social-kapital.txt: a condition without "hvis" before its main clause
    line = "• Vælger i afstemning, skal mødelederne inden have skrevet alle forbedringsområder op"
    assert all_i_rules(line) == line.replace("Vælger i", "Vælger I")
    # no main clause after the comma: an item whose subject is left out keeps the preposition
    kept = "• Deltager i møder, temadage og workshops om kerneopgaven."
    assert all_i_rules(kept) == kept


@pytest.mark.parametrize(
    "line",
    [
        # inspiration-tillid-samarbejde.txt, kom-videre-med-social-kapital.txt,
        # tillid-giver-verdensklasse.md: the preposition after a comma, a conjunction, a verb
        "trække på de erfaringer med bedre løsninger i skoler, på plejehjem, i fængsler og i "
        "sygehuse, som andre allerede har gjort.",
        "mellem den enkelte medarbejder og leder, i samarbejdssystemerne og centralt",
        "De kan etableres på et ministerområde, i en styrelse, i en kommune, på et enkelt",
        "der hvor de daglige opgaver løses, i samarbejde med andre og som en løbende proces.",
        "Ikke et ord om fyringer – i første omgang.",
        "en tillidsreform, hvor medarbejderne i endnu højere grad skal være med til",
        "dokumenteret med undersøgelser i blandt andet luftfartsindustrien og på sygehuse.",
        "Det er en rolle, det er nemt at blive klemt i som leder, hvis ikke I har en feedback-kultur",
        "at der i perioder er indsatte, som har fået dom",
        "Medarbejderne oplever i flere sammenhænge systemer, der ikke kan snakke sammen.",
        "• Hvordan undgås det, at projektet går i stå?",
        "• Hvilke arbejdsopgaver skal løses i hvilke faser – og af hvem?",
        "Og i hvilken grad bliver tillidsreformen til virkelighed hos jer?",
        "Hvad sker i staten?",  # "hvad" may be the subject: the preposition follows the verb
        "• Hvordan vil I inddrage medarbejderne/kollegerne i indsatsen – i opstarten og undervejs?",
        "Rammerne for den kommunale ”udfordringsret” er i dag fastsat via økonomaftalerne",
        "de medarbejdere, der er i gang med forskellige tillidsinitiativer.",
    ],
)
def test_the_preposition_i_stays_small_where_a_clause_has_it(line):
    assert all_i_rules(line) == line


def test_a_sentence_that_opens_after_mv_gets_its_capital_and_its_own_unit():
    # kom-videre-med-social-kapital.txt, lines 938-940: the source writes "mv. i nogle …"
    line = (
        "• at styrke de mere uformelle netværk, fx via fælles frokostpauser, kaffeøer mv. i nogle "
        "virksomheder har fx tillids- og arbejdsmiljørepræsentanter en vigtig rolle."
    )
    out = capitalise_sentences(lines(line)[0], list_item=True).text
    assert "kaffeøer mv. I nogle virksomheder har fx" in out
    assert [s.text[:12] for s in split_text(out)] == ["At styrke de", "I nogle virk"]


@pytest.mark.parametrize(
    "line",
    [
        # the closing abbreviation inside its sentence: a conjunction, a verb, a subject before
        "Den fysiske kapital i form af ejendomme, produktionsapparat mv. og den humankapital",
        "Udvikling af digitale muligheder som netbank mv. har ført til masser af ændringer",
        "Lederuddannelse, som blev givet institutionsledere m.fl. ved trepartsaftalerne i 2007 skal "
        "udvides",
        "Borgernes tilfredshed med produkter og serviceydelser mv. balanceres med trivslen.",
    ],
)
def test_a_sentence_continuing_after_mv_stays_small(line):
    assert capitalise_sentences(lines(line)[0]).text == line


@pytest.mark.parametrize(
    ("line", "repaired"),
    [
        # kom-videre-med-social-kapital.txt: the literature lines under the checklists and cases
        (
            "Kilde: Hornstrup (2013): ”strategisk relationel ledelse”.",
            "Kilde: Hornstrup (2013): ”Strategisk relationel ledelse”.",
        ),
        (
            "der indgår i Niels Thyge Thygesen m.fl. (2013) ”tillid på bundlinjen”. Den",
            "der indgår i Niels Thyge Thygesen m.fl. (2013) ”Tillid på bundlinjen”. Den",
        ),
    ],
)
def test_a_title_a_reference_quotes_starts_with_a_capital(line, repaired):
    assert capitalise_reference_titles(lines(line)[0]).text == repaired


@pytest.mark.parametrize(
    "line",
    [
        # kom-videre-med-social-kapital.txt: quoted phrases inside a sentence
        "en vigtig diskussion af, hvordan I opfatter ”god service” over for de borgere",
        "Bar FoKa’s hæfte ”social kapital” handler primært om den samlende sociale kapital",
        "sluttede køkkenet sig for at ville være ”byens bedste restaurant”.",
    ],
)
def test_a_quoted_phrase_inside_a_sentence_keeps_its_case(line):
    assert capitalise_reference_titles(lines(line)[0]).text == line


def test_a_run_of_numbered_titles_over_their_text_keeps_title_and_text_apart(corpus_build):
    # kom-videre-med-social-kapital.txt, lines 2222-2290: seven recommendations, each a title
    # line over its text, used to read "1. Tænk psykisk arbejdsmiljø ind fra starten tænk et …"
    text = "\n".join(c.text for c in corpus_build.chunks)
    assert "1. Tænk psykisk arbejdsmiljø ind fra starten: tænk et godt psykisk" in text
    assert "2. Vær opmærksom på forskellige roller og behov: afklar og meld ud" in text
    # a title with a comma, over a text that starts with a capital, in the same run
    assert "4. Forklar, hvad der sker med arbejdsmiljøet: Kommunikér åbent" in text
    # a numbered step alone on its line is left as it is
    assert "• 0. Forberedelse\n" in text


def test_a_checklist_item_cut_by_a_blank_line_is_joined_again(corpus_build):
    # lines 2390-2392: "… social kapital til" / "" / "medarbejderne/kollegerne?"
    text = "\n".join(c.text for c in corpus_build.chunks)
    assert "opbygning af social kapital til medarbejderne/kollegerne?" in text
    # a column label that ends in a slash is not a continuation ("Dig selv", "din egen chef",
    # "politikere/ topledelse" over the checklist's columns)
    assert "din egen chef politikere/" not in text


def test_a_paragraph_cut_inside_a_word_by_a_column_is_completed_by_the_word_s_other_half(
    corpus_build,
):
    # inspiration lines 188 and 225: "… med fokus på samar-" ‖ the next two columns ‖
    # "bejdsudvalgets kerneopgave." (36 lines later, in the middle of MindLab's text)
    chunks = {c.chunk_id: c for c in corpus_build.chunks}
    secretariat = next(c for c in chunks.values() if c.section.endswith("Samarbejdssekretariatet"))
    mindlab = next(c for c in chunks.values() if c.section.endswith("Mindlab"))
    assert "med fokus på samarbejdsudvalgets kerneopgave. Ved at tage hele" in secretariat.text
    assert "åbne kurser med individuel tilmelding" in secretariat.text
    assert "samarbejdssekretariatet.dk" in secretariat.text
    # MindLab's own sentence is whole again, and holds nothing of the secretariat's
    assert "Undervisningsministeriet og Odense Kommune og samarbejder med" in mindlab.text
    assert "samarbejdsudvalg" not in mindlab.text.lower()


def test_a_word_cut_across_a_case_s_title_lines_is_whole_again(corpus_build):
    # kom-videre lines 2007-2012: "… konflikter er ophæ-" ‖ a case title ‖ "vet. men begge …"
    text = "\n".join(c.text for c in corpus_build.chunks)
    assert "konflikter er ophævet. Men begge parter stoler nu på" in text
    assert "Vet. Men begge" not in text


@pytest.mark.parametrize(
    ("token", "address"),
    [
        ("arbejdsmiljøweb.dk/komvidere", True),
        ("politikere/", True),
        ("medarbejderne/kollegerne?", False),
        ("borger/bruger", False),
        ("kollegerne", False),
    ],
)
def test_a_lower_case_start_that_is_an_address_or_a_label_continues_nothing(token, address):
    from rag.ingest.layout import _address_like

    assert _address_like(token) is address


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        # kom-videre-med-social-kapital.txt, as the PDF's text layer has them
        (
            "de formelle samarbejdsorganer (amo, sU eller med-udvalg)",
            "de formelle samarbejdsorganer (AMO, SU eller MED-udvalg)",
        ),
        ("cheferne, Hr-afdelingen og fagforeningen", "cheferne, HR-afdelingen og fagforeningen"),
        ("De valgte at informere tr’erne først.", "De valgte at informere TR’erne først."),
        ("at være fælles-tr for Foa.", "at være fælles-TR for FOA."),
        # "med" is a word; only a compound's first part is the acronym
        ("fagligt kvalificeret med- og modspil", "fagligt kvalificeret med- og modspil"),
        ("sammen med medarbejderne", "sammen med medarbejderne"),
        (
            "Læs mere http://www.oao.dk/index.php?id=148",
            "Læs mere http://www.oao.dk/index.php?id=148",
        ),
        ("mødet starter kl. 14", "mødet starter kl. 14"),
        ("en post-it på tavlen", "en post-it på tavlen"),
        (
            "ved tidligt at involvere sU eller amo/med-udvalg i at udvikle en plan",
            "ved tidligt at involvere SU eller AMO/MED-udvalg i at udvikle en plan",
        ),
        # a lower-case start with a capital inside: an acronym, though no list knows it
        (
            "da styrelsen for Forskning og innovation (stFi) i 2010 var tvunget til",
            "da styrelsen for Forskning og innovation (STFI) i 2010 var tvunget til",
        ),
        ("ledere og/eller medarbejdere", "ledere og/eller medarbejdere"),
        ("se www.x.dk/?id=1&cHash=1debb", "se www.x.dk/?id=1&cHash=1debb"),
    ],
)
def test_acronyms_of_working_life_are_written_in_capitals(text, repaired):
    assert restore_acronyms(MappedText.literal(text, 0)).text == repaired


def test_a_name_the_document_writes_with_its_capitals_gets_them_back_where_it_lost_some():
    # kom-videre-med-social-kapital.txt: the case's heading and first line write "Viborg
    # Arrest" and "Danske Bank"; the text further on lost a capital of each
    from rag.ingest.repair import attested_names, restore_attested_names

    running = [
        "Stærkere korpsånd og større arbejdsglæde følges ad i Viborg Arrest, hvor medarbejderne",
        "Overblikstavlen er indført i alle af Danske Bank filialer",
        "overenskomstfinansierede projekter som Væksthus for Ledelse osv.",
        "på de statslige arbejdspladser i projekt Tillid og Samarbejde, som parterne",
        "udgifterne til Det Nationale kraftcenter for offentlig innovation",
    ]
    names = attested_names(running)

    def fixed(line: str) -> str:
        return restore_attested_names(MappedText.literal(line, 0), names).text

    assert fixed("Viborg arrest er et mellemstort arresthus med 16 ansatte.") == (
        "Viborg Arrest er et mellemstort arresthus med 16 ansatte."
    )
    assert fixed("gennemført mellem danske Banks filialer i Bagsværd") == (
        "gennemført mellem Danske Banks filialer i Bagsværd"
    )
    assert fixed("projekter som Væksthus for ledelse, frikommuneforsøg") == (
        "projekter som Væksthus for Ledelse, frikommuneforsøg"
    )
    # no word says it is a name here: ordinary words stay as they are
    assert fixed("et projekt om tillid og samarbejde på de statslige") == (
        "et projekt om tillid og samarbejde på de statslige"
    )
    # an article and one capitalised word are no name to copy
    assert fixed("En opgave som Det nationale kraftcenter for") == (
        "En opgave som Det nationale kraftcenter for"
    )
