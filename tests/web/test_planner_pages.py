"""The planners as forms, in-process: a clinician checks a plan (nothing stored), sees its steps and findings, and
saves exactly the plan shown through the API's use case; a block no override lifts cannot be saved even by a forged
POST; an override needs a reason; a nurse gets a 403 page; another clinic's patient a 404 page; a form without its
CSRF token a 403 page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import DEMO_CLINIC_ID, AuditOutcome, PatientRecord
from tests.web.conftest import Site

TAPER = {"from_mg_per_day": "30", "to_mg_per_day": "0", "start_date": "2026-03-05", "doses_per_day": "3"}
TITRATION_HIGH = {"start_date": "2026-03-05", "target_mg_per_day": "120"}
SWITCH_BLOCKED = {
    "switch_to": "tizanidine",
    "from_mg_per_day": "30",
    "start_date": "2026-03-05",
    "not_tolerated": "on",
    "drugs": "ciprofloxacin",
}
_CHECKED = re.compile(r'name="checked" value="([0-9a-f]{64})"')


def _patient_id(site: Site) -> str:
    with site.services.uow as uow:
        return uow.patients.for_clinic(DEMO_CLINIC_ID, limit=1)[0].patient_id


def _plans(site: Site, patient_id: str) -> tuple[Any, ...]:
    with site.services.uow as uow:
        return tuple(uow.plans.for_patient(patient_id))


def _post(site: Site, path: str, fields: dict[str, Any], *, form_path: str | None = None) -> Any:
    data = dict(fields)
    data.setdefault("csrf_token", site.csrf(form_path or "/worklist"))
    return site.client.post(path, data=data, follow_redirects=False)


def _check(site: Site, patient_id: str, kind: str, fields: dict[str, Any]) -> Any:
    return _post(site, f"/patients/{patient_id}/plans/check?kind={kind}", fields)


def _save(site: Site, patient_id: str, kind: str, fields: dict[str, Any]) -> Any:
    return _post(site, f"/patients/{patient_id}/plans?kind={kind}", fields)


def test_the_form_labels_each_field_of_the_api_body(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    for kind, names in {
        "taper": ("from_mg_per_day", "to_mg_per_day", "start_date", "max_step_mg", "settings"),
        "titration": ("target_mg_per_day", "start_dose_mg", "step_dose_mg", "dose_times"),
        "switch": ("switch_to", "from_mg_per_day", "not_tolerated", "drugs"),
        "itb-transition": ("infusion_start", "oral_mg_per_day", "itb_initial_mcg_per_day"),
    }.items():
        page = site.client.get(f"/patients/{patient_id}/plans/new", params={"kind": kind})
        assert page.status_code == 200, page.text
        for name in names:
            assert f'<label for="{name}">' in page.text and f'id="{name}" name="{name}"' in page.text
        assert 'name="csrf_token"' in page.text and "Save this plan" not in page.text
    assert site.client.get(f"/patients/{patient_id}/plans/new", params={"kind": "rotate"}).status_code == 422


def test_checking_shows_the_plan_and_its_findings_and_stores_nothing(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)

    page = _check(site, patient_id, "taper", TAPER)

    assert page.status_code == 200, page.text
    assert _plans(site, patient_id) == before
    assert "Checked plan (not saved)" in page.text and "2026-03-05" in page.text and " mg/day" in page.text
    assert 'class="planner-finding' in page.text and "Reasoning" in page.text and "Sources" in page.text
    assert "Save this plan" in page.text and _CHECKED.search(page.text)
    entries = [e for e in site.services.audit.entries() if e.action == "plan.check"]
    assert entries and entries[-1].outcome is AuditOutcome.SUCCESS


def test_saving_stores_exactly_the_plan_shown_and_opens_it(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)
    checked = _check(site, patient_id, "taper", TAPER)
    fingerprint = _CHECKED.search(checked.text).group(1)  # type: ignore[union-attr]
    shown_steps = re.findall(r"<td>(\d{4}-\d\d-\d\d)</td>", checked.text)

    answer = _save(site, patient_id, "taper", TAPER | {"checked": fingerprint})

    assert answer.status_code == 303, answer.text
    after = _plans(site, patient_id)
    assert len(after) == len(before) + 1
    saved = after[-1]
    assert answer.headers["location"] == f"/plans/{saved.plan_id}"
    assert saved.saved_by == f"clinician:{site.logins['clinician'].username}"
    assert [s.start.isoformat() for s in saved.plan.steps] == shown_steps[::2]
    page = site.client.get(answer.headers["location"])
    assert page.status_code == 200 and saved.plan_id in page.text and "Settings used" in page.text
    assert re.findall(r"<td>(\d{4}-\d\d-\d\d)</td>", page.text) == shown_steps
    assert [e.outcome for e in site.services.audit.entries() if e.action == "plan.save"] == [AuditOutcome.SUCCESS]


def test_a_plan_other_than_the_one_checked_is_shown_again_not_saved(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)
    fingerprint = _CHECKED.search(_check(site, patient_id, "taper", TAPER).text).group(1)  # type: ignore[union-attr]

    changed = _save(site, patient_id, "taper", TAPER | {"from_mg_per_day": "40", "checked": fingerprint})
    unchecked = _save(site, patient_id, "taper", TAPER)

    assert changed.status_code == 409 and "not the plan you checked" in changed.text
    assert unchecked.status_code == 409
    assert _plans(site, patient_id) == before


def test_a_block_no_override_lifts_cannot_be_saved_even_by_a_forged_post(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)

    page = _check(site, patient_id, "switch", SWITCH_BLOCKED)
    assert page.status_code == 200, page.text
    assert "INT-TIZ-CYP1A2-001" in page.text and "cannot be saved" in page.text
    assert "Save this plan" not in page.text and not _CHECKED.search(page.text)

    forged_check = _save(site, patient_id, "switch", SWITCH_BLOCKED | {"checked": "0" * 64})
    assert forged_check.status_code == 409 and "INT-TIZ-CYP1A2-001" in forged_check.text
    forged = _save(
        site,
        patient_id,
        "switch",
        SWITCH_BLOCKED | {"override": "INT-TIZ-CYP1A2-001", "override_reason.INT-TIZ-CYP1A2-001": "I insist, really"},
    )
    assert forged.status_code in (409, 422), forged.text
    assert _plans(site, patient_id) == before
    saves = [e.outcome for e in site.services.audit.entries() if e.action == "plan.save"]
    assert saves == [AuditOutcome.FAILED, AuditOutcome.FAILED]


def test_an_overridable_block_is_saved_with_its_reason_by_the_logged_in_clinician(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    blocked = _check(site, patient_id, "titration", TITRATION_HIGH)
    assert "ORAL-MAX-001" in blocked.text and "Save this plan" not in blocked.text
    rules = sorted(set(re.findall(r'name="override" type="checkbox" value="([A-Z0-9-]+)"', blocked.text)))
    assert "ORAL-MAX-001" in rules

    reason = "inpatient titration under daily neurologist review"
    fields = TITRATION_HIGH | {"override": rules} | {f"override_reason.{r}": reason for r in rules}
    checked = _check(site, patient_id, "titration", fields)
    fingerprint = _CHECKED.search(checked.text).group(1)  # type: ignore[union-attr]
    answer = _save(site, patient_id, "titration", fields | {"checked": fingerprint})

    assert answer.status_code == 303, answer.text
    saved = _plans(site, patient_id)[-1]
    clinician = f"clinician:{site.logins['clinician'].username}"
    assert {(o.rule_id, o.clinician, o.reason) for o in saved.plan.overrides} == {(r, clinician, reason) for r in rules}
    page = site.client.get(answer.headers["location"]).text
    assert f"ORAL-MAX-001: overridden by {clinician}, because {reason}" in page


def test_an_override_without_a_reason_is_refused_next_to_its_input(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)
    fields = TITRATION_HIGH | {"override": "ORAL-MAX-001", "override_reason.ORAL-MAX-001": "  "}

    for answer in (_check(site, patient_id, "titration", fields), _save(site, patient_id, "titration", fields)):
        assert answer.status_code == 422, answer.text
        assert 'id="reason-1-error"' in answer.text and "a reason for overriding ORAL-MAX-001" in answer.text
    assert _plans(site, patient_id) == before


def test_invalid_fields_are_named_next_to_each_input(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)

    answer = _check(site, patient_id, "taper", TAPER | {"from_mg_per_day": "thirty", "start_date": "yesterday"})

    assert answer.status_code == 422
    for name in ("from_mg_per_day", "start_date"):
        assert f'id="{name}-error"' in answer.text
        assert re.search(rf'id="{name}" name="{name}"[^>]*aria-invalid="true"', answer.text)
    assert 'value="thirty"' in answer.text  # what was typed stays


@pytest.mark.parametrize("role", ["nurse", "patient"])
def test_only_a_clinician_plans_and_saves(site: Site, role: str) -> None:
    site.login(role)
    patient_id = _patient_id(site)
    before = _plans(site, patient_id)
    home = "/worklist" if role == "nurse" else "/today"

    assert site.client.get(f"/patients/{patient_id}/plans/new?kind=taper").status_code == 403
    token = site.csrf(home)
    for path in (f"/patients/{patient_id}/plans/check?kind=taper", f"/patients/{patient_id}/plans?kind=taper"):
        answer = site.client.post(path, data=TAPER | {"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403 and "not allowed" in answer.text
    assert _plans(site, patient_id) == before


def test_another_clinics_patient_is_not_found(site: Site) -> None:
    with site.services.uow as uow:
        uow.patients.add(PatientRecord("ELSEWHERE-1", PatientSnapshot(age_years=40), "other-clinic"))
        uow.commit()
    site.login("clinician")

    assert site.client.get("/patients/ELSEWHERE-1/plans/new?kind=taper").status_code == 404
    assert _check(site, "ELSEWHERE-1", "taper", TAPER).status_code == 404
    assert _save(site, "ELSEWHERE-1", "taper", TAPER).status_code == 404
    assert _plans(site, "ELSEWHERE-1") == ()


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    site.csrf("/worklist")

    for path in (f"/patients/{patient_id}/plans/check?kind=taper", f"/patients/{patient_id}/plans?kind=taper"):
        answer = site.client.post(path, data=TAPER, follow_redirects=False)
        assert answer.status_code == 403
    assert (
        site.client.post(f"/patients/{patient_id}/plans?kind=taper", data=TAPER | {"csrf_token": "0" * 64}).status_code
        == 403
    )


# --- a pump's program change -----------------------------------------------------------------------------------
_IN_EFFECT = re.compile(r"Program in effect: ([0-9.]+) mcg/day")


def _pump_id(site: Site) -> str:
    with site.services.uow as uow:
        for patient in uow.patients.for_clinic(DEMO_CLINIC_ID, limit=100):
            for pump in uow.pumps.for_patient(patient.patient_id):
                return pump.pump_id
    raise AssertionError("the demo clinic has no pump")


def _changes(site: Site, pump_id: str) -> tuple[Any, ...]:
    with site.services.uow as uow:
        return tuple(uow.program_changes.for_pump(pump_id))


def _in_effect(site: Site, pump_id: str) -> float:
    page = _post(site, f"/pumps/{pump_id}/program/check", {"daily_dose_mcg": "1", "reason": "probe"})
    found = _IN_EFFECT.search(page.text)
    assert found is not None, page.text
    return float(found.group(1))


def test_a_program_change_is_checked_without_storing_then_saved_as_shown(site: Site) -> None:
    site.login("clinician")
    pump_id = _pump_id(site)
    assert site.client.get(f"/pumps/{pump_id}/program/new").status_code == 200
    dose = _in_effect(site, pump_id)
    fields = {"daily_dose_mcg": f"{dose * 1.1:.0f}", "reason": "spasms at night"}

    checked = _post(site, f"/pumps/{pump_id}/program/check", fields)
    assert checked.status_code == 200, checked.text
    assert _changes(site, pump_id) == ()
    assert "Save this program change" in checked.text
    fingerprint = _CHECKED.search(checked.text).group(1)  # type: ignore[union-attr]

    answer = _post(site, f"/pumps/{pump_id}/program", fields | {"checked": fingerprint})

    assert answer.status_code == 303, answer.text
    (change,) = _changes(site, pump_id)
    assert change.daily_dose_mcg == float(fields["daily_dose_mcg"]) and change.reason == "spasms at night"
    assert change.changed_by == f"clinician:{site.logins['clinician'].username}"
    assert f"Program change {change.change_id} stored" in site.client.get(answer.headers["location"]).text


def test_a_blocked_program_change_has_no_save_and_a_forged_save_is_refused(site: Site) -> None:
    site.login("clinician")
    pump_id = _pump_id(site)
    fields = {"daily_dose_mcg": f"{_in_effect(site, pump_id) * 1.7:.0f}", "reason": "spasms at night"}

    checked = _post(site, f"/pumps/{pump_id}/program/check", fields)
    forged = _post(site, f"/pumps/{pump_id}/program", fields | {"checked": "0" * 64})

    assert "ITB-TITR-002" in checked.text and "Save this program change" not in checked.text
    assert forged.status_code == 409 and "nothing stored" in forged.text
    assert _changes(site, pump_id) == ()


def test_only_a_clinician_reprograms_a_pump(site: Site) -> None:
    site.login("nurse")
    pump_id = _pump_id(site)

    assert site.client.get(f"/pumps/{pump_id}/program/new").status_code == 403
    answer = _post(site, f"/pumps/{pump_id}/program", {"daily_dose_mcg": "100", "reason": "x"})
    assert answer.status_code == 403 and _changes(site, pump_id) == ()


def test_a_concentration_change_is_computed_with_its_bridge_and_nothing_stored(site: Site) -> None:
    site.login("nurse")
    pump_id = _pump_id(site)
    fields = {"daily_dose_mcg": "200", "old_mcg_per_ml": "500", "new_mcg_per_ml": "1000", "catheter_volume_ml": "0.2"}
    assert site.client.get(f"/pumps/{pump_id}/concentration-change").status_code == 200
    audit_before = len(site.services.audit.entries())

    answer = _post(site, f"/pumps/{pump_id}/concentration-change", fields)

    assert answer.status_code == 200, answer.text
    assert "Bridge bolus:" in answer.text and "0.400 mL/day at 500 mcg/mL" in answer.text
    assert "nothing stored" in answer.text and "Save" not in answer.text
    assert _changes(site, pump_id) == ()
    assert len(site.services.audit.entries()) > audit_before
    invalid = _post(site, f"/pumps/{pump_id}/concentration-change", fields | {"new_mcg_per_ml": "lots"})
    assert invalid.status_code == 422 and 'id="new_mcg_per_ml-error"' in invalid.text


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("titration", {"start_date": "2026-03-05", "target_mg_per_day": "30"}),
        ("itb-transition", {"infusion_start": "2026-03-20", "oral_mg_per_day": "60", "itb_initial_mcg_per_day": "100"}),
        ("switch", SWITCH_BLOCKED | {"drugs": "omeprazole"}),
    ],
)
def test_each_planner_checks_then_saves_the_plan_checked(site: Site, kind: str, fields: dict[str, Any]) -> None:
    site.login("clinician")
    patient_id = _patient_id(site)
    checked = _check(site, patient_id, kind, fields)
    assert checked.status_code == 200, checked.text
    found = _CHECKED.search(checked.text)
    assert found is not None, checked.text

    answer = _save(site, patient_id, kind, fields | {"checked": found.group(1)})

    assert answer.status_code == 303, answer.text
    saved = _plans(site, patient_id)[-1]
    assert saved.kind == kind and answer.headers["location"] == f"/plans/{saved.plan_id}"
    page = site.client.get(answer.headers["location"])
    assert page.status_code == 200 and f"Saved {kind} plan" in page.text
