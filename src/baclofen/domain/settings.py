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

#: Where a value used came from, when it is named (:attr:`SettingUse.source`).
SETTING_SOURCES = (None, "clinic")

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
    #: The values an enumeration (a guideline, a monitoring schedule) may take; ``None`` for a number or a flag.
    choices: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.evidence:
            raise InvalidInputError(f"setting {self.name}.evidence", "at least one citation key", ())
        if self.stricter not in (None, "higher", "lower"):
            raise InvalidInputError(f"setting {self.name}.stricter", '"higher", "lower" or None', self.stricter)
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))
            if not self.choices or self.default not in self.choices:
                raise InvalidInputError(f"setting {self.name}.choices", "choices that hold the default", self.choices)
        existing = _REGISTRY.get(self.name)
        if existing is not None and existing != self:
            raise InvalidInputError("setting name", "unique", self.name)
        _REGISTRY[self.name] = self

    def validate(self, value: Any) -> Any:
        """Check an override against this setting's type, bounds or choices; return it (a count as an ``int``, a
        choice in its canonical spelling)."""
        if self.choices is not None:
            return self._choice(value)
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
            if self.is_count:
                return int(value)
        return value

    def _choice(self, value: Any) -> str:
        """One of :attr:`choices`, whatever its case, spaces or underscores (``Older label`` is ``older-label``)."""
        assert self.choices is not None
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str):
            key = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
            if key in self.choices:
                return key
        raise UnknownNameError(self.name, self.choices, value)

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
        """The setting with ``value`` (its default when None): one entry of :func:`settings_to_dicts`."""
        out = {
            "name": self.name,
            "value": self.default if value is None else value,
            "default": self.default,
            "unit": self.unit,
            "status": self.status.value,
            "evidence": list(self.evidence),
            "description": self.description,
        }
        if self.choices is not None:
            out["choices"] = list(self.choices)
        return out


@dataclass(frozen=True, slots=True)
class SettingUse:
    """A setting together with the value a plan or result used."""

    setting: Setting
    value: object
    #: Where the value came from when it is not the result's own choice: ``"clinic"`` for the clinic's value
    #: (its settings profile); ``None`` otherwise (the default, the request's or an argument's value).
    source: str | None = None

    def __post_init__(self) -> None:
        if self.source not in SETTING_SOURCES:
            raise InvalidInputError(f"setting {self.setting.name}.source", "clinic or none", self.source)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = self.setting.to_dict(self.value)
        if self.source is not None:
            out["source"] = self.source
        return out

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
        source = data.get("source")
        if source not in SETTING_SOURCES:
            raise InvalidInputError(join(path, "source"), '"clinic" or absent', source)
        try:
            return cls(setting, setting.validate(value), source)
        except InvalidInputError as exc:
            raise InvalidInputError(join(path, "value"), exc.expected, exc.actual) from None


def with_clinic_sources(
    uses: Iterable[SettingUse], clinic: Mapping[str, Any], given: Iterable[str] = ()
) -> tuple[SettingUse, ...]:
    """``uses`` with ``source="clinic"`` on each whose value is the clinic's value of it (``clinic``, by name),
    unless the request named the setting itself (``given``: the request's value wins over the clinic's)."""
    mine = set(given)
    return tuple(
        SettingUse(u.setting, u.value, "clinic")
        if u.setting.name in clinic and u.setting.name not in mine and clinic[u.setting.name] == u.value
        else u
        for u in uses
    )


def use_defaults(settings: Iterable[Setting]) -> tuple[SettingUse, ...]:
    """The settings a path that takes no overrides used, each at its default."""
    return tuple(SettingUse(s, s.default) for s in settings)


def settings_to_dicts(uses: Iterable[SettingUse]) -> list[dict[str, Any]]:
    """The one JSON shape of the settings a result used, in every command's output: a list with one entry per
    setting and value (``name``, ``value``, ``default``, ``unit``, ``status``, ``evidence``, ``description``), in
    the order of first use; a setting used twice with one value (two parts of one result) is listed once."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for use in uses:
        out.setdefault((use.setting.name, repr(use.value)), use.to_dict())
    return list(out.values())


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

    def to_dicts(self) -> list[dict[str, Any]]:
        """The settings used so far, in the one JSON shape (:func:`settings_to_dicts`)."""
        return settings_to_dicts(self.used())
