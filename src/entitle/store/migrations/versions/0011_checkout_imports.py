"""imports of checkouts from a CSV file

Revision ID: 0011_checkout_imports
Revises: 0010

Each import keeps its file's digest, its Idempotency-Key (a retried upload finds it and
creates nothing twice) and each row's outcome, from which its result sheet and its zip of
license files are made again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_checkout_imports"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkout_imports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("file_digest", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("rows", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_checkout_imports_organisation_id_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkout_imports"),
        sa.UniqueConstraint(
            "organisation_id",
            "idempotency_key",
            name="uq_checkout_imports_organisation_id_idempotency_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("checkout_imports")
