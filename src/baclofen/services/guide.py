"""Use case of the patient guide: the guide generated from the knowledge base for one locale, with a clinic's own
setting values and a caller's values in place of the defaults.

Raises
------
UnknownNameError
    For a setting the guide does not read (field ``setting``).
InvalidInputError
    For a setting value outside its bounds or of the wrong type (field: the setting's name).
"""

from __future__ import annotations

from dataclasses import replace

from baclofen.domain.guide import GUIDE_SETTINGS, PatientGuide, build_patient_guide
from baclofen.domain.settings import SettingValues, with_clinic_sources
from baclofen.services.commands import ShowPatientGuide
from baclofen.services.ports import SettingsProvider


def show_patient_guide(command: ShowPatientGuide, *, clinic: SettingsProvider | None = None) -> PatientGuide:
    """The patient guide of ``command.locale``. ``clinic`` gives the clinic's own values of the settings the guide
    shows (:data:`~baclofen.domain.guide.GUIDE_SETTINGS`: a clinic with a longer taper minimum or another refill
    margin gets a guide that says so); ``command.settings`` win over them, and the settings used at the clinic's
    value say so (``source="clinic"``)."""
    mine = {} if clinic is None else dict(clinic.overrides(GUIDE_SETTINGS))
    values = SettingValues(GUIDE_SETTINGS, mine | dict(command.settings), field="setting")
    guide = build_patient_guide(values, locale=command.locale)
    if not mine:
        return guide
    return replace(guide, settings=with_clinic_sources(guide.settings, mine, command.settings))


__all__ = ["show_patient_guide"]
