"""A patient's regimen from text: a plan to save for a stored patient, a pump's new program between refills, every
field read and every invalid one reported at once.

>>> command = change_pump_program_command(pump_id="pump-1", changed_at="2026-03-09T10:00+00:00",
...                                       daily_dose_mcg=240, reason="more spasms at night", changed_by="clinician:a")
>>> command.program.daily_dose_mcg, command.changed_at.isoformat()
(240.0, '2026-03-09T10:00:00+00:00')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import parse_datetime, parse_flex, parse_overrides
from baclofen.domain.dates import require_not_after
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import InfusionProgram, continuous_program
from baclofen.domain.itb.pumps import PumpModel
from baclofen.domain.records import check_record_id
from baclofen.services.commands import (
    AdviseAlternatives,
    ChangePumpProgram,
    PlanTaper,
    PlanTitration,
    PlanTransition,
    SavePlan,
)

__all__ = ["change_pump_program_command", "save_plan_command"]


def _instant(value: str | datetime, field: str) -> datetime:
    moment = parse_datetime(value, field)
    if moment.utcoffset() is None:
        raise InvalidInputError(field, "a date and time with its UTC offset (e.g. 2026-03-09T10:00+01:00)", value)
    return moment


def save_plan_command(
    *,
    patient_id: str,
    plan: PlanTitration | PlanTaper | PlanTransition | AdviseAlternatives,
    saved_by: str,
    saved_at: datetime,
) -> SavePlan:
    """:class:`SavePlan` of a planner command built by the edge (:func:`~baclofen.adapters.edge.plan.
    plan_titration_command`, :func:`~baclofen.adapters.edge.plan.plan_taper_command`,
    :func:`~baclofen.adapters.edge.itb.plan_transition_command`, or a switch:
    :func:`~baclofen.adapters.edge.cds.advise_alternatives_command` with ``switch_to``, the current dose and a start
    date) without a patient: the stored one is used."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    if isinstance(plan, AdviseAlternatives):
        for name, value in (
            ("switch_to", plan.switch_to),
            ("from_mg_per_day", plan.current_baclofen_mg_per_day),
            ("start_date", plan.start_date),
        ):
            if value is None:
                fields.add(InvalidInputError(name, "a value: a saved switch is a cross-taper plan", None))
    elif plan.patient is not None:
        fields.add(InvalidInputError("patient", "no patient: a saved plan is planned for the stored patient", "given"))
    fields.raise_errors()
    return SavePlan(patient_id, plan, saved_by, saved_at)


def _program(
    fields: InputCollector, daily_dose_mcg: float | None, flex: str | None, pump: PumpModel | None
) -> InfusionProgram | None:
    if (daily_dose_mcg is None) == (flex is None):
        fields.add(InvalidInputError("daily_dose_mcg", "either daily_dose_mcg or flex (one of them)", daily_dose_mcg))
        return None
    if flex is not None:
        return fields.read(parse_flex, flex, "flex", pump)
    return fields.check(continuous_program, daily_dose_mcg)


def change_pump_program_command(
    *,
    pump_id: str,
    changed_at: str | datetime,
    reason: str,
    changed_by: str,
    daily_dose_mcg: float | None = None,
    flex: str | None = None,
    overrides: Iterable[str] | Mapping[str, str] | None = None,
    confirm_high_dose: bool = False,
    planned_taper: bool = False,
    settings: Mapping[str, Any] | Iterable[str] | None = None,
    pump: PumpModel | None = None,
    not_after: datetime | None = None,
) -> ChangePumpProgram:
    """:class:`ChangePumpProgram` from its fields' text: ``changed_at`` a date-time with its UTC offset (at or before
    ``not_after`` when given: a change records a reprogramming done), the new program as ``daily_dose_mcg``
    (continuous) or ``flex`` (``HH:MM=MCG_PER_H,...``, at most ``pump``'s steps), overrides ``RULE-ID=REASON`` given
    by ``changed_by``, settings ``NAME=VALUE``."""
    fields = InputCollector()
    fields.check(check_record_id, pump_id, "pump_id")
    at = fields.read(_instant, changed_at, "changed_at")
    if at is not None and not_after is not None:
        fields.check(require_not_after, at, not_after, "changed_at")
    program = _program(fields, daily_dose_mcg, flex, pump)
    if not (isinstance(reason, str) and reason.strip()):
        fields.add(InvalidInputError("reason", "why the program changes (a text)", reason))
    override_values = fields.read(parse_overrides, overrides, "override", changed_by) or ()
    setting_values = fields.read(read_settings, settings or {}, "setting") or {}
    fields.raise_errors()
    assert at is not None and program is not None  # read, or their errors raised
    return ChangePumpProgram(
        pump_id,
        at,
        program,
        changed_by,
        reason.strip(),
        overrides=override_values,
        confirm_high_dose=confirm_high_dose,
        planned_taper=planned_taper,
        settings=setting_values,
    )
