"""Use cases of clinical decision support: interactions, dose check, contraindications, alternatives, scales, risk.

Callable alike from the CLI, a REST API or a web page: every use case takes a typed command
(:mod:`baclofen.services.commands`; text and the timeline document are read at the edge, :mod:`baclofen.adapters.edge`);
each result has a JSON-ready ``to_dict()`` with findings, reasoning and evidence.

Raises
------
InvalidInputError
    For malformed input, naming the field (``drugs``, ``mg_per_day``, ``pump.refills[0].volume_ml`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from baclofen.domain.cds.alternatives import ADVISOR_SETTINGS, AlternativesAdvice, advise_alternatives
from baclofen.domain.cds.contraindications import ContraindicationScreen, screen_contraindications
from baclofen.domain.cds.dose_limits import SETTINGS_BY_NAME as DOSE_SETTINGS
from baclofen.domain.cds.dose_limits import DoseCheck, check_dose
from baclofen.domain.cds.interactions import InteractionScreen, screen_interactions
from baclofen.domain.cds.risk import RISK_SETTINGS, RiskAssessment, assess_risk
from baclofen.domain.cds.scales import SCALE_SETTINGS, ResponseEvaluation, evaluate_response
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.limits import MONTHS_ON_THERAPY_MAX, ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
from baclofen.domain.oral.taper import TAPER_SETTINGS
from baclofen.domain.patient import KidneyFunction, KidneySource
from baclofen.domain.settings import Setting, with_clinic_sources
from baclofen.services.commands import (
    AdviseAlternatives,
    AssessTimelineRisk,
    CheckContraindications,
    CheckDrugDose,
    CheckInteractions,
    EvaluateScale,
)
from baclofen.services.ports import SettingsProvider


def split_names(value: str | Iterable[str] | None, field: str = "drugs") -> list[str]:
    """Names from a comma-separated text or a list: :func:`baclofen.domain.names.parse_name_list`."""
    return list(parse_name_list(value, field))


def make_kidney(crcl_ml_min: float | None = None, dialysis: bool = False) -> KidneyFunction | None:
    """Kidney function from a CrCl (mL/min) and/or the dialysis flag; None when neither is given."""
    if not isinstance(dialysis, bool):
        raise InvalidInputError("dialysis", "true or false", dialysis)
    if crcl_ml_min is None and not dialysis:
        return None
    source = KidneySource.DIALYSIS if dialysis else KidneySource.GIVEN_CRCL
    return KidneyFunction(crcl_ml_min, dialysis=dialysis, source=source)


def parse_settings(values: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """Settings from a mapping or ``"NAME=VALUE"`` texts (numbers parsed; ``true``/``false`` as booleans)."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return dict(values)
    out: dict[str, Any] = {}
    for item in values:
        if not isinstance(item, str):
            raise InvalidInputError("setting", "NAME=VALUE", item)
        name, sep, text = item.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise InvalidInputError("setting", "NAME=VALUE (a setting name, then = and its value)", item)
        out[name.strip()] = _value(text.strip())
    return out


def _value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


# --- use cases ------------------------------------------------------------------------------------------------
def check_interactions(command: CheckInteractions) -> InteractionScreen:
    """Screen drug names for interactions; unknown names are reported. ``other_drugs_in_pump``: drugs mixed with
    intrathecal baclofen in the pump or catheter (PUMP-ADMIX-001)."""
    if not command.drugs:
        raise InvalidInputError("drugs", "at least one drug name", command.drugs)
    return screen_interactions(list(command.drugs), other_drugs_in_pump=command.other_drugs_in_pump)


def check_drug_dose(command: CheckDrugDose, *, clinic: SettingsProvider | None = None) -> DoseCheck:
    """Check a daily dose against the drug's cited limits (mg/day; ITB mcg/day; nabiximols sprays/day). ``clinic``
    gives the clinic's own values of the dose-limit settings; ``command.settings`` win over them, and the settings
    used at the clinic's value say so (``source="clinic"``)."""
    c = command
    if not isinstance(c.drug, str) or not c.drug.strip():
        raise InvalidInputError("drug", "a drug name", c.drug)
    mine = _clinic_values(clinic, DOSE_SETTINGS)
    checked = check_dose(
        c.drug,
        mg_per_day=c.mg_per_day,
        mcg_per_day=c.mcg_per_day,
        sprays_per_day=c.sprays_per_day,
        single_dose_mg=c.single_dose_mg,
        doses_per_day=c.doses_per_day,
        locale=c.locale,
        kidney=make_kidney(c.crcl_ml_min, c.dialysis),
        origin=c.origin,
        settings=mine | dict(c.settings),
    )
    if not mine:
        return checked
    return replace(checked, settings=with_clinic_sources(checked.settings, mine, c.settings))


def check_drug_contraindications(command: CheckContraindications) -> ContraindicationScreen:
    """Check one drug against conditions, age, sex, kidney function, route and (intrathecal baclofen) the planned
    pump implant depth and the days since a traumatic brain injury."""
    c = command
    return screen_contraindications(
        c.drug,
        list(c.conditions),
        age_years=c.age_years,
        sex=c.sex,
        kidney=make_kidney(c.crcl_ml_min, c.dialysis),
        route=c.route,
        implant_depth_cm=c.implant_depth_cm,
        days_since_tbi=c.days_since_tbi,
    )


def _clinic_values(clinic: SettingsProvider | None, settings: Mapping[str, Setting]) -> dict[str, Any]:
    """The clinic's own values of ``settings`` (none without a clinic)."""
    return {} if clinic is None else dict(clinic.overrides(settings.values()))


def advise_on_alternatives(
    command: AdviseAlternatives, *, clinic: SettingsProvider | None = None
) -> AlternativesAdvice:
    """Alternatives to oral baclofen in guideline order for this patient, with an optional cross-taper plan.
    ``clinic`` gives the clinic's own values of the advisor's settings; ``command.settings`` (and a guideline named
    in the command) win over them, and the settings used at the clinic's value say so (``source="clinic"``); the
    cross-taper's baclofen taper uses the clinic's values of the taper planner's settings
    (:data:`~baclofen.domain.oral.taper.TAPER_SETTINGS`) the same way."""
    c = command
    mine = _clinic_values(clinic, ADVISOR_SETTINGS)
    taper_mine = _clinic_values(clinic, {s.name: s for s in TAPER_SETTINGS})
    if c.current_baclofen_mg_per_day is not None:
        require_finite_number(
            c.current_baclofen_mg_per_day,
            "from_mg_per_day",
            strictly_positive=True,
            maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
        )
    if c.months_on_therapy is not None:
        require_finite_number(c.months_on_therapy, "months_on_therapy", minimum=0.0, maximum=MONTHS_ON_THERAPY_MAX)
    advice = advise_alternatives(
        baclofen_outcome=c.baclofen_outcome,
        focal=c.focal,
        severe=c.severe,
        liver_disease=c.liver_disease,
        kidney=make_kidney(c.crcl_ml_min, c.dialysis),
        current_drugs=list(c.drugs),
        conditions=list(c.conditions),
        age_years=c.age_years,
        sex=c.sex,
        locale=c.locale,
        guideline=c.guideline,
        settings=mine | dict(c.settings),
        overrides=c.overrides,
        switch_to=c.switch_to,
        current_baclofen_mg_per_day=c.current_baclofen_mg_per_day,
        months_on_therapy=c.months_on_therapy,
        start_date=c.start_date,
        taper_settings=taper_mine or None,
    )
    cross = advice.cross_taper
    if cross is not None and taper_mine:
        taper = replace(cross.taper, settings=with_clinic_sources(cross.taper.settings, taper_mine))
        advice = replace(advice, cross_taper=replace(cross, taper=taper))
    if not mine:
        return advice
    return replace(advice, settings=with_clinic_sources(advice.settings, mine, c.settings))


def evaluate_scale(command: EvaluateScale, *, clinic: SettingsProvider | None = None) -> ResponseEvaluation:
    """Compare a baseline and a current outcome-scale value under a responder definition (context). ``clinic``
    gives the clinic's own values of the scales' settings; ``command.settings`` win over them, and the settings
    used at the clinic's value say so (``source="clinic"``)."""
    c = command
    mine = _clinic_values(clinic, SCALE_SETTINGS)
    evaluation = evaluate_response(c.scale, c.baseline, c.current, c.context, settings=mine | dict(c.settings))
    if not mine:
        return evaluation
    return replace(evaluation, settings=with_clinic_sources(evaluation.settings, mine, c.settings))


def assess_timeline_risk(command: AssessTimelineRisk, *, clinic: SettingsProvider | None = None) -> RiskAssessment:
    """Withdrawal and overdose risks of a patient timeline (read at the edge from its ``baclofen-timeline/1``
    document). ``clinic`` gives the clinic's own values of the risk settings
    (:data:`~baclofen.domain.cds.risk.RISK_SETTINGS`); ``command.settings`` win over them, and the settings used at
    the clinic's value say so (``source="clinic"``)."""
    mine = _clinic_values(clinic, RISK_SETTINGS)
    assessment = assess_risk(command.timeline, settings=mine | dict(command.settings))
    if not mine:
        return assessment
    return replace(assessment, settings=with_clinic_sources(assessment.settings, mine, command.settings))


__all__ = [
    "advise_on_alternatives",
    "assess_timeline_risk",
    "check_drug_contraindications",
    "check_drug_dose",
    "check_interactions",
    "evaluate_scale",
    "make_kidney",
    "parse_settings",
    "split_names",
]
