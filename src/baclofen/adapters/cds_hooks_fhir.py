"""FHIR R4 (``fhir.resources.R4B``) of a CDS Hooks call read into the typed values of the use cases, and the
prefetch a client did not send fetched from the FHIR server it names.

* :func:`resolve_prefetch`: each prefetch template of the service (``MedicationRequest?patient={{context.patientId}}
  &status=active``) whose key the request left out is asked of the request's ``fhirServer`` (only a server the
  configuration allows: ``BACLOFEN_CDS_FHIR_SERVERS``) with the bearer token of ``fhirAuthorization`` (a short
  timeout, a bounded answer, no redirect); a key sent as ``null`` means no data; what cannot be had is listed, with
  why, and the hook runs without it (never a server error).
* :func:`read_order_context`: the context's ``draftOrders`` Bundle (its MedicationRequests; an invalid one is an
  :class:`~baclofen.domain.errors.InvalidInputError` naming its path, ``context.draftOrders.entry[1].resource``),
  read before anything is fetched; :func:`review_orders_command`: those orders with the ``medications`` prefetch
  (active orders), the ``conditions`` prefetch (current conditions, by name), the ``kidney`` prefetch (the latest
  creatinine clearance or eGFR Observation, and dialysis) and the ``patient`` prefetch (age, sex) as a
  :class:`~baclofen.services.commands.ReviewOrders`.

A medication is named by its codes (``RxNorm:CODE``, ``ATC:CODE``), then its codings' displays and its text; its
daily dose is the most its dosage instructions allow a day (:func:`~baclofen.adapters.fhir.dosage.read_dosage`).
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from baclofen.adapters.fhir.codes import ATC, LOINC, RXNORM, project_system, unit_factor
from baclofen.adapters.fhir.dosage import plan_step_dosages, read_dosage
from baclofen.adapters.fhir.export import COVARIATE_COMPONENTS, oral_concept
from baclofen.domain.cds.orders import INTRATHECAL, MedicationOrder
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import PatientSnapshot, Sex, age_years_on
from baclofen.domain.terminology import LOINC_KIDNEY_FUNCTION, SNOMED
from baclofen.services.cds_hooks import DISCLAIMER
from baclofen.services.commands import ReviewOrders

__all__ = [
    "FETCH_TIMEOUT_S",
    "OrderContext",
    "Prefetched",
    "read_order_context",
    "resolve_prefetch",
    "review_orders_command",
    "taper_request",
]

_log = logging.getLogger("baclofen.cds_hooks")

#: How long one fetch from the client's FHIR server may take (seconds): a hook must answer within a few seconds.
FETCH_TIMEOUT_S = 3.0
#: The largest answer read from the client's FHIR server (bytes).
MAX_RESPONSE_BYTES = 5_000_000
#: (system, code) -> (PatientSnapshot field, its unit; None for a boolean): the LOINC eGFR codes read
#: (:data:`~baclofen.domain.terminology.LOINC_KIDNEY_FUNCTION`, with their citations; no LOINC code of a creatinine
#: clearance is confirmed), and the project's own covariate codes of our FHIR export (``adapters/fhir/export.py``:
#: components of a covariates Observation).
KIDNEY_KINDS: dict[tuple[str, str], tuple[str, str | None]] = {
    **{(LOINC, code): ("egfr_ml_min_1_73m2", "mL/min/{1.73_m2}") for code in LOINC_KIDNEY_FUNCTION},
    **{
        (project_system("covariate"), code): (field, unit)
        for field, code, _, unit in COVARIATE_COMPONENTS
        if field in ("crcl_ml_min", "egfr_ml_min_1_73m2", "dialysis")
    },
}
#: The units a kidney function is read in, by its UCUM unit: UCUM codes (case-sensitive) and unit texts as EHRs
#: write them (lower case, spaces left out, ``²`` read as 2), each with its factor to that unit (mL/s x 60 =
#: mL/min). Any other unit is refused, visibly; an eGFR's unit must say its 1.73 m2.
KIDNEY_UNITS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "mL/min": ({"mL/min": 1.0, "mL/s": 60.0}, {"ml/min": 1.0, "ml/s": 60.0}),
    "mL/min/{1.73_m2}": (
        {"mL/min/{1.73_m2}": 1.0, "mL/s/{1.73_m2}": 60.0},
        {
            "ml/min/{1.73_m2}": 1.0,
            "ml/min/1.73m2": 1.0,
            "ml/min/1.73sqm": 1.0,
            "ml/min/1.73_m2": 1.0,
            "ml/s/{1.73_m2}": 60.0,
            "ml/s/1.73m2": 60.0,
        },
    ),
}
_KIDNEY_NAMES = {"crcl_ml_min": "a creatinine clearance", "egfr_ml_min_1_73m2": "an eGFR"}
_STOP_STATUSES = frozenset({"stopped", "cancelled"})


# --- prefetch -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Prefetched:
    """The prefetch of a call, completed from the FHIR server where it could be: ``data`` by key (the keys that
    could not be had are absent) and ``unavailable`` (each key missing, and why)."""

    data: Mapping[str, Any]
    unavailable: tuple[str, ...] = ()


def _render(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with each ``{{context.NAME}}`` replaced by that context value (URL-encoded); None when one is
    missing or not a text."""
    out = template
    while "{{" in out:
        start = out.index("{{")
        end = out.find("}}", start)
        if end < 0:
            return None
        token = out[start + 2 : end].strip()
        value = context.get(token.removeprefix("context.")) if token.startswith("context.") else None
        if not isinstance(value, str) or not value:
            return None
        out = out[:start] + quote(value, safe="") + out[end + 2 :]
    return out


def resolve_prefetch(
    templates: Mapping[str, str],
    context: Mapping[str, Any],
    prefetch: Mapping[str, Any] | None,
    fhir_server: str | None,
    access_token: str | None,
    *,
    allowed_servers: Collection[str] = (),
    timeout_s: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> Prefetched:
    """Each prefetch key of ``templates``: as sent, else fetched from ``fhir_server`` when it is one of
    ``allowed_servers`` (base URLs), else listed as unavailable.

    As the specification has it: a key sent as ``null`` is data (the client has none: no such resource, no search
    result), kept as ``None``; a key left out is fetched; a key sent as an OperationOutcome is the client's error
    in prefetching it, unavailable and not asked again."""
    given = dict(prefetch or {})
    data: dict[str, Any] = {}
    unavailable: list[str] = []
    for key in templates:
        value = given.get(key)
        if isinstance(value, dict) and value.get("resourceType") == "OperationOutcome":
            unavailable.append(f"prefetch {key!r}: the client could not prefetch it ({_outcome_text(value)})")
        elif key in given:
            data[key] = value
    missing = [key for key in templates if key not in given]
    if not missing:
        return Prefetched(data, tuple(unavailable))
    allowed = {url.rstrip("/") for url in allowed_servers}
    why = ""
    if not fhir_server:
        why = "no fhirServer in the request"
    elif not fhir_server.startswith(("https://", "http://")):
        why = "fhirServer is not an http(s) URL"
    elif fhir_server.rstrip("/") not in allowed:
        why = f"fhirServer {fhir_server[:200]!r} is not a server this service may ask (BACLOFEN_CDS_FHIR_SERVERS)"
    if why:
        unavailable += [f"prefetch {key!r} not sent and not fetched: {why}" for key in missing]
        return Prefetched(data, tuple(unavailable))
    assert fhir_server is not None
    headers = {"Accept": "application/fhir+json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    with httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=False) as client:
        for key in missing:
            query = _render(templates[key], context)
            if query is None:
                unavailable.append(f"prefetch {key!r} not fetched: its template names a context value not given")
                continue
            url = f"{fhir_server.rstrip('/')}/{query}"
            try:
                value = _get_json(client, url, max_bytes)
            except (httpx.HTTPError, ValueError) as exc:
                _log.warning("CDS Hooks prefetch %r from %s failed: %s", key, fhir_server, exc)
                unavailable.append(f"prefetch {key!r} could not be fetched from the FHIR server ({type(exc).__name__})")
                continue
            if not isinstance(value, dict):
                unavailable.append(f"prefetch {key!r}: the FHIR server answered no resource")
                continue
            data[key] = value
    for text in unavailable:
        _log.info("CDS Hooks: %s", text)
    return Prefetched(data, tuple(unavailable))


def _outcome_text(outcome: Mapping[str, Any]) -> str:
    """What an OperationOutcome says, briefly."""
    issue = outcome.get("issue")
    issues: list[Any] = issue if isinstance(issue, list) else []
    texts = [str(i.get("diagnostics") or i.get("code") or "an issue")[:200] for i in issues[:3] if isinstance(i, dict)]
    return "; ".join(texts) or "an OperationOutcome"


def _get_json(client: httpx.Client, url: str, max_bytes: int) -> Any:
    """The JSON a GET of ``url`` answers (a 2xx of at most ``max_bytes``); ValueError or an httpx error otherwise."""
    with client.stream("GET", url) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise ValueError(f"the answer is larger than {max_bytes} bytes")
    return json.loads(bytes(body))


# --- FHIR -> typed values -----------------------------------------------------------------------------------------
def _invalid(error: ValidationError, path: str) -> InvalidInputError:
    errors = [
        InvalidInputError(
            ".".join([path, *(f"[{p}]" if isinstance(p, int) else str(p) for p in e.get("loc", ()))]).replace(
                ".[", "["
            ),
            f"a valid FHIR R4 value ({e.get('msg', 'invalid')})",
            e.get("input") if isinstance(e.get("input"), str | int | float | None) else type(e.get("input")).__name__,
        )
        for e in error.errors()[:10]
    ]
    return errors[0] if len(errors) == 1 else InvalidInputs(errors)


def _medication_names(
    request: MedicationRequest | MedicationStatement, raw: Mapping[str, Any]
) -> tuple[list[str], str]:
    """The names to recognise the medication by (codes first), and its label."""
    concept = request.medicationCodeableConcept
    names: list[str] = []
    label = ""
    if concept is None and request.medicationReference is not None:
        reference = request.medicationReference.reference or ""
        for contained in raw.get("contained") or ():
            if isinstance(contained, dict) and reference == f"#{contained.get('id')}" and contained.get("code"):
                names, label = _concept_names(contained["code"])
        label = label or request.medicationReference.display or reference
        if request.medicationReference.display:
            names.append(request.medicationReference.display)
        return names, label
    if concept is not None:
        names, label = _concept_names(concept.model_dump(exclude_none=True))
    return names, label


def _concept_names(concept: Mapping[str, Any]) -> tuple[list[str], str]:
    codes: list[str] = []
    texts: list[str] = []
    for coding in concept.get("coding") or ():
        system, code = coding.get("system"), coding.get("code")
        if code and system == RXNORM:
            codes.append(f"RxNorm:{code}")
        elif code and system == ATC:
            codes.append(f"ATC:{code}")
        if coding.get("display"):
            texts.append(coding["display"])
    text = concept.get("text") or ""
    if text:
        texts.insert(0, text)
    return codes + texts, text or (texts[0] if texts else "")


def read_medication_request(raw: Any, path: str) -> MedicationOrder:
    """One MedicationRequest (a JSON object) as a :class:`MedicationOrder`; invalid: an error naming ``path``."""
    if not isinstance(raw, dict):
        raise InvalidInputError(path, "a FHIR MedicationRequest (a JSON object)", type(raw).__name__)
    try:
        request = MedicationRequest.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc, path) from None
    names, label = _medication_names(request, raw)
    reference = f"MedicationRequest/{request.id}" if request.id else f"{path} (no id)"
    stops = request.status in _STOP_STATUSES or bool(request.doNotPerform)
    return _order(reference, names, label, request.dosageInstruction or [], stops=stops)


def _order(reference: str, names: list[str], label: str, dosages: list[Any], *, stops: bool) -> MedicationOrder:
    """A medication order of its names and its FHIR Dosage list (dose, route, first day)."""
    dose = read_dosage(dosages)
    return MedicationOrder(
        reference,
        tuple(names),
        label or reference,
        stops=stops,
        daily_dose_mg=dose.max_daily_mg,
        single_dose_mg=dose.single_mg,
        doses_per_day=dose.doses_per_day,
        dose_note=dose.why_not,
        dose_basis=dose.basis,
        dose_unit_unknown=dose.unit_unknown,
        route=_route(dosages),
        starts_on=_starts_on(dosages),
    )


def _starts_on(dosages: list[Any]) -> date | None:
    """The earliest ``timing.repeat.boundsPeriod.start`` of the dosages (a date), None when none gives one."""
    starts = []
    for dosage in dosages:
        repeat = dosage.timing.repeat if dosage.timing is not None else None
        start = repeat.boundsPeriod.start if repeat is not None and repeat.boundsPeriod is not None else None
        if start is not None:
            starts.append(start.date() if hasattr(start, "date") and callable(start.date) else start)
    return min((s for s in starts if isinstance(s, date)), default=None)


#: SNOMED CT 72607000 "Intrathecal route" (a descendant of 284009009 Route of administration values, the FHIR
#: route-codes value set); any coding display or text naming the route counts too.
_SNOMED_INTRATHECAL = "72607000"


def _route(dosages: list[Any]) -> str:
    """``intrathecal`` when a dosage's route is SNOMED CT 72607000 or its text or a display says intrathecal."""
    for dosage in dosages:
        route = dosage.route
        if route is None:
            continue
        codings = route.coding or []
        if any(c.system == SNOMED and c.code == _SNOMED_INTRATHECAL for c in codings) or any(
            INTRATHECAL in (text or "").lower() for text in (route.text, *(c.display for c in codings))
        ):
            return INTRATHECAL
    return ""


def _entries(bundle: Any, path: str) -> list[tuple[str, Any]]:
    """(path, resource) of each entry of a Bundle (a JSON object); anything else is an error naming ``path``."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise InvalidInputError(
            path, "a FHIR Bundle", type(bundle).__name__ if not isinstance(bundle, dict) else bundle.get("resourceType")
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidInputError(f"{path}.entry", "a list of entries", type(entries).__name__)
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            raise InvalidInputError(f"{path}.entry[{i}]", "an entry with a resource", entry)
        out.append((f"{path}.entry[{i}].resource", entry["resource"]))
    return out


def _medication_requests(bundle: Any, path: str) -> tuple[MedicationOrder, ...]:
    return tuple(
        read_medication_request(resource, where)
        for where, resource in _entries(bundle, path)
        if resource.get("resourceType") == "MedicationRequest"
    )


#: The MedicationStatement statuses of a medicine the patient takes (or is to take) now.
_CURRENT_STATEMENT_STATUSES = frozenset({"active", "intended"})


def read_medication_statement(raw: Any, path: str) -> MedicationOrder | None:
    """One MedicationStatement (a JSON object) as a :class:`MedicationOrder` when the patient takes the medicine
    now (status active or intended), else None; invalid: an error naming ``path``."""
    if not isinstance(raw, dict):
        raise InvalidInputError(path, "a FHIR MedicationStatement (a JSON object)", type(raw).__name__)
    try:
        statement = MedicationStatement.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc, path) from None
    if statement.status not in _CURRENT_STATEMENT_STATUSES:
        return None
    names, label = _medication_names(statement, raw)
    reference = f"MedicationStatement/{statement.id}" if statement.id else f"{path} (no id)"
    return _order(reference, names, label, statement.dosage or [], stops=False)


def _active_medications(bundle: Any, path: str) -> tuple[MedicationOrder, ...]:
    """The MedicationRequests and the current MedicationStatements of the prefetch Bundle (stops included)."""
    out: list[MedicationOrder] = []
    for where, resource in _entries(bundle, path):
        kind = resource.get("resourceType")
        if kind == "MedicationRequest":
            out.append(read_medication_request(resource, where))
        elif kind == "MedicationStatement" and (statement := read_medication_statement(resource, where)) is not None:
            out.append(statement)
    return tuple(out)


def _active_orders(prefetched: Prefetched, notes: list[str]) -> tuple[MedicationOrder, ...] | None:
    if "medications" not in prefetched.data:
        return None
    if prefetched.data["medications"] is None:  # sent as null: no active medication order
        return ()
    try:
        orders = _active_medications(prefetched.data["medications"], "prefetch.medications")
    except InvalidInputError as exc:
        notes.append(f"prefetch 'medications' not used: {exc}")
        return None
    return tuple(o for o in orders if not o.stops)


R = TypeVar("R", Observation, Condition)


def _prefetched_resources(prefetched: Prefetched, key: str, model: type[R], notes: list[str]) -> list[R] | None:
    """The resources of type ``model`` in the prefetch Bundle ``key``: None when it is not there (or not a
    Bundle); each one that is not valid FHIR is left out, with a note."""
    if key not in prefetched.data:
        return None
    bundle = prefetched.data[key]
    if bundle is None:  # sent as null: the client has no such data
        return []
    try:
        entries = _entries(bundle, f"prefetch.{key}")
    except InvalidInputError as exc:
        notes.append(f"prefetch {key!r} not used: {exc}")
        return None
    found: list[R] = []
    for where, resource in entries:
        if resource.get("resourceType") != model.__name__:
            continue
        try:
            found.append(model.model_validate(resource))
        except ValidationError as exc:
            notes.append(f"{where} not used: {_invalid(exc, where)}")
    return found


def _kidney_values(coded: Any, when: str, refused: list[str]) -> list[tuple[str, str, float | bool]]:
    """(when, field, value) of an Observation or one of its components whose code says a kidney function and whose
    value is in a unit of that kind (:data:`KIDNEY_UNITS`: a CrCl in mL/min, an eGFR in mL/min/{1.73_m2}, each
    converted), dialysis a boolean; a value in another unit is left out and said in ``refused``."""
    found: list[tuple[str, str, float | bool]] = []
    codings = coded.code.coding or [] if coded.code is not None else []
    for kind in {KIDNEY_KINDS.get((c.system or "", c.code or "")) for c in codings} - {None}:
        assert kind is not None
        field, unit = kind
        quantity = coded.valueQuantity
        if unit is None and isinstance(coded.valueBoolean, bool):
            found.append((when, field, coded.valueBoolean))
        elif unit is not None and quantity is not None and quantity.value is not None:
            factor, why = unit_factor(quantity, *KIDNEY_UNITS[unit])
            if factor is None:
                accepted = ", ".join(KIDNEY_UNITS[unit][0])
                refused.append(
                    f"{_KIDNEY_NAMES[field]} of {quantity.value:g} ({when or 'no date'}): {why} (UCUM {accepted}, "
                    "or their usual texts)"
                )
            else:
                found.append((when, field, float(quantity.value) * factor))
    return found


def _kidney(prefetched: Prefetched, notes: list[str]) -> tuple[dict[str, Any], str]:
    """The latest kidney function of the ``kidney`` prefetch (a creatinine clearance or an eGFR, and dialysis) as
    PatientSnapshot fields, and why none was read (empty when one was)."""
    observations = _prefetched_resources(prefetched, "kidney", Observation, notes)
    if observations is None:
        why = "; ".join(n for n in notes if "'kidney'" in n) or "the prefetch 'kidney' is not available"
        return {}, why
    found: list[tuple[str, str, float | bool]] = []
    refused: list[str] = []
    for observation in observations:
        if observation.status in ("entered-in-error", "cancelled"):
            continue
        when = str(observation.effectiveDateTime or observation.issued or "")
        found += _kidney_values(observation, when, refused)
        for component in observation.component or []:
            found += _kidney_values(component, when, refused)
    numbers = [f for f in found if f[1] != "dialysis"]
    why = ""
    if refused:
        notes.append("prefetch 'kidney': not read, " + "; ".join(refused))
    if not numbers:
        codes = ", ".join(f"LOINC {code}" for code in LOINC_KIDNEY_FUNCTION)
        why = (
            "the prefetch 'kidney' has no value in a unit that can be read: " + "; ".join(refused)
            if refused
            else f"the prefetch 'kidney' has no eGFR ({codes}) nor a creatinine clearance of this system's export"
        )
        notes.append(f"{why}: doses checked without kidney function")
    latest = max(numbers, key=lambda f: f[0]) if numbers else None  # ISO dates and times sort in time order
    dialysis = max((f for f in found if f[1] == "dialysis"), key=lambda f: f[0], default=None)
    out: dict[str, Any] = {latest[1]: latest[2]} if latest is not None else {}
    if dialysis is not None and dialysis[2] is True:
        out["dialysis"] = True
    return out, why


#: Condition clinical statuses (http://terminology.hl7.org/CodeSystem/condition-clinical) that are current.
_CURRENT_CONDITION = frozenset({"active", "recurrence", "relapse"})
_NOT_A_CONDITION = frozenset({"entered-in-error", "refuted"})


def _condition_name(condition: Condition) -> str:
    """The condition's name as the record gives it (text, else the first coding display), refused separators and
    control characters turned to spaces."""
    code = condition.code
    name = (code.text or next((c.display for c in code.coding or [] if c.display), "")) if code is not None else ""
    return " ".join("".join(" " if ch in ";|" or not ch.isprintable() else ch for ch in name).split())


def _conditions(prefetched: Prefetched, notes: list[str]) -> tuple[str, ...] | None:
    """The names of the current conditions of the ``conditions`` prefetch; None when it is not there."""
    conditions = _prefetched_resources(prefetched, "conditions", Condition, notes)
    if conditions is None:
        return None
    names: list[str] = []
    for condition in conditions:
        statuses = {
            c.code
            for concept in (condition.clinicalStatus, condition.verificationStatus)
            if concept is not None
            for c in concept.coding or []
        }
        if statuses & _NOT_A_CONDITION or (condition.clinicalStatus is not None and not statuses & _CURRENT_CONDITION):
            continue
        name = _condition_name(condition)
        if any(ch.isalnum() for ch in name):
            names.append(name)
        else:
            notes.append(f"prefetch 'conditions': a condition without a name ({condition.id or 'no id'}), NOT checked")
    return tuple(dict.fromkeys(names))


def _patient(prefetched: Prefetched, start: date, notes: list[str]) -> dict[str, Any]:
    raw = prefetched.data.get("patient")
    if raw is None:
        return {}
    try:
        patient = Patient.model_validate(raw)
    except (ValidationError, TypeError, ValueError):
        notes.append("prefetch 'patient' is not a valid FHIR Patient: age and sex not used")
        return {}
    out: dict[str, Any] = {}
    born = patient.birthDate
    if isinstance(born, date):
        try:
            out["age_years"] = age_years_on(born, start)
        except InvalidInputError as exc:
            notes.append(f"prefetch 'patient': {exc}: age not used")
    if patient.gender in ("female", "male"):
        out["sex"] = Sex(patient.gender)
    return out


def _snapshot(fields: dict[str, Any], notes: list[str]) -> PatientSnapshot:
    try:
        return PatientSnapshot(**fields)
    except InvalidInputError as exc:
        notes.append(f"patient data not used: {exc}")
        kept = {k: v for k, v in fields.items() if k not in ("crcl_ml_min", "egfr_ml_min_1_73m2", "age_years")}
        return PatientSnapshot(**kept)


def _selections(context: Mapping[str, Any], hook: str) -> tuple[str, ...] | None:
    if hook != "order-select":
        return None
    selections = context.get("selections")
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise InvalidInputError("context.selections", "a list of references such as MedicationRequest/103", selections)
    return tuple(selections)


@dataclass(frozen=True, slots=True)
class OrderContext:
    """What an ``order-select``/``order-sign`` context says: the patient, the selections (order-select) and the
    draft medication orders."""

    patient_id: str
    selections: tuple[str, ...] | None
    drafts: tuple[MedicationOrder, ...]


def read_order_context(hook: str, context: Mapping[str, Any]) -> OrderContext:
    """The context of an ``order-select``/``order-sign`` call (read before any prefetch is fetched); an invalid one
    is an error naming its field (``context.draftOrders.entry[1].resource.subject`` ...)."""
    patient_id = context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id.strip():
        raise InvalidInputError("context.patientId", "the FHIR id of the patient (a text)", patient_id)
    if "draftOrders" not in context:
        raise InvalidInputError("context.draftOrders", "a FHIR Bundle of the draft orders", None)
    selections = _selections(context, hook)
    return OrderContext(patient_id, selections, _medication_requests(context["draftOrders"], "context.draftOrders"))


def review_orders_command(
    hook: str, hook_instance: str, orders: OrderContext, prefetched: Prefetched, start_date: date
) -> ReviewOrders:
    """The :class:`ReviewOrders` of an ``order-select``/``order-sign`` call: its context's orders and what the
    prefetch gives (what it cannot is said in ``unavailable``)."""
    notes = list(prefetched.unavailable)
    active = _active_orders(prefetched, notes)
    conditions = _conditions(prefetched, notes)
    kidney, kidney_why = _kidney(prefetched, notes)
    fields = _patient(prefetched, start_date, notes) | kidney
    return ReviewOrders(
        hook,
        hook_instance,
        orders.patient_id,
        orders.drafts,
        start_date,
        selections=orders.selections,
        active=active,
        conditions=conditions,
        patient=_snapshot(fields, notes),
        unavailable=tuple(notes),
        kidney_unknown_why=kidney_why,
    )


# --- typed values -> FHIR -----------------------------------------------------------------------------------------
def stop_requests(prefetched: Prefetched) -> Callable[[str], dict[str, Any] | None]:
    """What stops an active order of the prefetch: given its reference (``MedicationRequest/103``), the
    MedicationRequest as the prefetch gave it with status ``stopped`` (a CDS Hooks ``update`` replaces the whole
    resource), or None when the prefetch does not hold it."""
    bundle = prefetched.data.get("medications")
    held: dict[str, dict[str, Any]] = {}
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    for entry in entries if isinstance(entries, list) else ():
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "MedicationRequest" and resource.get("id"):
            held[f"MedicationRequest/{resource['id']}"] = resource

    def stopped(reference: str) -> dict[str, Any] | None:
        resource = held.get(reference)
        return copy.deepcopy(resource) | {"status": "stopped"} if resource is not None else None

    return stopped


def taper_request(plan: Plan, patient_id: str) -> dict[str, Any]:
    """A suggested taper as a draft FHIR R4 MedicationRequest of the patient ``patient_id``: the dosage of each step
    and clock time as the FHIR export writes a plan (``sequence`` per step, ``boundsPeriod``, ``timeOfDay``, the
    dose in mg, by mouth: :func:`~baclofen.adapters.fhir.dosage.plan_step_dosages`)."""
    last = plan.steps[-1]
    end = "stop" if last.daily_dose_mg == 0 else f"continue at {last.daily_dose_mg:g} mg/day"
    return {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "medicationCodeableConcept": oral_concept(plan.product.name) | {"text": "baclofen (oral), taper"},
        "dosageInstruction": plan_step_dosages(plan),
        "note": [
            {
                "text": f"Taper to {end} from {last.start.isoformat()}, planned by the baclofen decision support "
                f"(never stop abruptly). {DISCLAIMER}"
            }
        ],
    }
