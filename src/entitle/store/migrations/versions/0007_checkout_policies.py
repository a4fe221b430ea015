"""checkout policies per entitlement country, how each checkout was made, superseded files

Revision ID: 0007
Revises: 0006

A country's policy grows from "checkouts on, longest checkout" to self-service (off by
default, its own longest checkout, every user or listed ones) and an allow- or exclude-list of
applications. A checkout records how it was made (an administrator, a request file, the user
from the workstation) and the machine fingerprint its file is bound to; a renewal's replaced
license files are kept by digest for the revocation list. Existing checkouts were all made by
administrators.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation_countries") as batch_op:
        batch_op.add_column(
            sa.Column("self_service", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "self_service_max_days", sa.Integer(), nullable=False, server_default=sa.text("30")
            )
        )
        batch_op.add_column(
            sa.Column("application_rule", sa.String(length=8), nullable=False, server_default="all")
        )
        batch_op.add_column(
            sa.Column(
                "applications", sa.JSON(none_as_null=True), nullable=False, server_default="[]"
            )
        )
        batch_op.add_column(
            sa.Column("self_service_users", sa.JSON(none_as_null=True), nullable=True)
        )
    with op.batch_alter_table("checkouts") as batch_op:
        batch_op.add_column(
            sa.Column("created_via", sa.String(length=16), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("machine_fingerprint", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_checkouts_organisation_id_created_via"),
        "checkouts",
        ["organisation_id", "created_via"],
    )
    op.create_table(
        "superseded_license_files",
        sa.Column("license_digest", sa.String(length=64), nullable=False),
        sa.Column("checkout_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkout_id"],
            ["checkouts.id"],
            name=op.f("fk_superseded_license_files_checkout_id_checkouts"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_superseded_license_files_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("license_digest", name=op.f("pk_superseded_license_files")),
    )
    op.create_index(
        op.f("ix_superseded_license_files_checkout_id"),
        "superseded_license_files",
        ["checkout_id"],
    )
    op.create_index(
        op.f("ix_superseded_license_files_organisation_id_expires_at"),
        "superseded_license_files",
        ["organisation_id", "expires_at"],
    )


def downgrade() -> None:
    op.drop_table("superseded_license_files")
    op.drop_index(op.f("ix_checkouts_organisation_id_created_via"), table_name="checkouts")
    with op.batch_alter_table("checkouts") as batch_op:
        batch_op.drop_column("machine_fingerprint")
        batch_op.drop_column("created_via")
    with op.batch_alter_table("organisation_countries") as batch_op:
        for name in (
            "self_service_users",
            "applications",
            "application_rule",
            "self_service_max_days",
            "self_service",
        ):
            batch_op.drop_column(name)
