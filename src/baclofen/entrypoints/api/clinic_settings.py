"""The caller's clinic's settings profile (issue 11 item 6): its own values of the named settings, their changes.

Every route is scoped to the caller's clinic (from the token; no route names a clinic, so one clinic's admin can
never reach another's profile). Staff and admins read the profile and its history; only an admin changes or
resets a value (:data:`EDITORS`), within the setting's bounds (422 naming ``value`` otherwise), with a reason.
Every access is audited (target ``clinic:ID``); a change is also kept in the profile's append-only history.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from baclofen.adapters.edge.clinic_settings import change_clinic_setting_command
from baclofen.domain.clinic.settings_profile import SettingChange
from baclofen.domain.errors import NotFoundError
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.records import audit_target
from baclofen.entrypoints.api.schemas import ClinicSettingRequest
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.clinic_settings import setting_catalogue

__all__ = ["EDITORS", "READERS", "router"]

router = APIRouter(tags=["clinic settings"])

#: Who reads the clinic's settings and their history; who changes them.
READERS = STAFF_ROLES | {Role.ADMIN}
EDITORS = frozenset({Role.ADMIN})

_Reason = Annotated[str, Query(min_length=1, max_length=2000, description="Why the value goes back to the default.")]
_Name = Annotated[str | None, Query(max_length=200, description="Only the changes of this setting.")]


def _known(name: str) -> str:
    if name not in setting_catalogue():
        raise NotFoundError(f"no setting {name!r}")
    return name


def _change(who: Caller, name: str, value: Any, reason: str, action: str) -> dict[str, Any]:
    clinic_id = who.user.clinic_id
    with audited(who, action, audit_target("clinic", clinic_id)):
        require_role(who.user, EDITORS)
        command = change_clinic_setting_command(
            clinic_id=clinic_id,
            name=_known(name),
            value=value,
            by=actor_label(who.user),
            at=who.services.clock.now(),
            reason=reason,
        )
        change = who.services.change_clinic_setting(command)
        entries = {e.setting.name: e for e in who.services.read_clinic_settings(clinic_id)}
    return {"setting": _json(entries[name].to_dict()), "change": _change_json(change)}


def _json(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json_ready(value)
    return result


def _change_json(change: SettingChange) -> dict[str, Any]:
    return _json(change.to_dict())


@router.get("/clinic/settings", summary="Every named setting, with the caller's clinic's own value where it has one")
def read_clinic_settings(who: CallerDep) -> dict[str, Any]:
    clinic_id = who.user.clinic_id
    with audited(who, "clinic_settings.read", audit_target("clinic", clinic_id)):
        require_role(who.user, READERS)
        entries = who.services.read_clinic_settings(clinic_id)
    return {"clinic_id": clinic_id, "items": [_json(e.to_dict()) for e in entries]}


@router.get("/clinic/settings/history", summary="The changes of the caller's clinic's settings, oldest first")
def read_clinic_settings_history(who: CallerDep, name: _Name = None) -> dict[str, Any]:
    clinic_id = who.user.clinic_id
    with audited(who, "clinic_settings.history", audit_target("clinic", clinic_id)):
        require_role(who.user, READERS)
        changes = who.services.clinic_settings_history(clinic_id, None if name is None else _known(name))
    return {"clinic_id": clinic_id, "items": [_change_json(c) for c in changes]}


@router.put("/clinic/settings/{name}", summary="An admin sets the clinic's own value of a setting, with a reason")
def change_clinic_setting(name: str, body: ClinicSettingRequest, who: CallerDep) -> dict[str, Any]:
    return _change(who, name, body.value, body.reason, "clinic_settings.change")


@router.delete("/clinic/settings/{name}", summary="An admin puts a setting back to its default, with a reason")
def reset_clinic_setting(name: str, who: CallerDep, reason: _Reason) -> dict[str, Any]:
    return _change(who, name, None, reason, "clinic_settings.reset")
