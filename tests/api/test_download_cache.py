"""Every download of patient data (FHIR Bundle and NDJSON, CSV, ICS, PDF) is ``Cache-Control: no-store``: no shared
or browser cache keeps a copy of a patient's records after the session (review of issue 13)."""

from __future__ import annotations

import pytest

DOWNLOADS = [
    "/api/v1/patients/P-1/fhir",
    "/api/v1/clinic/fhir/Patient.ndjson",
    "/api/v1/patients/P-1/diary.csv",
    "/api/v1/pumps/pump-1/visits.csv",
    "/api/v1/pumps/pump-1/refills.ics",
]


@pytest.mark.parametrize("path", DOWNLOADS)
def test_a_download_of_patient_data_is_kept_in_no_cache(memory_api, path: str) -> None:
    visit = {"concentration_mcg_per_ml": 500, "daily_dose_mcg": 300, "refilled": "2026-03-02"}
    assert memory_api.client.post(
        "/api/v1/pumps/pump-1/visits", json=visit, headers=memory_api.auth("nurse1")
    ).is_success
    r = memory_api.client.get(path, headers=memory_api.auth("clin1"))

    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
