"""Oral plan requests from text: the patient (locale, origin), the start date, dose times, overrides, settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import (
    parse_clock_times,
    parse_date,
    parse_locale,
    parse_names,
    parse_origin,
    parse_overrides,
    parse_sex,
)
from baclofen.domain.oral.limits import LABEL_DOSES_PER_DAY, LABEL_START_DOSE_MG, LABEL_STEP_DOSE_MG
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.services.commands import PlanTaper, PlanTitration

Settings = Mapping[str, Any] | Iterable[str] | None


def read_patient(
    fields: InputCollector,
    *,
    locale: str | Locale = "us",
    origin: str | SpasticityOrigin = "spinal",
    age_years: float | None = None,
    crcl_ml_min: float | None = None,
    egfr_ml_min_1_73m2: float | None = None,
    dialysis: bool = False,
    conditions: Iterable[str] | None = None,
    weight_kg: float | None = None,
    sex: str | Sex | None = None,
    serum_creatinine_mg_dl: float | None = None,
) -> PatientSnapshot | None:
    """The patient from text (locale ``us``/``uk``, origin ``spinal``/``cerebral``, sex ``female``/``male``);
    None (errors kept in ``fields``) when a field is invalid."""
    patient_locale = fields.read(parse_locale, locale, "locale")
    spasticity_origin = fields.read(parse_origin, origin, "origin")
    patient_sex = fields.read(parse_sex, sex, "sex")
    numbers = {
        "age_years": age_years,
        "weight_kg": weight_kg,
        "serum_creatinine_mg_dl": serum_creatinine_mg_dl,
        "crcl_ml_min": crcl_ml_min,
        "egfr_ml_min_1_73m2": egfr_ml_min_1_73m2,
    }
    for name, value in numbers.items():  # each on its own: every invalid number is reported
        if value is not None:
            fields.check(PatientSnapshot, **{name: value})
    if patient_locale is None or spasticity_origin is None or fields.failed("sex", *numbers):
        return None
    return fields.check(
        PatientSnapshot,
        age_years=age_years,
        weight_kg=weight_kg,
        sex=patient_sex,
        serum_creatinine_mg_dl=serum_creatinine_mg_dl,
        crcl_ml_min=crcl_ml_min,
        egfr_ml_min_1_73m2=egfr_ml_min_1_73m2,
        dialysis=dialysis,
        origin=spasticity_origin,
        locale=patient_locale,
        conditions=frozenset(conditions or ()),
    )


def _read_plan_fields(
    patient: PatientSnapshot | Mapping[str, Any] | None,
    start_date: str | date,
    dose_times: str | Sequence[str] | None,
    overrides: Iterable[str] | Mapping[str, str] | None,
    clinician: str,
    settings: Settings,
    current_drugs: str | Sequence[str] | None,
) -> tuple[PatientSnapshot | None, date, Any, tuple[Any, ...], dict[str, Any], tuple[str, ...]]:
    """The fields every oral plan reads, each invalid one reported (all at once)."""
    fields = InputCollector()
    person = patient if not isinstance(patient, Mapping) else read_patient(fields, **patient)
    start = fields.read(parse_date, start_date, "start_date")
    times = fields.read(parse_clock_times, dose_times, "dose_times")
    override_values = fields.read(parse_overrides, overrides, "override", clinician) or ()
    setting_values = fields.read(read_settings, settings, "setting") or {}
    drugs = fields.read(parse_names, current_drugs, "drugs") or ()
    fields.raise_errors()
    assert start is not None  # read, or its error raised
    return person, start, times, override_values, setting_values, drugs


def plan_titration_command(
    *,
    start_date: str | date,
    patient: PatientSnapshot | Mapping[str, Any] | None = None,
    target_mg_per_day: float | None = None,
    doses_per_day: int = LABEL_DOSES_PER_DAY,
    product: str | None = None,
    start_dose_mg: float = LABEL_START_DOSE_MG,
    step_dose_mg: float = LABEL_STEP_DOSE_MG,
    step_interval_days: int | None = None,
    dose_times: str | Sequence[str] | None = None,
    overrides: Iterable[str] | Mapping[str, str] | None = None,
    clinician: str = "",
    settings: Settings = None,
    current_drugs: str | Sequence[str] | None = (),
) -> PlanTitration:
    """:class:`PlanTitration` from text; ``patient`` a snapshot or its text fields (see :func:`read_patient`)."""
    person, start, times, override_values, setting_values, drugs = _read_plan_fields(
        patient, start_date, dose_times, overrides, clinician, settings, current_drugs
    )
    return PlanTitration(
        start,
        patient=person,
        target_mg_per_day=target_mg_per_day,
        doses_per_day=doses_per_day,
        product=product,
        start_dose_mg=start_dose_mg,
        step_dose_mg=step_dose_mg,
        step_interval_days=step_interval_days,
        dose_times=times,
        overrides=override_values,
        settings=setting_values,
        current_drugs=drugs,
    )


def plan_taper_command(
    *,
    from_mg_per_day: float,
    start_date: str | date,
    to_mg_per_day: float = 0.0,
    patient: PatientSnapshot | Mapping[str, Any] | None = None,
    product: str | None = None,
    doses_per_day: int = 3,
    months_on_therapy: float | None = None,
    max_step_mg: float | None = None,
    step_interval_days: int | None = None,
    min_days_to_zero: int | None = None,
    dose_times: str | Sequence[str] | None = None,
    overrides: Iterable[str] | Mapping[str, str] | None = None,
    clinician: str = "",
    settings: Settings = None,
    current_drugs: str | Sequence[str] | None = (),
) -> PlanTaper:
    """:class:`PlanTaper` from text; ``patient`` a snapshot or its text fields (see :func:`read_patient`)."""
    person, start, times, override_values, setting_values, drugs = _read_plan_fields(
        patient, start_date, dose_times, overrides, clinician, settings, current_drugs
    )
    return PlanTaper(
        from_mg_per_day,
        start,
        to_mg_per_day=to_mg_per_day,
        patient=person,
        product=product,
        doses_per_day=doses_per_day,
        months_on_therapy=months_on_therapy,
        max_step_mg=max_step_mg,
        step_interval_days=step_interval_days,
        min_days_to_zero=min_days_to_zero,
        dose_times=times,
        overrides=override_values,
        settings=setting_values,
        current_drugs=drugs,
    )


__all__ = ["plan_taper_command", "plan_titration_command", "read_patient"]
