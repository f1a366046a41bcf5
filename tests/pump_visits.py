"""A refill visit from plain options, as ``pump refill`` runs it: the edge reads the options into the pump
record their history describes and the visit's command, and the visit is checked on that record as a stored one
is (``assess_refill_visit``), stored nowhere, so a block is a finding to read rather than a refusal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baclofen.adapters.edge import pump as edge
from baclofen.services.itb import PumpVisit, assess_refill_visit


def refill_visit_from_options(
    pump: str,
    *,
    implanted: date | str | None = None,
    previous: str | None = None,
    previous_fill_ml: float | None = None,
    previous_filled: date | datetime | str | None = None,
    **visit: Any,
) -> PumpVisit:
    record, command = edge.refill_visit_from_options(
        pump=pump,
        implanted=implanted,
        previous=previous,
        previous_fill_ml=previous_fill_ml,
        previous_filled=previous_filled,
        **visit,
    )
    return assess_refill_visit(record, command)
