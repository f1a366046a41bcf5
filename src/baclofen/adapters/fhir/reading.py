"""A FHIR R4 Bundle back to a patient file, or an OperationOutcome naming every element it refuses.

What is read (and so round-trips exactly: export, import into an empty store, export again gives the same
Patient, Observations, saved plans and program changes (MedicationRequest), pumps (Device) and their fills
(MedicationAdministration), the MedicationStatements and the plans' and changes' DetectedIssues):

* ``Patient``: our patient id (the identifier of system ``identifier/patient``; else the resource id), gender,
  and the project ``patient-snapshot`` extension (age, weight, kidney function, dialysis, origin, locale,
  conditions). Without that extension (another system's Patient) the snapshot is built from ``gender``,
  ``birthDate`` (the age in completed years on the import's date, :class:`ImportOptions`: a partial birthDate
  gives no age, reported), the covariates the Bundle's Observations give (the latest on that date), and the
  origin and locale of the :class:`ImportOptions`: a patient's origin and locale change a plan, and no default
  stands in for them (without them each is refused, naming the element and the option that supplies it).
* ``Observation``: another system's LOINC body weight, serum creatinine and eGFR (:mod:`.standard`; any other is
  reported as not imported, with why, and does not fail the import), and our covariate observations (code
  ``covariates``: a component per covariate, in kg, mg/dL, mL/min, mL/min/{1.73_m2}, dialysis a boolean) and
  outcome scores (code one of the ``outcome-scale`` scales: a Modified Ashworth grade code, Penn
  frequency/severity components, or a 0-10 ``{score}``), each with its identifier, ``effectiveDateTime`` (a
  date), ``issued`` (an instant) and ``performer`` (who recorded it). An Observation in our own code systems that
  is none of these is refused. A ``status`` outside R4's observation-status is refused (naming ``status``); one
  that is not a result (entered-in-error, cancelled, registered, preliminary, unknown) is not imported, with why.
* The ``patient-snapshot`` extension: each part once (``condition`` any number of times); a part twice or one we
  do not know is refused, naming it (never "the first wins").
* ``MedicationStatement``: described (the drug recognised by the catalogue or unknown, its dosages and daily dose)
  but not stored: our oral daily doses are derived from the saved plans, and a plan is not rebuilt from a statement.

* ``MedicationRequest`` carrying our ``saved-plan`` extension: the saved plan's own document (its plan, findings,
  settings, overrides, a transition's or switch's rest), stored as it is (its patient: the Bundle's); one carrying
  ``program-change``: the program change's record (program, findings, settings).
* ``Device`` carrying our ``pump-record`` extension: the pump's record with every refill visit as recorded (the
  fills' MedicationAdministrations are its visits, so they are listed as not imported: they come back with it).

Export-only (listed as not imported, never an error): MedicationRequest, Device without those extensions,
MedicationAdministration (screening boluses; fills come back with their pump), DetectedIssue (alerts; findings come
back with their plan or program change), Condition (the conditions come back through the snapshot extension),
Provenance; any other resource type likewise.

First the whole Bundle is parsed by ``fhir.resources.R4B`` (its errors name the element, e.g.
``Bundle.entry[2].resource.valueQuantity.unit``), then each entry is mapped to our values (their errors name the
element too); every refusal of every entry is reported at once, and nothing is read when one is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

import pydantic
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.resource import Resource

from baclofen.adapters.fhir import codes as c
from baclofen.adapters.fhir.export import (
    COVARIATE_COMPONENTS,
    PROGRAM_CHANGE_URL,
    PUMP_RECORD_URL,
    SAVED_PLAN_URL,
    SNAPSHOT_QUANTITIES,
)
from baclofen.adapters.fhir.standard import NotImported, describe_statement, is_ours, read_standard_observation
from baclofen.domain.cds.scales import PennSpasmScore, Scale, parse_scale_value
from baclofen.domain.clinic.observations import (
    CovariateObservation,
    OutcomeScoreRecord,
    observation_id,
    parse_score_value,
    snapshot_on,
)
from baclofen.domain.clinic.patient_file import PatientFile, PumpFile
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan, require_changeable_program
from baclofen.domain.dates import read_iso_date, read_iso_datetime, require_not_after
from baclofen.domain.errors import InvalidInputError, require
from baclofen.domain.itb.programs import InfusionProgram, PeriodicBolus, ProgramMode, RateStep
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin, age_years_on
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord, check_pump_history, check_record_id
from baclofen.domain.rules.core import Finding, Override
from baclofen.domain.settings import SettingUse

__all__ = [
    "EXPORT_ONLY",
    "BundleReading",
    "FhirConflictError",
    "FhirInputError",
    "ImportOptions",
    "Issue",
    "operation_outcome",
    "read_patient_bundle",
]

#: Resource types an export writes and an import does not store.
EXPORT_ONLY = frozenset(
    {"MedicationRequest", "MedicationAdministration", "Device", "DetectedIssue", "Condition", "Provenance"}
)


@dataclass(frozen=True, slots=True)
class Issue:
    """One refusal: the FHIRPath of the element, what was wrong, and the OperationOutcome issue code."""

    expression: str
    diagnostics: str
    code: str = "invalid"


class FhirInputError(ValueError):
    """A document that is not an importable Bundle: every issue found (:func:`operation_outcome` renders them)."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{i.expression}: {i.diagnostics}" for i in issues))


class FhirConflictError(FhirInputError):
    """A Bundle whose patient (or one of its observations) is already stored: each issue names the entry's
    ``identifier`` (an import never overwrites; HTTP 409)."""


def operation_outcome(issues: tuple[Issue, ...] | list[Issue]) -> dict[str, Any]:
    """The OperationOutcome of ``issues`` (each an error naming its element), checked by fhir.resources."""
    document = {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": i.code, "diagnostics": i.diagnostics, "expression": [i.expression]}
            for i in issues
        ],
    }
    result: dict[str, Any] = OperationOutcome.model_validate(document).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    return result


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What an import of another system's Patient (one without our ``patient-snapshot`` extension) needs besides
    the Bundle: the date of the import (``on``: the age is counted to it, the covariates in effect are those of
    that date; the caller reads it from its clock) and the patient's origin and locale (no default: None leaves
    them to the extension, and without it they are refused). Our extension, when present, wins."""

    on: date | None = None
    origin: SpasticityOrigin | None = None
    locale: Locale | None = None

    def __post_init__(self) -> None:
        if self.on is not None and (not isinstance(self.on, date) or isinstance(self.on, datetime)):
            raise InvalidInputError("on", "a date (YYYY-MM-DD)", self.on)
        if self.origin is not None and not isinstance(self.origin, SpasticityOrigin):
            raise InvalidInputError("origin", "spinal or cerebral", self.origin)
        if self.locale is not None and not isinstance(self.locale, Locale):
            raise InvalidInputError("locale", "us or uk", self.locale)


#: Where each import option is given, for the issue naming a missing one.
_OPTION_WORDS = {
    "origin": ("spinal or cerebral", "--origin", "?origin="),
    "locale": ("us or uk", "--locale", "?locale="),
}


@dataclass(frozen=True, slots=True)
class BundleReading:
    """What an import reads: the patient file, the resources (or elements) it does not store (type, entry index,
    why), and what each MedicationStatement says (read, not stored)."""

    file: PatientFile
    not_imported: tuple[tuple[str, int, str], ...]
    medication_statements: tuple[dict[str, Any], ...] = ()
    #: (kind: patient, covariates or score; our record id; the Bundle entry it was read from).
    entries: tuple[tuple[str, str, int], ...] = ()

    def conflict(self, kind: str, record_id: str, why: str) -> FhirConflictError:
        """The error naming the ``identifier`` of the entry that gave record ``record_id`` (already stored)."""
        index = next((i for k, r, i in self.entries if (k, r) == (kind, record_id)), None)
        where = "Bundle" if index is None else f"Bundle.entry[{index}].resource.identifier"
        return FhirConflictError([Issue(where, why, "duplicate")])

    def to_dict(self) -> dict[str, Any]:
        """What was read (or stored): the patient, the ids of its observations, scores, saved plans, pumps and
        program changes, what was not imported, the medication statements read."""
        return {
            "patient_id": self.file.patient_id,
            "clinic_id": self.file.record.clinic_id,
            "covariate_observations": [o.observation_id for o in self.file.covariates],
            "outcome_scores": [s.score_id for s in self.file.scores],
            "saved_plans": [p.plan_id for p in self.file.plans],
            "pumps": [p.pump.pump_id for p in self.file.pumps],
            "program_changes": [ch.change_id for p in self.file.pumps for ch in p.program_changes],
            "not_imported": [{"resource_type": k, "entry": i, "why": why} for k, i, why in self.not_imported],
            "medication_statements": [dict(m) for m in self.medication_statements],
        }

    def stored_as(self, file: PatientFile) -> BundleReading:
        """This reading with ``file`` (what was stored) in place of the file read."""
        return replace(self, file=file)


class _Refused(Exception):
    def __init__(self, element: str, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.element, self.message, self.code = element, message, code


@contextmanager
def _element(element: str, *, within: bool = False) -> Iterator[None]:
    """Our own validation errors raised inside, as a refusal of ``element`` (``within``: of the field the error
    names inside it, ``element.FIELD``: a field of our JSON document)."""
    try:
        yield
    except InvalidInputError as error:
        raise _Refused(f"{element}.{error.field}" if within else element, str(error), "value") from None


def _need(ok: object, element: str, message: str, code: str = "invalid") -> None:
    if not ok:
        raise _Refused(element, message, code)


def _fhir_path(loc: tuple[int | str, ...]) -> str:
    out = "Bundle"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("_", "").isalnum():
            out += f".{part}"
    return out


def _is_resource_type(name: object) -> bool:
    try:
        return isinstance(name, str) and issubclass(get_fhir_model_class(name), Resource)
    except ValueError:
        return False


def _entry_issues(entries: object) -> list[Issue]:
    """The entries' resources without a known resource type (fhir.resources cannot parse those at all)."""
    if not isinstance(entries, list):
        return []  # the model names it
    issues = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if resource is None:
            continue
        kind = resource.get("resourceType") if isinstance(resource, Mapping) else None
        if not _is_resource_type(kind):
            where = f"Bundle.entry[{i}].resource" + (".resourceType" if isinstance(resource, Mapping) else "")
            issues.append(Issue(where, f"a FHIR R4 resource type (got {kind!r})", "structure"))
    return issues


def _parse(document: object) -> Bundle:
    if not (isinstance(document, Mapping) and document.get("resourceType") == "Bundle"):
        expected = "a FHIR R4 Bundle (a JSON object with resourceType Bundle)"
        raise FhirInputError([Issue("Bundle", expected, "structure")])
    issues = _entry_issues(document.get("entry"))
    if issues:
        raise FhirInputError(issues)
    try:
        return Bundle.model_validate(dict(document))
    except pydantic.ValidationError as error:
        issues = [Issue(_fhir_path(e["loc"]), e["msg"], "structure") for e in error.errors()]
        raise FhirInputError(issues) from None
    except (KeyError, TypeError, ValueError) as error:  # fhir.resources' own failures (a contained resource ...)
        raise FhirInputError([Issue("Bundle", f"not a readable FHIR R4 Bundle ({error!r})", "structure")]) from None


# --- reading our values --------------------------------------------------------------------------------------------
def _our_code(concept: Any, system: str) -> str | None:
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.system == system:
            return str(coding.code)
    return None


def _identifier(resource: Any, kind: str) -> str | None:
    for identifier in resource.identifier or []:
        if identifier.system == c.project_system(f"identifier/{kind}"):
            with _element("identifier"):
                return check_record_id(identifier.value, f"{kind} identifier")
    return None


def _number(quantity: Any, unit: str, element: str) -> float:
    _need(quantity is not None and quantity.value is not None, element, f"a quantity in {unit}", "required")
    ok = quantity.code == unit and quantity.system in (None, c.UCUM)
    _need(ok, f"{element}.code", f"the UCUM unit {unit!r} (got {quantity.code!r})", "value")
    return float(quantity.value)


_SNAPSHOT_URL = c.project_system("StructureDefinition/patient-snapshot")


def _snapshot_extension(patient: Any) -> tuple[int, Any] | None:
    found = [(i, e) for i, e in enumerate(patient.extension or []) if e.url == _SNAPSHOT_URL]
    return found[0] if found else None


def _sex(patient: Any) -> Sex | None:
    sex = {"female": Sex.FEMALE, "male": Sex.MALE, "unknown": None, None: None}
    _need(patient.gender in sex, "gender", "female, male or unknown (our records know no other)", "value")
    return sex[patient.gender]


def _missing_options(options: ImportOptions | None) -> list[tuple[str, str]]:
    """(element, what) of each of origin and locale that neither our extension nor the options give."""
    missing = []
    for name, (values, cli, api) in _OPTION_WORDS.items():
        if getattr(options, name, None) is None:
            element = f"extension('{_SNAPSHOT_URL}').extension('{name}')"
            why = (
                f"the patient's {name} ({values}): the Patient has no patient-snapshot extension, so the import"
                f" option {name} gives it (CLI {cli}, API {api}); there is no default"
            )
            missing.append((element, why))
    return missing


def _standard_snapshot(
    patient: Any, options: ImportOptions, covariates: list[CovariateObservation]
) -> tuple[PatientSnapshot, list[str]]:
    """Another system's Patient: gender, age from birthDate on ``options.on``, the options' origin and locale,
    and the covariates in effect on that date; and what of the Patient was not read (why)."""
    assert options.origin is not None and options.locale is not None  # checked by _missing_options
    notes: list[str] = []
    age: int | None = None
    if isinstance(patient.birthDate, date):
        _need(options.on is not None, "birthDate", "the import's date to count the age to (none was given)")
        assert options.on is not None
        with _element("birthDate"):
            age = age_years_on(patient.birthDate, options.on)
    elif patient.birthDate is not None:
        notes.append(f"birthDate {patient.birthDate!r} is not a full date (YYYY-MM-DD): the age is not set")
    base = PatientSnapshot(age_years=age, sex=_sex(patient), origin=options.origin, locale=options.locale)
    on = options.on or max((o.observed_on for o in covariates), default=date.min)
    with _element(""):  # the Patient with its covariates (a serum creatinine needs age, weight and sex)
        return snapshot_on(base, covariates, on), notes


def _snapshot(patient: Any) -> PatientSnapshot:
    found = _snapshot_extension(patient)
    _need(found, "extension", f"the extension {_SNAPSHOT_URL} (origin and locale change a plan: no default)")
    assert found is not None
    index, extension = found
    where = f"extension[{index}]"
    parts: dict[str, list[Any]] = {}
    for j, part in enumerate(extension.extension or []):
        _need(part.url in _SNAPSHOT_PARTS, f"{where}.extension[{j}]", _part_why(part.url), "structure")
        again = part.url in parts and part.url != "condition"
        _need(not again, f"{where}.extension[{j}]", f"one {part.url!r} (found a second {part.url!r})", "structure")
        parts.setdefault(part.url, []).append(part)
    values: dict[str, Any] = {}
    for field, name, unit in SNAPSHOT_QUANTITIES:
        if name in parts:
            values[field] = _number(parts[name][0].valueQuantity, unit, f"{where}.extension('{name}').valueQuantity")
    for name in ("origin", "locale", "dialysis"):
        _need(name in parts, f"{where}.extension('{name}')", f"the patient's {name}", "required")
    with _element(f"{where}.extension('origin').valueCode"):
        origin = _enum(SpasticityOrigin, parts["origin"][0].valueCode, "origin")
    with _element(f"{where}.extension('locale').valueCode"):
        locale = _enum(Locale, parts["locale"][0].valueCode, "locale")
    dialysis = parts["dialysis"][0].valueBoolean
    _need(isinstance(dialysis, bool), f"{where}.extension('dialysis').valueBoolean", "true or false", "required")
    conditions = frozenset(str(p.valueString) for p in parts.get("condition", []))
    with _element(where):
        return PatientSnapshot(
            **values,
            sex=_sex(patient),
            dialysis=dialysis,
            origin=origin,
            locale=locale,
            conditions=conditions,
        )


#: The parts of our snapshot extension (each once but ``condition``).
_SNAPSHOT_PARTS = frozenset({url for _, url, _ in SNAPSHOT_QUANTITIES} | {"dialysis", "origin", "locale", "condition"})


def _part_why(url: object) -> str:
    return f"a part of the patient snapshot ({', '.join(sorted(_SNAPSHOT_PARTS))}; found {url!r})"


def _enum(kind: Any, value: object, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(field, " or ".join(m.value for m in kind), value) from None


def _patient_id(patient: Any) -> str:
    patient_id = _identifier(patient, "patient") or patient.id
    _need(
        patient_id, "identifier", "our patient id (identifier system identifier/patient) or a resource id", "required"
    )
    with _element("identifier"):
        return check_record_id(patient_id, "patient_id")


def _recorded(resource: Any) -> tuple[date, datetime, str]:
    """When observed (a date), when recorded (an instant), by whom."""
    day = resource.effectiveDateTime
    _need(isinstance(day, date) and not isinstance(day, datetime), "effectiveDateTime", "a date (YYYY-MM-DD)", "value")
    issued = resource.issued
    ok = isinstance(issued, datetime) and issued.utcoffset() is not None
    _need(ok, "issued", "when it was recorded: an instant with its UTC offset", "required")
    performers = resource.performer or []
    _need(performers and performers[0].display, "performer[0].display", "who recorded it", "required")
    return day, issued, str(performers[0].display)


def _covariates(observation: Any, patient_id: str) -> CovariateObservation:
    day, issued, by = _recorded(observation)
    fields = {code: (field, unit) for field, code, _, unit in COVARIATE_COMPONENTS}
    values: dict[str, Any] = {}
    for j, component in enumerate(observation.component or []):
        where = f"component[{j}]"
        code = _our_code(component.code, c.project_system("covariate"))
        _need(code in fields, f"{where}.code", "a covariate: " + ", ".join(fields), "code-invalid")
        assert code is not None
        field, unit = fields[code]
        if unit is None:
            _need(isinstance(component.valueBoolean, bool), f"{where}.valueBoolean", "true or false", "required")
            values[field] = component.valueBoolean
        else:
            values[field] = _number(component.valueQuantity, unit, f"{where}.valueQuantity")
    record_id = _identifier(observation, "covariates") or observation_id("C", patient_id, issued, day, *values.values())
    with _element("component"):
        return CovariateObservation(record_id, patient_id, day, issued, by, **values)


def _score_value(observation: Any, scale: Scale) -> Any:
    if scale is Scale.MODIFIED_ASHWORTH:
        grade = _our_code(observation.valueCodeableConcept, c.project_system("modified-ashworth-grade"))
        _need(
            grade is not None, "valueCodeableConcept", "a Modified Ashworth grade code (0, 1, 1+, 2, 3, 4)", "required"
        )
        with _element("valueCodeableConcept"):
            return parse_scale_value(grade, "value", scale)
    if scale is Scale.PENN:
        parts = {
            _our_code(p.code, c.project_system("outcome-scale")): p.valueInteger for p in observation.component or []
        }
        _need("penn-frequency" in parts, "component", "the Penn spasm frequency (component penn-frequency)", "required")
        with _element("component"):
            return PennSpasmScore(parts["penn-frequency"], parts.get("penn-severity"))
    return _number(observation.valueQuantity, "{score}", "valueQuantity")


def _score(observation: Any, scale: Scale, patient_id: str) -> OutcomeScoreRecord:
    day, issued, by = _recorded(observation)
    value = _score_value(observation, scale)
    with _element("valueQuantity"):
        value = parse_score_value(scale, value)
    group = observation.bodySite.text if observation.bodySite is not None else None
    note = observation.note[0].text if observation.note else ""
    record_id = _identifier(observation, "score") or observation_id("S", patient_id, issued, day, scale.value, value)
    with _element("bodySite"):
        return OutcomeScoreRecord(record_id, patient_id, day, scale, value, issued, by, group, str(note))


def _observation(observation: Any, patient_id: str) -> CovariateObservation | OutcomeScoreRecord:
    if _our_code(observation.code, c.project_system("observation")) == "covariates":
        return _covariates(observation, patient_id)
    scale_code = _our_code(observation.code, c.project_system("outcome-scale"))
    scales = {s.value: s for s in Scale}
    expected = "our covariates or an outcome scale (" + ", ".join(scales) + ")"
    _need(scale_code in scales, "code", expected, "code-invalid")
    assert scale_code is not None
    return _score(observation, scales[scale_code], patient_id)


def _extension(resource: Any, url: str) -> tuple[int, Any] | None:
    found = [(i, e) for i, e in enumerate(resource.extension or []) if e.url == url]
    return found[0] if found else None


def _document(resource: Any, url: str, keys: set[str], what: str) -> tuple[str, dict[str, Any]]:
    """(element, JSON document) of our extension ``url`` of ``resource`` (refused unless an object with ``keys``)."""
    found = _extension(resource, url)
    assert found is not None
    where = f"extension[{found[0]}].valueString"
    text = found[1].valueString
    try:
        document = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        document = None
    _need(isinstance(document, dict) and keys <= set(document), where, f"{what}'s JSON document", "value")
    assert isinstance(document, dict)
    return where, document


def _moment(value: object, field: str) -> date | datetime:
    """A date (YYYY-MM-DD) or a date and time (with or without offset: a pump clock has none)."""
    if isinstance(value, str) and len(value) == 10:
        return read_iso_date(value, field)
    return read_iso_datetime(value, field, plausible=False)


def _program(document: Any, field: str) -> InfusionProgram:
    require(isinstance(document, dict), field, "a program (mode, steps, boluses)", document)
    steps = tuple(RateStep(int(m), float(r)) for m, r in document.get("steps", []))
    boluses = tuple(PeriodicBolus(int(m), float(d), int(n)) for m, d, n in document.get("boluses", []))
    return InfusionProgram(ProgramMode(document.get("mode")), steps, boluses)


T = TypeVar("T")


def _within(where: str, read: Callable[[Any], T], value: Any) -> T:
    """``read(value)``, its error naming ``where.FIELD`` (a field inside a part of our document)."""
    try:
        return read(value)
    except InvalidInputError as error:
        raise InvalidInputError(f"{where}.{error.field}", error.expected, error.actual) from None


def _visit(v: Any) -> RefillVisitRecord:
    """The refill visit of one of the pump record's ``visits``."""
    require(isinstance(v, dict), "visit", "a refill visit (an object)", v)
    return RefillVisitRecord(
        None if v.get("refilled_at") is None else _moment(v["refilled_at"], "refilled_at"),
        expected_ml=v.get("expected_ml"),
        aspirated_ml=v.get("aspirated_ml"),
        fill_ml=v.get("fill_ml"),
        concentration_mcg_per_ml=v.get("concentration_mcg_per_ml"),
        program=None if v.get("program") is None else _program(v["program"], "program"),
        overrides=tuple(Override.from_dict(o, f"overrides[{j}]") for j, o in enumerate(v.get("overrides", []))),
    )


def _pump(resource: Any, patient_id: str, not_after: date | None) -> PumpRecord:
    """The pump record of a Device carrying our ``pump-record`` document (its patient: the Bundle's), each visit
    checked as a recorded one is (:func:`check_pump_history`; no refill after ``not_after``)."""
    where, document = _document(resource, PUMP_RECORD_URL, {"pump_id", "model", "visits"}, "a pump record")
    with _element(where, within=True):
        visits = tuple(_within(f"visits[{i}]", _visit, v) for i, v in enumerate(document["visits"]))
        implanted = document.get("implanted")
        record = PumpRecord(
            document["pump_id"],
            get_pump(document["model"]),
            patient_id,
            None if implanted is None else read_iso_date(implanted, "implanted"),
            visits,
        )
        return check_pump_history(record, not_after)


def _program_change(resource: Any, not_after: date | None) -> ProgramChangeRecord:
    """The program change of a MedicationRequest carrying our ``program-change`` document (a reprogramming done:
    at or before ``not_after``)."""
    keys = {"pump_id", "seq", "changed_at", "program", "previous_daily_dose_mcg", "changed_by", "reason"}
    where, d = _document(resource, PROGRAM_CHANGE_URL, keys, "a program change")
    with _element(where, within=True):
        changed_at = read_iso_datetime(d["changed_at"], "changed_at")
        if not_after is not None:
            require_not_after(changed_at, not_after, "changed_at")
        return ProgramChangeRecord(
            d["pump_id"],
            d["seq"],
            changed_at,
            _program(d["program"], "program"),
            d["previous_daily_dose_mcg"],
            d["changed_by"],
            d["reason"],
            tuple(Finding.from_dict(f, f"findings[{i}]") for i, f in enumerate(d.get("findings", []))),
            tuple(SettingUse.from_dict(u, f"settings[{i}]") for i, u in enumerate(d.get("settings", []))),
        )


def _saved_plan(resource: Any, patient_id: str, not_after: date | None) -> SavedPlan:
    """The saved plan of a MedicationRequest carrying our ``saved-plan`` document (the patient: the Bundle's; saved
    at or before ``not_after``)."""
    where, document = _document(resource, SAVED_PLAN_URL, {"seq", "plan", "saved_by", "saved_at"}, "a saved plan")
    with _element(where, within=True):
        saved_at = read_iso_datetime(document["saved_at"], "saved_at")
        if not_after is not None:
            require_not_after(saved_at, not_after, "saved_at")
        return SavedPlan(
            patient_id,
            document["seq"],
            _within("plan", Plan.from_dict, document["plan"]),
            document["saved_by"],
            saved_at,
            document.get("transition"),
            document.get("switch"),
        )


# --- the bundle ----------------------------------------------------------------------------------------------------
def _subject_ok(resource: Any, patient_refs: set[str]) -> None:
    subject = resource.subject
    _need(subject is not None and subject.reference in patient_refs, "subject", "a reference to the bundle's Patient")


def _entry_issue(index: int, refused: _Refused) -> Issue:
    where = f"Bundle.entry[{index}].resource" + (f".{refused.element}" if refused.element else "")
    return Issue(where, refused.message, refused.code)


def _read_observation(
    resource: Any, patient_id: str, seen: dict[str, int], index: int
) -> CovariateObservation | OutcomeScoreRecord:
    """Our Observation (strict), or another system's LOINC covariate (``NotImported`` otherwise, or when it is the
    same observation as an earlier entry). A status outside R4's observation-status is refused; one that is not a
    result (entered-in-error, cancelled, preliminary ...) is not imported."""
    statuses = ", ".join(c.OBSERVATION_STATUSES)
    _need(resource.status in c.OBSERVATION_STATUSES, "status", f"an observation status ({statuses})", "code-invalid")
    if is_ours(resource.code):
        if resource.status not in c.RESULT_STATUSES:
            raise NotImported(f"status {resource.status!r}: only final, amended or corrected results are imported")
        return _observation(resource, patient_id)
    with _element("valueQuantity"):
        value = read_standard_observation(resource, patient_id)
    if value.observation_id in seen:
        raise NotImported(f"the same observation as entry {seen[value.observation_id]}")
    seen[value.observation_id] = index
    return value


def read_patient_bundle(document: object, options: ImportOptions | None = None) -> BundleReading:
    """The patient file of a Bundle that holds one Patient (and its Observations), or ``FhirInputError``
    naming every refused element. ``options``: what a Patient without our extension needs (see
    :class:`ImportOptions`)."""
    bundle = _parse(document)
    entries = list(bundle.entry or [])
    issues: list[Issue] = []
    patients = [
        (i, e) for i, e in enumerate(entries) if e.resource is not None and e.resource.get_resource_type() == "Patient"
    ]
    if len(patients) != 1:
        where = "Bundle.entry" if not patients else f"Bundle.entry[{patients[1][0]}].resource"
        raise FhirInputError([Issue(where, f"exactly one Patient (found {len(patients)})", "structure")])
    index, entry = patients[0]
    patient = entry.resource
    assert patient is not None  # found above
    try:
        patient_id = _patient_id(patient)
    except _Refused as refused:
        raise FhirInputError([_entry_issue(index, refused)]) from None
    refs = {f"Patient/{patient.id}", *([entry.fullUrl] if entry.fullUrl else [])}
    covariates: list[CovariateObservation] = []
    scores: list[OutcomeScoreRecord] = []
    plans: list[SavedPlan] = []
    pumps: list[PumpRecord] = []
    changes: list[ProgramChangeRecord] = []
    skipped: list[tuple[str, int, str]] = []
    statements: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    records: list[tuple[str, str, int]] = [("patient", patient_id, index)]
    not_after = None if options is None else options.on
    placed: dict[str, tuple[int, str]] = {}  # each program change's entry and extension element
    for i, item in enumerate(entries):
        resource = item.resource
        kind = resource.get_resource_type() if resource is not None else "(none)"
        try:
            if kind == "Observation":
                _subject_ok(resource, refs)
                value = _read_observation(resource, patient_id, seen, i)
                kind_of = "covariates" if isinstance(value, CovariateObservation) else "score"
                record_id = value.observation_id if isinstance(value, CovariateObservation) else value.score_id
                earlier = next((j for k, r, j in records if (k, r) == (kind_of, record_id)), None)
                why = f"another observation than entry {earlier} (the same {kind_of} identifier {record_id!r})"
                _need(earlier is None, "identifier", why, "duplicate")
                records.append((kind_of, record_id, i))
                (covariates if isinstance(value, CovariateObservation) else scores).append(value)  # type: ignore[arg-type]
            elif kind == "Device" and _extension(resource, PUMP_RECORD_URL) is not None:
                pump = _pump(resource, patient_id, not_after)
                records.append(("pump", pump.pump_id, i))
                pumps.append(pump)
            elif kind == "MedicationRequest" and _extension(resource, PROGRAM_CHANGE_URL) is not None:
                _subject_ok(resource, refs)
                change = _program_change(resource, not_after)
                records.append(("program-change", change.change_id, i))
                changes.append(change)
                placed[change.change_id] = (i, _document(resource, PROGRAM_CHANGE_URL, set(), "")[0])
            elif kind == "MedicationRequest" and _extension(resource, SAVED_PLAN_URL) is not None:
                _subject_ok(resource, refs)
                plan = _saved_plan(resource, patient_id, not_after)
                records.append(("plan", plan.plan_id, i))
                plans.append(plan)
            elif kind == "MedicationStatement":
                _subject_ok(resource, refs)
                statements.append(describe_statement(resource, i))
                skipped.append((kind, i, "read (medication_statements), not stored: doses come from saved plans"))
            elif kind == "MedicationAdministration" and getattr(resource, "device", None):
                skipped.append((kind, i, "a refill: stored with its pump's record (the Device's pump-record)"))
            elif kind != "Patient":
                why = "export-only" if kind in EXPORT_ONLY else "not a resource type this import stores"
                skipped.append((kind, i, why))
        except NotImported as not_imported:
            skipped.append((kind, i, not_imported.why))
        except _Refused as refused:
            issues.append(_entry_issue(i, refused))
    models = {p.pump_id: p.model for p in pumps}
    for change in changes:  # a reprogramming of its pump, checked as one done through the API
        if change.pump_id in models:
            at, where = placed[change.change_id]
            try:
                with _element(where, within=True):
                    require_changeable_program(change.program, models[change.pump_id], steps_field="program")
            except _Refused as refused:
                issues.append(_entry_issue(at, refused))
    snapshot = None
    try:
        if _snapshot_extension(patient) is not None:
            snapshot = _snapshot(patient)
        else:
            missing = _missing_options(options)
            issues += [_entry_issue(index, _Refused(e, why, "required")) for e, why in missing]
            if not missing:
                assert options is not None
                snapshot, notes = _standard_snapshot(patient, options, covariates)
                skipped += [("Patient", index, note) for note in notes]
    except _Refused as refused:
        issues.append(_entry_issue(index, refused))
    if issues:
        raise FhirInputError(issues)
    assert snapshot is not None
    try:
        record = PatientRecord(patient_id, snapshot)
        files = tuple(PumpFile(p, tuple(ch for ch in changes if ch.pump_id == p.pump_id)) for p in pumps)
        orphans = [ch.change_id for ch in changes if ch.pump_id not in {p.pump_id for p in pumps}]
        require(not orphans, "program changes", "changes of the Bundle's pumps (Device)", orphans)
        plans.sort(key=lambda p: p.seq)
        file = PatientFile(record, tuple(covariates), tuple(scores), plans=tuple(plans), pumps=files)
    except InvalidInputError as error:
        raise FhirInputError([Issue("Bundle", str(error), "value")]) from None
    return BundleReading(file, tuple(sorted(skipped, key=lambda s: s[1])), tuple(statements), tuple(records))
