"""Population jobs: a simulation run in the background, with its status, progress and result.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

One row per job (``baclofen.domain.jobs.JobRecord``): who submitted it for which clinic, its request and result
documents as JSON text, its status and progress. Rows change as the job runs (not append-only).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
#: An instant in UTC (baclofen.adapters.sql.schema.UtcDateTime stores through it).
INSTANT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "population_jobs",
        sa.Column("job_id", ID, nullable=False),
        sa.Column("clinic_id", ID, nullable=False),
        sa.Column("submitted_by", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("submitted_at_utc", INSTANT, nullable=False),
        sa.Column("started_at_utc", INSTANT, nullable=True),
        sa.Column("finished_at_utc", INSTANT, nullable=True),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_population_jobs_known_status"),
        ),
        sa.CheckConstraint("done >= 0 AND done <= total", name=op.f("ck_population_jobs_done_within_total")),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_population_jobs")),
    )
    op.create_index(op.f("ix_population_jobs_clinic_id"), "population_jobs", ["clinic_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_population_jobs_clinic_id"), table_name="population_jobs")
    op.drop_table("population_jobs")
