"""Plans as ``baclofen-plan/1`` documents: ``Plan.from_dict`` reads back what ``Plan.to_dict`` writes.

Round trips over plans built directly from generated values (``from_dict(to_dict(p)) == p``) and over plans
the real planners make from generated inputs (the document is a fixed point and every typed part comes back
equal); malformed documents are refused naming the path of the bad value.
"""

from __future__ import annotations

import copy
import json
from datetime import date, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.documents import PLAN_SCHEMA
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.oral.plan import Plan, PlanKind, PlanStep, ScheduledDose, stated_daily_dose_mismatches
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import Dispensed, DoseForm, OralProduct
from baclofen.domain.rules.core import Finding, Override, Severity
from baclofen.domain.settings import SETTINGS, SettingUse
from tests.strategies import oral_products, patients, start_dates

D0 = date(2026, 3, 1)


def as_json(value: Any) -> Any:
    """What a file holds: the document through JSON text and back."""
    return json.loads(json.dumps(value))


# --- generated plans ----------------------------------------------------------------------------------------------
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
texts = st.lists(words, min_size=1, max_size=5).map(" ".join)
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | texts
json_floats = st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 6))
json_values = st.recursive(
    json_scalars | json_floats,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(words, json_values, max_size=4)


@st.composite
def products(draw: st.DrawFn) -> OralProduct:
    product = draw(oral_products)
    if product.form is DoseForm.TABLET:
        from dataclasses import replace

        product = replace(product, scored=draw(st.booleans()))
    return product


@st.composite
def scheduled_doses(draw: st.DrawFn, at: time, product: str) -> ScheduledDose:
    dose_mg = draw(st.integers(1, 400)) * 0.25
    units = draw(st.lists(st.tuples(st.sampled_from([5.0, 10.0, 20.0]), st.sampled_from([0.5, 1.0, 2.0])), max_size=2))
    volume = draw(st.none() | st.integers(1, 200).map(lambda n: n * 0.5))
    return ScheduledDose(at, dose_mg, Dispensed(dose_mg, product, draw(texts), tuple(units), volume))


@st.composite
def steps(draw: st.DrawFn, start: date, product: str, last: bool) -> PlanStep:
    days = draw(st.integers(1, 10))
    minutes = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), max_size=4)))
    doses = tuple(draw(scheduled_doses(time(m // 60, m % 60), product)) for m in minutes)
    note = draw(st.just("") | texts)
    return PlanStep(start, start + timedelta(days=days - 1), doses, draw(st.booleans()) if last else False, note)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    rule_id = draw(st.sampled_from(["TEST-SER-001", "TEST-SER-002", "TEST-DOC-010"]))
    severity = draw(st.sampled_from(list(Severity)))
    override = None
    if severity is Severity.BLOCK and draw(st.booleans()):
        override = Override(rule_id, draw(texts) + " under supervision", "Dr " + draw(words))
    return Finding(
        rule_id=rule_id,
        severity=severity,
        message=draw(texts),
        reasoning=draw(texts),
        evidence=tuple(draw(st.lists(st.sampled_from(sorted(REFERENCES)), min_size=1, max_size=3, unique=True))),
        data=draw(json_objects),
        signs=tuple(draw(st.lists(texts, max_size=2))),
        action=draw(st.just("") | texts),
        overridden_by=override,
        overridable=draw(st.booleans()),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    product = draw(products())
    start = draw(start_dates)
    n_steps = draw(st.integers(1, 4))
    plan_steps: list[PlanStep] = []
    for i in range(n_steps):
        begin = start if not plan_steps else plan_steps[-1].end + timedelta(days=1)
        plan_steps.append(draw(steps(begin, product.name, i == n_steps - 1)))
    used = draw(st.lists(st.sampled_from(sorted(SETTINGS)), max_size=4, unique=True))
    return Plan(
        kind=draw(st.sampled_from(list(PlanKind))),
        steps=tuple(plan_steps),
        product=product,
        patient=draw(patients()),
        findings=tuple(draw(st.lists(findings(), max_size=3))),
        settings=tuple(SettingUse(SETTINGS[name], SETTINGS[name].default) for name in used),
        overrides=tuple(
            draw(
                st.lists(
                    st.builds(
                        Override,
                        st.just("TEST-SER-001"),
                        texts.map(lambda t: t + " under supervision"),
                        st.just("Dr Who"),
                    ),
                    max_size=1,
                )
            )
        ),
        parameters=draw(json_objects),
        notes=tuple(draw(st.lists(texts, max_size=2))),
    )


@settings(max_examples=150)
@given(plan=plans())
def test_a_generated_plan_reads_back_equal_from_its_document(plan: Plan) -> None:
    document = as_json(plan.to_dict())

    assert document["schema_version"] == PLAN_SCHEMA
    assert Plan.from_dict(document) == plan


# --- plans of the real planners -------------------------------------------------------------------------------------
def assert_round_trip(plan: Plan) -> None:
    document = as_json(plan.to_dict())

    back = Plan.from_dict(document)

    assert back.to_dict() == document
    for name in ("kind", "steps", "product", "patient", "settings", "overrides", "notes"):
        assert getattr(back, name) == getattr(plan, name), name
    assert [f.to_dict() for f in back.findings] == [f.to_dict() for f in plan.findings]
    assert back.offerable == plan.offerable
    assert stated_daily_dose_mismatches(document, back) == ()


@settings(max_examples=60)
@given(
    patient=patients(),
    target=st.none() | st.floats(min_value=5, max_value=150),
    doses=st.sampled_from([3, 4]),
    product=products(),
    start=start_dates,
)
def test_every_titration_the_planner_makes_reads_back(
    patient: PatientSnapshot, target: float | None, doses: int, product: OralProduct, start: date
) -> None:
    try:
        plan = plan_titration(
            start_date=start, patient=patient, product=product, target_mg_per_day=target, doses_per_day=doses
        )
    except InvalidInputError as exc:  # a product that cannot give a tiny reduced dose
        assert exc.field == "product"
        return

    assert_round_trip(plan)


@settings(max_examples=60)
@given(
    current=st.integers(min_value=1, max_value=24).map(lambda n: 5.0 * n),
    months=st.none() | st.floats(min_value=0, max_value=240),
    patient=patients(),
    start=start_dates,
)
def test_every_taper_the_planner_makes_reads_back(
    current: float, months: float | None, patient: PatientSnapshot, start: date
) -> None:
    plan = plan_taper(start_date=start, from_mg_per_day=current, months_on_therapy=months, patient=patient)

    assert_round_trip(plan)


def test_a_plan_with_an_override_and_non_default_settings_reads_back() -> None:
    override = Override("ORAL-MAX-001", "in hospital under supervision", "Dr A")
    plan = plan_titration(
        start_date=D0,
        target_mg_per_day=100,
        overrides=[override],
        settings={"patient.elderly_age_years": 70, "products.tablets_scored": False},
    )
    assert plan.overrides and any(f.overridden_by == override for f in plan.findings)

    assert_round_trip(plan)


# --- versions and malformed documents -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    plan = plan_titration(
        start_date=D0,
        target_mg_per_day=100,
        patient=PatientSnapshot(crcl_ml_min=60.0),
        overrides=[Override("ORAL-MAX-001", "in hospital under supervision", "Dr A")],
    )
    return as_json(plan.to_dict())


@pytest.mark.parametrize("version", [None, "", "baclofen-plan", "baclofen-plan/2", "baclofen-simulation/1", 1])
def test_a_missing_or_unknown_version_is_refused_naming_schema_version(document: dict[str, Any], version: Any) -> None:
    bad = copy.deepcopy(document)
    if version is None:
        del bad["schema_version"]
    else:
        bad["schema_version"] = version

    with pytest.raises(InvalidInputError) as info:
        Plan.from_dict(bad)

    assert info.value.field == "schema_version"
    assert PLAN_SCHEMA in info.value.expected


def test_a_later_minor_version_with_keys_this_reader_does_not_know_is_read(document: dict[str, Any]) -> None:
    later = copy.deepcopy(document)
    later["schema_version"] = "baclofen-plan/1.4"
    later["added_in_1_4"] = {"anything": [1, 2]}
    later["steps"][0]["added_in_1_4"] = True

    assert Plan.from_dict(later).to_dict() == document


def _set(path: list[Any], value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_set(["kind"], "escalation"), "kind"),
        (_set(["steps"], []), "steps"),
        (_set(["steps"], {}), "steps"),
        (_set(["steps", 0, "start"], "2026-02-30"), "steps[0].start"),
        (_set(["steps", 0, "end"], "2026-02-01"), "steps[0].end"),
        (_set(["steps", 1, "start"], "2026-03-03"), "steps[1].start"),
        (_set(["steps", 0, "continues"], "yes"), "steps[0].continues"),
        (_set(["steps", 2, "doses", 0, "dose_mg"], -5), "steps[2].doses[0].dose_mg"),
        (_set(["steps", 2, "doses", 0, "dose_mg"], "five"), "steps[2].doses[0].dose_mg"),
        (_set(["steps", 2, "doses", 0, "dose_mg"], KeyError), "steps[2].doses[0].dose_mg"),
        (_set(["steps", 2, "doses", 1, "time"], "25:00"), "steps[2].doses[1].time"),
        (_set(["steps", 2, "doses", 1, "time"], "08:00"), "steps[2].doses"),
        (_set(["steps", 1, "doses", 0, "units", 0, "count"], None), "steps[1].doses[0].units[0].count"),
        (_set(["product", "name"], "tablet-11mg"), "product.name"),
        (_set(["product"], KeyError), "product"),
        (_set(["patient", "crcl_ml_min"], 400), "patient.crcl_ml_min"),
        (_set(["patient", "locale"], "fr"), "patient.locale"),
        (_set(["patient", "conditions"], "ckd"), "patient.conditions"),
        (_set(["findings", 0, "severity"], "fatal"), "findings[0].severity"),
        (_set(["findings", 0, "message"], " "), "findings[0].message"),
        (_set(["findings", 0, "evidence_keys"], ["NOPE"]), "findings[0].evidence_keys[0]"),
        (_set(["findings", 0, "override", "clinician"], "admin"), "findings[0].override.clinician"),
        (_set(["settings", 0, "name"], "oral.no_such_setting"), "settings[0].name"),
        (_set(["settings", 0, "value"], -1), "settings[0].value"),
        (_set(["overrides", 0, "reason"], "x"), "overrides[0].reason"),
        (_set(["parameters"], []), "parameters"),
        (_set(["notes"], [1]), "notes[0]"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_path(document: dict[str, Any], change: Any, field: str) -> None:
    bad = copy.deepcopy(document)
    change(bad)

    with pytest.raises(InvalidInputError) as info:
        Plan.from_dict(bad)

    assert info.value.field == field, str(info.value)


def test_a_stated_daily_dose_that_disagrees_with_the_doses_is_reported_not_read(document: dict[str, Any]) -> None:
    edited = copy.deepcopy(document)
    edited["steps"][1]["daily_dose_mg"] = 99

    plan = Plan.from_dict(edited)

    assert plan.steps[1].daily_dose_mg == document["steps"][1]["daily_dose_mg"]
    assert stated_daily_dose_mismatches(edited, plan) == ((1, 99.0, plan.steps[1].daily_dose_mg),)
