"""The initial schema: patients, pumps, refill visits with their programs, and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
AUDIT_TEXT = sa.String(200)
ZONE = sa.String(64)
#: An instant in UTC (baclofen.adapters.sql.schema.UtcDateTime stores through it).
INSTANT = sa.DateTime(timezone=True)

#: The triggers that keep the audit log append-only, refused by the database itself, whoever connects.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
)
POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()""",
)


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("age_years", sa.Double(), nullable=True),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("sex", sa.String(16), nullable=True),
        sa.Column("serum_creatinine_mg_dl", sa.Double(), nullable=True),
        sa.Column("crcl_ml_min", sa.Double(), nullable=True),
        sa.Column("egfr_ml_min_1_73m2", sa.Double(), nullable=True),
        sa.Column("dialysis", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_patients_version_positive")),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patients")),
    )
    op.create_table(
        "patient_conditions",
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("condition", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.patient_id"],
            name=op.f("fk_patient_conditions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "condition", name=op.f("pk_patient_conditions")),
    )
    op.create_table(
        "pumps",
        sa.Column("pump_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("model_key", sa.String(64), nullable=False),
        sa.Column("patient_id", ID, nullable=True),
        sa.Column("implanted", sa.Date(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_pumps_version_positive")),
        sa.PrimaryKeyConstraint("pump_id", name=op.f("pk_pumps")),
    )
    op.create_index(op.f("ix_pumps_patient_id"), "pumps", ["patient_id"])
    op.create_table(
        "refill_visits",
        sa.Column("pump_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("refilled_on", sa.Date(), nullable=True),
        sa.Column("refilled_local", sa.DateTime(timezone=False), nullable=True),
        sa.Column("refilled_at_utc", INSTANT, nullable=True),
        sa.Column("refilled_zone", ZONE, nullable=True),
        sa.Column("expected_ml", sa.Double(), nullable=True),
        sa.Column("aspirated_ml", sa.Double(), nullable=True),
        sa.Column("fill_ml", sa.Double(), nullable=True),
        sa.Column("concentration_mcg_per_ml", sa.Double(), nullable=True),
        sa.Column("program_mode", sa.String(32), nullable=True),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_refill_visits_seq_not_negative")),
        sa.CheckConstraint(
            "(CASE WHEN refilled_on IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN refilled_local IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN refilled_at_utc IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_refill_visits_one_kind_of_time"),
        ),
        sa.CheckConstraint(
            "(refilled_at_utc IS NULL) = (refilled_zone IS NULL)", name=op.f("ck_refill_visits_zone_with_instant")
        ),
        sa.CheckConstraint(
            "(expected_ml IS NULL) = (aspirated_ml IS NULL)", name=op.f("ck_refill_visits_residuals_together")
        ),
        sa.ForeignKeyConstraint(
            ["pump_id"], ["pumps.pump_id"], name=op.f("fk_refill_visits_pump_id_pumps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pump_id", "seq", name=op.f("pk_refill_visits")),
    )
    op.create_table(
        "refill_visit_program_steps",
        sa.Column("pump_id", ID, nullable=False),
        sa.Column("visit_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("step_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("rate_mcg_per_h", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pump_id", "visit_seq"],
            ["refill_visits.pump_id", "refill_visits.seq"],
            name=op.f("fk_refill_visit_program_steps_pump_id_refill_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pump_id", "visit_seq", "step_no", name=op.f("pk_refill_visit_program_steps")),
    )
    op.create_table(
        "refill_visit_program_boluses",
        sa.Column("pump_id", ID, nullable=False),
        sa.Column("visit_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bolus_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("dose_mcg", sa.Double(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pump_id", "visit_seq"],
            ["refill_visits.pump_id", "refill_visits.seq"],
            name=op.f("fk_refill_visit_program_boluses_pump_id_refill_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pump_id", "visit_seq", "bolus_no", name=op.f("pk_refill_visit_program_boluses")),
    )
    op.create_table(
        "audit_log",
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at_utc", INSTANT, nullable=False),
        sa.Column("at_zone", ZONE, nullable=False),
        sa.Column("actor", AUDIT_TEXT, nullable=False),
        sa.Column("action", AUDIT_TEXT, nullable=False),
        sa.Column("target", AUDIT_TEXT, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at_utc"), "audit_log", ["at_utc"])
    op.create_index(op.f("ix_audit_log_actor"), "audit_log", ["actor"])
    op.create_index(op.f("ix_audit_log_target"), "audit_log", ["target"])
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers (both engines); the PostgreSQL function goes after them.
    op.drop_table("audit_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_refuse_change()")
    op.drop_table("refill_visit_program_boluses")
    op.drop_table("refill_visit_program_steps")
    op.drop_table("refill_visits")
    op.drop_index(op.f("ix_pumps_patient_id"), table_name="pumps")
    op.drop_table("pumps")
    op.drop_table("patient_conditions")
    op.drop_table("patients")
