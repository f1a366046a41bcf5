"""Printed documents through the API (issue 13 items 3 and 6): PDF downloads of a saved plan's schedule, a plan
document's schedule, a pump's wallet card, a stored refill visit's record and a patient's visit summary, under the
scope and audit of the records they print; their text (pdftotext) is what the records say."""

from __future__ import annotations

from datetime import date

from baclofen.domain.cds.scales import NRS_MAX, NRS_MIN
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL
from baclofen.services.commands import ForecastNextRefill, PlanTitration, SavePlan
from tests.pdf_text import assert_schedule_matches, flat, needs_pdftotext, pdf_pages, pdf_text

pytestmark = needs_pdftotext

VISITS = [
    {"concentration_mcg_per_ml": 500, "refilled": "2026-02-02", "daily_dose_mcg": 300},
    {
        "concentration_mcg_per_ml": 1000,
        "refilled": "2026-03-02",
        "daily_dose_mcg": 350,
        "expected_ml": 4.0,
        "aspirated_ml": 3.5,
    },
]


def _saved_plan(api, patient_id: str = "P-1"):
    command = SavePlan(patient_id, PlanTitration(date(2026, 3, 5)), "clinician:clin1", api.clock.now())
    return api.services.save_plan(command)


def _record_visits(api, pump_id: str = "pump-1") -> None:
    for visit in VISITS:
        r = api.client.post(f"/api/v1/pumps/{pump_id}/visits", json=visit, headers=api.auth("nurse1"))
        assert r.status_code == 201, r.text


def _is_pdf(r, filename: str) -> bytes:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert r.content.startswith(b"%PDF-")
    return r.content


def test_a_patient_prints_their_own_saved_plan_and_not_another_patients(api) -> None:
    own, other = _saved_plan(api, "P-1"), _saved_plan(api, "P-2")
    before = len(api.services.audit.entries())

    url = f"/api/v1/patients/P-1/plans/{own.plan_id}/schedule.pdf"
    r = api.client.get(url, params={"patient_label": "P-1 <me>"}, headers=api.auth("pat1"))
    refused = api.client.get(f"/api/v1/patients/P-2/plans/{other.plan_id}/schedule.pdf", headers=api.auth("pat1"))

    pdf = _is_pdf(r, f"schedule-{own.plan_id}.pdf")
    assert_schedule_matches(own.plan, pdf)
    assert "P-1 <me>" in flat(pdf_text(pdf))
    assert refused.status_code == 404
    audited = [(e.actor, e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert audited == [
        ("patient:pat1", "plan.export", f"plan:{own.plan_id}", "success"),
        ("patient:pat1", "plan.export", f"plan:{other.plan_id}", "denied"),
    ]


def test_staff_print_a_plan_document_stored_nowhere_and_a_patient_may_not(memory_api) -> None:
    plan = plan_taper(start_date=date(2026, 4, 1), from_mg_per_day=45)
    body = {"plan": plan.to_dict(), "patient_label": "Ada"}
    before = len(memory_api.services.audit.entries())

    r = memory_api.client.post("/api/v1/reports/schedule", json=body, headers=memory_api.auth("nurse1"))
    refused = memory_api.client.post("/api/v1/reports/schedule", json=body, headers=memory_api.auth("pat1"))

    assert_schedule_matches(plan, _is_pdf(r, "schedule-taper-2026-04-01.pdf"))
    assert refused.status_code == 403
    assert memory_api.audit_since(before) == ()  # no patient data read


def test_a_broken_plan_document_is_a_problem_naming_its_path(memory_api) -> None:
    document = plan_taper(start_date=date(2026, 4, 1), from_mg_per_day=45).to_dict()
    document["steps"][1]["start"] = "2026-13-01"

    r = memory_api.client.post("/api/v1/reports/schedule", json={"plan": document}, headers=memory_api.auth("nurse1"))

    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "steps[1].start" in r.text


def test_the_wallet_card_of_a_pump_has_its_last_fill_and_every_sign(memory_api) -> None:
    _record_visits(memory_api)

    r = memory_api.client.get(
        "/api/v1/pumps/pump-1/wallet-card.pdf",
        params={"clinic_contact": "Pump clinic +1 555 0100", "patient_label": "P-1"},
        headers=memory_api.auth("clin1"),
    )

    pdf = _is_pdf(r, "wallet-card-pump-1.pdf")
    assert pdf_pages(pdf)[0] == 2
    text = flat(pdf_text(pdf))
    assert "SynchroMed II 20 mL" in text and "Pump clinic +1 555 0100" in text and "Name P-1" in text
    assert "1000 mcg/mL" in text and "350 mcg/day" in text
    assert all(sign in text for sign in (*ITB_WITHDRAWAL.signs, *ITB_OVERDOSE.signs))


def test_the_wallet_card_and_the_visit_summary_print_the_program_in_effect_after_a_program_change(memory_api) -> None:
    _record_visits(memory_api)
    memory_api.clock.advance(days=3)
    change = {"daily_dose_mcg": 380, "reason": "spasms at night"}
    r = memory_api.client.post("/api/v1/pumps/pump-1/program-changes", json=change, headers=memory_api.auth("clin1"))
    assert r.status_code == 201, r.text

    card = memory_api.client.get(
        "/api/v1/pumps/pump-1/wallet-card.pdf", params={"clinic_contact": "C"}, headers=memory_api.auth("clin1")
    )
    summary = memory_api.client.get("/api/v1/patients/P-1/visit-summary.pdf", headers=memory_api.auth("clin1"))

    card_text = flat(pdf_text(_is_pdf(card, "wallet-card-pump-1.pdf")))
    assert "1000 mcg/mL" in card_text and "380 mcg/day" in card_text and "350 mcg/day" not in card_text
    summary_text = flat(pdf_text(summary.content))
    assert summary.status_code == 200
    assert "Program simple-continuous 380 mcg/day, 0.38 mL/day (changed 2026-03-05)" in summary_text


def test_the_visit_summary_prints_the_worklists_earlier_refill_and_alarm_after_a_dose_increase(memory_api) -> None:
    _record_visits(memory_api)
    memory_api.clock.advance(days=3)
    url, clin = "/api/v1/patients/P-1/visit-summary.pdf", memory_api.auth("clin1")
    before = flat(pdf_text(_is_pdf(memory_api.client.get(url, headers=clin), "visit-summary-P-1.pdf")))
    change = {"daily_dose_mcg": 380, "reason": "spasms at night"}
    r = memory_api.client.post("/api/v1/pumps/pump-1/program-changes", json=change, headers=clin)
    assert r.status_code == 201, r.text

    text = flat(pdf_text(_is_pdf(memory_api.client.get(url, headers=clin), "visit-summary-P-1.pdf")))
    refill = memory_api.services.forecast_next_refill(ForecastNextRefill("pump-1", memory_api.clock.now()))

    assert refill.analysis.alarm_at is not None
    next_refill = f"Next refill {refill.refill_date.isoformat()}"
    alarm = f"Low-reservoir alarm {refill.analysis.alarm_at.date().isoformat()}"
    assert next_refill in text and alarm in text
    assert next_refill not in before and alarm not in before  # the last fill's 350 mcg/day alone: later dates


def test_the_refill_visit_record_names_the_program_in_effect_before_the_visit(memory_api) -> None:
    first, second = VISITS
    auth = memory_api.auth("clin1")
    assert memory_api.client.post("/api/v1/pumps/pump-1/visits", json=first, headers=auth).status_code == 201
    change = {"daily_dose_mcg": 330, "reason": "spasms at night", "changed_at": "2026-02-10T09:00:00+00:00"}
    assert memory_api.client.post("/api/v1/pumps/pump-1/program-changes", json=change, headers=auth).status_code == 201
    r = memory_api.client.post("/api/v1/pumps/pump-1/visits", json=second, headers=auth)
    assert r.status_code == 201, r.text

    record = memory_api.client.get("/api/v1/pumps/pump-1/visits/2/record.pdf", headers=auth)

    text = flat(pdf_text(_is_pdf(record, "refill-pump-1-visit-2.pdf")))
    assert "Previous fill" in text and "at 500 mcg/mL" in text
    assert "Program before this visit simple-continuous 330 mcg/day" in text and "changed 2026-02-10" in text


def test_a_pump_without_a_fill_has_no_wallet_card_and_the_field_is_named(memory_api) -> None:
    r = memory_api.client.get("/api/v1/pumps/pump-2/wallet-card.pdf", headers=memory_api.auth("clin1"))

    assert r.status_code == 422 and "pump_id" in r.text


def test_the_refill_visit_record_prints_the_stored_numbers(memory_api) -> None:
    _record_visits(memory_api)
    before = len(memory_api.services.audit.entries())

    r = memory_api.client.get("/api/v1/pumps/pump-1/visits/2/record.pdf", headers=memory_api.auth("nurse1"))
    missing = memory_api.client.get("/api/v1/pumps/pump-1/visits/3/record.pdf", headers=memory_api.auth("nurse1"))

    text = flat(pdf_text(_is_pdf(r, "refill-pump-1-visit-2.pdf")))
    with memory_api.services.uow as uow:
        stored = uow.pumps.get("pump-1").visits[1]
    assert f"Expected residual {stored.expected_ml:.2f} mL" in text
    assert f"Aspirated {stored.aspirated_ml:.2f} mL" in text
    assert f"Discrepancy {stored.aspirated_ml - stored.expected_ml:+.2f} mL" in text
    assert f"Fill volume {stored.fill_ml:g} mL" in text and "Concentration 1000 mcg/mL" in text
    assert "350 mcg/day" in text and "Next refill 20" in text
    assert missing.status_code == 404
    assert [e.action for e in memory_api.audit_since(before)] == ["pump.export", "pump.export"]


def test_the_visit_summary_is_for_staff(memory_api) -> None:
    _record_visits(memory_api)
    saved = _saved_plan(memory_api)

    r = memory_api.client.get("/api/v1/patients/P-1/visit-summary.pdf", headers=memory_api.auth("clin1"))
    refused = memory_api.client.get("/api/v1/patients/P-1/visit-summary.pdf", headers=memory_api.auth("pat1"))

    text = flat(pdf_text(_is_pdf(r, "visit-summary-P-1.pdf")))
    assert "P-1" in text and saved.plan_id in text and "pump-1" in text and "Age 50 years" in text
    assert f"Mean stiffness ({NRS_MIN:g}-{NRS_MAX:g})" in text  # the rating's range from the domain
    assert "not medical advice" in text
    assert refused.status_code == 403


def test_the_pdf_routes_declare_a_binary_pdf_answer(memory_api) -> None:
    paths = memory_api.app.openapi()["paths"]

    for path, method in [
        ("/api/v1/patients/{patient_id}/plans/{plan_id}/schedule.pdf", "get"),
        ("/api/v1/reports/schedule", "post"),
        ("/api/v1/pumps/{pump_id}/wallet-card.pdf", "get"),
        ("/api/v1/pumps/{pump_id}/visits/{number}/record.pdf", "get"),
        ("/api/v1/patients/{patient_id}/visit-summary.pdf", "get"),
    ]:
        content = paths[path][method]["responses"]["200"]["content"]
        assert content == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, path
