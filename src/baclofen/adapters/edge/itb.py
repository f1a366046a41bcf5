"""Intrathecal requests from text: screening, initial dose, titration step, oral -> intrathecal transition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import (
    parse_date,
    parse_datetime,
    parse_locale,
    parse_moment,
    parse_names,
    parse_origin,
    parse_overrides,
    parse_responses,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.screening import ScreeningDose
from baclofen.domain.patient import Locale, PatientSnapshot, SpasticityOrigin
from baclofen.services.commands import PlanInitialDose, PlanItbTitrationStep, PlanTransition, ScreenTrial

_RECORD_FIELDS = (
    "fields dose_mcg, responded, given_at, effect_duration_hours, negative_reactions, "
    "ashworth_before/after, spasm_frequency_before/after"
)


def parse_screening_records(value: Sequence[Mapping[str, Any]], field: str) -> tuple[ScreeningDose, ...]:
    """Screening doses from records (each ``dose_mcg``, ``responded``, optional ``given_at`` date-time text,
    ``effect_duration_hours``, ``negative_reactions``, ``ashworth_before/after``,
    ``spasm_frequency_before/after``); every invalid record is reported, named ``records[i]`` (or
    ``records[i].given_at``)."""
    fields = InputCollector()
    doses = []
    for i, rec in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(rec, Mapping):
            fields.add(InvalidInputError(where, "a mapping with dose_mcg and responded", rec))
            continue
        data = dict(rec)
        given = data.get("given_at")
        if isinstance(given, str):
            moment = fields.read(parse_moment, given, f"{where}.given_at") if given else None
            if given and moment is None:
                continue
            data["given_at"] = datetime.combine(moment, datetime.min.time()) if type(moment) is date else moment
        try:
            doses.append(ScreeningDose(**data))
        except TypeError:
            fields.add(InvalidInputError(where, _RECORD_FIELDS, sorted(data)))
        except InvalidInputError as exc:
            fields.add(InvalidInputError(f"{where}.{exc.field}", exc.expected, exc.actual))
    fields.raise_errors()
    return tuple(doses)


def screen_trial_command(
    *,
    responses: str | Sequence[bool | str] | None = None,
    start_mcg: float = 50.0,
    hours_since_last_dose: float | None = None,
    effect_duration_hours: float | None = None,
    negative_reactions: bool = False,
    records: Sequence[Mapping[str, Any]] | None = None,
    as_of: str | datetime | None = None,
    conditions: str | Sequence[str] = (),
    ashworth_before: str | float | None = None,
    ashworth_after: str | float | None = None,
    settings: Mapping[str, Any] | Iterable[str] | None = None,
) -> ScreenTrial:
    """:class:`ScreenTrial` from text: ``responses`` ``"no,no,yes"``; ``records`` with ISO ``given_at``;
    ``as_of`` a date-time; ``NAME=VALUE`` settings."""
    fields = InputCollector()
    answers = fields.read(parse_responses, responses, "responses") or ()
    doses = fields.read(parse_screening_records, records, "records")
    today = fields.read(parse_datetime, as_of, "as_of")
    names = fields.read(parse_names, conditions, "conditions") or ()
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    return ScreenTrial(
        answers,
        start_mcg=start_mcg,
        hours_since_last_dose=hours_since_last_dose,
        effect_duration_hours=effect_duration_hours,
        negative_reactions=negative_reactions,
        records=doses,
        as_of=today,
        conditions=names,
        ashworth_before=ashworth_before,
        ashworth_after=ashworth_after,
        settings=setting_values,
    )


def plan_initial_dose_command(
    *, screening_dose_mcg: float, response_hours: float, negative_reactions: bool = False
) -> PlanInitialDose:
    """:class:`PlanInitialDose` (numbers only: nothing to read)."""
    return PlanInitialDose(screening_dose_mcg, response_hours, negative_reactions)


def plan_titration_step_command(
    *,
    current_mcg_per_day: float,
    origin: str | SpasticityOrigin,
    at_refill: bool = False,
    hours_since_start: float | None = None,
    proposed_mcg_per_day: float | None = None,
    confirm_high_dose: bool = False,
    settings: Mapping[str, float] | Iterable[str] | None = None,
    planned_taper: bool = False,
    hours_since_last_increase: float | None = None,
    interruption_hours: float | None = None,
) -> PlanItbTitrationStep:
    """:class:`PlanItbTitrationStep` from text (``origin``: spinal or cerebral)."""
    fields = InputCollector()
    spasticity_origin = fields.read(parse_origin, origin, "origin")
    setting_values = fields.read(read_settings, settings, "settings") or {}
    fields.raise_errors()
    assert spasticity_origin is not None
    return PlanItbTitrationStep(
        current_mcg_per_day,
        spasticity_origin,
        at_refill=at_refill,
        hours_since_start=hours_since_start,
        proposed_mcg_per_day=proposed_mcg_per_day,
        confirm_high_dose=confirm_high_dose,
        settings=setting_values,
        planned_taper=planned_taper,
        hours_since_last_increase=hours_since_last_increase,
        interruption_hours=interruption_hours,
    )


def plan_transition_command(
    *,
    infusion_start: str | date,
    oral_mg_per_day: float,
    itb_initial_mcg_per_day: float,
    origin: str | SpasticityOrigin = "spinal",
    locale: str | Locale | None = None,
    itb_target_mcg_per_day: float | None = None,
    max_oral_cut_percent: float | None = None,
    months_on_therapy: float | None = None,
    patient: PatientSnapshot | None = None,
    product: str | None = None,
    other_oral_antispastics: str | Sequence[str] = (),
    overrides: Iterable[str] | None = None,
    clinician: str = "",
) -> PlanTransition:
    """:class:`PlanTransition` from text: ``infusion_start`` ``YYYY-MM-DD``, ``origin``, ``locale`` (with them
    the patient, unless ``patient`` is given), other antispastics comma-separated, ``RULE-ID=REASON`` overrides."""
    fields = InputCollector()
    start = fields.read(parse_date, infusion_start, "infusion_start")
    spasticity_origin = fields.read(parse_origin, origin, "origin")
    patient_locale = fields.read(parse_locale, locale, "locale")
    others = fields.read(parse_names, other_oral_antispastics, "other_oral_antispastics") or ()
    override_values = fields.read(parse_overrides, overrides, "override", clinician) or ()
    fields.raise_errors()
    assert start is not None and spasticity_origin is not None
    if patient is None and patient_locale is not None:
        patient = PatientSnapshot(origin=spasticity_origin, locale=patient_locale)
    return PlanTransition(
        start,
        oral_mg_per_day,
        itb_initial_mcg_per_day,
        origin=spasticity_origin,
        itb_target_mcg_per_day=itb_target_mcg_per_day,
        max_oral_cut_percent=max_oral_cut_percent,
        months_on_therapy=months_on_therapy,
        patient=patient,
        product=product,
        other_oral_antispastics=others,
        overrides=override_values,
    )


__all__ = [
    "parse_screening_records",
    "plan_initial_dose_command",
    "plan_titration_step_command",
    "plan_transition_command",
    "screen_trial_command",
]
