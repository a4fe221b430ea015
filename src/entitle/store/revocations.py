"""What an organisation's revocation list names: checkouts checked in before their expiry, and
license files a renewal superseded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from entitle.store.tables import checkouts, superseded_license_files


def checked_in_before_expiry(conn: Connection, organisation_id: int, now: datetime) -> list[str]:
    """Ids of the organisation's checked-in checkouts whose license files have not expired.

    Expired ones are left out: their files no longer verify anyway, so the list stays as
    short as the checkouts that could still be misused (index organisation, check-in, expiry).
    """
    rows = conn.execute(
        select(checkouts.c.id)
        .where(
            checkouts.c.organisation_id == organisation_id,
            checkouts.c.checked_in_at.is_not(None),
            checkouts.c.expires_at > now,
        )
        .order_by(checkouts.c.id)
    )
    return [row.id for row in rows]


def superseded_before_expiry(conn: Connection, organisation_id: int, now: datetime) -> list[str]:
    """Digests of the organisation's superseded license files that have not expired."""
    rows = conn.execute(
        select(superseded_license_files.c.license_digest)
        .where(
            superseded_license_files.c.organisation_id == organisation_id,
            superseded_license_files.c.expires_at > now,
        )
        .order_by(superseded_license_files.c.license_digest)
    )
    return [row.license_digest for row in rows]
