"""What an import reads from another system's FHIR R4 (an EHR's), besides our own resources: pure, resources in,
our values (or the reason they are not imported) out.

* A LOINC Observation of body weight, serum creatinine or eGFR (:data:`~baclofen.adapters.fhir.codes.LOINC_COVARIATES`)
  becomes a covariate observation: weight in ``kg`` or ``[lb_av]`` (x 0.45359237), serum creatinine in ``mg/dL`` or
  ``umol/L`` (converted by :func:`~baclofen.domain.patient.creatinine_mg_dl_from_umol_l`), eGFR in
  ``mL/min/{1.73_m2}``. The unit is the quantity's UCUM code (its ``unit`` text where it has no code).
  Observed on the date of ``effectiveDateTime``; recorded at ``issued`` (else ``effectiveDateTime`` when that is
  an instant); by ``performer[0]`` (its display, else its reference; else "not stated").
* Any other Observation (another code, a status other than final/amended/corrected, a unit we do not convert, no
  value or no instant) is :class:`NotImported`, with why: reported, never silently dropped, never an error.
* A ``MedicationStatement`` is described (:func:`describe_statement`): the drug recognised by the catalogue
  (:mod:`baclofen.domain.cds.drugs`: RxNorm/ATC codings, then names) or unknown, its status, its dosage texts and
  the daily dose in mg its dosages give (or why not). Nothing of it is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baclofen.adapters.fhir import codes as c
from baclofen.adapters.fhir.dosage import read_daily_dose
from baclofen.domain.cds.drugs import find_drug
from baclofen.domain.clinic.observations import CovariateObservation, observation_id
from baclofen.domain.patient import creatinine_mg_dl_from_umol_l

__all__ = ["NotImported", "describe_statement", "is_ours", "read_standard_observation"]

RESULT_STATUSES = c.RESULT_STATUSES
#: Per covariate: UCUM unit -> the function giving our unit's value.
_UNITS: dict[str, dict[str, Any]] = {
    "weight_kg": {"kg": float, "[lb_av]": lambda v: v * c.KG_PER_LB_AV},
    "serum_creatinine_mg_dl": {"mg/dL": float, "umol/L": creatinine_mg_dl_from_umol_l},
    "egfr_ml_min_1_73m2": {"mL/min/{1.73_m2}": float},
}
#: Who recorded an Observation that names no performer.
NO_PERFORMER = "not stated (FHIR import)"


class NotImported(Exception):  # noqa: N818 - a reason, not an error
    """An Observation this import does not store, and why."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def is_ours(concept: Any) -> bool:
    """Whether a CodeableConcept has a coding in the project's own systems (our export's resources)."""
    return any(str(k.system or "").startswith(c.PROJECT_BASE + "/") for k in (concept.coding or []) if concept)


def _concept_words(concept: Any) -> str:
    if concept is None:
        return "no code"
    codings = [f"{k.system or '?'}|{k.code}" + (f" {k.display}" if k.display else "") for k in concept.coding or []]
    return concept.text or (codings[0] if codings else "no code")


def _field(observation: Any) -> tuple[str, str]:
    """The covariate (our field) an Observation's LOINC code gives, and that code."""
    for coding in observation.code.coding or []:
        if coding.system == c.LOINC and str(coding.code) in c.LOINC_COVARIATES:
            return c.LOINC_COVARIATES[str(coding.code)], str(coding.code)
    known = ", ".join(f"LOINC {k}" for k in c.LOINC_COVARIATES)
    raise NotImported(f"not a covariate we keep ({_concept_words(observation.code)}); we read {known}")


def _value(observation: Any, field: str, loinc: str) -> float:
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        raise NotImported(f"LOINC {loinc} without a valueQuantity")
    if quantity.system not in (None, c.UCUM):
        raise NotImported(f"LOINC {loinc}: a unit outside UCUM ({quantity.system})")
    unit = quantity.code or quantity.unit
    convert = _UNITS[field].get(str(unit))
    if convert is None:
        raise NotImported(f"LOINC {loinc} in {unit!r}: we convert only " + ", ".join(_UNITS[field]))
    result: float = convert(float(quantity.value))
    return result


def _when(observation: Any, loinc: str) -> tuple[date, datetime]:
    effective = observation.effectiveDateTime
    if not isinstance(effective, date):  # absent, or a partial date (a year, a month)
        raise NotImported(f"LOINC {loinc} without a full effectiveDateTime (got {effective!r})")
    day = effective.date() if isinstance(effective, datetime) else effective
    for instant in (observation.issued, effective):
        if isinstance(instant, datetime) and instant.utcoffset() is not None:
            return day, instant
    raise NotImported(f"LOINC {loinc} without the instant it was recorded (issued, or a dateTime with its offset)")


def _performer(resource: Any) -> str:
    for performer in resource.performer or []:
        if performer.display or performer.reference:
            return str(performer.display or performer.reference)
    return NO_PERFORMER


def read_standard_observation(observation: Any, patient_id: str) -> CovariateObservation:
    """The covariate observation of a LOINC body weight, serum creatinine or eGFR Observation, or
    :class:`NotImported` (why). An impossible value (out of our bounds) raises ``InvalidInputError`` naming it."""
    if observation.status not in RESULT_STATUSES:
        raise NotImported(f"status {observation.status!r}: only final, amended or corrected results are imported")
    field, loinc = _field(observation)
    value = _value(observation, field, loinc)
    day, instant = _when(observation, loinc)
    record_id = observation_id("C", patient_id, instant, day, field, value)
    values: dict[str, Any] = {field: value}
    return CovariateObservation(record_id, patient_id, day, instant, _performer(observation), **values)


# --- MedicationStatement -------------------------------------------------------------------------------------------
def _medication(statement: Any) -> tuple[str | None, str]:
    """The catalogue key of the statement's drug (None: unknown) and its name as the statement gives it."""
    concept = statement.medicationCodeableConcept
    if concept is None:
        reference = statement.medicationReference
        name = str(reference.display or reference.reference) if reference is not None else "no medication"
        drug = find_drug(name) if reference is not None and reference.display else None
        return (drug.key if drug else None), name
    names = [concept.text, *(k.display for k in concept.coding or [])]
    queries = [
        f"{'RxNorm' if k.system == c.RXNORM else 'ATC'}:{k.code}"
        for k in concept.coding or []
        if k.system in (c.RXNORM, c.ATC) and k.code
    ]
    for query in [*queries, *(n for n in names if n)]:
        drug = find_drug(str(query))
        if drug is not None:
            return drug.key, str(next((n for n in names if n), query))
    return None, str(next((n for n in names if n), _concept_words(concept)))


def _daily_dose(statement: Any) -> tuple[float | None, str]:
    """The daily dose in mg a statement's dosages give (a rate in mg/d, as our export writes it; else each dose in
    mg times its doses a day, :func:`~baclofen.adapters.fhir.dosage.read_daily_dose`), or None and why."""
    dosages = statement.dosage or []
    rates = [r.rateQuantity for d in dosages for r in d.doseAndRate or [] if r.rateQuantity is not None]
    if rates and all(q.code == "mg/d" and q.value is not None for q in rates):
        return sum(float(q.value) for q in rates), ""
    daily, _, _, why = read_daily_dose(dosages)
    return daily, why


def describe_statement(statement: Any, entry: int) -> dict[str, Any]:
    """What a MedicationStatement says, as read (nothing stored): the drug, recognised or not, and its dosages."""
    key, name = _medication(statement)
    daily, why = _daily_dose(statement)
    return {
        "entry": entry,
        "medication": name,
        "drug": key,
        "recognised": key is not None,
        "status": statement.status,
        "dosage_text": [d.text for d in statement.dosage or [] if d.text],
        "daily_dose_mg": daily,
        "daily_dose_not_read": why or None,
    }
