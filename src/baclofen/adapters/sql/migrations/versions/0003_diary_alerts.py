"""Diary entries (with their symptoms) and alerts (with their transitions), append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-09

The database keeps them as the ports say: a diary entry and an alert's transition are never changed or deleted,
and an alert is never deleted (its row changes only by its version and while it is active), refused by triggers
whoever connects (SQLite: ``RAISE(ABORT)``; PostgreSQL: a trigger function). ``alerts.active_key`` is unique: one
open or acknowledged alert per patient, rule and subject.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ZONE = sa.String(64)
#: An instant in UTC (baclofen.adapters.sql.schema.UtcDateTime stores through it).
INSTANT = sa.DateTime(timezone=True)

#: (table, operations refused): the append-only rules of these tables.
APPEND_ONLY = (
    ("diary_entries", ("UPDATE", "DELETE")),
    ("diary_entry_symptoms", ("UPDATE", "DELETE")),
    ("alert_transitions", ("UPDATE", "DELETE")),
    ("alerts", ("DELETE",)),
)


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op_.lower()} BEFORE {op_} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_} refused'); END"
        for table, ops in APPEND_ONLY
        for op_ in ops
    ]


def _postgresql_triggers() -> list[str]:
    statements = [
        """CREATE FUNCTION clinic_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
        END
        $$"""
    ]
    statements += [
        f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(ops)} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION clinic_records_refuse_change()"
        for table, ops in APPEND_ONLY
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "diary_entries",
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("recorded_at_utc", INSTANT, nullable=False),
        sa.Column("recorded_zone", ZONE, nullable=False),
        sa.Column("doses_taken", sa.Integer(), nullable=True),
        sa.Column("doses_missed", sa.Integer(), nullable=False),
        sa.Column("penn_frequency", sa.Integer(), nullable=True),
        sa.Column("penn_severity", sa.Integer(), nullable=True),
        sa.Column("stiffness_nrs", sa.Double(), nullable=True),
        sa.Column("pain_nrs", sa.Double(), nullable=True),
        sa.Column("sleep_nrs", sa.Double(), nullable=True),
        sa.Column("note", sa.String(2000), nullable=False),
        sa.CheckConstraint("doses_missed >= 0", name=op.f("ck_diary_entries_doses_missed_not_negative")),
        sa.CheckConstraint(
            "(penn_frequency IS NULL) OR (penn_frequency BETWEEN 0 AND 4)",
            name=op.f("ck_diary_entries_penn_frequency_range"),
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_diary_entries")),
    )
    op.create_index(op.f("ix_diary_entries_patient_id"), "diary_entries", ["patient_id"])
    op.create_table(
        "diary_entry_symptoms",
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("symptom", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["diary_entries.entry_id"],
            name=op.f("fk_diary_entry_symptoms_entry_id_diary_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "symptom", name=op.f("pk_diary_entry_symptoms")),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(80), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("raised_at_utc", INSTANT, nullable=False),
        sa.Column("raised_zone", ZONE, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("evidence", sa.String(1000), nullable=False),
        sa.Column("active_key", sa.String(210), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_alerts_version_positive")),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("active_key", name=op.f("uq_alerts_active_key")),
    )
    op.create_index(op.f("ix_alerts_patient_id"), "alerts", ["patient_id"])
    op.create_table(
        "alert_transitions",
        sa.Column("alert_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at_utc", INSTANT, nullable=False),
        sa.Column("at_zone", ZONE, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_alert_transitions_seq_not_negative")),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.alert_id"], name=op.f("fk_alert_transitions_alert_id_alerts")),
        sa.PrimaryKeyConstraint("alert_id", "seq", name=op.f("pk_alert_transitions")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers (both engines); the PostgreSQL function goes after them.
    op.drop_table("alert_transitions")
    op.drop_index(op.f("ix_alerts_patient_id"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("diary_entry_symptoms")
    op.drop_index(op.f("ix_diary_entries_patient_id"), table_name="diary_entries")
    op.drop_table("diary_entries")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION clinic_records_refuse_change()")
