"""Named clinical settings: every threshold whose sources are UNCONFIRMED or DISAGREE.

A :class:`Setting` is a value with its unit, its status in the sources and its citations. Planners
take their options from settings' defaults; callers (CLI, API, a clinic's configuration) may
override them, and the plan records which values it used.

Every ``Setting`` created anywhere registers itself in :data:`SETTINGS` so that tests can prove
each one cites evidence that resolves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.documents import join, read_key, read_object, read_text
from baclofen.domain.errors import InvalidInputError, UnknownNameError


class EvidenceStatus(Enum):
    CONFIRMED = "confirmed"
    PARTLY_VERIFIED = "partly verified"
    UNCONFIRMED = "unconfirmed"
    DISAGREE = "disagree"
    DERIVED = "derived"
    CALIBRATED = "calibrated"
    ASSUMPTION = "assumption"


_COUNT_UNITS = frozenset({"day", "days", "visit", "visits", "dose", "doses"})

_REGISTRY: dict[str, Setting] = {}
SETTINGS: Mapping[str, Setting] = MappingProxyType(_REGISTRY)


@dataclass(frozen=True, slots=True)
class Setting:
    """A named, cited, configurable clinical value."""

    name: str
    default: Any
    unit: str
    status: EvidenceStatus
    evidence: tuple[str, ...]
    description: str
    minimum: float | None = None
    maximum: float | None = None
    #: Which way of the value makes the blocks that read it fire more often: "higher" or "lower" (None: not a
    #: block threshold, or no single direction). With its bound, it lets the evidence policy prove that a weakly
    #: sourced default is the least-blocking value allowed (see :attr:`is_least_blocking_default`).
    stricter: str | None = None

    def __post_init__(self) -> None:
        if not self.evidence:
            raise InvalidInputError(f"setting {self.name}.evidence", "at least one citation key", ())
        if self.stricter not in (None, "higher", "lower"):
            raise InvalidInputError(f"setting {self.name}.stricter", '"higher", "lower" or None', self.stricter)
        existing = _REGISTRY.get(self.name)
        if existing is not None and existing != self:
            raise InvalidInputError("setting name", "unique", self.name)
        _REGISTRY[self.name] = self

    def validate(self, value: Any) -> Any:
        """Check an override against this setting's type and bounds; return it."""
        if isinstance(self.default, bool):
            if not isinstance(value, bool):
                raise InvalidInputError(self.name, "true or false", value)
            return value
        if isinstance(self.default, (int, float)):
            if self.is_count and (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value != int(value)
            ):
                raise InvalidInputError(self.name, f"a whole number of {self.unit}", value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidInputError(self.name, f"a number in {self.unit}", value)
            if not math.isfinite(value):
                raise InvalidInputError(self.name, f"a finite number in {self.unit}", value)
            if self.minimum is not None and value < self.minimum:
                raise InvalidInputError(self.name, f">= {self.minimum:g} {self.unit}", value)
            if self.maximum is not None and value > self.maximum:
                raise InvalidInputError(self.name, f"<= {self.maximum:g} {self.unit}", value)
        return value

    @property
    def is_least_blocking_default(self) -> bool:
        """True when the default is the allowed bound that blocks least: the minimum of a setting whose higher
        values block more, or the maximum of one whose lower values block more. Such a default can never cause a
        false block, whatever its evidence status (a clinic that overrides it makes blocks come earlier)."""
        if self.stricter == "higher":
            return self.minimum is not None and self.default == self.minimum
        if self.stricter == "lower":
            return self.maximum is not None and self.default == self.maximum
        return False

    @property
    def is_count(self) -> bool:
        """Whole numbers only: an integer default counted in days, visits or doses (a fraction would be dropped)."""
        return (
            isinstance(self.default, int)
            and not isinstance(self.default, bool)
            and self.unit.split(" ")[0] in _COUNT_UNITS
        )

    def to_dict(self, value: Any | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.default if value is None else value,
            "default": self.default,
            "unit": self.unit,
            "status": self.status.value,
            "evidence": list(self.evidence),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class SettingUse:
    """A setting together with the value a plan or result used."""

    setting: Setting
    value: object

    def to_dict(self) -> dict[str, object]:
        return self.setting.to_dict(self.value)

    @classmethod
    def from_dict(cls, data: Any, path: str = "setting", registry: Mapping[str, Setting] = SETTINGS) -> SettingUse:
        """The setting named by ``name`` (from ``registry``, every setting defined) and its ``value``, checked
        against the setting's type and bounds; the other keys describe the setting and are not read back."""
        data = read_object(data, path)
        name = read_text(data, "name", path)
        setting = registry.get(name)
        if setting is None:
            raise UnknownNameError(join(path, "name"), registry.keys(), name)
        value = read_key(data, "value", path)
        try:
            return cls(setting, setting.validate(value))
        except InvalidInputError as exc:
            raise InvalidInputError(join(path, "value"), exc.expected, exc.actual) from None


class SettingValues:
    """Resolves the settings a use of the domain needs from their defaults and a caller's overrides, and
    records each value used (so that a plan can report the settings behind it).

    Raises
    ------
    UnknownNameError
        When an override names a setting this use does not take.
    InvalidInputError
        When an override is outside the setting's bounds, not finite, or of the wrong type.
    """

    def __init__(
        self, allowed: Iterable[Setting], overrides: Mapping[str, Any] | None = None, *, field: str = "settings"
    ) -> None:
        self._field = field
        self._allowed = {s.name: s for s in allowed}
        self._overrides: dict[str, Any] = {}
        for name, value in (overrides or {}).items():
            setting = self._allowed.get(name)
            if setting is None:
                raise UnknownNameError(field, self._allowed.keys(), name)
            self._overrides[name] = setting.validate(value)
        self._used: dict[str, SettingUse] = {}

    def get(self, setting: Setting) -> Any:
        if setting.name not in self._allowed:
            raise UnknownNameError(self._field, self._allowed.keys(), setting.name)
        value = self._overrides.get(setting.name, setting.default)
        self._used[setting.name] = SettingUse(setting, value)
        return value

    def set(self, setting: Setting, value: Any) -> Any:
        """Record an explicit argument as the value of ``setting`` (validated)."""
        self._overrides[setting.name] = setting.validate(value)
        return self.get(setting)

    def overrides(self) -> dict[str, Any]:
        """The validated overrides by name."""
        return dict(self._overrides)

    def used(self) -> tuple[SettingUse, ...]:
        return tuple(self._used.values())
