"""CSV export of stored records (issue 13 item 5): a patient's diary and a pump's refill history.

Pure renderers, records in and text out: RFC 4180 (comma separated, CRLF line ends, a field quoted when it holds
a comma, quote or line break, a quote doubled), one header row naming each column with its unit
(``aspirated_ml``, ``concentration_mcg_per_ml``, ``daily_dose_mcg``), times in ISO 8601 with the offset they
were stored with, an absent value an empty field. The caller encodes the text as UTF-8.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula; free text such as a diary note could carry one (CSV injection). Every text cell that starts
so is prefixed with a single quote (:func:`neutralise_cell`), which a spreadsheet shows as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.records import RefillVisitRecord

__all__ = ["DIARY_COLUMNS", "VISIT_COLUMNS", "neutralise_cell", "render_diary_csv", "render_visits_csv"]

#: The header of a diary export: one row per entry, oldest first.
DIARY_COLUMNS = (
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
)
#: The header of a refill history export: one row per visit, in the order recorded.
VISIT_COLUMNS = (
    "pump_id",
    "refilled_at",
    "expected_ml",
    "aspirated_ml",
    "fill_ml",
    "concentration_mcg_per_ml",
    "daily_dose_mcg",
    "program_mode",
    "overridden_rule_ids",
)
#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | None


def neutralise_cell(text: str) -> str:
    """``text``, with a leading single quote when a spreadsheet would otherwise run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # a datetime is a date: isoformat keeps its offset
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    return neutralise_cell(value)


def _render(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


def _diary_row(entry: DiaryEntryRecord) -> tuple[Cell, ...]:
    penn = entry.spasm_frequency
    return (
        entry.entry_id,
        entry.patient_id,
        entry.recorded_at,
        entry.doses_taken,
        entry.doses_missed,
        penn.frequency if penn is not None else None,
        penn.severity if penn is not None else None,
        entry.stiffness_nrs,
        entry.pain_nrs,
        entry.sleep_nrs,
        ";".join(s.value for s in entry.symptoms),
        entry.note,
    )


def _visit_row(pump_id: str, visit: RefillVisitRecord) -> tuple[Cell, ...]:
    program = visit.program
    return (
        pump_id,
        visit.refilled_at,
        visit.expected_ml,
        visit.aspirated_ml,
        visit.fill_ml,
        visit.concentration_mcg_per_ml,
        program.daily_dose_mcg if program is not None else None,
        program.mode.value if program is not None else None,
        ";".join(o.rule_id for o in visit.overrides),
    )


def render_diary_csv(entries: Iterable[DiaryEntryRecord]) -> str:
    """A patient's diary entries as CSV text (the header, then one row per entry in the order given)."""
    return _render(DIARY_COLUMNS, (_diary_row(e) for e in entries))


def render_visits_csv(pump_id: str, visits: Iterable[RefillVisitRecord]) -> str:
    """A pump's refill visits as CSV text (the header, then one row per visit in the order given)."""
    return _render(VISIT_COLUMNS, (_visit_row(pump_id, v) for v in visits))
