"""indexes for the checkout list's count and for users looked up by email

Revision ID: 0003
Revises: 0002

On 1,000,000 checkouts the list's total count with a country and a license service filter
scanned the whole table (about a second on PostgreSQL); the users' lookup by lower(email),
made on every request, scanned every user.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_checkouts_organisation_id_country_license_service",
        "checkouts",
        ["organisation_id", "country", "license_service"],
    )
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_users_email_lower", table_name="users")
    op.drop_index("ix_checkouts_organisation_id_country_license_service", table_name="checkouts")
