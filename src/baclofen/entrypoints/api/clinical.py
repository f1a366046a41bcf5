"""Clinical decision support over the API, as the CLI gives it: alternatives to oral baclofen, the risks of a
timeline, interaction and contraindication checks, outcome scales, the rule catalogue; and the two views of a
stored patient that the risk engine works from: their ``baclofen-timeline/1`` document and its risks.

The stateless calculators (nothing stored, no patient record read) are for staff; each body is read by the same
edge builder as the CLI's command and answers the JSON of its ``--json``; the alternatives advisor, the scales and
the risk engine take the caller's clinic's values of their settings (a request's own win). The rule catalogue is
no patient data: staff and admins read it (an admin sets the clinic's settings a rule reads). A stored patient's
timeline and risks are patient data: audited, and answered only to the patient themselves and their clinic's staff
(anyone else: 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query

from baclofen.adapters.edge.cds import (
    advise_alternatives_command,
    assess_timeline_risk_command,
    check_contraindications_command,
    check_interactions_command,
    evaluate_scale_command,
)
from baclofen.adapters.edge.clinic import assess_patient_risk_command, read_patient_timeline_command
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.domain.rules.catalogue import RuleArea
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.openapi import DOCUMENT_KEY
from baclofen.entrypoints.api.problems import Problem, field_errors
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.schemas import (
    AlternativesRequest,
    ContraindicationsRequest,
    InteractionsRequest,
    ScaleRequest,
    TimelineDocument,
)
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services import cds
from baclofen.services.rules import describe_rule, rule_listing

__all__ = ["router"]

router = APIRouter(tags=["decision support"])

#: Who reads the rule catalogue; who reads a stored patient's timeline and risks (a patient their own).
CATALOGUE_READERS = STAFF_ROLES | {Role.ADMIN}
PATIENT_READERS = STAFF_ROLES | {Role.PATIENT}
#: The ``NAME=VALUE`` settings of a request in its query (as the CLI's ``--setting``, repeatable).
SettingQuery = Annotated[
    list[Annotated[str, Query(max_length=200)]],
    Query(max_length=50, description="A setting of the risk engine: NAME=VALUE (repeatable, as --setting)."),
]
AsOfQuery = Annotated[
    str | None,
    Query(max_length=64, description="A date-time with its UTC offset; the clinic's now when left out."),
]
#: The edge's names of body fields that the API's bodies spell in the plural.
_BODY_NAMES = {"setting": "settings", "override": "overrides"}

T = TypeVar("T")


def _renamed(field: str, names: Mapping[str, str]) -> str:
    head, sep, rest = field.partition(".")
    if head in names:
        return names[head] + sep + rest
    return field


def _invalid(exc: InvalidInputError, names: Mapping[str, str], where: str = "body") -> Problem:
    errors = [{**e, "field": _renamed(e["field"], names), "in": where} for e in field_errors(exc)]
    return Problem(422, f"{len(errors)} invalid field(s)", errors=errors)


def _answer(compute: Callable[[], Any], names: Mapping[str, str] = _BODY_NAMES, where: str = "body") -> dict[str, Any]:
    """The JSON of ``compute()``'s result (its ``--json``), an input error a 422 naming each field as sent."""
    try:
        result = compute()
    except InvalidInputError as exc:
        raise _invalid(exc, names, where) from None
    data: dict[str, Any] = json_ready(result.to_dict())
    return data


# --- calculators -----------------------------------------------------------------------------------------------


@router.post(
    "/alternatives",
    summary="Alternatives to oral baclofen in guideline order, with a cross-taper (baclofen alternatives)",
)
def alternatives(body: AlternativesRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    chosen = [name for name in ("failed", "not_tolerated", "current") if getattr(body, name)]
    errors = [
        {"field": name, "in": "body", "detail": "expected at most one of failed, not_tolerated, current"}
        for name in (chosen if len(chosen) > 1 else ())
    ]
    start: Any = body.start_date
    if body.switch_to is not None and body.from_mg_per_day is not None and start is None:
        start = who.services.clock.today()  # today on the clinic's clock, as the CLI's
    try:
        command = advise_alternatives_command(
            baclofen_outcome=chosen[0].replace("_", "-") if chosen else "not-tried",
            focal=body.focal,
            severe=body.severe,
            liver_disease=body.liver_disease,
            crcl_ml_min=body.crcl_ml_min,
            dialysis=body.dialysis,
            drugs=body.drugs,
            conditions=body.conditions,
            sex=body.sex,
            age_years=body.age_years,
            locale=body.locale,
            guideline=body.guideline,
            switch_to=body.switch_to,
            current_baclofen_mg_per_day=body.from_mg_per_day,
            months_on_therapy=body.months_on_therapy,
            start_date=start,
            overrides=body.overrides,
            clinician=actor_label(who.user),
            settings=body.settings,
        )
    except InvalidInputError as exc:
        errors += _invalid(exc, _BODY_NAMES).extra["errors"]
    if errors:  # every invalid field at once
        raise Problem(422, f"{len(errors)} invalid field(s)", errors=errors)
    return _answer(lambda: cds.advise_on_alternatives(command, clinic=who.services.settings))


@router.post(
    "/risk",
    summary="Withdrawal and overdose risks of a baclofen-timeline/1 document (baclofen risk TIMELINE.json)",
    description="The body is the timeline document (docs/timeline.md); an invalid field is named by its path in it "
    "(pump.refills[1].aspirated_ml). The risk engine uses the clinic's values of its settings, under the "
    "request's own (the setting query).",
    openapi_extra={DOCUMENT_KEY: "timeline"},
)
def risk(body: TimelineDocument, who: CallerDep, setting: SettingQuery = []) -> dict[str, Any]:  # noqa: B006
    require_role(who.user, STAFF_ROLES)
    try:
        command = assess_timeline_risk_command(timeline=body, settings=setting)
    except InvalidInputError as exc:
        errors = [_timeline_error(e) for e in field_errors(exc)]
        raise Problem(422, f"{len(errors)} invalid field(s)", errors=errors) from None
    return _answer(lambda: cds.assess_timeline_risk(command, clinic=who.services.settings), {}, "query")


def _timeline_error(error: dict[str, Any]) -> dict[str, Any]:
    """An error of the timeline (named ``timeline.PATH`` by the edge) at its path in the body; a setting's in the
    query."""
    field: str = error["field"]
    if field == "setting" or field.startswith("setting."):
        return {**error, "in": "query"}
    path = field.removeprefix("timeline").lstrip(".")
    return {**error, "field": path or "body", "in": "body"}


@router.post(
    "/checks/interactions",
    summary="Interactions of a medication list (baclofen check interactions)",
)
def check_interactions(body: InteractionsRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    return _answer(lambda: cds.check_interactions(check_interactions_command(**body.model_dump())))


@router.post(
    "/checks/contraindications",
    summary="One drug against the patient's conditions, age, sex, kidneys and route (baclofen check contraindications)",
)
def check_contraindications(body: ContraindicationsRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    return _answer(lambda: cds.check_drug_contraindications(check_contraindications_command(**body.model_dump())))


@router.post(
    "/scales/evaluate",
    summary="The response from a baseline to a current score on an outcome scale (baclofen scale evaluate)",
)
def evaluate_scale(body: ScaleRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    clinic = who.services.settings
    return _answer(lambda: cds.evaluate_scale(evaluate_scale_command(**body.model_dump()), clinic=clinic))


# --- the rule catalogue ----------------------------------------------------------------------------------------


@router.get("/rules", summary="The safety rules, of one area or all (baclofen rules list)")
def list_rules(
    who: CallerDep,
    area: Annotated[
        str | None, Query(max_length=40, description=f"One area: {', '.join(a.value for a in RuleArea)}.")
    ] = None,
) -> dict[str, Any]:
    require_role(who.user, CATALOGUE_READERS)
    return _answer(lambda: rule_listing(area), where="query")


@router.get("/rules/{rule_id}", summary="One rule: evidence, citations, the settings it reads (baclofen rules show)")
def show_rule(rule_id: str, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, CATALOGUE_READERS)
    try:
        entry = describe_rule(rule_id)
    except InvalidInputError as exc:
        raise Problem(404, f"no rule {rule_id!r}: expected {exc.expected}") from None
    data: dict[str, Any] = json_ready(entry.to_dict(detail=True))
    return data


# --- a stored patient's timeline and risks ----------------------------------------------------------------------


def _stored_view(who: Caller, action: str, patient_id: str, view: Callable[[str], T]) -> T:
    """``view(as_of)`` of a patient the caller may see, audited; its input errors name the query's fields."""
    with audited(who, action, audit_target("patient", patient_id)):
        require_role(who.user, PATIENT_READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
        try:
            return view(patient_id)
        except InvalidInputError as exc:
            raise _invalid(exc, {}, "query") from None


@router.get(
    "/patients/{patient_id}/timeline",
    summary="The baclofen-timeline/1 document of a stored patient at as_of, and what it could not hold",
)
def patient_timeline(patient_id: str, who: CallerDep, as_of: AsOfQuery = None) -> dict[str, Any]:
    def view(patient: str) -> Any:
        moment = as_of if as_of is not None else who.services.clock.now()
        return who.services.read_patient_timeline(read_patient_timeline_command(patient_id=patient, as_of=moment))

    data: dict[str, Any] = json_ready(_stored_view(who, "patient.timeline", patient_id, view).to_dict())
    return data


@router.get(
    "/patients/{patient_id}/risk",
    summary="The risks of a stored patient at as_of (as POST /risk of their timeline), no alert raised",
)
def patient_risk(
    patient_id: str,
    who: CallerDep,
    as_of: AsOfQuery = None,
    setting: SettingQuery = [],  # noqa: B006
) -> dict[str, Any]:
    def view(patient: str) -> Any:
        moment = as_of if as_of is not None else who.services.clock.now()
        command = assess_patient_risk_command(patient_id=patient, as_of=moment, settings=setting)
        return who.services.assess_patient_risk(command)

    data: dict[str, Any] = json_ready(_stored_view(who, "patient.risk", patient_id, view).to_dict())
    return data
