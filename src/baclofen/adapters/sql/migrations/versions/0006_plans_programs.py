"""Saved oral plans and pump program changes, append-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

A patient's plan history and a pump's program changes grow one row at a time (``seq`` 0, 1, ..., unique per
patient or pump: two units of work saving the same position cannot both commit) and are never changed or deleted,
refused by triggers whoever connects (SQLite: ``RAISE(ABORT)``; PostgreSQL: the trigger function of 0003).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ZONE = sa.String(64)
#: An instant in UTC (baclofen.adapters.sql.schema.UtcDateTime stores through it).
INSTANT = sa.DateTime(timezone=True)

#: The append-only tables of this revision (UPDATE and DELETE refused).
APPEND_ONLY = ("saved_plans", "program_changes")


def _triggers(postgresql: bool) -> list[str]:
    if postgresql:  # clinic_records_refuse_change() is created by revision 0003
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION clinic_records_refuse_change()"
            for table in APPEND_ONLY
        ]
    return [
        f"CREATE TRIGGER {table}_no_{op_.lower()} BEFORE {op_} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_} refused'); END"
        for table in APPEND_ONLY
        for op_ in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        "saved_plans",
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at_utc", INSTANT, nullable=False),
        sa.Column("saved_zone", ZONE, nullable=False),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_saved_plans_seq_not_negative")),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_saved_plans")),
        sa.UniqueConstraint("patient_id", "seq", name=op.f("uq_saved_plans_patient_id_seq")),
    )
    op.create_index(op.f("ix_saved_plans_patient_id"), "saved_plans", ["patient_id"])
    op.create_table(
        "program_changes",
        sa.Column("change_id", ID, nullable=False),
        sa.Column("pump_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changed_at_utc", INSTANT, nullable=False),
        sa.Column("changed_zone", ZONE, nullable=False),
        sa.Column("program_mode", sa.String(32), nullable=False),
        sa.Column("program_steps", sa.Text(), nullable=False),
        sa.Column("previous_daily_dose_mcg", sa.Double(), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_program_changes_seq_not_negative")),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_program_changes")),
        sa.UniqueConstraint("pump_id", "seq", name=op.f("uq_program_changes_pump_id_seq")),
    )
    op.create_index(op.f("ix_program_changes_pump_id"), "program_changes", ["pump_id"])
    for statement in _triggers(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers (both engines); the PostgreSQL function belongs to 0003.
    op.drop_index(op.f("ix_program_changes_pump_id"), table_name="program_changes")
    op.drop_table("program_changes")
    op.drop_index(op.f("ix_saved_plans_patient_id"), table_name="saved_plans")
    op.drop_table("saved_plans")
