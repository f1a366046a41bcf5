"""Use cases of clinical decision support: interactions, dose check, contraindications, alternatives, scales, risk.

Callable alike from the CLI, a REST API or a web page: arguments are plain values (names, numbers, ISO
dates, ``"NAME=VALUE"`` settings, ``"RULE-ID=reason"`` overrides, the timeline document as a mapping);
each result has a JSON-ready ``to_dict()`` with findings, reasoning and evidence.

Raises
------
InvalidInputError
    For malformed input, naming the field (``drugs``, ``mg_per_day``, ``pump.refills[0].volume_ml`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from baclofen.domain.cds.alternatives import AlternativesAdvice, BaclofenOutcome, advise_alternatives
from baclofen.domain.cds.contraindications import ContraindicationScreen, screen_contraindications
from baclofen.domain.cds.dose_limits import DoseCheck, check_dose
from baclofen.domain.cds.interactions import InteractionScreen, screen_interactions
from baclofen.domain.cds.risk import RiskAssessment, assess_risk
from baclofen.domain.cds.scales import ResponseEvaluation, evaluate_response
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.limits import MONTHS_ON_THERAPY_MAX, ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
from baclofen.domain.patient import KidneyFunction, KidneySource, Locale, Sex, SpasticityOrigin
from baclofen.services.planning import OverrideInput, parse_date, parse_overrides


def split_names(value: str | Iterable[str] | None, field: str = "drugs") -> list[str]:
    """Names from a comma-separated text or a list: :func:`baclofen.domain.names.parse_name_list`."""
    return list(parse_name_list(value, field))


def parse_locale(value: str | Locale | None) -> Locale:
    if value is None:
        return Locale.US
    if isinstance(value, Locale):
        return value
    try:
        return Locale(str(value).strip().lower())
    except ValueError:
        raise InvalidInputError("locale", "us or uk", value) from None


def parse_sex(value: str | Sex | None) -> Sex | None:
    if value is None or isinstance(value, Sex):
        return value
    key = str(value).strip().lower()
    aliases = {"f": "female", "m": "male", "woman": "female", "man": "male"}
    try:
        return Sex(aliases.get(key, key))
    except ValueError:
        raise InvalidInputError("sex", "female or male", value) from None


def parse_origin(value: str | SpasticityOrigin | None) -> SpasticityOrigin | None:
    if value is None or isinstance(value, SpasticityOrigin):
        return value
    try:
        return SpasticityOrigin(str(value).strip().lower())
    except ValueError:
        raise InvalidInputError("origin", "spinal or cerebral", value) from None


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
def check_interactions(
    drugs: str | Sequence[str], *, other_drugs_in_pump: str | Sequence[str] = ()
) -> InteractionScreen:
    """Screen drug names (comma-separated text or list) for interactions; unknown names are reported.
    ``other_drugs_in_pump``: drugs mixed with intrathecal baclofen in the pump or catheter (PUMP-ADMIX-001)."""
    names = split_names(drugs)
    if not names:
        raise InvalidInputError("drugs", "at least one drug name", drugs)
    return screen_interactions(names, other_drugs_in_pump=other_drugs_in_pump)


def check_drug_dose(
    drug: str,
    *,
    mg_per_day: float | None = None,
    mcg_per_day: float | None = None,
    sprays_per_day: float | None = None,
    single_dose_mg: float | None = None,
    doses_per_day: int | None = None,
    locale: str | Locale | None = None,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    origin: str | None = None,
    settings: Mapping[str, Any] | Iterable[str] | None = None,
) -> DoseCheck:
    """Check a daily dose against the drug's cited limits (mg/day; ITB mcg/day; nabiximols sprays/day)."""
    if not isinstance(drug, str) or not drug.strip():
        raise InvalidInputError("drug", "a drug name", drug)
    return check_dose(
        drug,
        mg_per_day=mg_per_day,
        mcg_per_day=mcg_per_day,
        sprays_per_day=sprays_per_day,
        single_dose_mg=single_dose_mg,
        doses_per_day=doses_per_day,
        locale=parse_locale(locale),
        kidney=make_kidney(crcl_ml_min, dialysis),
        origin=parse_origin(origin),
        settings=parse_settings(settings),
    )


def check_drug_contraindications(
    drug: str,
    conditions: str | Sequence[str] | None = None,
    *,
    age_years: float | None = None,
    sex: str | None = None,
    crcl_ml_min: float | None = None,
    dialysis: bool = False,
    route: str | None = None,
    implant_depth_cm: float | None = None,
    days_since_tbi: float | None = None,
) -> ContraindicationScreen:
    """Check one drug against conditions, age, sex, kidney function, route and (intrathecal baclofen) the planned
    pump implant depth and the days since a traumatic brain injury."""
    return screen_contraindications(
        drug,
        split_names(conditions, "conditions"),
        age_years=age_years,
        sex=parse_sex(sex),
        kidney=make_kidney(crcl_ml_min, dialysis),
        route=route,
        implant_depth_cm=implant_depth_cm,
        days_since_tbi=days_since_tbi,
    )


def advise_on_alternatives(
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
    start_date: date | str | None = None,
    overrides: Iterable[OverrideInput] | None = None,
    clinician: str = "",
    settings: Mapping[str, Any] | Iterable[str] | None = None,
) -> AlternativesAdvice:
    """Alternatives to oral baclofen in guideline order for this patient, with an optional cross-taper plan."""
    start = None if start_date is None else parse_date(start_date, "start_date")
    if current_baclofen_mg_per_day is not None:
        require_finite_number(
            current_baclofen_mg_per_day,
            "from_mg_per_day",
            strictly_positive=True,
            maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
        )
    if months_on_therapy is not None:
        require_finite_number(months_on_therapy, "months_on_therapy", minimum=0.0, maximum=MONTHS_ON_THERAPY_MAX)
    return advise_alternatives(
        baclofen_outcome=baclofen_outcome,
        focal=focal,
        severe=severe,
        liver_disease=liver_disease,
        kidney=make_kidney(crcl_ml_min, dialysis),
        current_drugs=split_names(drugs),
        conditions=split_names(conditions, "conditions"),
        age_years=age_years,
        sex=parse_sex(sex),
        locale=parse_locale(locale),
        guideline=guideline,
        settings=parse_settings(settings),
        overrides=parse_overrides(overrides, clinician),
        switch_to=switch_to,
        current_baclofen_mg_per_day=current_baclofen_mg_per_day,
        months_on_therapy=months_on_therapy,
        start_date=start,
    )


def evaluate_scale(
    scale: str,
    baseline: Any,
    current: Any,
    context: str | None = None,
    *,
    settings: Mapping[str, Any] | Iterable[str] | None = None,
) -> ResponseEvaluation:
    """Compare a baseline and a current outcome-scale value under a responder definition (context)."""
    return evaluate_response(
        scale, baseline, current, "general" if context is None else context, settings=parse_settings(settings)
    )


def assess_timeline_risk(document: Any, *, settings: Mapping[str, Any] | Iterable[str] | None = None) -> RiskAssessment:
    """Withdrawal and overdose risks of a ``baclofen-timeline/1`` document (a mapping, e.g. parsed JSON)."""
    return assess_risk(timeline_from_dict(document), settings=parse_settings(settings))


__all__ = [
    "advise_on_alternatives",
    "assess_timeline_risk",
    "check_drug_contraindications",
    "check_drug_dose",
    "check_interactions",
    "evaluate_scale",
    "make_kidney",
    "parse_locale",
    "parse_origin",
    "parse_settings",
    "parse_sex",
    "split_names",
]
