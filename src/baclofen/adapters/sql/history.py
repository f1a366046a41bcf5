"""The patients' dated histories in the SQL store: covariate observations, screening trials and outcome scores.

One row per record (tables of migration 0004), only ever inserted: a record read back is stored with version 1,
and a write of a record already read is refused (the histories are append-only; the database's triggers refuse
an UPDATE or DELETE too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.history import COVARIATES, SCORES, SCREENING_TRIALS
from baclofen.adapters.overlay import Write
from baclofen.adapters.sql.mapping import at_zone, zone_name
from baclofen.adapters.sql.schema import Base, CovariateObservationRow, OutcomeScoreRow, ScreeningTrialRow
from baclofen.domain.cds.scales import Scale
from baclofen.domain.clinic.observations import (
    CovariateObservation,
    OutcomeScoreRecord,
    ScreeningTrialRecord,
    parse_score_value,
)
from baclofen.domain.errors import ServiceError
from baclofen.domain.itb.screening import ScreeningDose

__all__ = [
    "HistoryStale",
    "history_id_queries",
    "history_ids_of_patient",
    "load_histories",
    "load_history",
    "store_history",
]


class HistoryStale(Exception):
    """A history record's identifier is already stored (another unit of work committed it meanwhile)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _covariate_values(o: CovariateObservation) -> dict[str, Any]:
    return {
        "observation_id": o.observation_id,
        "patient_id": o.patient_id,
        "observed_on": o.observed_on,
        "recorded_at_utc": o.recorded_at,
        "recorded_zone": zone_name(o.recorded_at),
        "recorded_by": o.recorded_by,
        "weight_kg": o.weight_kg,
        "serum_creatinine_mg_dl": o.serum_creatinine_mg_dl,
        "crcl_ml_min": o.crcl_ml_min,
        "egfr_ml_min_1_73m2": o.egfr_ml_min_1_73m2,
        "dialysis": o.dialysis,
    }


def _covariate(row: Any) -> CovariateObservation:
    return CovariateObservation(
        row.observation_id,
        row.patient_id,
        row.observed_on,
        at_zone(row.recorded_at_utc, row.recorded_zone),
        row.recorded_by,
        weight_kg=row.weight_kg,
        serum_creatinine_mg_dl=row.serum_creatinine_mg_dl,
        crcl_ml_min=row.crcl_ml_min,
        egfr_ml_min_1_73m2=row.egfr_ml_min_1_73m2,
        dialysis=row.dialysis,
    )


def _trial_values(t: ScreeningTrialRecord) -> dict[str, Any]:
    d = t.dose
    return {
        "trial_id": t.trial_id,
        "patient_id": t.patient_id,
        "given_at_utc": t.given_at,
        "given_zone": zone_name(t.given_at),
        "dose_mcg": d.dose_mcg,
        "responded": d.responded,
        "effect_duration_hours": d.effect_duration_hours,
        "negative_reactions": d.negative_reactions,
        "ashworth_before": d.ashworth_before,
        "ashworth_after": d.ashworth_after,
        "spasm_frequency_before": d.spasm_frequency_before,
        "spasm_frequency_after": d.spasm_frequency_after,
        "recorded_at_utc": t.recorded_at,
        "recorded_zone": zone_name(t.recorded_at),
        "recorded_by": t.recorded_by,
        "note": t.note,
    }


def _trial(row: Any) -> ScreeningTrialRecord:
    dose = ScreeningDose(
        row.dose_mcg,
        row.responded,
        given_at=at_zone(row.given_at_utc, row.given_zone),
        effect_duration_hours=row.effect_duration_hours,
        negative_reactions=row.negative_reactions,
        ashworth_before=row.ashworth_before,
        ashworth_after=row.ashworth_after,
        spasm_frequency_before=row.spasm_frequency_before,
        spasm_frequency_after=row.spasm_frequency_after,
    )
    return ScreeningTrialRecord(
        row.trial_id, row.patient_id, dose, at_zone(row.recorded_at_utc, row.recorded_zone), row.recorded_by, row.note
    )


def _score_values(s: OutcomeScoreRecord) -> dict[str, Any]:
    return {
        "score_id": s.score_id,
        "patient_id": s.patient_id,
        "assessed_on": s.assessed_on,
        "scale": s.scale.value,
        "value": s.text,
        "muscle_group": s.muscle_group,
        "recorded_at_utc": s.recorded_at,
        "recorded_zone": zone_name(s.recorded_at),
        "recorded_by": s.recorded_by,
        "note": s.note,
    }


def _score(row: Any) -> OutcomeScoreRecord:
    scale = Scale(row.scale)
    return OutcomeScoreRecord(
        row.score_id,
        row.patient_id,
        row.assessed_on,
        scale,
        parse_score_value(scale, row.value),
        at_zone(row.recorded_at_utc, row.recorded_zone),
        row.recorded_by,
        muscle_group=row.muscle_group,
        note=row.note,
    )


@dataclass(frozen=True, slots=True)
class _Table:
    """How one history kind is stored: its row class, its identifier column, a record's row and back."""

    row: type[Base]
    id_column: str
    values: Callable[[Any], dict[str, Any]]
    record: Callable[[Any], Any]


_TABLES = {
    COVARIATES.name: _Table(CovariateObservationRow, "observation_id", _covariate_values, _covariate),
    SCREENING_TRIALS.name: _Table(ScreeningTrialRow, "trial_id", _trial_values, _trial),
    SCORES.name: _Table(OutcomeScoreRow, "score_id", _score_values, _score),
}


def load_history(session: Session, kind: str, record_id: str) -> tuple[int, Any]:
    """The stored record of ``kind`` with version 1 (records never change), or (0, None)."""
    row = session.get(_TABLES[kind].row, record_id)
    return (0, None) if row is None else (1, _TABLES[kind].record(row))


def load_histories(connection: Connection, kind: str, record_ids: Sequence[str]) -> dict[str, tuple[int, Any]]:
    """The stored records of ``kind`` among ``record_ids``, each with version 1 ((0, None) for one not stored)."""
    table = _TABLES[kind]
    column = table.row.__table__.c[table.id_column]
    found: dict[str, tuple[int, Any]] = dict.fromkeys(record_ids, (0, None))
    for row in connection.execute(select(table.row.__table__).where(column.in_(record_ids))):
        found[getattr(row, table.id_column)] = (1, table.record(row))
    return found


def history_id_queries(patient_ids: Sequence[str]) -> dict[str, Any]:
    """Per kind, the query of (patient id, record id) of the records of ``patient_ids``."""
    queries = {}
    for kind, table in _TABLES.items():
        columns = table.row.__table__.c
        queries[kind] = select(columns.patient_id, columns[table.id_column]).where(columns.patient_id.in_(patient_ids))
    return queries


def history_ids_of_patient(session: Session, kind: str, patient_id: str) -> Sequence[str]:
    table = _TABLES[kind].row
    column = getattr(table, _TABLES[kind].id_column)
    return session.scalars(select(column).where(table.patient_id == patient_id)).all()  # type: ignore[attr-defined]


def store_history(connection: Connection, kind: str, label: str, write: Write[Any]) -> None:
    """Insert a new record of ``kind``; an identifier already stored raises :class:`HistoryStale`."""
    if write.read_record is not None:
        raise ServiceError(f"{label} {write.key!r}: a stored record cannot change (the history is append-only)")
    try:
        connection.execute(insert(_TABLES[kind].row).values(**_TABLES[kind].values(write.record)))
    except IntegrityError:
        raise HistoryStale(f"{label} {write.key!r}") from None
