"""Each clinic's settings profile in the SQL store (:class:`~baclofen.services.ports.ClinicSettingsRepository`).

The profile is the append-only table ``clinic_setting_changes`` (the migrations' triggers refuse UPDATE and
DELETE on it, whoever connects); the values in force are those its changes leave. A change is stored in a
transaction of its own as the ``seq``-th of its clinic and setting, after checking that its ``old_value`` is the
value in force: of two concurrent changes the second finds the value changed, or its ``seq`` taken (a unique
constraint), and raises :class:`~baclofen.domain.errors.ConflictError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.overlay import check_type
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.mapping import at_zone, zone_name
from baclofen.adapters.sql.schema import ClinicSettingChangeRow
from baclofen.domain.clinic.settings_profile import SettingChange, values_in_force
from baclofen.domain.errors import ConflictError
from baclofen.domain.records import check_record_id

__all__ = ["SqlClinicSettings"]

_Row = ClinicSettingChangeRow


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _change_from_row(row: ClinicSettingChangeRow) -> SettingChange:
    return SettingChange(
        row.clinic_id,
        row.name,
        _load(row.old_value),
        _load(row.new_value),
        row.by,
        at_zone(row.at_utc, row.at_zone),
        row.reason,
    )


class SqlClinicSettings:
    """The clinics' settings profiles in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def values(self, clinic_id: str) -> Mapping[str, Any]:
        return values_in_force(self.history(clinic_id))

    def change(self, change: SettingChange) -> None:
        check_type(change, SettingChange, "setting change")
        try:
            with write_transaction(self.engine) as connection:
                mine = (_Row.clinic_id == change.clinic_id) & (_Row.name == change.name)
                seq = connection.scalar(select(func.count()).select_from(_Row).where(mine)) or 0
                last = connection.scalar(select(_Row.new_value).where(mine).order_by(_Row.seq.desc()).limit(1))
                in_force = _load(last)
                if in_force != change.old_value:
                    raise ConflictError(
                        f"the clinic's value of {change.name} is {in_force!r} now, not {change.old_value!r}: "
                        "read it again"
                    )
                connection.execute(
                    insert(_Row).values(
                        clinic_id=change.clinic_id,
                        name=change.name,
                        seq=seq,
                        old_value=_dump(change.old_value),
                        new_value=_dump(change.new_value),
                        by=change.by,
                        at_utc=change.at,
                        at_zone=zone_name(change.at),
                        reason=change.reason,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"the clinic's value of {change.name} changed meanwhile: read it again") from None

    def history(self, clinic_id: str, *, name: str | None = None) -> tuple[SettingChange, ...]:
        check_record_id(clinic_id, "clinic_id")
        query = select(_Row).where(_Row.clinic_id == clinic_id).order_by(_Row.change_id)
        if name is not None:
            query = query.where(_Row.name == name)
        with Session(self.engine) as session, session.begin():
            return tuple(_change_from_row(row) for row in session.scalars(query))
