"""each user's own language for the portal and their e-mails

Revision ID: 0015_user_language
Revises: 0014_events_outbox_and_webhooks

NULL for everyone: the portal follows the browser's language until a user chooses one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_user_language"
down_revision = "0014_events_outbox_and_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both stores: a batch copy of the table on SQLite would lose the
    # expression index ix_users_email_lower.
    op.add_column("users", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("language")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch copy of the table leaves its expression index out: put it back.
        op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")])
