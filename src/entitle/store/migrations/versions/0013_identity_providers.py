"""an organisation's identity provider (OpenID Connect), and each user's subject there

Revision ID: 0013_identity_providers
Revises: 0012_catalog_maintainers

Administrators register their organisation's OpenID provider: issuer, client, the email
domains it signs in, whether passwords stay allowed, the claims that make a user's profile,
just-in-time provisioning and the mapping of groups to roles. A user who signed in through it
keeps their subject (``sub``) there, and the provider's refresh token when it gave one: the
tool's token refresh asks the provider with it whether the account still signs in.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_identity_providers"
down_revision = "0012_catalog_maintainers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret", sa.String(length=500), nullable=False),
        sa.Column("email_domains", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("passwords_allowed", sa.Boolean(), nullable=False),
        sa.Column("jit", sa.Boolean(), nullable=False),
        sa.Column("default_role", sa.String(length=32), nullable=False),
        sa.Column("name_claim", sa.String(length=100), nullable=False),
        sa.Column("email_claim", sa.String(length=100), nullable=False),
        sa.Column("country_claim", sa.String(length=100), nullable=False),
        sa.Column("groups_claim", sa.String(length=100), nullable=False),
        sa.Column("group_roles", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_identity_providers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_identity_providers")),
    )
    # A plain ADD COLUMN on both stores: a batch copy of the table on SQLite would lose the
    # expression index ix_users_email_lower.
    op.add_column("users", sa.Column("identity_subject", sa.String(255), nullable=True))
    op.add_column("users", sa.Column("identity_refresh_token", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("identity_refresh_token")
        batch_op.drop_column("identity_subject")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch copy of the table leaves its expression index out: put it back.
        op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")])
    op.drop_table("identity_providers")
