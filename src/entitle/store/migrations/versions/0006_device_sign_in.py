"""device sign-in from entitle-tool (RFC 8628): sign-in requests, device credentials, tokens

Revision ID: 0006
Revises: 0005

A workstation user signs the tool in from the portal instead of handling an API token. The
tool's sign-in request waits in device_authorizations (the device code as its SHA-256) until
the user approves or denies it; an approval makes a device credential, an api_tokens row of
kind "device" naming the machine and the tool's version, whose access and refresh tokens are
device_tokens rows. Such a row has no token of its own, so token_hash may be empty. User codes
that match nothing are counted in user_code_attempts, a few a minute per user.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="api")
        )
        batch_op.add_column(sa.Column("machine", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("tool_version", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "device_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_code", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("machine", sa.String(length=255), nullable=False),
        sa.Column("tool_version", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved", sa.Boolean(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_device_authorizations_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_device_authorizations_token_id_api_tokens"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_authorizations")),
        sa.UniqueConstraint(
            "device_code_hash", name=op.f("uq_device_authorizations_device_code_hash")
        ),
        sa.UniqueConstraint("user_code", name=op.f("uq_device_authorizations_user_code")),
    )
    op.create_index(
        op.f("ix_device_authorizations_expires_at"), "device_authorizations", ["expires_at"]
    )
    op.create_table(
        "device_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_device_tokens_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_device_tokens_token_hash")),
    )
    op.create_index(op.f("ix_device_tokens_token_id"), "device_tokens", ["token_id"])
    op.create_table(
        "user_code_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_code_attempts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_code_attempts")),
    )
    op.create_index(
        op.f("ix_user_code_attempts_user_id_at"), "user_code_attempts", ["user_id", "at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_user_code_attempts_user_id_at"), table_name="user_code_attempts")
    op.drop_table("user_code_attempts")
    op.drop_index(op.f("ix_device_tokens_token_id"), table_name="device_tokens")
    op.drop_table("device_tokens")
    op.drop_index(op.f("ix_device_authorizations_expires_at"), table_name="device_authorizations")
    op.drop_table("device_authorizations")
    op.execute(sa.text("DELETE FROM api_tokens WHERE token_hash IS NULL"))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("tool_version")
        batch_op.drop_column("machine")
        batch_op.drop_column("kind")
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
