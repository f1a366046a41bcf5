"""Each clinic's settings profile: the append-only history of changes of its own values of named settings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

A change (who, when, the value before and after as JSON text, NULL for the default, and why) is never changed or
deleted, refused by triggers whoever connects (SQLite: ``RAISE(ABORT)``; PostgreSQL: a trigger function). The
values in force are those the changes leave; ``(clinic_id, name, seq)`` is unique, so that of two concurrent
changes of one setting only the first is stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "clinic_setting_changes"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER {TABLE}_no_{op_.lower()} BEFORE {op_} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {op_} refused'); END"
    for op_ in ("UPDATE", "DELETE")
]

POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION clinic_settings_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$""",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION clinic_settings_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("change_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("old_value", sa.String(200), nullable=True),
        sa.Column("new_value", sa.String(200), nullable=True),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("at_zone", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("seq >= 0", name=op.f(f"ck_{TABLE}_seq_not_negative")),
        sa.PrimaryKeyConstraint("change_id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("clinic_id", "name", "seq", name=op.f(f"uq_{TABLE}_clinic_id_name_seq")),
    )
    op.create_index(op.f(f"ix_{TABLE}_clinic_id"), TABLE, ["clinic_id"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers (both engines); the PostgreSQL function goes after them.
    op.drop_index(op.f(f"ix_{TABLE}_clinic_id"), table_name=TABLE)
    op.drop_table(TABLE)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION clinic_settings_refuse_change()")
