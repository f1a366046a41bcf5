"""CSV export (issue 13 item 5): a patient's diary and a pump's refill history as RFC 4180 text, with units in
the column names, times in ISO 8601 with their offset, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from baclofen.adapters.csv_export import neutralise_cell, render_diary_csv, render_visits_csv
from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.records import RefillVisitRecord
from baclofen.domain.rules.core import Override

PARIS = timezone(timedelta(hours=1))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_diary_is_one_row_per_entry_with_units_in_the_header_and_times_with_their_offset() -> None:
    entries = (
        DiaryEntryRecord("D-1", "P-1", datetime(2026, 3, 1, 8, 0, tzinfo=PARIS), doses_taken=3, pain_nrs=2.5),
        DiaryEntryRecord(
            "D-2",
            "P-1",
            datetime(2026, 3, 2, 21, 30, tzinfo=UTC),
            spasm_frequency=PennSpasmScore(3, 2),
            symptoms=(Symptom.SEIZURE, Symptom.FEVER),
            note='stiff, "bad" night\nslept 3 h',
        ),
    )

    text = render_diary_csv(entries)
    rows = _rows(text)

    assert rows[0] == [
        "entry_id",
        "patient_id",
        "recorded_at",
        "doses_taken",
        "doses_missed",
        "penn_spasm_frequency",
        "penn_spasm_severity",
        "stiffness_nrs_0_10",
        "pain_nrs_0_10",
        "sleep_nrs_0_10",
        "symptoms",
        "note",
    ]
    assert rows[1] == ["D-1", "P-1", "2026-03-01T08:00:00+01:00", "3", "0", "", "", "", "2.5", "", "", ""]
    assert rows[2] == [
        "D-2", "P-1", "2026-03-02T21:30:00+00:00", "", "0", "3", "2", "", "", "", "seizure;fever",
        'stiff, "bad" night\nslept 3 h',
    ]  # fmt: skip
    assert text.endswith("\r\n") and text.count("\r\n") == 3  # RFC 4180 record ends
    assert '"stiff, ""bad"" night' in text  # a quote inside a quoted field is doubled


def test_an_empty_diary_is_the_header_alone() -> None:
    assert len(_rows(render_diary_csv(()))) == 1


def test_a_refill_history_has_volumes_concentration_and_daily_dose_with_their_units() -> None:
    visits = (
        RefillVisitRecord(aspirated_ml=2.0, expected_ml=2.5),  # known only by its residual
        RefillVisitRecord(
            refilled_at=datetime(2026, 3, 2, 9, 0, tzinfo=PARIS),
            expected_ml=3.0,
            aspirated_ml=2.75,
            fill_ml=20.0,
            concentration_mcg_per_ml=500.0,
            program=continuous_program(300.0),
            overrides=(Override("PUMP-BLOCK-001", "checked the catheter", "clinician:clin1"),),
        ),
        RefillVisitRecord(refilled_at=date(2026, 4, 1), fill_ml=20.0, concentration_mcg_per_ml=500.0),
    )

    rows = _rows(render_visits_csv("pump-1", visits))

    assert rows[0] == [
        "pump_id",
        "refilled_at",
        "expected_ml",
        "aspirated_ml",
        "fill_ml",
        "concentration_mcg_per_ml",
        "daily_dose_mcg",
        "program_mode",
        "overridden_rule_ids",
    ]
    assert rows[1] == ["pump-1", "", "2.5", "2.0", "", "", "", "", ""]
    assert rows[2][:7] == ["pump-1", "2026-03-02T09:00:00+01:00", "3.0", "2.75", "20.0", "500.0", "300.0"]
    assert rows[2][8] == "PUMP-BLOCK-001"
    assert rows[3][:2] == ["pump-1", "2026-04-01"]


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(cell: str) -> None:
    assert neutralise_cell(cell) == "'" + cell

    entry = DiaryEntryRecord("D-1", "P-1", datetime(2026, 3, 1, 8, 0, tzinfo=UTC), note=cell.strip())
    note = _rows(render_diary_csv((entry,)))[1][-1]
    assert note == "'" + cell.strip() and note[0] not in "=+-@\t\r"


def test_plain_text_and_numbers_are_left_as_they_are() -> None:
    assert neutralise_cell("slept well") == "slept well"
    assert neutralise_cell("") == ""
    assert neutralise_cell("2026-03-01T08:00:00-05:00") == "2026-03-01T08:00:00-05:00"  # starts with a digit
