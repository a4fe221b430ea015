"""A hundred thousand checkouts in one organisation, written in bulk in a few seconds.

The organisation, its country and administrator come through the service layer; the checkouts
go straight into the store's tables in one transaction, with the indexes rebuilt afterwards
(faster than maintaining them row by row). License files are placeholders: these tests only
list, sort and page the checkouts.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, text

from entitle.domain.calendar import end_of_day
from entitle.domain.model import ApplicationVersion
from entitle.domain.versions import Version
from entitle.service import admin
from entitle.service.context import Services
from entitle.service.demo import CATALOG, PEOPLE

ORGANISATION = "Many Checkouts Engineering"
ADMIN = "admin@many.example"
PASSWORD = "many-checkouts"
TABLES = ("checkouts", "checkout_applications")
CHECKOUT_COLUMNS = (
    "id, organisation_id, country, license_service, user_email, user_display_name, machine, "
    "machine_key, activation_key, applications_summary, created_at, created_by, expires_at, "
    "checked_in_at, checked_in_by, check_in_method, license_file, license_digest"
)
LINE_COLUMNS = "checkout_id, position, application, version, version_key"


class _NoSigner:
    def sign(self, claims: object) -> bytes:
        raise AssertionError("bulk checkouts carry placeholder files")


def _stored(moment: datetime) -> str:
    """The text SQLAlchemy keeps for a UTC moment in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000")


def _organisation(services: Services, today: date) -> int:
    admin.import_catalog(
        services,
        [
            ApplicationVersion(a, Version.parse(v), s)
            for a, rows in CATALOG.items()
            for v, s in rows
        ],
    )
    admin.create_organisation(services, ORGANISATION, True, today + timedelta(days=400))
    admin.set_country(services, ORGANISATION, "US")
    admin.add_user(services, ORGANISATION, ADMIN, "Avery Stone", "US", "Administrator", PASSWORD)
    return admin.find_organisation(services, ORGANISATION).id


def _rows(
    count: int, organisation_id: int, now: datetime
) -> Iterator[tuple[tuple[object, ...], list[tuple[object, ...]]]]:
    rng = random.Random(5)
    people = [(n, n.lower().replace(" ", ".") + "@many.example") for n, _ in PEOPLE]
    releases = [
        (a, v, s.value, Version.parse(v).sort_key) for a, rows in CATALOG.items() for v, s in rows
    ]
    minutes = 2 * 365 * 24 * 60
    for index in range(count):
        name, email = people[index % len(people)]
        first = releases[rng.randrange(len(releases))]
        second = releases[rng.randrange(len(releases))]
        lines = (
            [first] if index % 3 or second[2] != first[2] or second == first else [first, second]
        )
        created = now - timedelta(minutes=rng.randrange(minutes))
        expires = end_of_day(created.date() + timedelta(days=(14, 30, 90, 180)[index % 4]))
        checked_in = index % 7 == 0 and expires > now
        checkout_id = str(uuid.UUID(int=rng.getrandbits(128)))
        machine = f"WS-{rng.randrange(1, 9000):04d}"
        yield (
            (
                checkout_id,
                organisation_id,
                "US",
                first[2],
                email,
                name,
                machine,
                machine,
                "US-MANY-0001" if first[2] == "SELECTserver" else None,
                ", ".join(f"{a} {v}" for a, v, _, _ in lines),
                _stored(created),
                ADMIN,
                _stored(expires),
                _stored(now) if checked_in else None,
                ADMIN if checked_in else None,
                "portal" if checked_in else None,
                b"placeholder",
                "0" * 64,
            ),
            [(checkout_id, i, a, v, key) for i, (a, v, _, key) in enumerate(lines)],
        )


def _without_indexes(conn: Connection) -> list[str]:
    """Drop the tables' indexes; returns the statements that make them again."""
    found = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('checkouts', 'checkout_applications')"
        )
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def load_many(engine: Engine, count: int) -> None:
    """One organisation holding ``count`` checkouts over two years, active and past."""
    assert engine.dialect.name == "sqlite"
    now = datetime.now(UTC).replace(microsecond=0)
    organisation_id = _organisation(Services(engine=engine, signer=_NoSigner()), now.date())
    heads: list[tuple[object, ...]] = []
    lines: list[tuple[object, ...]] = []
    for head, body in _rows(count, organisation_id, now):
        heads.append(head)
        lines.extend(body)
    heads.sort(key=lambda row: str(row[0]))
    lines.sort(key=lambda row: str(row[0]))
    with engine.begin() as conn:
        indexes = _without_indexes(conn)
        conn.exec_driver_sql(_insert("checkouts", CHECKOUT_COLUMNS), heads)
        conn.exec_driver_sql(_insert("checkout_applications", LINE_COLUMNS), lines)
        for statement in indexes:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql("ANALYZE")


def _insert(table: str, columns: str) -> str:
    marks = ", ".join("?" for _ in columns.split(","))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - constant names
