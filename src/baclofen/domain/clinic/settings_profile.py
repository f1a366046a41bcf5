"""A clinic's settings profile: its own values of the named settings, and the append-only history of changes.

A clinic may set its own value of any named :class:`~baclofen.domain.settings.Setting` (the refill margin, the
reconcile tolerance, the taper thresholds, the locale ...) within the setting's bounds, choices and type. Each
change is a :class:`SettingChange`: who, when, the value before (``None``: the default was in force), the value
after (``None``: reset to the default) and why. The values in force are those the changes leave, oldest first
(:func:`values_in_force`); nothing is ever rewritten, a reset is a change too.

>>> from datetime import datetime, timezone
>>> from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> set_ = SettingChange("C-1", REFILL_MARGIN_DAYS.name, None, 10, "admin:ann", at, "our pharmacy needs longer")
>>> reset = SettingChange("C-1", REFILL_MARGIN_DAYS.name, 10, None, "admin:ann", at, "back to the default")
>>> values_in_force([set_]), values_in_force([set_, reset])
({'pump.refill_margin_days': 10}, {})
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.records import MAX_AUDIT_TEXT_LENGTH, check_record_id
from baclofen.domain.settings import SETTINGS, Setting

__all__ = [
    "MAX_SETTING_REASON_LENGTH",
    "SettingChange",
    "SettingProfileEntry",
    "check_setting_value",
    "profile_entries",
    "values_in_force",
]

#: Longest reason of a change (characters).
MAX_SETTING_REASON_LENGTH = 2000


def check_setting_value(setting: Setting, value: Any, field: str = "value") -> Any:
    """``value`` checked against ``setting`` (type, bounds, choices), the error naming ``field``."""
    try:
        return setting.validate(value)
    except UnknownNameError as exc:
        raise UnknownNameError(field, exc.choices, value) from None
    except InvalidInputError as exc:
        raise InvalidInputError(field, exc.expected, exc.actual) from None


def _text(value: object, field: str, max_length: int) -> str:
    if not (isinstance(value, str) and value.strip() and len(value) <= max_length):
        raise InvalidInputError(field, f"a non-blank text of at most {max_length} characters", value)
    return value


@dataclass(frozen=True, slots=True)
class SettingChange:
    """One change of a clinic's value of a setting (append-only: never changed or removed).

    Attributes
    ----------
    clinic_id : str
        The clinic whose profile changed.
    name : str
        The setting (a name of :data:`~baclofen.domain.settings.SETTINGS`).
    old_value, new_value : Any
        The clinic's value before and after; ``None`` is "no value of the clinic: the default". A change whose
        ``new_value`` is ``None`` is a reset to the default.
    by : str
        Who changed it (the audit log's actor, ``"admin:ann"``).
    at : datetime
        When (timezone-aware).
    reason : str
        Why (required: a clinical value is never changed without one).
    """

    clinic_id: str
    name: str
    old_value: Any
    new_value: Any
    by: str
    at: datetime
    reason: str

    def __post_init__(self) -> None:
        check_record_id(self.clinic_id, "clinic_id")
        setting = SETTINGS.get(self.name)
        if setting is None:
            raise UnknownNameError("name", SETTINGS.keys(), self.name)
        for field in ("old_value", "new_value"):
            value = getattr(self, field)
            if value is not None:  # an error names the setting
                object.__setattr__(self, field, setting.validate(value))
        _text(self.by, "by", MAX_AUDIT_TEXT_LENGTH)
        if not isinstance(self.at, datetime) or self.at.utcoffset() is None:
            raise InvalidInputError("at", "a time with its UTC offset", self.at)
        _text(self.reason, "reason", MAX_SETTING_REASON_LENGTH)

    @property
    def setting(self) -> Setting:
        return SETTINGS[self.name]

    @property
    def is_reset(self) -> bool:
        """Whether this change puts the setting back to its default."""
        return self.new_value is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "name": self.name,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "reset": self.is_reset,
            "by": self.by,
            "at": self.at.isoformat(),
            "reason": self.reason,
        }


def values_in_force(changes: Iterable[SettingChange]) -> dict[str, Any]:
    """The clinic's values that ``changes`` (oldest first) leave: by setting name, a reset removing one."""
    values: dict[str, Any] = {}
    for change in changes:
        if change.is_reset:
            values.pop(change.name, None)
        else:
            values[change.name] = change.new_value
    return values


@dataclass(frozen=True, slots=True)
class SettingProfileEntry:
    """A setting as a clinic sees it: its description, bounds and default, and the clinic's own value if any."""

    setting: Setting
    clinic_value: Any = None

    @property
    def value(self) -> Any:
        """The value in force: the clinic's, else the default."""
        return self.setting.default if self.clinic_value is None else self.clinic_value

    def to_dict(self) -> dict[str, Any]:
        out = self.setting.to_dict(self.value)
        out["minimum"] = self.setting.minimum
        out["maximum"] = self.setting.maximum
        out["clinic_value"] = self.clinic_value
        out["source"] = "default" if self.clinic_value is None else "clinic"
        return out


def profile_entries(settings: Iterable[Setting], clinic_values: Mapping[str, Any]) -> tuple[SettingProfileEntry, ...]:
    """Every one of ``settings`` in name order, with the clinic's value of it when it has one."""
    return tuple(SettingProfileEntry(s, clinic_values.get(s.name)) for s in sorted(settings, key=lambda s: s.name))
