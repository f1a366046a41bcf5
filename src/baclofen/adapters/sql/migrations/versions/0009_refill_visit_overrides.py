"""The clinicians' overrides of a refill visit's blocks, kept with the visit, append-only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

A visit a block stood against is recorded only with a clinician's override of each block, with a reason: each
override (rule id, clinician, reason; ``override_no`` 0, 1, ... in the order given) is a row beside its visit
(``pump_id``, ``visit_seq``), never changed or deleted, refused by triggers whoever connects (SQLite:
``RAISE(ABORT)``; PostgreSQL: the trigger function of 0003). Its visit cannot be deleted while it stands (a
foreign key without cascade).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "refill_visit_overrides"


def _triggers(postgresql: bool) -> list[str]:
    if postgresql:  # clinic_records_refuse_change() is created by revision 0003
        return [
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION clinic_records_refuse_change()"
        ]
    return [
        f"CREATE TRIGGER {TABLE}_no_{op_.lower()} BEFORE {op_} ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {op_} refused'); END"
        for op_ in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("pump_id", sa.String(64), nullable=False),
        sa.Column("visit_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("override_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("clinician", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("override_no >= 0", name=op.f("ck_refill_visit_overrides_override_no_not_negative")),
        sa.ForeignKeyConstraint(
            ["pump_id", "visit_seq"],
            ["refill_visits.pump_id", "refill_visits.seq"],
            name=op.f("fk_refill_visit_overrides_pump_id_visit_seq_refill_visits"),
        ),
        sa.PrimaryKeyConstraint("pump_id", "visit_seq", "override_no", name=op.f("pk_refill_visit_overrides")),
        sa.UniqueConstraint(
            "pump_id", "visit_seq", "rule_id", name=op.f("uq_refill_visit_overrides_pump_id_visit_seq_rule_id")
        ),
    )
    for statement in _triggers(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers (both engines); the PostgreSQL function belongs to 0003.
    op.drop_table(TABLE)
