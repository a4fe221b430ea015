"""each application of a checkout keeps its booking as interval indexes, for usage reports

Revision ID: 0004
Revises: 0003

The reports converted every checkout's timestamps to 10-minute interval indexes, joined the
checkouts to their applications and each booking to every month of the range: about 10 s for
a yearly report on 1,000,000 checkouts on PostgreSQL. Each application row now keeps its
organisation and its booked intervals as integers, covered by one index; existing rows are
filled here in batches, with the rule of ``entitle.domain.usage.booking``.
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from entitle.domain.usage import booking, month_of_interval

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 10_000
COLUMNS = (
    ("organisation_id", sa.Integer()),
    ("start_interval", sa.BigInteger()),
    ("stop_interval", sa.BigInteger()),
    ("first_month", sa.Integer()),
    ("last_month", sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("checkout_applications", sa.Column(name, type_, nullable=True))
    _fill(op.get_bind())
    with op.batch_alter_table("checkout_applications") as batch_op:
        for name, type_ in COLUMNS:
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_index(
            "ix_checkout_applications_usage",
            [
                "organisation_id",
                "stop_interval",
                "start_interval",
                "first_month",
                "last_month",
                "application",
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("checkout_applications") as batch_op:
        batch_op.drop_index("ix_checkout_applications_usage")
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)


def _fill(conn: sa.Connection) -> None:
    checkouts = sa.table(
        "checkouts",
        sa.column("id", sa.String()),
        sa.column("organisation_id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
        sa.column("checked_in_at", sa.DateTime(timezone=True)),
    )
    lines = sa.table(
        "checkout_applications",
        sa.column("checkout_id", sa.String()),
        *(sa.column(name, type_) for name, type_ in COLUMNS),
    )
    c = checkouts.c
    update = (
        lines.update()
        .where(lines.c.checkout_id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name, _ in COLUMNS})
    )
    last = ""
    while True:
        rows = conn.execute(
            sa.select(c.id, c.organisation_id, c.created_at, c.expires_at, c.checked_in_at)
            .where(c.id > last)
            .order_by(c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        conn.execute(update, [_booking(row) for row in rows])
        last = rows[-1].id


def _booking(row: sa.Row[*tuple[Any, ...]]) -> dict[str, object]:
    checked_in = None if row.checked_in_at is None else _utc(row.checked_in_at)
    booked = booking(_utc(row.created_at), _utc(row.expires_at), checked_in)
    return {
        "b_id": row.id,
        "b_organisation_id": row.organisation_id,
        "b_start_interval": booked.start,
        "b_stop_interval": booked.stop,
        "b_first_month": month_of_interval(booked.start),
        "b_last_month": month_of_interval(booked.stop - 1),
    }


def _utc(moment: datetime) -> datetime:
    """SQLite hands back the stored UTC text as a naive datetime."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
