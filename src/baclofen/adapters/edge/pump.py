"""Pump requests from text: each builder reads every field (reporting every invalid one at once) and returns
the typed command of :mod:`baclofen.services.commands`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import (
    parse_clock_minute,
    parse_date,
    parse_flex,
    parse_moment,
    parse_names,
    parse_overrides,
    parse_volume_pairs,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.pumps import PumpModel, get_pump
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.services.commands import (
    ForecastPump,
    PlanConcentrationChange,
    PlanPumpProgram,
    ReconcileVisit,
    RecordRefillVisit,
)

Settings = Mapping[str, Any] | Iterable[str] | None


def _pump(fields: InputCollector, name: str) -> PumpModel | None:
    return fields.read(lambda value, field: get_pump(value), name, "pump")


def _flex(fields: InputCollector, pump: PumpModel | None, flex: str | None) -> Any:
    return fields.read(parse_flex, flex, "flex", pump)


def plan_pump_program_command(
    *,
    pump: str,
    concentration_mcg_per_ml: float,
    daily_dose_mcg: float | None = None,
    flex: str | None = None,
    confirm_high_dose: bool = False,
    other_drugs_in_pump: Sequence[str] = (),
) -> PlanPumpProgram:
    """:class:`PlanPumpProgram` from the text of its fields (``flex``: ``"HH:MM=MCG_PER_H,..."``)."""
    fields = InputCollector()
    model = _pump(fields, pump)
    program = _flex(fields, model, flex)
    fields.raise_errors()
    return PlanPumpProgram(
        pump, concentration_mcg_per_ml, daily_dose_mcg, program, confirm_high_dose, tuple(other_drugs_in_pump)
    )


def forecast_pump_command(
    *,
    pump: str,
    volume_ml: float,
    concentration_mcg_per_ml: float,
    filled: str | date | datetime,
    daily_dose_mcg: float | None = None,
    flex: str | None = None,
    margin_days: int | None = None,
    low_reservoir_ml: float | None = None,
    residual_ml: float | None = None,
    max_refill_interval_days: int | None = None,
    implanted: str | date | None = None,
    eri_date: str | date | None = None,
    mri_date: str | date | None = None,
    as_of: str | date | datetime | None = None,
    observed_rate_factor: float | None = None,
    settings: Settings = None,
    other_drugs_in_pump: str | Sequence[str] = (),
) -> ForecastPump:
    """:class:`ForecastPump` from the text of its fields: dates ``YYYY-MM-DD``, date-times, a flex schedule,
    ``NAME=VALUE`` settings."""
    fields = InputCollector()
    model = _pump(fields, pump)
    program = _flex(fields, model, flex)
    filled_at = fields.read(parse_moment, filled, "filled")
    implanted_on = fields.read(parse_date, implanted, "implanted")
    eri_on = fields.read(parse_date, eri_date, "eri_date")
    mri_on = fields.read(parse_date, mri_date, "mri_date")
    today = fields.read(parse_moment, as_of, "as_of")
    setting_values = fields.read(read_settings, settings, "setting") or {}
    others = fields.read(parse_names, other_drugs_in_pump, "other_drugs_in_pump") or ()
    fields.raise_errors()
    assert filled_at is not None  # a required field: read or its error raised
    return ForecastPump(
        pump,
        volume_ml,
        concentration_mcg_per_ml,
        filled_at,
        daily_dose_mcg=daily_dose_mcg,
        flex=program,
        margin_days=margin_days,
        low_reservoir_ml=low_reservoir_ml,
        residual_ml=residual_ml,
        max_refill_interval_days=max_refill_interval_days,
        implanted=implanted_on,
        eri_date=eri_on,
        mri_date=mri_on,
        as_of=today,
        observed_rate_factor=observed_rate_factor,
        settings=setting_values,
        other_drugs_in_pump=others,
    )


def reconcile_visit_command(
    *,
    expected_ml: float,
    aspirated_ml: float,
    previous: str | None = None,
    pump: str | None = None,
    tolerance_percent: float | None = None,
    tolerance_ml: float | None = None,
    trend_visits: int | None = None,
    previous_fill_ml: float | None = None,
) -> ReconcileVisit:
    """:class:`ReconcileVisit` from the text of its fields (``previous``: ``"E:A,E:A"`` mL pairs)."""
    fields = InputCollector()
    if pump is not None:
        _pump(fields, pump)
    pairs = fields.read(parse_volume_pairs, previous, "previous") or ()
    fields.raise_errors()
    return ReconcileVisit(
        expected_ml,
        aspirated_ml,
        pairs,
        pump=pump,
        tolerance_percent=tolerance_percent,
        tolerance_ml=tolerance_ml,
        trend_visits=trend_visits,
        previous_fill_ml=previous_fill_ml,
    )


def plan_concentration_change_command(
    *,
    pump: str,
    daily_dose_mcg: float,
    old_mcg_per_ml: float,
    new_mcg_per_ml: float,
    catheter_volume_ml: float | None = None,
    catheter_trimmed_cm: float | None = None,
    pump_internal_volume_ml: float | None = None,
    flex: str | None = None,
    change_time: str | None = None,
) -> PlanConcentrationChange:
    """:class:`PlanConcentrationChange` from the text of its fields (``change_time``: ``HH:MM``)."""
    fields = InputCollector()
    model = _pump(fields, pump)
    program = _flex(fields, model, flex)
    minute = fields.read(parse_clock_minute, change_time, "change_time")
    fields.raise_errors()
    return PlanConcentrationChange(
        pump,
        daily_dose_mcg,
        old_mcg_per_ml,
        new_mcg_per_ml,
        catheter_volume_ml=catheter_volume_ml,
        catheter_trimmed_cm=catheter_trimmed_cm,
        pump_internal_volume_ml=pump_internal_volume_ml,
        flex=program,
        change_minute=minute,
    )


def pump_record_from_options(
    pump: str,
    *,
    pump_id: str = "pump",
    implanted: str | date | None = None,
    previous: str | Sequence[Sequence[float]] | None = None,
    previous_fill_ml: float | None = None,
    previous_filled: str | date | datetime | None = None,
    with_residuals: bool = True,
) -> PumpRecord:
    """A pump record from the text of its fields, for a refill visit without stored records (the CLI's
    options): the pump's model, its implant date and the history the visit needs.

    ``previous`` are the earlier visits' residuals (``"E1:A1,E2:A2"``, oldest first); ``previous_fill_ml``
    and ``previous_filled`` (together) are the last fill, at the visit of the last residual pair. The
    history counts only with this visit's residuals (``with_residuals``): without them ``previous`` and the
    previous fill are refused, not silently ignored. Every invalid field is reported at once.

    >>> record = pump_record_from_options("synchromed-ii-20", previous="4.9:4.5", previous_fill_ml=20,
    ...                                   previous_filled="2026-02-02")
    >>> record.residual_history(), record.last_fill().fill_ml
    (((4.9, 4.5),), 20.0)

    Raises
    ------
    InvalidInputError
        An unknown pump, a malformed value, one of ``previous_fill_ml`` / ``previous_filled`` without the
        other, or the history without this visit's residuals (named by the field).
    """
    fields = InputCollector()
    model = _pump(fields, pump)
    implanted_on = fields.read(parse_date, implanted, "implanted")
    pairs = fields.read(parse_volume_pairs, previous, "previous") or ()
    filled_at = fields.read(parse_moment, previous_filled, "previous_filled")
    if (previous_fill_ml is None) != (previous_filled is None):
        missing = "previous_filled" if previous_filled is None else "previous_fill_ml"
        fields.add(InvalidInputError(missing, "given together with the other previous-fill value", None))
    if not with_residuals and pairs:
        fields.add(InvalidInputError("previous", _WITH_RESIDUALS, previous))
    if not with_residuals and previous_fill_ml is not None:
        fields.add(InvalidInputError("previous_fill_ml", _WITH_RESIDUALS, previous_fill_ml))
    visits = None
    if not fields.failed("previous", "previous_fill_ml", "previous_filled"):
        visits = fields.check(_history, pairs, previous_fill_ml, filled_at)
    fields.raise_errors()
    assert model is not None and visits is not None  # read, or their errors raised
    return PumpRecord(pump_id, model, implanted=implanted_on, visits=visits)


_WITH_RESIDUALS = "given together with expected_ml and aspirated_ml"
#: The history's fields by the record's field names (a bad volume names the field it was given in).
_HISTORY_FIELDS = {"expected_ml": "previous", "aspirated_ml": "previous", "fill_ml": "previous_fill_ml"}


def _history(
    pairs: Sequence[tuple[float, float]], fill_ml: float | None, filled_at: date | datetime | None
) -> tuple[RefillVisitRecord, ...]:
    """The visits of ``pairs`` (oldest first); the last fill, when given, at the visit of the last pair."""
    earlier = list(pairs)
    try:
        last: list[RefillVisitRecord] = []
        if fill_ml is not None and filled_at is not None:
            expected, aspirated = earlier.pop() if earlier else (None, None)
            last = [RefillVisitRecord(filled_at, expected, aspirated, fill_ml=fill_ml)]
        return tuple([RefillVisitRecord(expected_ml=e, aspirated_ml=a) for e, a in earlier] + last)
    except InvalidInputError as exc:
        if exc.field not in _HISTORY_FIELDS:
            raise
        raise InvalidInputError(_HISTORY_FIELDS[exc.field], exc.expected, exc.actual) from None


def record_refill_visit_command(
    *,
    pump_id: str,
    concentration_mcg_per_ml: float,
    refilled: str | date | datetime,
    daily_dose_mcg: float | None = None,
    flex: str | None = None,
    expected_ml: float | None = None,
    aspirated_ml: float | None = None,
    target_interval_days: int | None = None,
    margin_days: int | None = None,
    as_of: str | date | datetime | None = None,
    settings: Settings = None,
    other_drugs_in_pump: str | Sequence[str] = (),
    pump: PumpModel | None = None,
    overrides: Sequence[str] = (),
    clinician: str = "",
) -> RecordRefillVisit:
    """:class:`RecordRefillVisit` of the stored pump ``pump_id`` from the text of its fields; ``pump``, when
    the caller knows the pump's model, checks a flex schedule's steps with the other fields (the service checks
    them against the stored model in any case); ``overrides`` ``RULE-ID=REASON`` given by ``clinician``."""
    fields = InputCollector()
    program = _flex(fields, pump, flex)
    refilled_at = fields.read(parse_moment, refilled, "refilled")
    today = fields.read(parse_moment, as_of, "as_of")
    setting_values = fields.read(read_settings, settings, "setting") or {}
    others = fields.read(parse_names, other_drugs_in_pump, "other_drugs_in_pump") or ()
    override_values = fields.read(parse_overrides, overrides, "override", clinician) or ()
    fields.raise_errors()
    assert refilled_at is not None  # a required field: read or its error raised
    return RecordRefillVisit(
        pump_id,
        concentration_mcg_per_ml,
        refilled_at,
        daily_dose_mcg=daily_dose_mcg,
        flex=program,
        expected_ml=expected_ml,
        aspirated_ml=aspirated_ml,
        target_interval_days=target_interval_days,
        margin_days=margin_days,
        as_of=today,
        settings=setting_values,
        other_drugs_in_pump=others,
        overrides=override_values,
    )


def refill_visit_from_options(
    *,
    pump: str,
    implanted: str | date | None = None,
    previous: str | Sequence[Sequence[float]] | None = None,
    previous_fill_ml: float | None = None,
    previous_filled: str | date | datetime | None = None,
    **visit: Any,
) -> tuple[PumpRecord, RecordRefillVisit]:
    """A refill visit without stored records (the CLI's ``pump refill``): the pump record its history options
    describe (:func:`pump_record_from_options`) and the visit on it (:func:`record_refill_visit_command`, from
    ``visit``), every invalid field of both reported at once."""
    fields = InputCollector()
    record = fields.check(
        pump_record_from_options,
        pump,
        implanted=implanted,
        previous=previous,
        previous_fill_ml=previous_fill_ml,
        previous_filled=previous_filled,
        with_residuals=visit.get("expected_ml") is not None or visit.get("aspirated_ml") is not None,
    )
    model = None if record is None else record.model
    command = fields.check(
        record_refill_visit_command, pump_id=record.pump_id if record is not None else "pump", pump=model, **visit
    )
    fields.raise_errors()
    assert record is not None and command is not None  # built, or their errors raised
    return record, command


__all__ = [
    "forecast_pump_command",
    "plan_concentration_change_command",
    "plan_pump_program_command",
    "pump_record_from_options",
    "reconcile_visit_command",
    "record_refill_visit_command",
    "refill_visit_from_options",
]
