"""a notes field on each checkout, kept by administrators

Revision ID: 0010
Revises: 0009

Free text an Administrator or Co-Administrator keeps with a checkout (why it was made, who
holds the machine), at most 2,000 characters; none on existing checkouts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkouts") as batch_op:
        batch_op.add_column(sa.Column("notes", sa.String(2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkouts") as batch_op:
        batch_op.drop_column("notes")
