"""A refill visit from plain options, as ``pump refill`` runs it: the edge reads the options into the pump
record their history describes and the visit's command, the record goes into a fresh in-memory store through
the bootstrap, then the visit is recorded there."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baclofen.adapters.edge import pump as edge
from baclofen.bootstrap import bootstrap
from baclofen.services.itb import PumpVisit


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
    record, command = edge.refill_visit_from_options(
        pump=pump,
        implanted=implanted,
        previous=previous,
        previous_fill_ml=previous_fill_ml,
        previous_filled=previous_filled,
        **visit,
    )
    services.register_pump(record)
    return services.record_refill_visit(command)
