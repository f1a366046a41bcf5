"""The patients' dated histories: covariate observations, ITB screening trials and outcome scores, append-only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

Each record is only ever inserted (a correction is a newer record): the database refuses UPDATE and DELETE on
the three tables whoever connects (SQLite: ``RAISE(ABORT)``; PostgreSQL: the trigger function of 0003,
``clinic_records_refuse_change``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
ZONE = sa.String(64)
WHO = sa.String(200)
NOTE = sa.String(2000)
#: An instant in UTC (baclofen.adapters.sql.schema.UtcDateTime stores through it).
INSTANT = sa.DateTime(timezone=True)

#: The append-only tables of this revision (UPDATE and DELETE refused).
APPEND_ONLY = ("covariate_observations", "screening_trials", "outcome_scores")


def _triggers(postgresql: bool) -> list[str]:
    if postgresql:
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


def _recorded() -> list[sa.Column[object]]:
    return [
        sa.Column("recorded_at_utc", INSTANT, nullable=False),
        sa.Column("recorded_zone", ZONE, nullable=False),
        sa.Column("recorded_by", WHO, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "covariate_observations",
        sa.Column("observation_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        *_recorded(),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("serum_creatinine_mg_dl", sa.Double(), nullable=True),
        sa.Column("crcl_ml_min", sa.Double(), nullable=True),
        sa.Column("egfr_ml_min_1_73m2", sa.Double(), nullable=True),
        sa.Column("dialysis", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN serum_creatinine_mg_dl IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN crcl_ml_min IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN egfr_ml_min_1_73m2 IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_covariate_observations_one_kidney_function"),
        ),
        sa.PrimaryKeyConstraint("observation_id", name=op.f("pk_covariate_observations")),
    )
    op.create_index(op.f("ix_covariate_observations_patient_id"), "covariate_observations", ["patient_id"])
    op.create_table(
        "screening_trials",
        sa.Column("trial_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("given_at_utc", INSTANT, nullable=False),
        sa.Column("given_zone", ZONE, nullable=False),
        sa.Column("dose_mcg", sa.Double(), nullable=False),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("effect_duration_hours", sa.Double(), nullable=True),
        sa.Column("negative_reactions", sa.Boolean(), nullable=False),
        sa.Column("ashworth_before", sa.Double(), nullable=True),
        sa.Column("ashworth_after", sa.Double(), nullable=True),
        sa.Column("spasm_frequency_before", sa.Integer(), nullable=True),
        sa.Column("spasm_frequency_after", sa.Integer(), nullable=True),
        *_recorded(),
        sa.Column("note", NOTE, nullable=False),
        sa.CheckConstraint("dose_mcg > 0", name=op.f("ck_screening_trials_dose_positive")),
        sa.PrimaryKeyConstraint("trial_id", name=op.f("pk_screening_trials")),
    )
    op.create_index(op.f("ix_screening_trials_patient_id"), "screening_trials", ["patient_id"])
    op.create_table(
        "outcome_scores",
        sa.Column("score_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("scale", sa.String(32), nullable=False),
        sa.Column("value", sa.String(32), nullable=False),
        sa.Column("muscle_group", sa.String(100), nullable=True),
        *_recorded(),
        sa.Column("note", NOTE, nullable=False),
        sa.PrimaryKeyConstraint("score_id", name=op.f("pk_outcome_scores")),
    )
    op.create_index(op.f("ix_outcome_scores_patient_id"), "outcome_scores", ["patient_id"])
    for statement in _triggers(op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers (both engines); the trigger function belongs to 0003.
    for table in reversed(APPEND_ONLY):
        op.drop_index(op.f(f"ix_{table}_patient_id"), table_name=table)
        op.drop_table(table)
