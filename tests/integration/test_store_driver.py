"""Statements on the driver's cursor read and fail as SQLAlchemy's own do, on both stores."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from entitle.domain.policy import ApplicationRule
from entitle.service.checkout_policy import PolicyChange, set_country
from entitle.store import audit, driver
from entitle.store.tables import audit_events, organisation_countries, organisations
from tests.integration.fixtures import World

POLICIES = (
    select(organisations.c.name, organisations.c.contract_end, organisation_countries)
    .join(organisation_countries, organisation_countries.c.organisation_id == organisations.c.id)
    .where(organisations.c.name.in_(bindparam("names", expanding=True)))
    .order_by(organisation_countries.c.country)
)


def test_rows_come_back_through_their_types_as_conn_execute_gives_them(world: World) -> None:
    change = PolicyChange(
        max_days=30, application_rule=ApplicationRule.ALLOW, applications=["Atlas Designer"]
    )
    set_country(world.services, "Northwind", "US", change)
    with world.services.uow(read_only=True) as uow:
        names = ["Northwind", "Studio", "nobody"]
        expected = uow.conn.execute(POLICIES, {"names": names}).all()
        found = driver.fetch(uow.conn, POLICIES, {"names": names})
    assert [tuple(r) for r in found] == [tuple(r) for r in expected]
    us = next(r for r in found if r.country == "US" and r.name == "Northwind")
    # JSON, dates and booleans decoded, named as the columns are.
    assert isinstance(us.applications, list)
    assert isinstance(us.contract_end, date)
    assert us.checkouts_enabled is True
    assert us.max_days == 30


def test_a_broken_constraint_is_sqlalchemys_integrity_error(world: World) -> None:
    sql = (
        "INSERT INTO audit_events (id, at, actor, action, subject, address, detail) "
        "VALUES (1, '2026-11-28 12:00:00', 'a', 'b', 'c', '', '')"
    )
    with world.services.uow() as uow:
        uow.writing()
        driver.run(uow.conn, sql, ())
        with pytest.raises(IntegrityError):
            driver.run(uow.conn, sql, ())
    with world.services.uow(read_only=True) as uow:
        # The unit of work rolled back: nothing was kept.
        assert uow.conn.execute(select(audit_events.c.id).where(audit_events.c.id == 1)).all() == []


def test_a_bad_statement_is_sqlalchemys_error_and_the_connection_still_works(world: World) -> None:
    bad = pytest.raises((OperationalError, ProgrammingError))
    with world.services.uow(read_only=True) as uow, bad:
        driver.run(uow.conn, "SELECT nothing FROM nowhere", (), fetch=True)
    with world.services.uow(read_only=True) as uow:
        assert driver.run(uow.conn, "SELECT 1", (), fetch=True) == [(1,)]


def test_a_parameter_goes_through_its_types_conversion_as_conn_execute_sends_it(
    world: World,
) -> None:
    with world.services.uow() as uow:
        uow.writing()
        audit.record(uow.conn, None, world.clock.now, "a@example.com", "test.driver")
        uow.commit()
    typed = select(audit_events.c.id, audit_events.c.at).where(
        audit_events.c.at <= bindparam("at", type_=audit_events.c.at.type)
    )
    with world.services.uow(read_only=True) as uow:
        # An aware time: SQLite stores it in UTC without its zone, PostgreSQL with it.
        expected = uow.conn.execute(typed, {"at": world.clock.now}).all()
        found = driver.fetch(uow.conn, typed, {"at": world.clock.now})
        before = driver.fetch(uow.conn, typed, {"at": world.clock.now - timedelta(days=1)})
    assert expected, "the event just recorded is found"
    assert [tuple(r) for r in found] == [tuple(r) for r in expected]
    assert all(r.at.tzinfo is not None for r in found)
    assert [r for r in before if r.id in {e.id for e in expected}] == []
