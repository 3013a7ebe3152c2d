"""Special categories of personal data (GDPR articles 9 and 10) in what a manager types: found
only when they concern a person, replaced in what is kept, kept as a topic for search.

    health     illness, diagnoses, sick leave, pregnancy, disability, medication, misuse, stress
               as someone's condition ("er sygemeldt med stress", "har fået konstateret kræft")
    religion   faith and its practice ("er muslim", "Jehovas Vidne", "faster under ramadanen")
    politics   political opinion, party and office ("stemmer på …", "aktiv i Enhedslisten")
    union      trade-union membership ("medlem af FOA", "sin fagforening", "meldt sig ud af HK")
    ethnicity  racial or ethnic origin ("af pakistansk oprindelse", "er kurder", "er sort")
    sexuality  sexual orientation ("er homoseksuel", "sprunget ud som bøsse")
    criminal   offences, charges, convictions ("sigtet for vold", "plettet straffeattest")

A detail counts when the nearest person the sentence names before it is a particular one: a
pronoun ("han", "hun", "jeg"), a name, a role with a pointer ("min medarbejder", "vores
pædagog", "medarbejderen", "en af mine medarbejdere", "jeg har en medarbejder"). A generic or
plural person ("en medarbejder", "medarbejderne", "man", "vi") makes it a topic: "Hvordan
håndterer jeg en medarbejder med stress?", "stress i teamet" and "sygefravær på
arbejdspladsen" are questions about the material, not about someone. With no person before it,
the first one after it in the sentence decides ("Kræften har ramt min kollega").

Words that are topics of the material in their own right ("stress", "sygefravær",
"tillidsrepræsentant", "arresthuset", "de indsatte") are details only in the forms that state a
person's condition: "har stress", "er stresset", "hans sygefravær".

Search gets a topic in place of each detail: the material's own words for it ("stress",
"sygefravær") or the category's ("sygdom", "religion", "fagforening" …), never anything finer
("graviditet", "depression"): an answer may name the question's words the material lacks, and
the answer is kept, so a topic must say no more than the kind stored with it already does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CATEGORIES = ("health", "religion", "politics", "union", "ethnicity", "sexuality", "criminal")
PLACEHOLDERS = {
    "health": "«helbredsoplysning»",
    "religion": "«religiøst forhold»",
    "politics": "«politisk holdning»",
    "union": "«fagforening»",
    "ethnicity": "«etnisk oprindelse»",
    "sexuality": "«seksuel orientering»",
    "criminal": "«strafbart forhold»",
}
_UNIONS = (
    r"FOA|HK|3F|Dansk Metal|BUPL|DLF|Danmarks Lærerforening|Dansk Sygeplejeråd|DSR|Krifa|"
    r"Det Faglige Hus|Djøf|DJØF|Dansk Magisterforening|DM|IDA|Ingeniørforeningen|Lederne|"
    r"Socialpædagogerne|SL|Serviceforbundet|Fængselsforbundet|Politiforbundet|"
    r"Dansk Journalistforbund|Teknisk Landsforbund|Kristelig Fagforening|Blik og Rør"
)
_PARTIES = (
    r"Socialdemokrat\w*|Venstre|Konservative|Det Konservative Folkeparti|SF|"
    r"Socialistisk Folkeparti|Enhedslisten|Radikale(?: Venstre)?|Dansk Folkeparti|DF|"
    r"Liberal Alliance|Nye Borgerlige|Alternativet|Moderaterne|Danmarksdemokraterne|"
    r"Kristendemokraterne|Stram Kurs|Borgernes Parti|Frie Grønne"
)
_ORIGINS = (
    r"kurder|tyrker|araber|somalier|pakistaner|grønlænder|iraker|iraner|syrer|afghaner|"
    r"palæstinenser|eritreer|tamil|sigøjner|inuit|polak|rumæner|bosnier|libaneser|marokkaner|"
    r"vietnameser|thailænder|filippiner|kineser|afrikaner|asiat|indvandrer|efterkommer|flygtning"
)
_COUNTRIES = (
    r"Somalia|Pakistan|Tyrkiet|Irak|Iran|Syrien|Afghanistan|Libanon|Palæstina|Eritrea|Marokko|"
    r"Polen|Rumænien|Bosnien|Vietnam|Thailand|Filippinerne|Kina|Indien|Grønland|Afrika"
)

# (category, topic for search, pattern). Case-insensitive unless the pattern says (?-i:…).
LEXICON: list[tuple[str, str, str]] = [
    # health: stress only as a condition
    ("health", "sygefravær stress", r"sygemeldt (?:med|af) stress"),
    ("health", "stress", r"(?:ramt|gået ned|gik ned|går ned) (?:med|af) stress"),
    ("health", "stress", r"(?:har|havde|fik|fået|får|med|lider af)(?: \w+)? stress\b"),
    ("health", "stress", r"stress(?:et|ede|ramt|ramte|sygemeldt|sygemeldte|reaktion)\b"),
    ("health", "stress", r"(?:er|var|blevet) (?:gået|brændt) (?:ned|ud)\b(?! i)|udbrændt\w*"),
    ("health", "stress", r"has stress|is stressed|stressed out|burn-?out|burned out"),
    # health: sick leave and illness
    ("health", "sygefravær", r"(?:langtids)?sygemeld(?:t|te|ing|ingen|inger)\b"),
    ("health", "sygefravær", r"\bsyg\b|sygdom(?:men|me)?\b|sygedagpenge|sygeorlov"),
    ("health", "sygefravær", r"(?:on )?sick leave|is (?:sick|ill)\b|illness"),
    (
        "health",
        "sygefravær",
        r"(?:hans|hendes|vedkommendes|\w+(?:erens|aens|ens)|his|her)(?: \w+)? sygefravær\w*",
    ),
    # health: diagnoses and conditions
    (
        "health",
        "sygdom",
        r"(?:bryst|lunge|tarm|prostata|hud|æggestok|livmoderhals|blære|knogle|hjerne)?kræft"
        r"(?:en|sygdom\w*|syg|syge|behandling\w*|forløb\w*)?|cancer|leukæmi|tumor|svulst|sklerose|diabetes|sukkersyge|epilepsi|gigt|"
        r"migræne|astma|blodprop\w*|hjerneblødning|hjerteanfald|hjertestop|slagtilfælde|"
        r"diskusprolaps|prolaps|piskesmæld|hjernerystelse|\w+skade\b|brækket|opereret|"
        r"operation(?:en)?|indlagt|kemo\w*|strålebehandling|demens|alzheimer\w*|parkinson\w*|"
        r"diagnos\w*|fået konstateret|kronisk syg|terminal\w*|"
        r"diagnosed|surgery|hospitali[sz]ed",
    ),
    (
        "health",
        "sygdom",
        r"depression\w*|depressiv\w*|deprimeret|\w*angst\b|angstanfald|panikanfald|"
        r"(?-i:OCD|ADHD|ADD|PTSD)|autis\w*|asperger\w*|bipolar\w*|skizofren\w*|psykose|"
        r"psykotisk|spiseforstyrrelse|anoreksi|bulimi|posttraumatisk|selvmord\w*|selvskade|"
        r"psykisk syg|psykiske problemer|går til psykolog|psykiatrisk|"
        r"depressed|anxiety|autistic|autism|mental illness",
    ),
    (
        "health",
        "sygdom",
        r"alkoholi\w*|alkoholproblem\w*|(?:alkohol|stof|hash|narko)misbrug\w*|misbrugsproblem\w*|"
        r"drikker (?:på arbejdet|for meget|i arbejdstiden)|narkoman|alcoholic",
    ),
    (
        "health",
        "sygdom",
        r"handicap\w*|kørestol|rullestol|ordblind\w*|dysleksi|er (?:blind|døv)\b|"
        r"disabled|disability|wheelchair",
    ),
    (
        "health",
        "sygdom",
        r"gravid\w*|graviditet\w*|abort\w*|fertilitetsbehandling|(?-i:IVF)|barnløs|"
        r"pregnant|pregnancy|miscarriage",
    ),
    (
        "health",
        "sygdom",
        r"antidepressiv\w*|lykkepiller|sovepiller|psykofarmaka|medicin(?!sk)\w*|medication",
    ),
    # religion
    (
        "religion",
        "religion",
        r"muslim\w*|kristen|katolik\w*|katolsk|protestant\w*|jøde|jødisk|hindu\w*|buddhist\w*|"
        r"sikh|ateist|(?-i:Jehovas Vidne\w*)|mormon\w*|troende|(?-i:Indre Mission)\w*|"
        r"frikirke\w*|konverteret til \w+|islam\w*|kristendom\w*|jødedom\w*|"
        r"beder (?:fem gange|til Allah|til Gud)|faster (?:under|i) ramadan\w*|ramadan\w*|"
        r"tørklæde\w*|religiøs\w*(?: grunde)?|kippa|går i (?:kirke|moské|moske|synagoge)|"
        r"christian|jewish|religious|hijab|headscarf",
    ),
    # politics
    (
        "politics",
        "politik",
        rf"(?-i:{_PARTIES})|byrådsmedlem|byrådet|regionsrådet|folketingskandidat|"
        r"kandidat for|stiller op (?:til|for) \w+|opstillet for|partimedlem|medlem af partiet|"
        r"politisk aktiv|stemmer på|stemte på|kommunist\w*|socialist\w*|nazist\w*|"
        r"nynazist\w*|højreekstrem\w*|venstreekstrem\w*|anarkist\w*|votes for|communist",
    ),
    # union membership
    (
        "union",
        "fagforening",
        r"medlem af (?:en |nogen |sin )?fagforening\w*|(?:ind|ud) (?:i|af) fagforening\w*|"
        rf"meldt sig (?:ind i|ud af) (?-i:{_UNIONS})|"
        rf"(?:medlem af|organiseret i|er i|tillidsrepræsentant for) (?-i:{_UNIONS})\b|"
        r"(?:ikke )?organiseret(?= og\b| i en fagforening|[.,;!?]|$)|"
        r"(?:sin|sit|hans|hendes|min|din) fagforening\w*|"
        r"member of (?:the|a) union|union member|in the union",
    ),
    # ethnicity
    (
        "ethnicity",
        "etnisk baggrund",
        r"(?:af|med) (?:\w+ )?\w+ (?:oprindelse|afstamning|herkomst)|"
        r"(?:anden )?etnisk\w* (?:baggrund|oprindelse|minoritet)|"
        r"(?:udenlandsk|ikke-vestlig|ikkevestlig) baggrund|"
        rf"(?:er|som) (?:en )?(?:{_ORIGINS})\w*|er (?:sort|farvet|mørk i huden)|hudfarve|"
        rf"(?:er|kommer) fra (?-i:{_COUNTRIES})|"
        r"is black|of \w+ (?:origin|descent)|ethnic\w*",
    ),
    # sexual orientation
    (
        "sexuality",
        "seksualitet",
        r"homoseksuel\w*|heteroseksuel\w*|biseksuel\w*|panseksuel\w*|aseksuel\w*|lesbisk\w*|"
        r"lesbian|bøsse\w*|homo\b|(?-i:gay)|queer|sprunget ud(?: som \w+)?|springer ud|homosexual|"
        r"bisexual|came out (?:as|to)\b|out of the closet",
    ),
    # criminal matters
    (
        "criminal",
        "kriminalitet",
        r"sigtet|sigtelse|tiltalt|domfældt|dømt\b|(?:fået|får|fik) en dom|dom for|straffet|"
        r"\w*straffeattest|"
        r"(?:sad|siddet|sidder|været|kom|kommet|sendt) i fængsel|fængslet for|fængselsstraf|"
        r"afsoner|afsonet|anholdt|arresteret|varetægtsfængslet|politianmeld\w*|"
        r"anmeldt til politiet|stjæle|stjæler|stjal|stjålet|tyveri|underslæb|bedrageri|narkohandel|"
        r"spirituskørsel|spritkørsel|kriminel\w*|"
        r"arrested|convicted|charged with|criminal record|in prison|in jail|stealing",
    ),
]
_COMPILED = [
    (kind, topic, re.compile(rf"(?<![\w-])(?i:{pattern})(?![\w-])"))
    for kind, topic, pattern in LEXICON
]

_TOKEN = re.compile(r"«[^»]{1,20}»|[\w'-]+")
_SENTENCE_END = re.compile(r"[.!?;:](?=\s|$)|\n")
_SPECIFIC = frozenset(
    "han hun ham hende hans hendes vedkommende jeg mig he she him her his me myself".split()
)
_GENERIC = frozenset("man vi os nogen nogle alle folk du dig we us they people someone you".split())
_POINTERS = frozenset(
    "min mit mine vores jeres din dine hans hendes denne den det my our his her this the".split()
)
_INDEFINITE = frozenset("en et a an nogen hver enhver ingen any every".split())
_ADJECTIVES = frozenset("ny nye gamle gammel anden andet tidligere yngste ældste new".split())
# Role nouns: singular, definite singular, plural (and definite plural) endings per stem.
_ROLE = re.compile(
    r"(?P<stem>\w*(?:medarbejder|leder|borger|beboer|hjælper|lærer|ansat|kolleg|chef|"
    r"assistent|pædagog|elev|vikar|praktikant|konsulent|sekretær|betjent|repræsentant|"
    r"patient|sygeplejersk|læg|colleague|employee|manager|co-?worker|boss))"
    r"(?P<end>\w*)$",
    re.IGNORECASE,
)
_SINGULAR = {"", "a", "e"}  # "medarbejder", "kollega", "sygeplejerske", "læge"
_DEFINITE = {"en", "aen", "n", "et"}  # "medarbejderen", "kollegaen", "sygeplejersken"
_PLURAL = {"e", "ne", "er", "erne", "aer", "aerne", "te", "s", "r", "rne", "ene"}


@dataclass(frozen=True)
class Detail:
    start: int
    end: int
    kind: str
    topic: str


def _role_form(word: str) -> str | None:
    """'singular', 'definite' or 'plural' for a role noun, None for any other word."""
    m = _ROLE.match(word)
    if not m:
        return None
    stem, end = m.group("stem").lower(), m.group("end").lower()
    if stem.endswith(("kolleg", "sygeplejersk", "læg")):
        end = {"a": "", "e": "", "aen": "en", "en": "en", "n": "en"}.get(end, end or "x")
        if end == "x":
            return None
    if stem.endswith("ansat"):
        return "singular" if end == "" else "plural" if end == "te" else None
    if end in _DEFINITE:
        return "definite"
    if end == "" or (end in _SINGULAR and stem.endswith(("colleague", "employee"))):
        return "singular"
    if end in _PLURAL:
        return "plural"
    return None


def _referent(tokens: list[str], i: int, named: set[int]) -> str | None:
    """Whether token i names a particular person ('specific'), people in general or a group
    ('generic'), or no person at all (None)."""
    word = tokens[i]
    low = word.lower()
    if i in named or word.startswith("«navn"):
        return "specific"
    if low in _SPECIFIC or (word == "I" and tokens[i + 1 : i + 2] in (["am"], ["have"], ["was"])):
        return "specific"
    if low in _GENERIC:
        return "generic"
    form = _role_form(word)
    if form is None:
        return None
    if form == "definite":
        return "specific"
    before = [t.lower() for t in tokens[max(0, i - 3) : i]]
    while before and before[-1] in _ADJECTIVES:
        before.pop()
    if form == "plural":
        # "en af mine medarbejdere", "to af vores kolleger": particular people
        if (
            len(before) >= 2
            and before[-1] in ("mine", "vores", "my", "our")
            and before[-2]
            in (
                "af",
                "of",
            )
        ):
            return "specific"
        return "generic"
    if before and before[-1] in _POINTERS:
        return "specific"
    if before and before[-1] in _INDEFINITE:
        # "jeg har en medarbejder", "vi har en kollega", "I have an employee": someone real
        if len(before) >= 2 and before[-2] in ("har", "have", "has"):
            return "specific"
        return "generic"
    return None


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    return bounds


def _concerns_a_person(
    spans: list[tuple[int, int]], words: list[str], detail: tuple[int, int], named: set[int]
) -> bool:
    """The nearest person before the detail is a particular one (else the first after it,
    not counting the writer: "Stress i teamet – hvad gør jeg?" is a topic)."""
    before = [i for i, (s, _) in enumerate(spans) if s < detail[0]]
    for i in reversed(before):
        kind = _referent(words, i, named)
        if kind:
            return kind == "specific"
    for i in range(len(before), len(spans)):
        if spans[i][0] < detail[1]:
            continue
        kind = _referent(words, i, named)
        if kind and words[i].lower() not in ("jeg", "mig", "i", "me"):
            return kind == "specific"
    return False


def details(text: str, names: list[tuple[int, int]] = ()) -> list[Detail]:
    """The special-category details in `text` that concern a person; `names` are the spans
    where a person's name was found (they count as a particular person)."""
    found: list[Detail] = []
    for start, end in _sentences(text):
        sentence = text[start:end]
        matches = [
            Detail(start + m.start(), start + m.end(), kind, topic)
            for kind, topic, pattern in _COMPILED
            for m in pattern.finditer(sentence)
        ]
        if not matches:
            continue
        tokens = [(start + m.start(), start + m.end()) for m in _TOKEN.finditer(sentence)]
        words = [text[s:e] for s, e in tokens]
        named = {i for i, (s, e) in enumerate(tokens) if any(a <= s and e <= b for a, b in names)}
        found += [d for d in matches if _concerns_a_person(tokens, words, (d.start, d.end), named)]
    return _merged(text, _outermost(found))


def _outermost(found: list[Detail]) -> list[Detail]:
    """Of overlapping details the first and longest wins."""
    kept: list[Detail] = []
    for d in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and d.start < kept[-1].end:
            continue
        kept.append(d)
    return kept


_JOINABLE = re.compile(r"^[ \w'-]{0,30}$")


def _merged(text: str, found: list[Detail]) -> list[Detail]:
    """Details of one kind a few words apart become one ("sygemeldt med en knæskade")."""
    out: list[Detail] = []
    for d in found:
        if out and out[-1].kind == d.kind:
            gap = text[out[-1].end : d.start]
            if _JOINABLE.match(gap) and len(gap.split()) <= 3:
                last = out.pop()
                topics = dict.fromkeys([*last.topic.split(), *d.topic.split()])
                d = Detail(last.start, d.end, d.kind, " ".join(topics))
        out.append(d)
    return out
