"""Use case of the patient guide: the guide generated from the knowledge base for one locale, with a caller's
(or a clinic's) setting values in place of the defaults.

Raises
------
UnknownNameError
    For a setting the guide does not read (field ``setting``).
InvalidInputError
    For a setting value outside its bounds or of the wrong type (field: the setting's name).
"""

from __future__ import annotations

from baclofen.domain.guide import GUIDE_SETTINGS, PatientGuide, build_patient_guide
from baclofen.domain.settings import SettingValues
from baclofen.services.commands import ShowPatientGuide


def show_patient_guide(command: ShowPatientGuide) -> PatientGuide:
    """The patient guide of ``command.locale`` with ``command.settings`` overriding the defaults."""
    values = SettingValues(GUIDE_SETTINGS, command.settings, field="setting")
    return build_patient_guide(values, locale=command.locale)


__all__ = ["show_patient_guide"]
