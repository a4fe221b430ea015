"""retired activation keys

Revision ID: 0009
Revises: 0008

An administrator retires an activation key: it stays for the checkouts that hold it, but the
New checkout panel no longer offers it and a new checkout cannot use it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activation_keys") as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activation_keys") as batch_op:
        batch_op.drop_column("retired_at")
