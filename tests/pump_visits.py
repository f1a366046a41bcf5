"""A refill visit from plain options, as ``pump refill`` runs it: the pump and the history the options
describe go into a fresh in-memory store through the bootstrap, then the visit is recorded there."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baclofen.bootstrap import bootstrap
from baclofen.services.itb import PumpVisit, pump_record_from_options


def refill_visit_from_options(
    pump: str,
    *,
    implanted: date | str | None = None,
    previous: str | None = None,
    previous_fill_ml: float | None = None,
    previous_filled: date | datetime | str | None = None,
    **visit: Any,
) -> PumpVisit:
    services = bootstrap()
    record = pump_record_from_options(
        pump,
        implanted=implanted,
        previous=previous,
        previous_fill_ml=previous_fill_ml,
        previous_filled=previous_filled,
        with_residuals=visit.get("expected_ml") is not None or visit.get("aspirated_ml") is not None,
    )
    services.register_pump(record)
    return services.record_refill_visit(record.pump_id, **visit)
