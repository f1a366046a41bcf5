"""Logging out that holds: revoked sessions and tokens, and each account's session generation.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

* ``users.session_generation`` (0 for every existing account): incremented when all of an account's sessions and
  tokens are ended (a password change, "log out everywhere"); a session or token names the generation it was
  issued in, read with the account at each request.
* ``revoked_tokens``: a web session or API token logged out before it expires (``user_id``, ``token_id``: the
  cookie's ``sid``, the token's ``jti``), kept until ``expires_at_utc`` (indexed: expired ones are deleted), gone
  with its account (ON DELETE CASCADE). Not append-only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "revoked_tokens"


def upgrade() -> None:
    op.add_column("users", sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        TABLE,
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(64), nullable=False),
        sa.Column("expires_at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f(f"fk_{TABLE}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "token_id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_expires_at_utc"), TABLE, ["expires_at_utc"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_expires_at_utc"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
