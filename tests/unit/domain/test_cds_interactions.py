"""Drug catalogue and interaction screen: one row per interaction of clinical.md §6 and §8."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.drugs import CATALOGUE, find_drug, get_drug, normalise_name, resolve_drugs
from baclofen.domain.cds.interactions import INTERACTIONS, screen_interactions
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.rules.core import Severity
from baclofen.domain.settings import EvidenceStatus
from tests.strategies_cds import case_and_space_variants, catalogue_names

# (drugs, rule id, severity, a source key the finding must cite) - clinical.md §6 (baclofen, oral and IT)
BACLOFEN_ROWS = [
    (["baclofen", "alcohol"], "INT-BAC-CNS-001", Severity.WARN, "S6"),
    (["baclofen", "zolpidem"], "INT-BAC-CNS-001", Severity.WARN, "S6"),
    (["baclofen", "oxycodone"], "INT-BAC-OPIOID-001", Severity.WARN, "S15"),
    (["Gablofen", "tramadol"], "INT-BAC-OPIOID-001", Severity.WARN, "S15"),
    (["intrathecal baclofen", "epidural morphine"], "INT-ITB-MORPHINE-001", Severity.WARN, "S30"),
    (["baclofen", "diazepam"], "INT-BAC-BZD-001", Severity.WARN, "S16"),
    (["baclofen", "gabapentin"], "INT-BAC-GABA-001", Severity.WARN, "S6"),
    (["baclofen", "Lyrica"], "INT-BAC-GABA-001", Severity.WARN, "S6"),
    (["baclofen", "amitriptyline"], "INT-BAC-TCA-001", Severity.WARN, "S17"),
    (["baclofen", "lithium carbonate"], "INT-BAC-LITHIUM-001", Severity.WARN, "S17"),
    (["baclofen", "phenelzine"], "INT-BAC-MAOI-001", Severity.WARN, "S17"),
    (["baclofen", "ramipril"], "INT-BAC-ANTIHYPERTENSIVE-001", Severity.WARN, "S17"),
    (["baclofen", "amlodipine"], "INT-BAC-ANTIHYPERTENSIVE-001", Severity.WARN, "S28"),
    (["baclofen", "Sinemet"], "INT-BAC-LEVODOPA-001", Severity.WARN, "S17"),
    (["baclofen", "metformin"], "INT-BAC-ANTIDIABETIC-001", Severity.INFO, "S17"),
    (["baclofen", "propofol"], "INT-BAC-ANAESTHETIC-001", Severity.WARN, "S17"),
    (["baclofen", "rocuronium"], "INT-BAC-NMB-001", Severity.WARN, "S17"),
    (["baclofen", "ibuprofen"], "INT-BAC-IBUPROFEN-001", Severity.WARN, "S28"),
    (["baclofen", "naproxen"], "INT-BAC-NSAID-001", Severity.WARN, "S28"),
    (["baclofen", "ITB"], "INT-BAC-ORAL-ITB-001", Severity.INFO, "S40"),
]
# clinical.md §8.2 tizanidine and §8.3 dantrolene
ALTERNATIVE_ROWS = [
    (["tizanidine", "ciprofloxacin"], "INT-TIZ-CYP1A2-001", Severity.BLOCK, "S74"),
    (["tizanidine", "fluvoxamine"], "INT-TIZ-CYP1A2-001", Severity.BLOCK, "S74"),
    (["Zanaflex", "Cipro"], "INT-TIZ-CYP1A2-001", Severity.BLOCK, "S72"),
    (["SIRDALUD", "faverin"], "INT-TIZ-CYP1A2-001", Severity.BLOCK, "S72"),
    *[
        (["tizanidine", other], "INT-TIZ-CYP1A2-002", Severity.WARN, "S74")
        for other in (
            "zileuton",
            "levofloxacin",
            "moxifloxacin",
            "ofloxacin",
            "norfloxacin",
            "amiodarone",
            "mexiletine",
            "propafenone",
            "verapamil",
            "cimetidine",
            "famotidine",
            "oral contraceptive",
            "aciclovir",
            "ticlopidine",
        )
    ],
    (["dantrolene", "verapamil"], "INT-DAN-VERAPAMIL-001", Severity.WARN, "S77"),
    (["dantrolene", "estradiol"], "INT-DAN-ESTROGEN-001", Severity.WARN, "S78"),
    (["dantrolene", "Microgynon"], "INT-DAN-ESTROGEN-001", Severity.WARN, "S78"),
]


@pytest.mark.parametrize(
    ("drugs", "rule_id", "severity", "source"),
    BACLOFEN_ROWS + ALTERNATIVE_ROWS,
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_interaction_of_the_fact_sheet_is_found_with_its_severity_and_source(
    drugs: list[str], rule_id: str, severity: Severity, source: str
) -> None:
    screen = screen_interactions(drugs)

    hits = [f for f in screen.findings if f.rule_id == rule_id]
    assert len(hits) == 1
    assert hits[0].severity is severity
    assert source in hits[0].evidence
    assert hits[0].to_dict()["action"]  # advice travels with the finding
    assert screen.is_complete


@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "fluvoxamine", "CIPROXIN", "luvox"])
def test_tizanidine_with_a_potent_cyp1a2_inhibitor_is_a_block(inhibitor: str) -> None:
    findings = screen_interactions([inhibitor, "tizanidine"]).findings

    assert [f.severity for f in findings] == [Severity.BLOCK]
    assert findings[0].is_blocking


@pytest.mark.parametrize(
    "drugs",
    [
        ["tizanidine", "sertraline"],
        ["tizanidine", "baclofen"],
        ["baclofen", "paracetamol"],
        ["dantrolene", "amlodipine"],
        ["baclofen", "sertraline"],
        ["ibuprofen", "tizanidine"],
        ["intrathecal baclofen", "sertraline"],
    ],
)
def test_pairs_without_a_listed_interaction_give_no_finding(drugs: list[str]) -> None:
    assert screen_interactions(drugs).findings == ()


def test_oral_baclofen_with_epidural_morphine_gets_the_opioid_warning_but_not_the_itb_one() -> None:
    ids = [f.rule_id for f in screen_interactions(["baclofen", "Duramorph"]).findings]

    assert ids == ["INT-BAC-OPIOID-001"]


def test_the_gabapentinoid_finding_says_it_is_unconfirmed_as_label_text() -> None:
    finding = screen_interactions(["baclofen", "gabapentin"]).findings[0]

    assert finding.data["evidence_status"] == EvidenceStatus.UNCONFIRMED.value
    assert "UNCONFIRMED as label text" in finding.reasoning


def test_an_unknown_name_is_reported_with_suggestions_never_dropped() -> None:
    screen = screen_interactions(["tizanidine", "ciprofloxacn", "unobtainium"])

    assert [u.query for u in screen.unknown] == ["ciprofloxacn", "unobtainium"]
    assert "ciprofloxacin" in screen.unknown[0].suggestions
    assert not screen.is_complete
    assert screen.to_dict()["complete"] is False
    assert "NOT checked" in screen.to_dict()["unknown"][1]["message"]


def test_duplicates_of_one_drug_are_reported_and_screened_once() -> None:
    screen = screen_interactions(["Lioresal tablets", "baclofen", "oxycodone"])

    assert screen.lookup.duplicates == (("Lioresal tablets", "baclofen"),)
    assert [f.rule_id for f in screen.findings] == ["INT-BAC-OPIOID-001"]


@pytest.mark.parametrize("bad", [[], [""], ["baclofen", "  "]])
def test_an_empty_list_or_name_is_invalid_input(bad: list[str]) -> None:
    with pytest.raises(InvalidInputError, match="drugs"):
        screen_interactions(bad)


@settings(max_examples=40)
@given(st.lists(catalogue_names, min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_the_screen_does_not_depend_on_the_order_of_the_list(names: list[str], rnd: object) -> None:
    shuffled = list(names)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]

    a = {(f.rule_id, frozenset(f.data["drugs"])) for f in screen_interactions(names).findings}
    b = {(f.rule_id, frozenset(f.data["drugs"])) for f in screen_interactions(shuffled).findings}

    assert a == b


# --- catalogue and normalisation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "key", "matched_on"),
    [
        ("baclofen", "baclofen", "generic"),
        ("  BACLOFEN  ", "baclofen", "generic"),
        ("Baclofen 10 mg tablets", "baclofen", "generic"),
        ("Ozobax", "baclofen", "brand"),
        ("Lioresal tablets", "baclofen", "synonym"),
        ("Lioresal Intrathecal", "baclofen-intrathecal", "brand"),
        ("LIORESAL IT", "baclofen-intrathecal", "brand"),
        ("gablofen", "baclofen-intrathecal", "brand"),
        ("Zanaflex", "tizanidine", "brand"),
        ("acyclovir", "aciclovir", "synonym"),
        ("Toprol-XL", "metoprolol", "brand"),
        ("co-careldopa", "levodopa", "synonym"),
        ("ATC:M03BX01", "baclofen", "ATC code"),
        ("m03bx01", "baclofen", "ATC code"),
        ("RxNorm:1292", "baclofen", "RxNorm code"),
        ("rxcui: 1047437", "baclofen-intrathecal", "RxNorm code"),
    ],
)
def test_names_are_normalised_and_matched(text: str, key: str, matched_on: str) -> None:
    match = resolve_drugs([text]).found[0]

    assert (match.drug.key, match.matched_on) == (key, matched_on)


def test_codes_are_only_those_the_fact_sheet_gives() -> None:
    coded = {d.key: [(c.system.value, c.code) for c in d.codes] for d in CATALOGUE.drugs if d.codes}

    assert set(coded) == {"baclofen", "baclofen-intrathecal"}
    assert ("ATC", "M03BX01") in coded["baclofen"] and ("RxNorm", "1292") in coded["baclofen"]


@settings(max_examples=60)
@given(st.data())
def test_every_catalogue_name_is_found_in_any_case_and_spacing(data: st.DataObject) -> None:
    name = data.draw(catalogue_names)
    variant = data.draw(case_and_space_variants(name))

    assert find_drug(variant) is not None
    assert find_drug(variant) == find_drug(name)


def test_every_catalogue_entry_and_row_cites_resolving_evidence() -> None:
    for drug in CATALOGUE.drugs:
        assert all(k in REFERENCES for k in drug.evidence)
    for row in INTERACTIONS:
        assert row.evidence and all(k in REFERENCES for k in row.evidence)


def test_normalise_name_and_get_drug_errors() -> None:
    assert normalise_name("Toprol-XL®") == "toprol xl"
    with pytest.raises(InvalidInputError, match="did you mean: tizanidine"):
        get_drug("tizanadine")
    with pytest.raises(InvalidInputError):
        normalise_name(5)  # type: ignore[arg-type]


# --- "Lioresal": oral tablets in most countries, intrathecal in the US -----------------------------------------
@pytest.mark.parametrize(
    "itb", ["Lioresal Intrathecal", "lioresal intrathecal", "Lioresal IT", "Gablofen", "GABLOFEN 2000 mcg/mL"]
)
@pytest.mark.parametrize("morphine", ["epidural morphine", "Duramorph", "Infumorph", "intrathecal morphine"])
def test_intrathecal_brands_fire_the_neuraxial_morphine_interaction(itb: str, morphine: str) -> None:
    screen = screen_interactions([itb, morphine])

    assert screen.lookup.found[0].drug.key == "baclofen-intrathecal"
    assert screen.lookup.found[0].drug.route == "intrathecal"
    finding = next(f for f in screen.findings if f.rule_id == "INT-ITB-MORPHINE-001")
    assert "hypotension and dyspnoea" in finding.message
    assert "S30" in finding.to_dict()["evidence_keys"]


# Issue 8 (product owner): "Lioresal 10 mg" (a strength in mg) is oral now; a solution strength stays ambiguous.
@pytest.mark.parametrize("name", ["Lioresal", " LIORESAL ", "Lioresal®", "lioresal 10 mg/5 ml"])
def test_a_bare_lioresal_is_ambiguous_never_silently_oral(name: str) -> None:
    screen = screen_interactions([name, "Duramorph"])

    assert [m.drug.key for m in screen.lookup.found] == ["morphine-neuraxial"]
    (unknown,) = screen.unknown
    assert not screen.is_complete
    assert unknown.suggestions == ("Lioresal tablets", "Lioresal Intrathecal")
    message = screen.to_dict()["unknown"][0]["message"]
    assert "ambiguous" in message and "intrathecal" in message.lower() and "NOT checked" in message
    assert screen.to_dict()["unknown"][0]["ambiguous"] is True
    assert find_drug(name) is None
    with pytest.raises(InvalidInputError, match="Lioresal Intrathecal") as err:
        get_drug(name, "--drug")
    assert err.value.field == "--drug"


@pytest.mark.parametrize(
    ("name", "key"),
    [("Lioresal tablets", "baclofen"), ("oral Lioresal", "baclofen"), ("Lioresal Intrathecal", "baclofen-intrathecal")],
)
def test_each_suggested_lioresal_name_resolves_to_one_route(name: str, key: str) -> None:
    drug = get_drug(name)

    assert drug.key == key
    assert drug.route == ("oral" if key == "baclofen" else "intrathecal")


def test_an_ambiguous_name_cannot_also_be_an_entry_name() -> None:
    from dataclasses import replace

    from baclofen.domain.cds.drugs import AMBIGUOUS_NAMES, DrugCatalogue

    with_lioresal = tuple(
        replace(d, brands=(*d.brands, "Lioresal")) if d.key == "baclofen" else d for d in CATALOGUE.drugs
    )
    with pytest.raises(InvalidInputError, match="ambiguous"):
        DrugCatalogue(with_lioresal, AMBIGUOUS_NAMES)
