"""CSV export through the API (issue 13 item 5): a patient's diary and a pump's refill history as downloads,
the stored records exactly, under the same scope and audit as their JSON routes."""

from __future__ import annotations

import csv
import io

from baclofen.adapters.csv_export import render_diary_csv, render_visits_csv

INJECTION = '=HYPERLINK("http://evil.example","click")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_a_patient_downloads_their_own_diary_as_stored_with_formulas_neutralised(api) -> None:
    patient = api.auth("pat1")
    entries = [
        {"recorded_at": "2026-03-01T08:00:00+01:00", "pain_nrs": 3, "doses_taken": 2},
        {"recorded_at": "2026-03-02T08:00:00+00:00", "spasm_frequency": "3:2", "note": INJECTION},
    ]
    for entry in entries:
        assert api.client.post("/api/v1/patients/P-1/diary", json=entry, headers=patient).status_code == 201
    before = len(api.services.audit.entries())

    own = api.client.get("/api/v1/patients/P-1/diary.csv", headers=patient)
    other = api.client.get("/api/v1/patients/P-2/diary.csv", headers=patient)

    with api.services.uow as uow:
        stored = uow.diary.for_patient("P-1")
    assert own.status_code == 200, own.text
    assert own.headers["content-type"] == "text/csv; charset=utf-8"
    assert own.headers["content-disposition"] == 'attachment; filename="diary-P-1.csv"'
    assert own.content.decode("utf-8") == render_diary_csv(stored)
    rows = _rows(own.text)
    assert [r["recorded_at"] for r in rows] == ["2026-03-01T08:00:00+01:00", "2026-03-02T08:00:00+00:00"]
    assert rows[0]["pain_nrs_0_10"] == "3.0" and rows[0]["doses_taken"] == "2"
    assert rows[1]["penn_spasm_frequency"] == "3" and rows[1]["note"] == "'" + INJECTION
    assert other.status_code == 404 and other.json()["detail"] == "no patient record 'P-2'"
    audited = [(e.actor, e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert audited == [
        ("patient:pat1", "diary.export", "patient:P-1", "success"),
        ("patient:pat1", "diary.export", "patient:P-2", "denied"),
    ]


def test_staff_download_a_pumps_refill_history_as_stored_and_another_clinic_cannot(api) -> None:
    visits = [
        {"concentration_mcg_per_ml": 500, "refilled": "2026-02-02", "daily_dose_mcg": 300},
        {
            "concentration_mcg_per_ml": 500,
            "refilled": "2026-03-02",
            "daily_dose_mcg": 300,
            "expected_ml": 4.0,
            "aspirated_ml": 3.9,
        },
    ]
    for visit in visits:
        r = api.client.post("/api/v1/pumps/pump-1/visits", json=visit, headers=api.auth("nurse1"))
        assert r.status_code == 201, r.text
    before = len(api.services.audit.entries())

    mine = api.client.get("/api/v1/pumps/pump-1/visits.csv", headers=api.auth("clin1"))
    own = api.client.get("/api/v1/pumps/pump-1/visits.csv", headers=api.auth("pat1"))
    elsewhere = api.client.get("/api/v1/pumps/pump-1/visits.csv", headers=api.auth("clin2"))

    with api.services.uow as uow:
        stored = uow.pumps.get("pump-1").visits
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"] == "text/csv; charset=utf-8"
    assert mine.headers["content-disposition"] == 'attachment; filename="visits-pump-1.csv"'
    assert mine.content.decode("utf-8") == render_visits_csv("pump-1", stored) == own.text
    rows = _rows(mine.text)
    assert [r["refilled_at"] for r in rows] == ["2026-02-02", "2026-03-02"]
    assert [r["concentration_mcg_per_ml"] for r in rows] == ["500.0", "500.0"]
    assert rows[1]["aspirated_ml"] == "3.9" and rows[1]["expected_ml"] == "4.0"
    assert rows[1]["daily_dose_mcg"] == "300.0"
    assert elsewhere.status_code == 404
    audited = [(e.actor, e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert audited == [
        ("clinician:clin1", "pump.export", "pump:pump-1", "success"),
        ("patient:pat1", "pump.export", "pump:pump-1", "success"),
        ("clinician:clin2", "pump.export", "pump:pump-1", "denied"),
    ]
