"""Migration 0004 fills the booking of every application of the checkouts already stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from entitle.store.database import make_engine, upgrade
from entitle.store.tables import checkout_applications, checkouts, organisations
from entitle.store.usage import booking_columns

CREATED = datetime(2026, 1, 31, 23, 55, 30, tzinfo=UTC)
EXPIRES = datetime(2026, 3, 1, tzinfo=UTC)
CHECKED_IN = datetime(2026, 2, 2, 8, 3, 1, tzinfo=UTC)


def test_upgrade_fills_the_bookings_of_existing_checkouts(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        # The organisation as schema 0003 holds it (later migrations add columns).
        org = conn.execute(
            organisations.insert()
            .values(name="Northwind", has_select=True, contract_end=date(2030, 1, 1))
            .values(created_at=CREATED)
            .returning(organisations.c.id)
        ).scalar_one()
        for number, checked_in in enumerate((None, CHECKED_IN)):
            conn.execute(
                checkouts.insert().values(
                    id=f"c{number}",
                    organisation_id=org,
                    country="US",
                    license_service="SES",
                    user_email="ana@example.com",
                    machine="WS-1",
                    machine_key="ws-1",
                    applications_summary="Atlas Designer 1.0, GeoSurvey 2.0",
                    created_at=CREATED + timedelta(days=number),
                    created_by="admin@example.com",
                    expires_at=EXPIRES,
                    checked_in_at=checked_in,
                    license_file=b"file",
                    license_digest="d",
                )
            )
            conn.execute(
                checkout_applications.insert(),
                [
                    {
                        "checkout_id": f"c{number}",
                        "position": position,
                        "application": application,
                        "version": "1.0",
                        "version_key": "1.0",
                    }
                    for position, application in enumerate(("Atlas Designer", "GeoSurvey"))
                ],
            )
    upgrade(engine)
    a = checkout_applications.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                a.checkout_id,
                a.organisation_id,
                a.start_interval,
                a.first_month,
                a.stop_interval,
                a.last_month,
            ).order_by(a.checkout_id, a.position)
        ).all()
    engine.dispose()
    expected = [
        booking_columns(CREATED, EXPIRES),
        booking_columns(CREATED + timedelta(days=1), EXPIRES, CHECKED_IN),
    ]
    assert [(r.checkout_id, r.organisation_id, *r[2:]) for r in rows] == [
        (f"c{n}", org, *expected[n].values()) for n in (0, 0, 1, 1)
    ]
    assert expected[0]["first_month"] == 2026 * 12 + 2 - 1  # from 1 February, 00:00
    assert expected[1]["last_month"] == 2026 * 12 + 2 - 1
