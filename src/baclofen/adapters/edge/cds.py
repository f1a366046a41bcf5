"""Decision-support requests from text: interactions, dose check, contraindications, alternatives (with a
cross-taper), outcome scales and the risks of a timeline document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import parse_date, parse_locale, parse_names, parse_origin, parse_overrides, parse_sex
from baclofen.domain.cds.alternatives import BaclofenOutcome
from baclofen.domain.cds.scales import ResponseContext, Scale, parse_context, parse_scale, parse_scale_value
from baclofen.domain.cds.timeline import PatientTimeline, timeline_from_dict
from baclofen.domain.documents import within
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import Locale
from baclofen.services.commands import (
    AdviseAlternatives,
    AssessTimelineRisk,
    CheckContraindications,
    CheckDrugDose,
    CheckInteractions,
    EvaluateScale,
)

Settings = Mapping[str, Any] | Iterable[str] | None


def check_interactions_command(
    *, drugs: str | Sequence[str], other_drugs_in_pump: str | Sequence[str] | None = None
) -> CheckInteractions:
    """:class:`CheckInteractions` from names (comma-separated text or a list; at least one drug)."""
    fields = InputCollector()
    names = fields.read(parse_names, drugs, "drugs")
    if names == ():
        fields.add(InvalidInputError("drugs", "at least one drug name", drugs))
    in_pump = fields.read(parse_names, other_drugs_in_pump, "other_drugs_in_pump") or ()
    fields.raise_errors()
    return CheckInteractions(names or (), in_pump)


def check_drug_dose_command(
    *,
    drug: str,
    mg_per_day: float | None = None,
    mcg_per_day: float | None = None,
    sprays_per_day: float | None = None,
    single_dose_mg: float | None = None,
    doses_per_day: int | None = None,
    locale: str | None = None,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    origin: str | None = None,
    settings: Settings = None,
) -> CheckDrugDose:
    """:class:`CheckDrugDose` from text (locale ``us``/``uk``, origin, ``NAME=VALUE`` settings)."""
    fields = InputCollector()
    patient_locale = fields.read(parse_locale, locale, "locale") or Locale.US
    spasticity_origin = fields.read(parse_origin, origin, "origin")
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    return CheckDrugDose(
        drug,
        mg_per_day=mg_per_day,
        mcg_per_day=mcg_per_day,
        sprays_per_day=sprays_per_day,
        single_dose_mg=single_dose_mg,
        doses_per_day=doses_per_day,
        locale=patient_locale,
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        origin=spasticity_origin,
        settings=setting_values,
    )


def check_contraindications_command(
    *,
    drug: str,
    conditions: str | Sequence[str] | None = None,
    age_years: float | None = None,
    sex: str | None = None,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    route: str | None = None,
    implant_depth_cm: float | None = None,
    days_since_tbi: float | None = None,
) -> CheckContraindications:
    """:class:`CheckContraindications` from text (conditions comma-separated or a list, sex)."""
    fields = InputCollector()
    names = fields.read(parse_names, conditions, "conditions") or ()
    patient_sex = fields.read(parse_sex, sex, "sex")
    fields.raise_errors()
    return CheckContraindications(
        drug,
        names,
        age_years=age_years,
        sex=patient_sex,
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        route=route,
        implant_depth_cm=implant_depth_cm,
        days_since_tbi=days_since_tbi,
    )


def advise_alternatives_command(
    *,
    baclofen_outcome: str | BaclofenOutcome = BaclofenOutcome.FAILED,
    focal: bool = False,
    severe: bool = False,
    liver_disease: bool = False,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    drugs: str | Sequence[str] | None = None,
    conditions: str | Sequence[str] | None = None,
    sex: str | None = None,
    age_years: float | None = None,
    locale: str | None = None,
    guideline: str | None = None,
    switch_to: str | None = None,
    current_baclofen_mg_per_day: float | None = None,
    months_on_therapy: float | None = None,
    start_date: str | date | None = None,
    overrides: Iterable[str] | None = None,
    clinician: str = "",
    settings: Settings = None,
) -> AdviseAlternatives:
    """:class:`AdviseAlternatives` from text: names comma-separated, sex, locale, ``start_date``
    ``YYYY-MM-DD``, ``RULE-ID=REASON`` overrides, ``NAME=VALUE`` settings."""
    fields = InputCollector()
    drug_names = fields.read(parse_names, drugs, "drugs") or ()
    condition_names = fields.read(parse_names, conditions, "conditions") or ()
    patient_sex = fields.read(parse_sex, sex, "sex")
    patient_locale = fields.read(parse_locale, locale, "locale") or Locale.US
    start = fields.read(parse_date, start_date, "start_date")
    override_values = fields.read(parse_overrides, overrides, "override", clinician) or ()
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    return AdviseAlternatives(
        baclofen_outcome=baclofen_outcome,
        focal=focal,
        severe=severe,
        liver_disease=liver_disease,
        crcl_ml_min=crcl_ml_min,
        dialysis=dialysis,
        drugs=drug_names,
        conditions=condition_names,
        sex=patient_sex,
        age_years=age_years,
        locale=patient_locale,
        guideline=guideline,
        switch_to=switch_to,
        current_baclofen_mg_per_day=current_baclofen_mg_per_day,
        months_on_therapy=months_on_therapy,
        start_date=start,
        overrides=override_values,
        settings=setting_values,
    )


def evaluate_scale_command(
    *,
    scale: str | Scale,
    baseline: Any,
    current: Any,
    context: str | ResponseContext | None = None,
    settings: Settings = None,
) -> EvaluateScale:
    """:class:`EvaluateScale` from text: the scale and context by name (context ``general`` when None), the
    baseline and current values in the scale's form (MAS grades ``1+,2``, Penn ``F:S``, NRS ``0``-``10``)."""
    fields = InputCollector()
    on_scale = fields.read(lambda value, field: parse_scale(value), scale, "scale")
    chosen = ResponseContext.GENERAL if context is None else context
    responder = fields.read(lambda value, field: parse_context(value), chosen, "context")
    base = current_value = None
    if on_scale is not None:  # the values' form depends on the scale
        base = fields.check(parse_scale_value, baseline, "baseline", on_scale)
        current_value = fields.check(parse_scale_value, current, "current", on_scale)
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    assert on_scale is not None and responder is not None and base is not None and current_value is not None
    return EvaluateScale(on_scale, base, current_value, responder, setting_values)


def read_timeline_document(value: PatientTimeline | Mapping[str, Any], field: str) -> PatientTimeline:
    """A patient timeline, or one read from its ``baclofen-timeline/1`` document; an error inside the document
    names its path under ``field`` (``timeline.pump.refills[0].volume_ml``)."""
    if isinstance(value, PatientTimeline):
        return value
    with within(field):
        return timeline_from_dict(value)


def assess_timeline_risk_command(
    *, timeline: PatientTimeline | Mapping[str, Any], settings: Settings = None
) -> AssessTimelineRisk:
    """:class:`AssessTimelineRisk` from a timeline or its ``baclofen-timeline/1`` document (a mapping: parsed JSON)
    and ``NAME=VALUE`` settings."""
    fields = InputCollector()
    read = fields.check(read_timeline_document, timeline, "timeline")  # a required document: null is refused
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    assert read is not None  # read, or its error raised
    return AssessTimelineRisk(read, setting_values)


__all__ = [
    "advise_alternatives_command",
    "assess_timeline_risk_command",
    "check_contraindications_command",
    "check_drug_dose_command",
    "check_interactions_command",
    "evaluate_scale_command",
    "read_timeline_document",
]
