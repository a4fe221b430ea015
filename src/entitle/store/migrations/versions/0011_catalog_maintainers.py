"""organisations that maintain the catalog

Revision ID: 0011
Revises: 0010

The catalog is one per deployment; the operator marks the organisations whose Administrators
may import it from the portal and the API (``entitle org set NAME --maintains-catalog``).
None does at first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: a batch would copy the table, and dropping the old
    # organisations table fails while users and checkouts refer to it.
    op.add_column(
        "organisations",
        sa.Column("maintains_catalog", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch_op:
        batch_op.drop_column("maintains_catalog")
