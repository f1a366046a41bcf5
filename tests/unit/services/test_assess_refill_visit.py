"""A refill visit checked on a pump record without storing it (``POST /api/v1/pumps/refill-check``): the same
visit, findings and settings as the stored visit of :func:`record_refill_visit`, refused as that one is (a visit
dated before the record's last refill), and the record unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.adapters.memory import InMemoryUnitOfWork, StaticSettings
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.services.commands import RecordRefillVisit
from baclofen.services.itb import assess_refill_visit, record_refill_visit, register_pump

LAST_FILL = RefillVisitRecord(
    date(2026, 2, 2), 5.0, 4.8, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(500)
)
RECORD = PumpRecord("pump-1", get_pump("synchromed-ii-20"), implanted=date(2024, 1, 1), visits=(LAST_FILL,))
VISIT = RecordRefillVisit(
    "pump-1", concentration_mcg_per_ml=500, refilled=date(2026, 3, 2), daily_dose_mcg=500, expected_ml=4.9,
    aspirated_ml=3.1,
)  # fmt: skip
CLINIC = StaticSettings({REFILL_MARGIN_DAYS.name: 12})


def test_the_checked_visit_is_the_stored_visit_and_the_record_is_unchanged() -> None:
    uow = InMemoryUnitOfWork()
    register_pump(uow, RECORD)

    checked = assess_refill_visit(RECORD, VISIT, clinic=CLINIC)
    stored = record_refill_visit(uow, VISIT, clinic=CLINIC)

    assert checked.to_dict() == stored.to_dict()
    assert checked.reconciliation is not None and checked.observed is not None  # the history was used
    assert {s.setting.name: s.value for s in checked.settings_used}[REFILL_MARGIN_DAYS.name] == 12
    assert RECORD.visits == (LAST_FILL,)


def test_a_visit_before_the_last_refill_is_refused_as_a_stored_one_is() -> None:
    early = RecordRefillVisit("pump-1", concentration_mcg_per_ml=500, refilled=date(2026, 1, 2), daily_dose_mcg=500)

    with pytest.raises(InvalidInputError) as checked:
        assess_refill_visit(RECORD, early)
    uow = InMemoryUnitOfWork()
    register_pump(uow, RECORD)
    with pytest.raises(InvalidInputError) as stored:
        record_refill_visit(uow, early)

    assert checked.value.field == stored.value.field == "refilled_at"
