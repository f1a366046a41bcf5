"""A change of a clinic's settings profile from its fields (the REST API's path and JSON body): the setting's
name, its new value (checked against the setting's type, bounds or choices) and the reason, every invalid field
reported at once.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> command = change_clinic_setting_command(clinic_id="C-1", name="pump.refill_margin_days", value=10,
...                                         by="admin:ann", at=at, reason="our pharmacy needs longer")
>>> command.value
10
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.domain.clinic.settings_profile import MAX_SETTING_REASON_LENGTH, check_setting_value
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.records import check_record_id
from baclofen.domain.settings import SETTINGS, Setting
from baclofen.services.commands import ChangeClinicSetting

__all__ = ["change_clinic_setting_command"]


def _setting(name: str, field: str) -> Setting:
    setting = SETTINGS.get(name)
    if setting is None:
        raise UnknownNameError(field, SETTINGS.keys(), name)
    return setting


def _reason(value: Any, field: str) -> str:
    if not (isinstance(value, str) and value.strip() and len(value) <= MAX_SETTING_REASON_LENGTH):
        raise InvalidInputError(
            field, f"why, in a non-blank text of at most {MAX_SETTING_REASON_LENGTH} characters", value
        )
    return value.strip()


def change_clinic_setting_command(
    *, clinic_id: str, name: str, value: Any, by: str, at: datetime, reason: str
) -> ChangeClinicSetting:
    """:class:`ChangeClinicSetting` from its fields: ``value`` None resets the setting to its default."""
    fields = InputCollector()
    fields.check(check_record_id, clinic_id, "clinic_id")
    setting = fields.read(_setting, name, "name")
    checked = None if setting is None else fields.read(lambda v, f: check_setting_value(setting, v, f), value, "value")
    text = fields.read(_reason, reason, "reason")
    if reason is None:
        fields.add(InvalidInputError("reason", "why the value changes", None))
    fields.raise_errors()
    assert text is not None
    return ChangeClinicSetting(clinic_id, name, checked, by, at, text)
