"""Clinics and their user accounts; each patient record names the clinic that keeps it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): a batch copy of the table would cascade to patient_conditions.
    op.add_column("patients", sa.Column("clinic_id", ID, nullable=True))
    op.create_index(op.f("ix_patients_clinic_id"), "patients", ["clinic_id"])
    op.create_table(
        "clinics",
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("clinic_id", name=op.f("pk_clinics")),
    )
    op.create_table(
        "users",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("patient_id", ID, nullable=True),
        sa.CheckConstraint("role IN ('clinician', 'nurse', 'patient', 'admin')", name=op.f("ck_users_known_role")),
        sa.CheckConstraint(
            "(role = 'patient') = (patient_id IS NOT NULL)", name=op.f("ck_users_patient_id_for_patients")
        ),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinics.clinic_id"], name=op.f("fk_users_clinic_id_clinics")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_clinic_id"), "users", ["clinic_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_users_clinic_id"), table_name="users")
    op.drop_table("users")
    op.drop_table("clinics")
    op.drop_index(op.f("ix_patients_clinic_id"), table_name="patients")
    with op.batch_alter_table("patients") as batch:  # SQLite 3.35+ drops a column in place; batch covers older
        batch.drop_column("clinic_id")
