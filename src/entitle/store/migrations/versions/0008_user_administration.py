"""user administration: deactivated users, last logins, one-time set-password links

Revision ID: 0008
Revises: 0007

An Administrator deactivates a user (``deactivated_at``; reactivating clears it) and sees when
each last logged in. An invited user sets a first password with a one-time link: only the
link's SHA-256 is kept, with its expiry and the moment it was used.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "set_password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_set_password_links_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_set_password_links_token_hash")),
    )
    op.create_index(
        op.f("ix_set_password_links_user_id"), "set_password_links", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_set_password_links_user_id"), table_name="set_password_links")
    op.drop_table("set_password_links")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("deactivated_at")
