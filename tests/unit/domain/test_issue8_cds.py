"""Issue 8, defects 5 and 12 and the product owner's decisions, at the domain level.

- Absolute blocks: a rule may be marked ``overridable=False``; no override can lift it.
- Tizanidine with ciprofloxacin or fluvoxamine is an absolute contraindication (label) [S74] [S72].
- The system is for adults: under 18 is an absolute block ("paediatric dosing is out of scope") [S95].
- "Lioresal 10 mg tablets" is oral baclofen; a bare "Lioresal" stays ambiguous.
- Defect 5: a plan screens the interactions among ALL the patient's medicines; ethinylestradiol (the estrogen
  of combined oral contraceptives) is a CYP1A2 inhibitor for tizanidine.
- Defect 12: an override needs a named clinician and a real reason.
"""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.cds.alternatives import OptionStatus, advise_alternatives
from baclofen.domain.cds.comedication import screen_comedications
from baclofen.domain.cds.contraindications import screen_contraindications
from baclofen.domain.cds.drugs import find_drug, resolve_drugs
from baclofen.domain.cds.interactions import screen_interactions
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.rules.core import (
    OVERRIDE_REASON_MIN_CHARS,
    Override,
    Rule,
    Severity,
    apply_overrides,
    is_offerable,
)
from baclofen.domain.rules.scope import ADULT_AGE_YEARS, PAEDIATRIC_SCOPE

_ABSOLUTE = Rule(
    rule_id="TEST-ABSOLUTE-001",
    title="absolute",
    severity=Severity.BLOCK,
    evidence=("S74",),
    check=lambda ctx: None,
    overridable=False,
)
_ORDINARY = Rule(
    rule_id="TEST-ORDINARY-001",
    title="ordinary",
    severity=Severity.BLOCK,
    evidence=("S4",),
    check=lambda ctx: None,
)
_D0 = date(2026, 12, 1)


# --- absolute blocks (rules core) ---------------------------------------------------------------------------------


def test_issue8_a_block_that_cannot_be_overridden_refuses_an_override_naming_the_field() -> None:
    """Decision: 'a block that cannot be overridden'."""
    finding = _ABSOLUTE.finding("never", reasoning="label contraindication")

    with pytest.raises(InvalidInputError, match="cannot be overridden") as exc:
        apply_overrides([finding], [Override("TEST-ABSOLUTE-001", "patient insists on it", "Dr A")])
    assert exc.value.field == "override"
    assert not is_offerable([finding])
    assert finding.to_dict()["overridable"] is False
    assert _ORDINARY.finding("over", reasoning="label").to_dict()["overridable"] is True


def test_issue8_an_override_of_a_registered_absolute_rule_cannot_even_be_made() -> None:
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        Override("INT-TIZ-CYP1A2-001", "ciprofloxacin stops tomorrow", "Dr A")
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        Override(PAEDIATRIC_SCOPE.rule_id, "specialist paediatric team agrees", "Dr A")


# --- defect 12: a named clinician and a real reason ----------------------------------------------------------------


@pytest.mark.parametrize("clinician", ["", "   ", "\t", "-", "12"])
def test_issue8_d12_an_override_without_a_named_clinician_is_refused(clinician: str) -> None:
    """Defect 12: 'A block can be overridden with no clinician named (clinician: "")'."""
    with pytest.raises(InvalidInputError) as exc:
        Override("ORAL-MAX-001", "in hospital under supervision", clinician)
    assert exc.value.field == "override clinician"


@pytest.mark.parametrize("reason", ["x", "ok", "   yes   ", "in-hosp", "xxxxxxxxxxxx", "a  b"])
def test_issue8_d12_an_override_reason_must_be_a_real_reason(reason: str) -> None:
    """Defect 12: '--override ORAL-MAX-001=x' was accepted."""
    with pytest.raises(InvalidInputError) as exc:
        Override("ORAL-MAX-001", reason, "Dr A")
    assert exc.value.field == "override reason"
    assert str(OVERRIDE_REASON_MIN_CHARS) in exc.value.expected


def test_issue8_d12_a_named_clinician_and_a_real_reason_are_kept_trimmed() -> None:
    o = Override("ORAL-MAX-001", "  in hospital  ", "  Dr A ")

    assert (o.reason, o.clinician) == ("in hospital", "Dr A")


# --- decision: tizanidine with ciprofloxacin or fluvoxamine -----------------------------------------------------


@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "fluvoxamine", "Cipro", "fluvoxamine maleate"])
def test_issue8_tizanidine_with_a_potent_cyp1a2_inhibitor_is_an_absolute_block(inhibitor: str) -> None:
    (finding,) = screen_interactions(["tizanidine", inhibitor]).findings

    assert (finding.rule_id, finding.severity, finding.overridable) == ("INT-TIZ-CYP1A2-001", Severity.BLOCK, False)
    assert screen_interactions(["tizanidine", inhibitor]).to_dict()["findings"][0]["overridable"] is False


def test_issue8_the_advisor_refuses_an_override_of_the_tizanidine_contraindication() -> None:
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        advise_alternatives(
            current_drugs=["ciprofloxacin"],
            overrides=[Override("INT-TIZ-CYP1A2-001", "ciprofloxacin stops tomorrow", "Dr A")],
        )


# --- defect 5 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "fluvoxamine"])
def test_issue8_d5_a_plan_screens_interactions_among_all_the_patients_medicines(inhibitor: str) -> None:
    """Defect 5: 'plan titrate --drugs tizanidine,ciprofloxacin is offerable with no finding'."""
    findings = screen_comedications(["tizanidine", inhibitor])

    assert [f.rule_id for f in findings if f.is_blocking] == ["INT-TIZ-CYP1A2-001"]


@pytest.mark.parametrize("name", ["ethinylestradiol", "ethinyl estradiol", "oral contraceptive", "Microgynon"])
def test_issue8_d5_ethinylestradiol_is_a_cyp1a2_inhibitor_for_tizanidine(name: str) -> None:
    """Defect 5: 'check interactions --drugs tizanidine,ethinylestradiol finds nothing and says complete'.

    clinical.md §8.2: avoid other CYP1A2 inhibitors (... oral contraceptives ...) [S74] [S72]: a warn."""
    screen = screen_interactions(["tizanidine", name])

    assert [(f.rule_id, f.severity) for f in screen.findings] == [("INT-TIZ-CYP1A2-002", Severity.WARN)]
    assert set(screen.findings[0].evidence) >= {"S74", "S72"}


def test_issue8_d5_the_advisor_does_not_silently_recommend_tizanidine_with_ethinylestradiol() -> None:
    """Defect 5: 'alternatives --failed --drugs ethinylestradiol recommends tizanidine'."""
    tiz = advise_alternatives(baclofen_outcome="failed", current_drugs=["ethinylestradiol"]).option("tizanidine")

    assert tiz.status is OptionStatus.CAUTION
    assert [f.rule_id for f in tiz.findings] == ["INT-TIZ-CYP1A2-002"]
    assert "CYP1A2" in tiz.findings[0].message


# --- decision: adults only --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "blocked"), [(0, True), (12, True), (17.99, True), (18, False), (46, False)])
def test_issue8_under_18_is_an_absolute_block_on_oral_plans(age: float, blocked: bool) -> None:
    patient = PatientSnapshot(age_years=age)
    for plan in (
        plan_titration(start_date=_D0, patient=patient),
        plan_taper(start_date=_D0, from_mg_per_day=30, patient=patient),
    ):
        scope = [f for f in plan.findings if f.rule_id == PAEDIATRIC_SCOPE.rule_id]
        assert bool(scope) is blocked
        assert plan.offerable is not blocked
        if blocked:
            assert scope[0].overridable is False and scope[0].severity is Severity.BLOCK
            assert f"{age:g}" in scope[0].message and "paediatric dosing is out of scope" in scope[0].message
            assert scope[0].data["age_years"] == age


def test_issue8_an_unknown_age_is_not_blocked() -> None:
    assert not [f for f in plan_titration(start_date=_D0).findings if f.rule_id == PAEDIATRIC_SCOPE.rule_id]
    assert ADULT_AGE_YEARS == 18


@pytest.mark.parametrize("drug", ["baclofen", "Gablofen", "tizanidine", "gabapentin", "dantrolene"])
def test_issue8_under_18_is_an_absolute_block_in_contraindication_checks(drug: str) -> None:
    ids = {f.rule_id: f for f in screen_contraindications(drug, age_years=16).findings}

    assert PAEDIATRIC_SCOPE.rule_id in ids and ids[PAEDIATRIC_SCOPE.rule_id].overridable is False
    assert PAEDIATRIC_SCOPE.rule_id not in {f.rule_id for f in screen_contraindications(drug, age_years=18).findings}


def test_issue8_under_18_excludes_every_drug_option_of_the_advisor() -> None:
    advice = advise_alternatives(baclofen_outcome="failed", age_years=15, severe=True, focal=True)

    for option in advice.options:
        if option.key in ("physiotherapy", "baclofen"):
            continue
        assert option.status is OptionStatus.EXCLUDED, option.key
    assert advice.to_dict()["offered"] == ["physiotherapy"]


# --- decision: Lioresal with an oral form or mg strength ---------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Lioresal 10 mg tablets", "Lioresal 25mg", "lioresal 10 MG tablet", "Lioresal tablets", "Lioresal 10 mg"]
)
def test_issue8_lioresal_with_a_tablet_form_or_mg_strength_is_oral(name: str) -> None:
    drug = find_drug(name)

    assert drug is not None and drug.key == "baclofen"
    assert resolve_drugs([name]).is_complete


@pytest.mark.parametrize(
    "name",
    [
        "Lioresal",
        "LIORESAL ",
        "Lioresal 10 mg/5 mL",
        "Lioresal 2 mg/mL",
        "Lioresal 500 mcg/mL",
        "Lioresal 0.05 mg/1 mL",
    ],
)
def test_issue8_a_bare_lioresal_or_a_solution_strength_stays_ambiguous(name: str) -> None:
    assert find_drug(name) is None
    (unknown,) = resolve_drugs([name]).unknown
    assert unknown.ambiguous


def test_issue8_lioresal_intrathecal_with_a_strength_stays_intrathecal() -> None:
    drug = find_drug("Lioresal Intrathecal 10 mg/5 mL")

    assert drug is not None and drug.key == "baclofen-intrathecal"
