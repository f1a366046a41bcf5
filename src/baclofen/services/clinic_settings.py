"""Use cases: a clinic's settings profile (issue 11 item 6).

A clinic may set its own value of any named setting (:data:`~baclofen.domain.settings.SETTINGS`: the refill
margin, the reconcile tolerance, the taper thresholds, the locale ...) within the setting's bounds, choices and
type (:func:`change_clinic_setting`); each change, a reset to the default too, is kept in the clinic's append-only
history (who, when, the value before and after, why). :class:`ClinicProfileSettings` is the
:class:`~baclofen.services.ports.SettingsProvider` of one clinic: the use cases that take the clinic's settings
read them from it, so a request by a user of clinic A runs with A's values
(:meth:`baclofen.bootstrap.Services.for_request`), and every result lists each value it used, those that are the
clinic's with ``"source": "clinic"``.

Layers, lowest first: a setting's default, the service's own configuration (the provider given to
:func:`baclofen.bootstrap.bootstrap`), the clinic's profile, and a request's own overrides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from baclofen.domain.clinic.settings_profile import (
    SettingChange,
    SettingProfileEntry,
    check_setting_value,
    profile_entries,
)
from baclofen.domain.errors import NotFoundError
from baclofen.domain.settings import SETTINGS, Setting

# The modules that define settings, imported so that the catalogue (SETTINGS) is complete wherever this is used.
from baclofen.services import cds, clinic, itb, planning, simulation  # noqa: F401
from baclofen.services.commands import ChangeClinicSetting
from baclofen.services.ports import ClinicSettingsRepository, SettingsProvider

__all__ = [
    "ClinicProfileSettings",
    "change_clinic_setting",
    "clinic_settings_history",
    "read_clinic_settings",
    "setting_catalogue",
]


def setting_catalogue() -> Mapping[str, Setting]:
    """Every named setting, by name (the catalogue is complete once the services are imported)."""
    return SETTINGS


def _setting(name: str) -> Setting:
    setting = SETTINGS.get(name)
    if setting is None:
        raise NotFoundError(f"no setting {name!r}")
    return setting


class ClinicProfileSettings:
    """:class:`~baclofen.services.ports.SettingsProvider` of one clinic: its profile's values over ``base`` (the
    service's own configuration), read from ``repository`` at each use (a change applies to the next request).

    A stored value that no longer fits its setting (its bounds narrowed by a new version) is refused naming it
    (``clinic setting NAME``): an admin sets it again."""

    def __init__(
        self, repository: ClinicSettingsRepository, clinic_id: str, base: SettingsProvider | None = None
    ) -> None:
        self.repository = repository
        self.clinic_id = clinic_id
        self.base = base

    def overrides(self, settings: Iterable[Setting]) -> Mapping[str, Any]:
        wanted = {s.name: s for s in settings}
        found = dict(self.base.overrides(wanted.values())) if self.base is not None else {}
        for name, value in self.repository.values(self.clinic_id).items():
            setting = wanted.get(name)
            if setting is not None:
                found[name] = check_setting_value(setting, value, f"clinic setting {name}")
        return found


def read_clinic_settings(
    repository: ClinicSettingsRepository, clinic_id: str, *, base: SettingsProvider | None = None
) -> tuple[SettingProfileEntry, ...]:
    """Every named setting in name order with the clinic's value in force (its profile's, else the service's
    configured one, else none: the default)."""
    provider = ClinicProfileSettings(repository, clinic_id, base)
    return profile_entries(SETTINGS.values(), provider.overrides(SETTINGS.values()))


def change_clinic_setting(repository: ClinicSettingsRepository, command: ChangeClinicSetting) -> SettingChange:
    """Set (``command.value``) or reset (``None``) the clinic's value of a setting, and keep the change in its
    history with the value it replaces.

    Raises
    ------
    NotFoundError
        No setting ``command.name``.
    InvalidInputError
        A value outside the setting's bounds or choices, or of the wrong type (field ``value``).
    ConflictError
        Another change of the setting came in between (nothing stored: read it again).
    """
    setting = _setting(command.name)
    value = None if command.value is None else check_setting_value(setting, command.value, "value")
    before = repository.values(command.clinic_id).get(command.name)
    change = SettingChange(command.clinic_id, command.name, before, value, command.by, command.at, command.reason)
    repository.change(change)
    return change


def clinic_settings_history(
    repository: ClinicSettingsRepository, clinic_id: str, *, name: str | None = None
) -> tuple[SettingChange, ...]:
    """The clinic's changes of its settings (of ``name`` only when given), oldest first.

    Raises ``NotFoundError`` for a ``name`` that is not a setting."""
    if name is not None:
        _setting(name)
    return repository.history(clinic_id, name=name)
