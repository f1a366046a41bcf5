"""The clinic between visits from text: a diary entry as a patient or the clinic types it (the REST API's JSON
body), every field read and every invalid one reported at once.

>>> command = log_diary_entry_command(patient_id="P-1", recorded_at="2026-03-09T20:00+00:00",
...                                   spasm_frequency="3:2", symptoms=["fever", "Confusion"])
>>> command.spasm_frequency, [s.name for s in command.symptoms]
(PennSpasmScore(frequency=3, severity=2), ['FEVER', 'CONFUSION'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.settings import read_settings
from baclofen.adapters.edge.text import parse_datetime
from baclofen.domain.cds.scales import PennSpasmScore, parse_penn
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.diary import check_diary_note, check_dose_count, check_nrs, parse_diary_symptom
from baclofen.domain.dates import require_not_after
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import check_record_id
from baclofen.services.commands import AssessPatientRisk, LogDiaryEntry, ReadPatientTimeline

__all__ = ["assess_patient_risk_command", "log_diary_entry_command", "read_patient_timeline_command"]

_PENN_EXPECTED = "a Penn score: frequency 0-4, with ':severity' 1-3 when frequency > 0 (e.g. 0, 3:2)"


def _instant(value: str | datetime, field: str) -> datetime:
    """A date and time with its UTC offset (a diary entry is one instant, wherever the patient is)."""
    moment = parse_datetime(value, field)
    if moment.utcoffset() is None:
        raise InvalidInputError(field, "a date and time with its UTC offset (e.g. 2026-03-09T20:00+01:00)", value)
    return moment


def _penn(value: str | int | PennSpasmScore, field: str) -> PennSpasmScore:
    """A Penn score as text (``F`` or ``F:S``), a whole frequency, or a score; errors name ``field``."""
    try:
        return parse_penn(value)
    except InvalidInputError:
        raise InvalidInputError(field, _PENN_EXPECTED, value) from None


def _symptoms(fields: InputCollector, values: Sequence[str | Symptom], field: str) -> tuple[Symptom, ...]:
    if isinstance(values, str):
        fields.add(InvalidInputError(field, "a list of symptoms", values))
        return ()
    read = (fields.read(parse_diary_symptom, value, f"{field}[{i}]") for i, value in enumerate(values))
    return tuple(s for s in read if s is not None)


def log_diary_entry_command(
    *,
    patient_id: str,
    recorded_at: str | datetime,
    doses_taken: int | None = None,
    doses_missed: int = 0,
    spasm_frequency: str | int | PennSpasmScore | None = None,
    stiffness_nrs: float | None = None,
    pain_nrs: float | None = None,
    sleep_nrs: float | None = None,
    symptoms: Sequence[str | Symptom] = (),
    note: str = "",
    entry_id: str | None = None,
    not_after: datetime | None = None,
) -> LogDiaryEntry:
    """:class:`LogDiaryEntry` from its fields' text: ``recorded_at`` a date-time with its UTC offset (at or
    before ``not_after`` when given: an entry reports what happened, never what will), the Penn score ``F`` or
    ``F:S``, 0-10 ratings, symptoms from the fixed vocabulary (any case), a free note."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    if entry_id is not None:
        fields.check(check_record_id, entry_id, "entry_id")
    at = fields.read(_instant, recorded_at, "recorded_at")
    if at is not None and not_after is not None:
        fields.check(require_not_after, at, not_after, "recorded_at", recorded_at)
    taken = fields.read(check_dose_count, doses_taken, "doses_taken")
    missed = fields.read(check_dose_count, doses_missed, "doses_missed")
    penn = fields.read(_penn, spasm_frequency, "spasm_frequency")
    ratings: dict[str, Any] = {
        name: fields.read(check_nrs, value, name)
        for name, value in (("stiffness_nrs", stiffness_nrs), ("pain_nrs", pain_nrs), ("sleep_nrs", sleep_nrs))
    }
    reported = _symptoms(fields, symptoms, "symptoms")
    text = fields.read(check_diary_note, note, "note")
    fields.raise_errors()
    assert at is not None  # a required field: read or its error raised
    return LogDiaryEntry(
        patient_id,
        at,
        doses_taken=taken,
        doses_missed=missed if missed is not None else 0,
        spasm_frequency=penn,
        symptoms=reported,
        note=text if text is not None else "",
        entry_id=entry_id,
        **ratings,
    )


def read_patient_timeline_command(*, patient_id: str, as_of: str | datetime) -> ReadPatientTimeline:
    """:class:`ReadPatientTimeline` from text: ``as_of`` a date-time with its UTC offset."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    at = fields.check(_instant, as_of, "as_of")
    fields.raise_errors()
    assert at is not None  # a required field: read or its error raised
    return ReadPatientTimeline(patient_id, at)


def assess_patient_risk_command(
    *, patient_id: str, as_of: str | datetime, settings: Mapping[str, Any] | Iterable[str] | None = None
) -> AssessPatientRisk:
    """:class:`AssessPatientRisk` from text: ``as_of`` a date-time with its UTC offset, ``NAME=VALUE`` settings of
    the risk engine."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    at = fields.check(_instant, as_of, "as_of")
    setting_values = fields.read(read_settings, settings, "setting") or {}
    fields.raise_errors()
    assert at is not None  # a required field: read or its error raised
    return AssessPatientRisk(patient_id, at, setting_values)
