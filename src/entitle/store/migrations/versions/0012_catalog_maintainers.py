"""organisations that maintain the catalog

Revision ID: 0012_catalog_maintainers
Revises: 0011_checkout_imports

The catalog is one per deployment; the operator marks the organisations whose Administrators
may import it from the portal and the API (``entitle org set NAME --maintains-catalog``).
None does at first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_catalog_maintainers"
down_revision = "0011_checkout_imports"
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
    op.drop_column("organisations", "maintains_catalog")  # SQLite 3.35 drops a column in place
