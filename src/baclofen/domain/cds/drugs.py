"""Drug catalogue: generic and brand names, classes and codes, with name normalisation.

The catalogue holds the drugs that clinical.md §6-§8 names (the antispastics and every interactant
or interactant class), plus a few common medicines that have no listed interaction so that they are
recognised rather than reported as unknown. It is **not** an exhaustive drug database: a name that is
not here is reported as unknown (with close matches), never silently ignored.

Codes are given only where clinical.md §10 gives them: baclofen ATC ``M03BX01`` [S95] and RxNorm
ingredient ``1292``; three product RxCUIs are marked *inferred* as in the sheet [S50] [S51] [S52].

Names are matched in any case, with surrounding or repeated whitespace, ``-``/``_`` as spaces,
trade-mark signs removed and a trailing strength (``baclofen 10 mg``) ignored.

>>> find_drug("  ZANAFLEX ").key
'tizanidine'
>>> find_drug("Lioresal Intrathecal").key
'baclofen-intrathecal'
>>> find_drug("Lioresal") is None  # oral tablets in most countries, intrathecal in the US: ask
True
>>> find_drug("Lioresal 10 mg tablets").key  # a tablet form or a strength in mg is oral
'baclofen'
>>> find_drug("ATC:M03BX01").key
'baclofen'
>>> lookup = resolve_drugs(["baclofen 10 mg", "Cipro", "bacloffen"])
>>> [m.drug.key for m in lookup.found], [u.query for u in lookup.unknown]
(['baclofen', 'ciprofloxacin'], ['bacloffen'])
>>> lookup.unknown[0].suggestions[0]
'baclofen'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import get_reference


class DrugClass(Enum):
    """Classes used by the interaction table. A drug may belong to several."""

    BACLOFEN = "baclofen"
    ANTISPASTIC = "antispastic"
    ALCOHOL = "alcohol"
    CNS_DEPRESSANT = "other CNS depressant / sedative"
    OPIOID = "opioid"
    NEURAXIAL_MORPHINE = "epidural / intrathecal morphine"
    BENZODIAZEPINE = "benzodiazepine"
    GABAPENTINOID = "gabapentinoid"
    TCA = "tricyclic antidepressant"
    MAOI = "monoamine oxidase inhibitor"
    ANTIHYPERTENSIVE = "antihypertensive"
    ACE_INHIBITOR = "ACE inhibitor"
    ARB = "angiotensin receptor blocker"
    CALCIUM_CHANNEL_BLOCKER = "calcium channel blocker"
    BETA_BLOCKER = "beta blocker"
    DIURETIC = "diuretic"
    ALPHA_BLOCKER = "alpha blocker"
    CENTRAL_ANTIHYPERTENSIVE = "centrally acting antihypertensive"
    LEVODOPA = "levodopa"
    LITHIUM = "lithium"
    ANTIDIABETIC = "antidiabetic"
    ANAESTHETIC = "general anaesthetic"
    NEUROMUSCULAR_BLOCKER = "neuromuscular blocker"
    NSAID = "NSAID"
    CYP1A2_INHIBITOR_POTENT = "potent CYP1A2 inhibitor"
    CYP1A2_INHIBITOR = "CYP1A2 inhibitor"
    FLUOROQUINOLONE = "fluoroquinolone"
    ORAL_CONTRACEPTIVE = "oral contraceptive"
    ESTROGEN = "estrogen"
    BOTULINUM_TOXIN = "botulinum toxin"
    CANNABINOID = "cannabinoid"
    SSRI = "SSRI"
    ANALGESIC = "simple analgesic"


class CodeSystem(Enum):
    ATC = "ATC"
    RXNORM = "RxNorm"


@dataclass(frozen=True, slots=True)
class DrugCode:
    """A terminology code from clinical.md §10; ``inferred`` where the sheet says so."""

    system: CodeSystem
    code: str
    meaning: str
    evidence: tuple[str, ...] = ()
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system.value,
            "code": self.code,
            "meaning": self.meaning,
            "evidence": list(self.evidence),
            "inferred": self.inferred,
        }


@dataclass(frozen=True, slots=True)
class Drug:
    """One catalogue entry.

    ``key`` is the canonical name used by the interaction table; ``route`` is set where the entry is
    route-specific (``"intrathecal"`` for ITB products, ``"neuraxial"`` for epidural/IT morphine).
    ``evidence`` names the clinical.md sources that put the drug (or its class) in the catalogue.
    """

    key: str
    generic_name: str
    classes: frozenset[DrugClass]
    brands: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    route: str | None = None
    codes: tuple[DrugCode, ...] = ()
    evidence: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not self.key or self.key != self.key.strip().lower():
            raise InvalidInputError("drug key", "a lower-case canonical name", self.key)
        object.__setattr__(self, "classes", frozenset(self.classes))
        for key in self.evidence:
            get_reference(key)

    def has_class(self, drug_class: DrugClass) -> bool:
        return drug_class in self.classes

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "generic_name": self.generic_name,
            "brands": list(self.brands),
            "classes": sorted(c.value for c in self.classes),
            "route": self.route,
            "codes": [c.to_dict() for c in self.codes],
            "evidence_keys": list(self.evidence),
            "note": self.note,
        }


C = DrugClass
_AH = frozenset({C.ANTIHYPERTENSIVE})


def _d(
    key: str,
    classes: Iterable[DrugClass],
    brands: Iterable[str] = (),
    synonyms: Iterable[str] = (),
    evidence: Iterable[str] = (),
    **kw: Any,
) -> Drug:
    return Drug(
        key=key,
        generic_name=kw.pop("generic_name", key),
        classes=frozenset(classes),
        brands=tuple(brands),
        synonyms=tuple(synonyms),
        evidence=tuple(evidence),
        **kw,
    )


def _group(
    classes: Iterable[DrugClass],
    evidence: tuple[str, ...],
    entries: Iterable[tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], tuple[str, ...]]],
) -> list[Drug]:
    out = []
    cls = frozenset(classes)
    for entry in entries:
        key, brands = entry[0], entry[1]
        synonyms = entry[2] if len(entry) > 2 else ()
        out.append(_d(key, cls, brands, synonyms, evidence))
    return out


BACLOFEN_CODES = (
    DrugCode(CodeSystem.ATC, "M03BX01", "baclofen (other centrally acting muscle relaxants)", ("S95",)),
    DrugCode(CodeSystem.RXNORM, "1292", "baclofen (ingredient)", ()),
    DrugCode(CodeSystem.RXNORM, "197391", "baclofen 10 MG oral tablet", ("S51",), inferred=True),
    DrugCode(CodeSystem.RXNORM, "2593376", "baclofen 5 MG/ML oral suspension", ("S52",), inferred=True),
)
ITB_CODES = (DrugCode(CodeSystem.RXNORM, "1047437", "baclofen 0.05 MG/ML intrathecal", ("S50",), inferred=True),)

_ENTRIES: list[Drug] = [
    # --- antispastics (clinical.md §1, §5, §8) -------------------------------------------------------
    _d(
        "baclofen",
        {C.BACLOFEN, C.ANTISPASTIC},
        # A bare "Lioresal" is ambiguous (see AMBIGUOUS_NAMES): only the explicitly oral forms are listed here.
        ("Ozobax", "Fleqsuvy", "Lyvispah", "Kemstro", "pms-Baclofen", "Baclon", "Bamifen", "Bac-10"),
        (
            "oral baclofen",
            "baclofen tablets",
            "baclofen oral solution",
            "baclofen oral suspension",
            "Lioresal tablets",
            "Lioresal tablet",
            "Lioresal oral",
            "oral Lioresal",
        ),
        ("S1", "S4", "S24"),
        codes=BACLOFEN_CODES,
        route="oral",
    ),
    _d(
        "baclofen-intrathecal",
        {C.BACLOFEN, C.ANTISPASTIC},
        ("Gablofen", "Lioresal Intrathecal", "Lioresal IT"),
        ("intrathecal baclofen", "ITB", "baclofen intrathecal", "baclofen injection", "IT baclofen"),
        ("S30", "S37"),
        generic_name="baclofen (intrathecal)",
        codes=ITB_CODES,
        route="intrathecal",
    ),
    _d("tizanidine", {C.ANTISPASTIC}, ("Zanaflex", "Sirdalud"), (), ("S72", "S73", "S75")),
    _d("dantrolene", {C.ANTISPASTIC}, ("Dantrium",), ("dantrolene sodium",), ("S77", "S78", "S80")),
    _d("gabapentin", {C.GABAPENTINOID, C.ANTISPASTIC}, ("Neurontin", "Gralise"), (), ("S24", "S81")),
    _d("gabapentin enacarbil", {C.GABAPENTINOID}, ("Horizant",), (), ("S24",)),
    _d(
        "pregabalin",
        {C.GABAPENTINOID},
        ("Lyrica",),
        (),
        ("S24",),
        note="Gabapentinoid; clinical.md gives no spasticity dosing for pregabalin.",
    ),
    _d("diazepam", {C.BENZODIAZEPINE, C.ANTISPASTIC}, ("Valium",), (), ("S16", "S27")),
    _d("clonazepam", {C.BENZODIAZEPINE, C.ANTISPASTIC}, ("Klonopin", "Rivotril"), (), ("S27",)),
    _d(
        "nabiximols",
        {C.CANNABINOID, C.ANTISPASTIC},
        ("Sativex",),
        ("THC:CBD spray", "THC/CBD oromucosal spray"),
        ("S85", "S87", "S88"),
    ),
    _d(
        "onabotulinumtoxina",
        {C.BOTULINUM_TOXIN},
        ("Botox",),
        ("botulinum toxin", "botulinum toxin type A"),
        ("S84",),
        generic_name="onabotulinumtoxinA",
    ),
    _d("abobotulinumtoxina", {C.BOTULINUM_TOXIN}, ("Dysport",), (), ("S84",), generic_name="abobotulinumtoxinA"),
    _d("incobotulinumtoxina", {C.BOTULINUM_TOXIN}, ("Xeomin",), (), ("S84",), generic_name="incobotulinumtoxinA"),
    # --- alcohol and other CNS depressants (§6: S6, S11, S4) -----------------------------------------
    _d("alcohol", {C.ALCOHOL}, (), ("ethanol", "ethyl alcohol", "alcoholic drinks"), ("S4", "S6", "S11")),
    *_group(
        {C.CNS_DEPRESSANT},
        ("S4", "S6", "S11"),
        [
            ("zolpidem", ("Ambien", "Stilnoct")),
            ("zopiclone", ("Zimovane",)),
            ("eszopiclone", ("Lunesta",)),
            ("promethazine", ("Phenergan",)),
            ("diphenhydramine", ("Benadryl",)),
            ("hydroxyzine", ("Atarax", "Vistaril")),
            ("chlorphenamine", ("Piriton",), ("chlorpheniramine",)),
            ("phenobarbital", ("Luminal",), ("phenobarbitone",)),
            ("quetiapine", ("Seroquel",)),
            ("mirtazapine", ("Remeron", "Zispin")),
        ],
    ),
    # --- opioids (§6: S15); neuraxial morphine with ITB (S30) ----------------------------------------
    *_group(
        {C.OPIOID},
        ("S15",),
        [
            ("morphine", ("MS Contin", "Oramorph", "Zomorph")),
            ("oxycodone", ("OxyContin", "Roxicodone", "OxyNorm", "Percocet")),
            ("hydrocodone", ("Hysingla", "Zohydro", "Norco", "Vicodin")),
            ("codeine", ("co-codamol",)),
            ("dihydrocodeine", ("DF118",)),
            ("tramadol", ("Ultram", "Zydol")),
            ("tapentadol", ("Nucynta", "Palexia")),
            ("fentanyl", ("Duragesic", "Durogesic")),
            ("hydromorphone", ("Dilaudid",)),
            ("methadone", ("Dolophine", "Methadose")),
            ("buprenorphine", ("Butrans", "Subutex", "Suboxone")),
            ("oxymorphone", ("Opana",)),
        ],
    ),
    _d(
        "morphine-neuraxial",
        {C.OPIOID, C.NEURAXIAL_MORPHINE},
        ("Duramorph", "Infumorph", "DepoDur"),
        ("epidural morphine", "intrathecal morphine", "neuraxial morphine", "spinal morphine"),
        ("S30",),
        generic_name="morphine (epidural / intrathecal)",
        route="neuraxial",
    ),
    # --- benzodiazepines (§6: S16) ---------------------------------------------------------------------
    *_group(
        {C.BENZODIAZEPINE},
        ("S16",),
        [
            ("lorazepam", ("Ativan",)),
            ("alprazolam", ("Xanax",)),
            ("temazepam", ("Restoril",)),
            ("midazolam", ("Versed", "Buccolam")),
            ("nitrazepam", ("Mogadon",)),
            ("chlordiazepoxide", ("Librium",)),
        ],
    ),
    # --- tricyclics (S17), MAOIs (S17) ---------------------------------------------------------------
    *_group(
        {C.TCA},
        ("S17",),
        [
            ("amitriptyline", ("Elavil",)),
            ("nortriptyline", ("Pamelor", "Allegron")),
            ("imipramine", ("Tofranil",)),
            ("clomipramine", ("Anafranil",)),
            ("desipramine", ("Norpramin",)),
            ("doxepin", ("Sinequan", "Silenor")),
            ("dosulepin", ("Prothiaden",), ("dothiepin",)),
            ("trimipramine", ("Surmontil",)),
            ("lofepramine", ("Gamanil",)),
        ],
    ),
    *_group(
        {C.MAOI},
        ("S17",),
        [
            ("phenelzine", ("Nardil",)),
            ("tranylcypromine", ("Parnate",)),
            ("isocarboxazid", ("Marplan",)),
            ("selegiline", ("Eldepryl", "Emsam", "Zelapar")),
            ("rasagiline", ("Azilect",)),
            ("safinamide", ("Xadago",)),
            ("moclobemide", ("Manerix",)),
        ],
    ),
    # --- antihypertensive classes (S17, S28) -----------------------------------------------------------
    *_group(
        _AH | {C.ACE_INHIBITOR},
        ("S17", "S28"),
        [
            ("lisinopril", ("Zestril", "Prinivil")),
            ("ramipril", ("Altace", "Tritace")),
            ("enalapril", ("Vasotec", "Innovace")),
            ("perindopril", ("Coversyl",)),
            ("captopril", ("Capoten",)),
        ],
    ),
    *_group(
        _AH | {C.ARB},
        ("S17", "S28"),
        [
            ("losartan", ("Cozaar",)),
            ("candesartan", ("Atacand", "Amias")),
            ("valsartan", ("Diovan",)),
            ("irbesartan", ("Avapro", "Aprovel")),
            ("olmesartan", ("Benicar", "Olmetec")),
        ],
    ),
    *_group(
        _AH | {C.CALCIUM_CHANNEL_BLOCKER},
        ("S17", "S28"),
        [
            ("amlodipine", ("Norvasc", "Istin")),
            ("nifedipine", ("Adalat", "Procardia")),
            ("diltiazem", ("Cardizem", "Tildiem")),
            ("felodipine", ("Plendil",)),
            ("lercanidipine", ("Zanidip",)),
        ],
    ),
    _d(
        "verapamil",
        _AH | {C.CALCIUM_CHANNEL_BLOCKER, C.CYP1A2_INHIBITOR},
        ("Calan", "Isoptin", "Securon"),
        (),
        ("S17", "S28", "S74", "S77"),
    ),
    *_group(
        _AH | {C.BETA_BLOCKER},
        ("S17", "S28"),
        [
            ("metoprolol", ("Lopressor", "Toprol-XL", "Betaloc")),
            ("atenolol", ("Tenormin",)),
            ("bisoprolol", ("Cardicor", "Zebeta", "Concor")),
            ("propranolol", ("Inderal",)),
            ("carvedilol", ("Coreg",)),
            ("nebivolol", ("Bystolic", "Nebilet")),
        ],
    ),
    *_group(
        _AH | {C.DIURETIC},
        ("S17", "S28"),
        [
            ("hydrochlorothiazide", ("Microzide",)),
            ("bendroflumethiazide", ("Aprinox",), ("bendrofluazide",)),
            ("indapamide", ("Natrilix", "Lozol")),
            ("chlortalidone", ("Hygroton", "Thalitone"), ("chlorthalidone",)),
            ("furosemide", ("Lasix",), ("frusemide",)),
            ("spironolactone", ("Aldactone",)),
        ],
    ),
    *_group(
        _AH | {C.ALPHA_BLOCKER},
        ("S17", "S28"),
        [
            ("doxazosin", ("Cardura",)),
            ("prazosin", ("Minipress",)),
        ],
    ),
    *_group(
        _AH | {C.CENTRAL_ANTIHYPERTENSIVE},
        ("S17", "S28"),
        [
            ("clonidine", ("Catapres",)),
            ("methyldopa", ("Aldomet",)),
            ("moxonidine", ("Physiotens",)),
        ],
    ),
    # --- levodopa (S17), lithium (S17, S28) ------------------------------------------------------------
    _d(
        "levodopa",
        {C.LEVODOPA},
        ("Sinemet", "Rytary", "Stalevo", "Duodopa", "Madopar"),
        (
            "carbidopa/levodopa",
            "levodopa/carbidopa",
            "carbidopa levodopa",
            "co-careldopa",
            "co-beneldopa",
            "levodopa/benserazide",
        ),
        ("S17",),
    ),
    _d(
        "lithium",
        {C.LITHIUM},
        ("Priadel", "Camcolit", "Lithobid", "Eskalith", "Li-Liquid"),
        ("lithium carbonate", "lithium citrate"),
        ("S17", "S28"),
    ),
    # --- antidiabetics (S17) ----------------------------------------------------------------------------
    *_group(
        {C.ANTIDIABETIC},
        ("S17",),
        [
            ("metformin", ("Glucophage",)),
            (
                "insulin",
                (),
                (
                    "insulin glargine",
                    "insulin aspart",
                    "insulin lispro",
                    "insulin degludec",
                    "Lantus",
                    "Toujeo",
                    "NovoRapid",
                    "Novolog",
                    "Humalog",
                    "Tresiba",
                ),
            ),
            ("gliclazide", ("Diamicron",)),
            ("glipizide", ("Glucotrol",)),
            ("glimepiride", ("Amaryl",)),
            ("glibenclamide", ("Glynase",), ("glyburide",)),
            ("sitagliptin", ("Januvia",)),
            ("linagliptin", ("Trajenta", "Tradjenta")),
            ("empagliflozin", ("Jardiance",)),
            ("dapagliflozin", ("Forxiga", "Farxiga")),
            ("canagliflozin", ("Invokana",)),
            ("pioglitazone", ("Actos",)),
            ("semaglutide", ("Ozempic", "Rybelsus")),
            ("liraglutide", ("Victoza",)),
            ("dulaglutide", ("Trulicity",)),
            ("tirzepatide", ("Mounjaro",)),
        ],
    ),
    # --- anaesthetics, neuromuscular blockers (S17) ----------------------------------------------------
    *_group(
        {C.ANAESTHETIC},
        ("S17",),
        [
            ("propofol", ("Diprivan",)),
            ("sevoflurane", ("Ultane", "Sevorane")),
            ("isoflurane", ("Forane",)),
            ("desflurane", ("Suprane",)),
            ("ketamine", ("Ketalar",)),
            ("thiopental", ("Pentothal",)),
            ("etomidate", ("Amidate",)),
        ],
    ),
    *_group(
        {C.NEUROMUSCULAR_BLOCKER},
        ("S17",),
        [
            ("rocuronium", ("Zemuron", "Esmeron")),
            ("vecuronium", ()),
            ("atracurium", ("Tracrium",)),
            ("cisatracurium", ("Nimbex",)),
            ("suxamethonium", ("Anectine", "Quelicin"), ("succinylcholine",)),
            ("pancuronium", ()),
            ("mivacurium", ("Mivacron",)),
        ],
    ),
    # --- ibuprofen and other NSAIDs (S28) ----------------------------------------------------------------
    _d("ibuprofen", {C.NSAID}, ("Advil", "Motrin", "Nurofen", "Brufen"), (), ("S28",)),
    *_group(
        {C.NSAID},
        ("S28",),
        [
            ("naproxen", ("Aleve", "Naprosyn", "Anaprox")),
            ("diclofenac", ("Voltaren", "Voltarol", "Cataflam")),
            ("celecoxib", ("Celebrex",)),
            ("etoricoxib", ("Arcoxia",)),
            ("indometacin", ("Indocin",), ("indomethacin",)),
            ("ketorolac", ("Toradol",)),
            ("meloxicam", ("Mobic",)),
        ],
    ),
    # --- CYP1A2 inhibitors (tizanidine label §7: S74, S72) ----------------------------------------------
    _d("fluvoxamine", {C.CYP1A2_INHIBITOR_POTENT}, ("Luvox", "Faverin"), (), ("S72", "S74")),
    _d("ciprofloxacin", {C.CYP1A2_INHIBITOR_POTENT, C.FLUOROQUINOLONE}, ("Cipro", "Ciproxin"), (), ("S72", "S74")),
    _d("zileuton", {C.CYP1A2_INHIBITOR}, ("Zyflo",), (), ("S74",)),
    *_group(
        {C.CYP1A2_INHIBITOR, C.FLUOROQUINOLONE},
        ("S74",),
        [
            ("levofloxacin", ("Levaquin", "Tavanic")),
            ("ofloxacin", ("Floxin", "Tarivid")),
            ("norfloxacin", ("Noroxin",)),
            ("moxifloxacin", ("Avelox", "Avalox")),
            ("enoxacin", ("Penetrex",)),
            ("delafloxacin", ("Baxdela",)),
            ("gemifloxacin", ("Factive",)),
        ],
    ),
    *_group(
        {C.CYP1A2_INHIBITOR},
        ("S74",),
        [
            ("amiodarone", ("Cordarone", "Pacerone")),
            ("mexiletine", ("Mexitil", "Namuscla")),
            ("propafenone", ("Rythmol", "Arythmol")),
            ("cimetidine", ("Tagamet",)),
            ("famotidine", ("Pepcid",)),
            ("aciclovir", ("Zovirax",), ("acyclovir",)),
            ("ticlopidine", ("Ticlid",)),
        ],
    ),
    _d(
        "oral contraceptive",
        {C.CYP1A2_INHIBITOR, C.ORAL_CONTRACEPTIVE, C.ESTROGEN},
        ("Microgynon", "Yasmin", "Yaz", "Rigevidon", "Loestrin"),
        (
            "oral contraceptives",
            "combined oral contraceptive",
            "COC",
            "the pill",
            "contraceptive pill",
            "ethinylestradiol/levonorgestrel",
        ),
        ("S74", "S78"),
        note="Combined (estrogen-containing) oral contraceptives: CYP1A2 inhibitor (tizanidine) and estrogen "
        "(dantrolene).",
    ),
    # --- estrogens (dantrolene boxed warning: S78) -------------------------------------------------------
    *_group(
        {C.ESTROGEN},
        ("S78",),
        [
            ("estradiol", ("Estrace", "Oestrogel", "Evorel"), ("oestradiol",)),
            ("conjugated estrogens", ("Premarin",), ("conjugated oestrogens",)),
            ("estrogen", (), ("oestrogen", "estrogens", "oestrogens", "estrogen HRT", "oestrogen HRT")),
        ],
    ),
    # Ethinylestradiol is the estrogen of combined oral contraceptives, which the tizanidine label lists among
    # the CYP1A2 inhibitors to avoid [S74] [S72]: named alone it must not escape that check (issue 8, defect 5).
    _d(
        "ethinylestradiol",
        {C.ESTROGEN, C.CYP1A2_INHIBITOR},
        (),
        ("ethinyl estradiol", "ethinyloestradiol", "ethinyl oestradiol"),
        ("S78", "S74", "S72"),
        note="The estrogen of combined oral contraceptives: a CYP1A2 inhibitor for tizanidine (the label names "
        "oral contraceptives) and an estrogen for dantrolene.",
    ),
    # --- common medicines with no interaction in clinical.md (recognised, not unknown) -------------------
    *_group(
        {C.SSRI},
        (),
        [
            ("sertraline", ("Zoloft", "Lustral")),
            ("citalopram", ("Celexa", "Cipramil")),
            ("escitalopram", ("Lexapro", "Cipralex")),
            ("fluoxetine", ("Prozac",)),
            ("paroxetine", ("Paxil", "Seroxat")),
        ],
    ),
    _d("paracetamol", {C.ANALGESIC}, ("Tylenol", "Panadol", "Calpol"), ("acetaminophen",)),
]


@dataclass(frozen=True, slots=True)
class AmbiguousName:
    """A name that stands for entries of different routes: it is never resolved to one of them silently.

    ``options`` are names that resolve unambiguously, one per candidate entry, to suggest to the user.
    """

    name: str
    candidates: tuple[str, ...]
    options: tuple[str, ...]
    reason: str
    evidence: tuple[str, ...] = ()
    #: The candidate that the name stands for when it is written with a tablet form or a strength in mg
    #: ("Lioresal 10 mg tablets"): only an oral product is written so (see :func:`names_an_oral_form`).
    oral: str = ""

    def __post_init__(self) -> None:
        for key in self.evidence:
            get_reference(key)


#: Brand names whose route depends on the country: "Lioresal" is the oral tablet in most countries
#: (Novartis core label) but in the US usually means Lioresal Intrathecal [S30] [S33] [S34]. Resolving it to
#: oral baclofen would silently miss the intrathecal interactions (epidural/IT morphine: hypotension and
#: dyspnoea [S30]); resolving it to ITB would mislabel an oral patient. The user is asked which.
AMBIGUOUS_NAMES: tuple[AmbiguousName, ...] = (
    AmbiguousName(
        "Lioresal",
        ("baclofen", "baclofen-intrathecal"),
        ("Lioresal tablets", "Lioresal Intrathecal"),
        "oral baclofen (tablets) in most countries but usually Lioresal Intrathecal in the US; say which: "
        "'Lioresal tablets' (oral) or 'Lioresal Intrathecal' (intrathecal baclofen)",
        ("S30", "S33", "S34", "NovartisCore"),
        # Product owner's decision (issue 8): "Lioresal 10 mg tablets" is oral; a bare "Lioresal" stays ambiguous.
        oral="baclofen",
    ),
)

_ORAL_FORM_WORDS = re.compile(r"\b(?:tablets?|tabs?)\b")
#: A strength in mg on its own ("10 mg"), not a concentration ("10 mg/5 mL", "2 mg per mL").
_MG_STRENGTH = re.compile(r"\d(?:[.,]\d+)?\s*mg\b(?!\s*(?:/|per\b))")
_NOT_ORAL_WORDS = re.compile(
    r"\b(?:intrathecal|it|injection|infusion|ampoules?|ampules?|syringes?|vials?|refill|solution|suspension|"
    r"liquid|spray|ml|mcg|ug|µg|micrograms?)\b"
)


def names_an_oral_form(text: str) -> bool:
    """Whether a written name carries a tablet form or a strength in mg (not mg/mL) and no other route or form.

    >>> names_an_oral_form("Lioresal 10 mg tablets"), names_an_oral_form("Lioresal 25mg")
    (True, True)
    >>> names_an_oral_form("Lioresal"), names_an_oral_form("Lioresal 10 mg/5 mL"), names_an_oral_form("Lioresal IT")
    (False, False, False)
    """
    s = unicodedata.normalize("NFKC", text).casefold().replace("_", " ").replace("-", " ")
    if _NOT_ORAL_WORDS.search(s):
        return False
    return bool(_ORAL_FORM_WORDS.search(s) or _MG_STRENGTH.search(s))


def normalise_name(text: str) -> str:
    """Normalise a drug name for matching: case, whitespace, trade marks, separators, strengths.

    >>> normalise_name("  Toprol-XL® ")
    'toprol xl'
    >>> normalise_name("Baclofen   10 mg tablets")
    'baclofen'
    >>> normalise_name("carbidopa/levodopa")
    'carbidopa/levodopa'
    """
    if not isinstance(text, str):
        raise InvalidInputError("drug name", "a text", text)
    s = unicodedata.normalize("NFKC", text).casefold()
    s = re.sub(r"[®™©]", "", s)
    s = s.replace("_", " ").replace("-", " ")
    s = re.sub(r"\s*/\s*", "/", s)
    s = " ".join(s.split())
    s = _STRENGTH_TAIL.sub("", s).strip()
    return s


_STRENGTH_TAIL = re.compile(
    r"\s+\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|mg/ml|mcg/ml|%)(?:\s*/\s*\d*\s*ml)?"
    r"(?:\s+(?:tablets?|capsules?|oral|solution|suspension|spray|injection|granules))*$"
)
_ROUTE_WORDS_TAIL = re.compile(r"\s+(?:tablets?|capsules?)$")
#: Salt names that medication lists add to the generic ("ciprofloxacin hydrochloride", "fluvoxamine maleate"):
#: a list entry must not escape an interaction check (e.g. tizanidine + ciprofloxacin) by its salt.
_SALT_TAIL = re.compile(
    r"\s+(?:hydrochloride|hcl|dihydrochloride|hydrobromide|maleate|mesylate|mesilate|besylate|besilate|tartrate|"
    r"succinate|fumarate|citrate|sulfate|sulphate|phosphate|acetate|lactate|sodium|potassium|calcium|"
    r"monohydrate|dihydrate|hemihydrate)$"
)
_CODE = re.compile(r"^(atc|rxnorm|rxcui)\s*:\s*([a-z0-9]+)$")
_ATC = re.compile(r"^[a-z][0-9]{2}[a-z]{2}[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class DrugMatch:
    """A name that was found: what was asked, the entry, and what it matched (generic, brand, code ...)."""

    query: str
    drug: Drug
    matched_on: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "key": self.drug.key,
            "generic_name": self.drug.generic_name,
            "matched_on": self.matched_on,
            "classes": sorted(c.value for c in self.drug.classes),
            "route": self.drug.route,
        }


@dataclass(frozen=True, slots=True)
class UnknownDrug:
    """A name that is not in the catalogue, with close catalogue names to suggest."""

    query: str
    suggestions: tuple[str, ...] = ()
    #: Set when the name is in the catalogue but stands for more than one route (e.g. "Lioresal").
    ambiguous: str = ""

    @property
    def message(self) -> str:
        if self.ambiguous:
            return f"'{self.query}' is ambiguous - {self.ambiguous}; its interactions were NOT checked"
        return f"'{self.query}' is not in the drug catalogue: its interactions were NOT checked"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"query": self.query, "suggestions": list(self.suggestions), "message": self.message}
        if self.ambiguous:
            out["ambiguous"] = True
        return out


@dataclass(frozen=True, slots=True)
class DrugLookup:
    """Result of resolving several names: found entries, unknown names, and duplicates of one entry."""

    found: tuple[DrugMatch, ...]
    unknown: tuple[UnknownDrug, ...] = ()
    duplicates: tuple[tuple[str, ...], ...] = ()

    @property
    def drugs(self) -> tuple[Drug, ...]:
        """Distinct drugs found, in the order first given."""
        seen: dict[str, Drug] = {}
        for m in self.found:
            seen.setdefault(m.drug.key, m.drug)
        return tuple(seen.values())

    @property
    def is_complete(self) -> bool:
        return not self.unknown

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": [m.to_dict() for m in self.found],
            "unknown": [u.to_dict() for u in self.unknown],
            "duplicates": [list(d) for d in self.duplicates],
            "complete": self.is_complete,
        }


@dataclass(frozen=True)
class DrugCatalogue:
    """An immutable catalogue with an index from every normalised name and code to its entry."""

    drugs: tuple[Drug, ...]
    ambiguous: tuple[AmbiguousName, ...] = ()
    _index: Mapping[str, tuple[Drug, str]] = field(init=False, repr=False, compare=False)
    _ambiguous: Mapping[str, AmbiguousName] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ambiguous", MappingProxyType({}))
        index: dict[str, tuple[Drug, str]] = {}
        keys: set[str] = set()
        for drug in self.drugs:
            if drug.key in keys:
                raise InvalidInputError("drug key", "unique in the catalogue", drug.key)
            keys.add(drug.key)
            names = [(drug.key, "generic"), (drug.generic_name, "generic")]
            names += [(b, "brand") for b in drug.brands] + [(s, "synonym") for s in drug.synonyms]
            for name, kind in names:
                norm = normalise_name(name)
                existing = index.get(norm)
                if existing is not None and existing[0].key != drug.key:
                    raise InvalidInputError("drug name", f"unique in the catalogue (also {existing[0].key})", name)
                index.setdefault(norm, (drug, kind))
            for code in drug.codes:
                index[f"{code.system.value.lower()}:{code.code.lower()}"] = (drug, f"{code.system.value} code")
        object.__setattr__(self, "_index", MappingProxyType(index))
        ambiguous: dict[str, AmbiguousName] = {}
        for amb in self.ambiguous:
            norm = normalise_name(amb.name)
            if norm in index:
                raise InvalidInputError("drug name", f"not also an entry name (ambiguous: {amb.name})", norm)
            for key in (*amb.candidates, *((amb.oral,) if amb.oral else ())):
                self.get(key)
            if amb.oral and amb.oral not in amb.candidates:
                raise InvalidInputError("drug name", f"an oral reading among the candidates of {amb.name}", amb.oral)
            for option in amb.options:
                if self.find(option) is None:
                    raise InvalidInputError("drug name", "an option that resolves", option)
            ambiguous[norm] = amb
        object.__setattr__(self, "_ambiguous", MappingProxyType(ambiguous))

    def ambiguity(self, name: str) -> AmbiguousName | None:
        """The :class:`AmbiguousName` that ``name`` stands for (any case, strength or 'tablets' tail), or None."""
        if not isinstance(name, str) or self.find(name) is not None:
            return None
        norm = normalise_name(name)
        return self._ambiguous.get(norm) or self._ambiguous.get(_ROUTE_WORDS_TAIL.sub("", norm))

    @property
    def names(self) -> tuple[str, ...]:
        """Every normalised name the catalogue recognises (codes excluded)."""
        return tuple(n for n in self._index if ":" not in n)

    def find(self, name: str) -> DrugMatch | None:
        """The entry for ``name`` (generic, brand, synonym or code), or None when unknown."""
        norm = normalise_name(name)
        if not norm:
            return None
        hit = self._index.get(norm)
        if hit is None:
            hit = self._index.get(_ROUTE_WORDS_TAIL.sub("", norm))
        if hit is None:
            base = _ROUTE_WORDS_TAIL.sub("", norm)
            while _SALT_TAIL.search(base):
                base = _SALT_TAIL.sub("", base)
            hit = self._index.get(base) if base != norm else None
        if hit is None:
            amb = self._ambiguous.get(norm) or self._ambiguous.get(_ROUTE_WORDS_TAIL.sub("", norm))
            if amb is not None and amb.oral and names_an_oral_form(name):
                hit = (self.get(amb.oral), "brand with an oral form or mg strength")
        if hit is None:
            code = _CODE.match(norm.replace(" ", ""))
            if code:
                system = "rxnorm" if code.group(1) in ("rxnorm", "rxcui") else "atc"
                hit = self._index.get(f"{system}:{code.group(2)}")
            elif _ATC.match(norm):
                hit = self._index.get(f"atc:{norm}")
        return None if hit is None else DrugMatch(name, hit[0], hit[1])

    def suggest(self, name: str, limit: int = 3) -> tuple[str, ...]:
        norm = normalise_name(name) if isinstance(name, str) else ""
        return tuple(difflib.get_close_matches(norm, self.names, n=limit, cutoff=0.75))

    def get(self, key: str) -> Drug:
        """The entry with canonical ``key``; raises :class:`InvalidInputError` if there is none."""
        for drug in self.drugs:
            if drug.key == key:
                return drug
        raise InvalidInputError("drug", "a drug key in the catalogue", key)

    def resolve(self, names: Iterable[str]) -> DrugLookup:
        """Resolve names; unknown ones are listed with suggestions, never dropped."""
        found: list[DrugMatch] = []
        unknown: list[UnknownDrug] = []
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise InvalidInputError("drugs", "non-empty drug names", name)
            match = self.find(name)
            amb = self.ambiguity(name) if match is None else None
            if amb is not None:
                unknown.append(UnknownDrug(name.strip(), amb.options, amb.reason))
            elif match is None:
                unknown.append(UnknownDrug(name.strip(), self.suggest(name)))
            else:
                found.append(match)
        by_key: dict[str, list[str]] = {}
        for m in found:
            by_key.setdefault(m.drug.key, []).append(m.query)
        duplicates = tuple(tuple(q) for q in by_key.values() if len(q) > 1)
        return DrugLookup(tuple(found), tuple(unknown), duplicates)


CATALOGUE = DrugCatalogue(tuple(_ENTRIES), AMBIGUOUS_NAMES)


def find_drug(name: str) -> Drug | None:
    """The catalogue entry for a generic name, brand, synonym or code, or None when unknown."""
    match = CATALOGUE.find(name)
    return None if match is None else match.drug


def get_drug(name: str, field_name: str = "drug") -> Drug:
    """Like :func:`find_drug` but an unknown name raises :class:`InvalidInputError` naming ``field_name``.

    >>> get_drug("tizanadine")
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'drug' must be a drug in the catalogue (did you mean: ...
    """
    drug = find_drug(name)
    amb = CATALOGUE.ambiguity(name) if drug is None else None
    if amb is not None:
        raise InvalidInputError(field_name, f"a name that gives the route ('{name.strip()}' is {amb.reason})", name)
    if drug is None:
        hint = CATALOGUE.suggest(name)
        expected = "a drug in the catalogue" + (f" (did you mean: {', '.join(hint)}?)" if hint else "")
        raise InvalidInputError(field_name, expected, name)
    return drug


def resolve_drugs(names: Iterable[str]) -> DrugLookup:
    """Resolve several names against :data:`CATALOGUE` (see :meth:`DrugCatalogue.resolve`)."""
    return CATALOGUE.resolve(names)
