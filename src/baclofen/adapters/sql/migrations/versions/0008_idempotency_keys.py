"""The responses stored with the ``Idempotency-Key`` of the requests that created a record.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

One row per caller, route and key (the primary key): the request's fingerprint, the response's status, body and
headers, and when it was stored. A row is inserted in the transaction of the record its request created, and
deleted once expired (``created_at_utc`` is indexed for that); it is not append-only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "idempotency_keys"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("route", sa.String(300), nullable=False),
        sa.Column("idem_key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("created_at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "route", "idem_key", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_created_at_utc"), TABLE, ["created_at_utc"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_created_at_utc"), table_name=TABLE)
    op.drop_table(TABLE)
