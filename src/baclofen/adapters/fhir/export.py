"""A patient file as a FHIR R4 Bundle (type ``collection``), each resource built and checked with
``fhir.resources.R4B``; pure: records and the time of the export in, a JSON-ready ``dict`` out.

One function per resource type (codes and units: :mod:`baclofen.adapters.fhir.codes`):

* ``Patient``: identifier (our patient id), gender, and the snapshot the record keeps (age, weight, kidney function,
  dialysis, origin, locale, conditions) in one project extension, so that the record comes back exactly.
* ``Condition``: each condition of the snapshot (SNOMED 24700007 where it is multiple sclerosis, else text only).
* ``Observation``: each covariate observation (one Observation, a component per covariate: kg, mg/dL, mL/min,
  mL/min/{1.73_m2}, a boolean for dialysis) and each outcome score (Modified Ashworth grade with its muscle group as
  ``bodySite``, Penn frequency and severity as components, a 0-10 rating as ``{score}``), in project codes.
* ``MedicationRequest``: each saved oral plan (a ``Dosage`` per step and clock time: dose in mg, the step's days as
  ``boundsPeriod``; reason SNOMED 221360009; the plan it supersedes as ``priorPrescription``; the saved plan's own
  JSON document in the extension ``saved-plan``, so that an import stores it exactly), and each pump program change
  (the daily dose in ug/d).
* ``MedicationStatement``: the oral daily doses the plan history gives (mg/d over each period).
* ``MedicationAdministration``: each ITB refill (the program's ug/d as ``dosage.rateQuantity``, never a
  ``dosage.dose``: the mL put in the reservoir and its ug/mL are the extensions ``fill-volume`` and
  ``concentration``, the residuals in the note) and screening bolus (``dosage.dose`` in ug).
* ``Device``: each pump (manufacturer, model, implant date; the pump's record with every visit in the extension
  ``pump-record``, read back by the import). A program change's MedicationRequest carries its record likewise
  (``program-change``).
* ``DetectedIssue``: each alert and each finding of a saved plan or program change, ``status`` ``final`` (R4 binds
  it to observation-status: the assessment is made, whether or not it is handled); an alert's state (open,
  acknowledged, resolved) is the extension ``alert-state``, its acknowledgement/resolution the ``mitigation``.

Statuses are those at the export's time: a saved plan ``active`` (``completed`` once its last step has ended,
``stopped`` when superseded), an oral dose period ``intended`` / ``active`` / ``completed``, a pump's program change
``completed`` once a later one is in effect, else ``active`` (the one in effect, or one still to come).
* ``Provenance``: lists every other resource; ``recorded`` is the time passed in, the agent this software.

Not exported (no resource here holds them yet): diary entries (a saved plan's settings, overrides, transition
envelope and switch are in its ``saved-plan`` document); a refill visit's overrides; the settings of a program
change. A fill's time without a UTC offset (pump clock) is exported as its date, the clock time in the dosage text.

Every resource id is a uuid5 of the record it comes from and every ``fullUrl`` ``urn:uuid:<id>``: exporting the same
records at the same time gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from baclofen import __version__
from baclofen.adapters.fhir import codes as c
from baclofen.adapters.fhir.dosage import plan_step_dosages
from baclofen.domain.cds.orders import ORAL_PRODUCT_OF_RXCUI
from baclofen.domain.cds.scales import AshworthGrade, NrsScore, PennSpasmScore, Scale
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.patient_file import PatientFile, PumpFile
from baclofen.domain.clinic.regimens import PlanStatus, ProgramChangeRecord, SavedPlan, oral_prescriptions
from baclofen.domain.clinic.regimens import plan_statuses as plan_status_of
from baclofen.domain.dates import read_iso_date
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import InfusionProgram
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Finding, Severity
from baclofen.domain.settings import settings_to_dicts

__all__ = ["EXPORTED_TYPES", "SCALE_TEXT", "export_clinic_ndjson", "export_patient_bundle", "patient_resources"]

Resource = dict[str, Any]

#: Every resource type an export writes, in the order a patient's Bundle gives them first.
EXPORTED_TYPES = (
    "Patient",
    "Condition",
    "Observation",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "Device",
    "DetectedIssue",
    "Provenance",
)

#: What each scale is, in words (the text of its CodeableConcept).
SCALE_TEXT = {
    Scale.MODIFIED_ASHWORTH: "Modified Ashworth Scale grade",
    Scale.PENN: "Penn Spasm Frequency Scale",
    Scale.NRS_SPASTICITY: "Spasticity, 0-10 numeric rating scale",
    Scale.NRS_PAIN: "Pain, 0-10 numeric rating scale",
    Scale.NRS_SLEEP: "Sleep disruption, 0-10 numeric rating scale",
}
#: The covariates of an observation: (field, project code, text, UCUM unit; None for dialysis, a boolean).
COVARIATE_COMPONENTS = (
    ("weight_kg", "weight", "Body weight", "kg"),
    ("serum_creatinine_mg_dl", "serum-creatinine", "Serum creatinine", "mg/dL"),
    ("crcl_ml_min", "creatinine-clearance", "Creatinine clearance", "mL/min"),
    ("egfr_ml_min_1_73m2", "egfr", "Estimated glomerular filtration rate", "mL/min/{1.73_m2}"),
    ("dialysis", "dialysis", "On dialysis", None),
)
#: The numbers of the snapshot extension: (field, sub-extension url, UCUM unit).
SNAPSHOT_QUANTITIES = (
    ("age_years", "age", "a"),
    ("weight_kg", "weight", "kg"),
    ("serum_creatinine_mg_dl", "serum-creatinine", "mg/dL"),
    ("crcl_ml_min", "creatinine-clearance", "mL/min"),
    ("egfr_ml_min_1_73m2", "egfr", "mL/min/{1.73_m2}"),
)
#: Oral products with a product RxCUI in clinical.md §10 (inferred there).
ORAL_PRODUCT_RXCUI = {product: code for code, product in ORAL_PRODUCT_OF_RXCUI.items()}
#: The intrathecal concentration of the one intrathecal RxCUI (0.05 mg/mL, inferred).
ITB_RXCUI_CONCENTRATION_MCG_PER_ML = (50.0, "1047437")

_LEVEL = {Severity.BLOCK: "high", Severity.WARN: "moderate", Severity.INFO: "low"}


def _ref(kind: str, record_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{c.resource_uuid(kind, record_id)}"}


def _identifier(kind: str, value: str) -> list[dict[str, str]]:
    return [{"system": c.project_system(f"identifier/{kind}"), "value": value}]


def _moment(value: date | datetime) -> str:
    return value.isoformat()


def _performer(who: str) -> list[dict[str, str]]:
    return [{"display": who}]


# --- Patient and conditions ----------------------------------------------------------------------------------------
def snapshot_extension(snapshot: PatientSnapshot) -> Resource:
    """The snapshot a patient record keeps, as one project extension (read back by the import)."""
    parts: list[Resource] = []
    for field, url, unit in SNAPSHOT_QUANTITIES:
        value = getattr(snapshot, field)
        if value is not None:
            parts.append({"url": url, "valueQuantity": c.quantity(value, unit)})
    parts.append({"url": "dialysis", "valueBoolean": snapshot.dialysis})
    parts.append({"url": "origin", "valueCode": snapshot.origin.value})
    parts.append({"url": "locale", "valueCode": snapshot.locale.value})
    parts.extend({"url": "condition", "valueString": name} for name in sorted(snapshot.conditions))
    return {"url": c.project_system("StructureDefinition/patient-snapshot"), "extension": parts}


def patient_resource(file: PatientFile) -> Resource:
    record = file.record
    out: Resource = {
        "resourceType": "Patient",
        "id": c.resource_uuid("patient", record.patient_id),
        "extension": [snapshot_extension(record.snapshot)],
        "identifier": _identifier("patient", record.patient_id),
        "gender": record.snapshot.sex.value if record.snapshot.sex else "unknown",
    }
    return out


def condition_resources(file: PatientFile) -> Iterator[Resource]:
    """A Condition per condition text of the snapshot (SNOMED 24700007 only where it is multiple sclerosis)."""
    for name in sorted(file.record.snapshot.conditions):
        codings = [c.coding(c.SNOMED, *c.SNOMED_MULTIPLE_SCLEROSIS)] if _is_ms(name) else []
        yield {
            "resourceType": "Condition",
            "id": c.resource_uuid("condition", f"{file.patient_id}/{name}"),
            "code": c.codeable(name, *codings),
            "subject": _ref("patient", file.patient_id),
        }


def _is_ms(name: str) -> bool:
    return name.strip().lower() in ("multiple sclerosis", "ms")


# --- Observations --------------------------------------------------------------------------------------------------
def covariate_observation(observation: CovariateObservation) -> Resource:
    components = []
    for field, code, text, unit in COVARIATE_COMPONENTS:
        value = getattr(observation, field)
        if value is None:
            continue
        component: Resource = {"code": c.codeable(text, c.coding(c.project_system("covariate"), code, text))}
        component |= {"valueBoolean": value} if unit is None else {"valueQuantity": c.quantity(value, unit)}
        components.append(component)
    text = "Covariates (weight, kidney function, dialysis)"
    return {
        "resourceType": "Observation",
        "id": c.resource_uuid("covariates", observation.observation_id),
        "identifier": _identifier("covariates", observation.observation_id),
        "status": "final",
        "code": c.codeable(text, c.coding(c.project_system("observation"), "covariates", text)),
        "subject": _ref("patient", observation.patient_id),
        "effectiveDateTime": observation.observed_on.isoformat(),
        "issued": observation.recorded_at.isoformat(),
        "performer": _performer(observation.recorded_by),
        "component": components,
    }


def score_value(value: AshworthGrade | PennSpasmScore | NrsScore) -> Resource:
    """The value of a score: a grade code (``1+``), Penn components, or a 0-10 ``{score}`` quantity."""
    if isinstance(value, AshworthGrade):
        system = c.project_system("modified-ashworth-grade")
        return {"valueCodeableConcept": c.codeable(value.description, c.coding(system, value.value))}
    if isinstance(value, PennSpasmScore):
        parts = [("penn-frequency", "Spasm frequency (0-4)", value.frequency)]
        if value.severity is not None:
            parts.append(("penn-severity", "Spasm severity (1-3)", value.severity))
        components = [
            {"code": c.codeable(text, c.coding(c.project_system("outcome-scale"), code)), "valueInteger": n}
            for code, text, n in parts
        ]
        return {"component": components}
    return {"valueQuantity": c.quantity(value.value, "{score}")}


def score_observation(score: OutcomeScoreRecord) -> Resource:
    text = SCALE_TEXT[score.scale]
    category = "exam" if score.scale is Scale.MODIFIED_ASHWORTH else "survey"
    out: Resource = {
        "resourceType": "Observation",
        "id": c.resource_uuid("score", score.score_id),
        "identifier": _identifier("score", score.score_id),
        "status": "final",
        "category": [c.codeable(category, c.coding(c.OBSERVATION_CATEGORY, category))],
        "code": c.codeable(text, c.coding(c.project_system("outcome-scale"), score.scale.value, text)),
        "subject": _ref("patient", score.patient_id),
        "effectiveDateTime": score.assessed_on.isoformat(),
        "issued": score.recorded_at.isoformat(),
        "performer": _performer(score.recorded_by),
    }
    out |= score_value(score.value)
    if score.muscle_group is not None:
        out["bodySite"] = {"text": score.muscle_group}
    if score.note:
        out["note"] = [{"text": score.note}]
    return out


# --- MedicationRequest and MedicationStatement ---------------------------------------------------------------------
def oral_concept(product_name: str) -> Resource:
    return c.baclofen_concept(ORAL_PRODUCT_RXCUI.get(product_name))


def plan_dosages(plan: SavedPlan) -> list[Resource]:
    """The saved plan's Dosage list: :func:`~baclofen.adapters.fhir.dosage.plan_step_dosages` (one builder for the
    export and the taper a CDS Hooks card suggests)."""
    return plan_step_dosages(plan.plan)


def _plan_status(plan: SavedPlan, status: PlanStatus, today: date) -> str:
    """``stopped`` when superseded; the active plan ``completed`` once its last (not continuing) step has ended."""
    if status is not PlanStatus.ACTIVE:
        return "stopped"
    last = plan.plan.steps[-1] if plan.plan.steps else None
    return "completed" if last is not None and not last.continues and last.end < today else "active"


#: The project extension carrying a saved plan's own document (read back by the import: the plan comes back exactly).
SAVED_PLAN_URL = c.project_system("StructureDefinition/saved-plan")


def saved_plan_document(plan: SavedPlan) -> dict[str, Any]:
    """What a saved plan is, as JSON: its history position, the ``baclofen-plan/1`` plan, who saved it and when, and
    a transition's or a switch's rest of document."""
    out: dict[str, Any] = {
        "seq": plan.seq,
        "plan": plan.plan.to_dict(),
        "saved_by": plan.saved_by,
        "saved_at": plan.saved_at.isoformat(),
    }
    if plan.transition is not None:
        out["transition"] = dict(plan.transition)
    if plan.switch is not None:
        out["switch"] = dict(plan.switch)
    return out


def plan_request(plan: SavedPlan, status: PlanStatus, previous: SavedPlan | None, today: date) -> Resource:
    document = _json(saved_plan_document(plan))
    out: Resource = {
        "resourceType": "MedicationRequest",
        "id": c.resource_uuid("plan", plan.plan_id),
        "extension": [{"url": SAVED_PLAN_URL, "valueString": document}],
        "identifier": _identifier("plan", plan.plan_id),
        "status": _plan_status(plan, status, today),
        "intent": "plan",
        "category": [c.codeable(f"baclofen {plan.kind} plan", c.coding(c.project_system("plan-kind"), plan.kind))],
        "medicationCodeableConcept": oral_concept(plan.plan.product.name),
        "subject": _ref("patient", plan.patient_id),
        "authoredOn": plan.saved_at.isoformat(),
        "requester": {"display": plan.saved_by},
        "reasonCode": [c.codeable("spasticity", c.coding(c.SNOMED, *c.SNOMED_SPASTICITY))],
        "note": [{"text": f"{plan.plan.product.display}; {plan.kind} plan {plan.seq + 1} of the patient's history"}],
        "dosageInstruction": plan_dosages(plan),
    }
    if previous is not None:
        out["priorPrescription"] = _ref("plan", previous.plan_id)
    return out


#: The project extensions carrying a pump's record (its visits) and a program change's record, read back exactly.
PUMP_RECORD_URL = c.project_system("StructureDefinition/pump-record")
PROGRAM_CHANGE_URL = c.project_system("StructureDefinition/program-change")


def _json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def program_document(program: InfusionProgram) -> dict[str, Any]:
    """A pump program as JSON: its mode, rate steps [start minute, ug/h] and boluses [start minute, ug, minutes]."""
    return {
        "mode": program.mode.value,
        "steps": [[s.start_minute, s.rate_mcg_per_h] for s in program.steps],
        "boluses": [[b.start_minute, b.dose_mcg, b.duration_minutes] for b in program.boluses],
    }


def pump_document(record: PumpRecord) -> dict[str, Any]:
    """A pump's record as JSON (its model key, implant date and every refill visit as recorded)."""
    return {
        "pump_id": record.pump_id,
        "model": record.model.key,
        "implanted": None if record.implanted is None else record.implanted.isoformat(),
        "visits": [
            {
                "refilled_at": None if v.refilled_at is None else v.refilled_at.isoformat(),
                "expected_ml": v.expected_ml,
                "aspirated_ml": v.aspirated_ml,
                "fill_ml": v.fill_ml,
                "concentration_mcg_per_ml": v.concentration_mcg_per_ml,
                "program": None if v.program is None else program_document(v.program),
                "overrides": [o.to_dict() for o in v.overrides],
            }
            for v in record.visits
        ],
    }


def program_change_document(change: ProgramChangeRecord) -> dict[str, Any]:
    """A program change's record as JSON (its program, findings and settings as recorded)."""
    return {
        "pump_id": change.pump_id,
        "seq": change.seq,
        "changed_at": change.changed_at.isoformat(),
        "program": program_document(change.program),
        "previous_daily_dose_mcg": change.previous_daily_dose_mcg,
        "changed_by": change.changed_by,
        "reason": change.reason,
        "findings": [f.to_dict() for f in change.findings],
        "settings": settings_to_dicts(change.settings),
    }


def program_change_request(change: ProgramChangeRecord, patient_id: str, done: bool) -> Resource:
    """A pump's program change: ``completed`` once a later one is in effect (``done``), else ``active`` (the one in
    effect at the export, or one still to come)."""
    daily = change.daily_dose_mcg
    text = f"{change.program.mode.value} program, {daily:g} ug/d (was {change.previous_daily_dose_mcg:g} ug/d)"
    return {
        "resourceType": "MedicationRequest",
        "id": c.resource_uuid("program-change", change.change_id),
        "extension": [{"url": PROGRAM_CHANGE_URL, "valueString": _json(program_change_document(change))}],
        "identifier": _identifier("program-change", change.change_id),
        "status": "completed" if done else "active",
        "intent": "order",
        "medicationCodeableConcept": c.baclofen_concept(intrathecal=True),
        "subject": _ref("patient", patient_id),
        "authoredOn": change.changed_at.isoformat(),
        "requester": {"display": change.changed_by},
        "reasonCode": [c.codeable(change.reason)],
        "dosageInstruction": [
            {
                "text": text,
                "route": {"text": "intrathecal"},
                "doseAndRate": [{"rateQuantity": c.quantity(daily, "ug/d")}],
            }
        ],
    }


def _period_status(start: str, end: str | None, today: date) -> str:
    """A period of doses as of ``today``: ``intended`` before it starts, ``completed`` after its end, else active."""
    if read_iso_date(start, "start") > today:
        return "intended"
    return "completed" if end is not None and read_iso_date(end, "end") < today else "active"


def oral_statements(file: PatientFile, today: date) -> Iterator[Resource]:
    """A MedicationStatement per period of the oral daily doses the plan history gives (mg/d), its status as of
    ``today`` (the export's date)."""
    if not file.plans:
        return
    concept = oral_concept(file.plans[-1].plan.product.name)
    for period in oral_prescriptions(file.plans):
        effective: Resource = {"start": period["start"]}
        if period["end"] is not None:
            effective["end"] = period["end"]
        key = f"{file.patient_id}/{period['start']}"
        daily = period["daily_dose_mg"]
        yield {
            "resourceType": "MedicationStatement",
            "id": c.resource_uuid("oral-period", key),
            "status": _period_status(period["start"], period["end"], today),
            "medicationCodeableConcept": concept,
            "subject": _ref("patient", file.patient_id),
            "effectivePeriod": effective,
            "derivedFrom": [_ref("plan", p.plan_id) for p in file.plans],
            "dosage": [
                {
                    "text": f"{daily:g} mg/d by mouth",
                    "route": {"text": "oral"},
                    "doseAndRate": [{"rateQuantity": c.quantity(daily, "mg/d")}],
                }
            ],
        }


# --- pumps: Device and MedicationAdministration --------------------------------------------------------------------
def pump_device(pump: PumpFile) -> Resource:
    record = pump.pump
    out: Resource = {
        "resourceType": "Device",
        "id": c.resource_uuid("pump", record.pump_id),
        "extension": [{"url": PUMP_RECORD_URL, "valueString": _json(pump_document(record))}],
        "identifier": _identifier("pump", record.pump_id),
        "status": "active",
        "manufacturer": record.model.manufacturer,
        "deviceName": [{"name": record.model.name, "type": "manufacturer-name"}],
        "modelNumber": record.model.model_ref,
        "type": c.codeable("Implantable intrathecal infusion pump"),
    }
    if record.patient_id is not None:
        out["patient"] = _ref("patient", record.patient_id)
    if record.implanted is not None:
        url = c.project_system("StructureDefinition/implant-date")
        out["extension"].append({"url": url, "valueDate": record.implanted.isoformat()})
        out["note"] = [{"text": f"Implanted {record.implanted.isoformat()} ({record.model.key})"}]
    return out


def _fill_when(visit: RefillVisitRecord) -> str:
    """A fill's time in FHIR: a naive time (pump clock) has no offset FHIR accepts, so only its date."""
    at = visit.refilled_at
    assert at is not None  # a fill has its date
    if isinstance(at, datetime) and at.utcoffset() is None:
        return at.date().isoformat()
    return at.isoformat()


def _ml(volume_ml: float) -> float:
    """A volume as a pump's reservoir is filled and read (0.01 mL), without float noise (13.024999999999999)."""
    return round(volume_ml, 2)


def fill_administration(pump: PumpFile, index: int, visit: RefillVisitRecord) -> Resource:
    """An ITB refill: what the patient is given is the program's daily dose (``dosage.rateQuantity`` in ug/d), never
    the reservoir's volume (13 mL at 2000 ug/mL read as a dose is 26,000 ug at once). The mL put in the reservoir
    and its ug/mL are the project extensions ``fill-volume`` and ``concentration``; a fill without a program has no
    ``dosage`` (its text is the note)."""
    assert visit.fill_ml is not None and pump.pump.patient_id is not None
    conc = visit.concentration_mcg_per_ml
    rxcui = ITB_RXCUI_CONCENTRATION_MCG_PER_ML[1] if conc == ITB_RXCUI_CONCENTRATION_MCG_PER_ML[0] else None
    words = [f"Reservoir refill: {_ml(visit.fill_ml):g} mL"]
    extension = [
        {
            "url": c.project_system("StructureDefinition/fill-volume"),
            "valueQuantity": c.quantity(_ml(visit.fill_ml), "mL"),
        }
    ]
    dosage: Resource = {"route": {"text": "intrathecal"}}
    if conc is not None:
        words.append(f" of {conc:g} ug/mL")
        url = c.project_system("StructureDefinition/concentration")
        extension.append({"url": url, "valueQuantity": c.quantity(conc, "ug/mL")})
    words.append(" (the reservoir, not a dose)")
    if visit.program is not None:
        words.append(f"; delivered by the {visit.program.mode.value} program: {visit.program.daily_dose_mcg:g} ug/d")
        dosage["rateQuantity"] = c.quantity(visit.program.daily_dose_mcg, "ug/d")
    if visit.has_residuals:
        expected, aspirated = _ml(visit.expected_ml or 0.0), _ml(visit.aspirated_ml or 0.0)
        words.append(f"; residual expected {expected:g} mL, aspirated {aspirated:g} mL")
    if isinstance(visit.refilled_at, datetime) and visit.refilled_at.utcoffset() is None:
        words.append(f"; at {visit.refilled_at.strftime('%H:%M')} pump clock")
    text = "".join(words)
    out: Resource = {
        "resourceType": "MedicationAdministration",
        "id": c.resource_uuid("fill", f"{pump.pump.pump_id}/{index}"),
        "extension": extension,
        "status": "completed",
        "category": c.codeable("ITB pump reservoir refill"),
        "medicationCodeableConcept": c.baclofen_concept(rxcui, intrathecal=True),
        "subject": _ref("patient", pump.pump.patient_id),
        "effectiveDateTime": _fill_when(visit),
        "device": [_ref("pump", pump.pump.pump_id)],
        "note": [{"text": text}],
    }
    if "rateQuantity" in dosage:
        out["dosage"] = dosage | {"text": text}
    return out


def screening_administration(trial: ScreeningTrialRecord) -> Resource:
    dose = trial.dose
    verdict = "responded" if dose.responded else "no positive response"
    out: Resource = {
        "resourceType": "MedicationAdministration",
        "id": c.resource_uuid("screening", trial.trial_id),
        "identifier": _identifier("screening", trial.trial_id),
        "status": "completed",
        "category": c.codeable("ITB screening bolus"),
        "medicationCodeableConcept": c.baclofen_concept(intrathecal=True),
        "subject": _ref("patient", trial.patient_id),
        "effectiveDateTime": trial.given_at.isoformat(),
        "performer": [{"actor": {"display": trial.recorded_by}}],
        "dosage": {
            "text": f"Screening bolus {dose.dose_mcg:g} ug intrathecal: {verdict}",
            "route": {"text": "intrathecal"},
            "dose": c.quantity(dose.dose_mcg, "ug"),
        },
    }
    if trial.note:
        out["note"] = [{"text": trial.note}]
    return out


# --- DetectedIssue -------------------------------------------------------------------------------------------------
def _rule_code(rule_id: str) -> Resource:
    return c.codeable(rule_id, c.coding(c.project_system("rule"), rule_id))


def alert_issue(alert: Alert) -> Resource:
    kind, _, key = alert.subject.partition(":")
    out: Resource = {
        "resourceType": "DetectedIssue",
        "id": c.resource_uuid("alert", alert.alert_id),
        "identifier": _identifier("alert", alert.alert_id),
        "extension": [{"url": c.project_system("StructureDefinition/alert-state"), "valueCode": alert.state.value}],
        "status": "final",
        "code": _rule_code(alert.rule_id),
        "severity": alert.level.value,
        "patient": _ref("patient", alert.patient_id),
        "identifiedDateTime": alert.raised_at.isoformat(),
        "detail": f"{alert.message} {alert.reasoning}",
        "mitigation": [
            {
                "action": c.codeable(f"{step.state.value}: {step.reason}"),
                "date": step.at.isoformat(),
                "author": {"display": step.by},
            }
            for step in alert.transitions
        ],
    }
    if kind == "pump":
        out["implicated"] = [_ref("pump", key)]
    if not out["mitigation"]:
        del out["mitigation"]
    return out


def finding_issue(finding: Finding, patient_id: str, implicated: dict[str, str], at: datetime, key: str) -> Resource:
    """A finding of a saved plan or a program change, implicating that request."""
    return {
        "resourceType": "DetectedIssue",
        "id": c.resource_uuid("finding", f"{key}/{finding.rule_id}"),
        "status": "final",
        "code": _rule_code(finding.rule_id),
        "severity": _LEVEL[finding.severity],
        "patient": _ref("patient", patient_id),
        "identifiedDateTime": at.isoformat(),
        "implicated": [implicated],
        "detail": f"{finding.message} {finding.reasoning}",
    }


def _findings(file: PatientFile) -> Iterator[Resource]:
    for plan in file.plans:
        for i, finding in enumerate(plan.plan.findings):
            yield finding_issue(
                finding, file.patient_id, _ref("plan", plan.plan_id), plan.saved_at, f"{plan.plan_id}/{i}"
            )
    for pump in file.pumps:
        for change in pump.program_changes:
            implicated = _ref("program-change", change.change_id)
            for i, finding in enumerate(change.findings):
                yield finding_issue(finding, file.patient_id, implicated, change.changed_at, f"{change.change_id}/{i}")


# --- the bundle ----------------------------------------------------------------------------------------------------
def _superseded(changes: tuple[ProgramChangeRecord, ...], at: datetime) -> set[str]:
    """The ids of the program changes a later one made by ``at`` replaced (all made by then but the latest)."""
    made = sorted((ch for ch in changes if ch.changed_at <= at), key=lambda ch: ch.changed_at)
    return {ch.change_id for ch in made[:-1]}


def patient_resources(file: PatientFile, at: datetime) -> list[Resource]:
    """Every resource of the file but the Provenance, in a fixed order (patient first); the statuses of plans,
    dose periods and program changes are those at ``at`` (the export's time)."""
    out = [patient_resource(file), *condition_resources(file)]
    out += [covariate_observation(o) for o in file.covariates]
    out += [score_observation(s) for s in file.scores]
    statuses = plan_status_of(file.plans)
    for i, plan in enumerate(file.plans):
        previous = file.plans[i - 1] if i else None
        out.append(plan_request(plan, statuses[plan.plan_id][0], previous, at.date()))
    out += list(oral_statements(file, at.date()))
    for pump in file.pumps:
        out.append(pump_device(pump))
        out += [fill_administration(pump, i, v) for i, v in enumerate(pump.pump.visits) if v.fill_ml is not None]
        done = _superseded(pump.program_changes, at)
        out += [program_change_request(ch, file.patient_id, ch.change_id in done) for ch in pump.program_changes]
    out += [screening_administration(t) for t in file.screening_trials]
    out += [alert_issue(a) for a in file.alerts]
    out += list(_findings(file))
    return out


def provenance(file: PatientFile, resources: list[Resource], recorded_at: datetime) -> Resource:
    return {
        "resourceType": "Provenance",
        "id": c.resource_uuid("provenance", f"{file.patient_id}/{recorded_at.isoformat()}"),
        "target": [{"reference": f"urn:uuid:{r['id']}"} for r in resources],
        "recorded": recorded_at.isoformat(),
        "activity": c.codeable("export of the patient's record by baclofen"),
        "agent": [
            {
                "type": c.codeable("Assembler", c.coding(c.PROVENANCE_PARTICIPANT, "assembler", "Assembler")),
                "who": {"display": f"baclofen {__version__} (decision support for professionals)"},
            }
        ],
    }


def _check_recorded_at(recorded_at: object) -> None:
    if not (isinstance(recorded_at, datetime) and recorded_at.utcoffset() is not None):
        raise InvalidInputError("recorded_at", "a date and time with its UTC offset", recorded_at)


def export_patient_bundle(file: PatientFile, recorded_at: datetime) -> dict[str, Any]:
    """The FHIR R4 Bundle (``collection``) of ``file``, made at ``recorded_at`` (aware), checked by
    ``fhir.resources.R4B`` and given back as its JSON value (absent elements left out)."""
    _check_recorded_at(recorded_at)
    resources = patient_resources(file, recorded_at)
    resources.append(provenance(file, resources, recorded_at))
    bundle = {
        "resourceType": "Bundle",
        "id": c.resource_uuid("bundle", f"{file.patient_id}/{recorded_at.isoformat()}"),
        "type": "collection",
        "timestamp": recorded_at.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
    model = Bundle.model_validate(bundle)
    result: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result


def _relinked(node: Any, local: dict[str, str]) -> Any:
    """``node`` with each ``reference`` to a bundle entry's ``urn:uuid`` rewritten as ``Type/id``."""
    if isinstance(node, dict):
        return {k: local.get(v, v) if k == "reference" else _relinked(v, local) for k, v in node.items()}
    if isinstance(node, list):
        return [_relinked(v, local) for v in node]
    return node


def _checked(resource: Resource) -> Resource:
    """``resource`` checked by ``fhir.resources.R4B`` (as the Bundle checks it) and given back as its JSON value."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    result: Resource = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result


def export_clinic_ndjson(
    files: Iterable[PatientFile], recorded_at: datetime, resource_type: str | None = None
) -> Iterator[tuple[str, str]]:
    """Every resource of every patient file as (resource type, one NDJSON line), for a bulk export (FHIR Bulk Data:
    one ``.ndjson`` file per resource type); ``resource_type``: only the resources of that type (each other type is
    built, to know its id, but neither checked nor written). Each resource is the one of the patient's Bundle made at
    ``recorded_at`` (checked as it is), its references rewritten from ``urn:uuid:<id>`` to ``Type/<id>`` (a line
    stands without its Bundle); the lines come patient by patient, in the Bundle's order, so a caller may stream
    them into one file per type."""
    if resource_type is not None and resource_type not in EXPORTED_TYPES:
        raise InvalidInputError("resource_type", "one of " + ", ".join(EXPORTED_TYPES), resource_type)
    _check_recorded_at(recorded_at)
    for file in files:
        resources = patient_resources(file, recorded_at)
        resources.append(provenance(file, resources, recorded_at))
        local = {f"urn:uuid:{r['id']}": f"{r['resourceType']}/{r['id']}" for r in resources}
        for resource in resources:
            if resource_type in (None, resource["resourceType"]):
                line = _relinked(_checked(resource), local)
                yield line["resourceType"], json.dumps(line, ensure_ascii=False, separators=(",", ":"))
