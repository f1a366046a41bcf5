"""The patient guide's request from text: a locale (``us``/``uk``) and ``NAME=VALUE`` settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import parse_locale
from baclofen.domain.patient import Locale
from baclofen.services.commands import ShowPatientGuide


def show_patient_guide_command(
    *, locale: str | Locale | None = None, settings: Mapping[str, Any] | Iterable[str] | None = None
) -> ShowPatientGuide:
    """:class:`ShowPatientGuide` from text: ``locale`` ``us`` or ``uk`` (default us), ``NAME=VALUE`` settings."""
    fields = InputCollector()
    chosen = fields.read(parse_locale, locale, "locale") or Locale.US
    values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    return ShowPatientGuide(locale=chosen, settings=values)


__all__ = ["show_patient_guide_command"]
