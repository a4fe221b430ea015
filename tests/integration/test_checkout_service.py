from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from entitle.domain.checkouts import CheckoutRequest
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from entitle.domain.model import CheckInMethod, LicenseService
from entitle.licensefile import verify
from entitle.service.check_in import ClientReceipt, accept_client_receipt, check_in, check_in_many
from entitle.service.create_checkout import create_checkout
from entitle.service.queries import get_checkout, license_files, list_checkouts, parse_sort
from entitle.store.checkouts import CheckoutQuery
from entitle.store.tables import audit_events, checkout_applications, checkouts
from tests.integration.fixtures import World


def ses(**changes: object) -> CheckoutRequest:
    fields: dict[str, object] = {
        "country": "US",
        "license_service": "SES",
        "user": "ana@example.com",
        "machine": "WS-1",
        "applications": [("Atlas Designer", "10.17.2.61"), ("Bridgeworks", "24.0.1.5")],
    }
    fields.update(changes)
    return CheckoutRequest(**fields)  # type: ignore[arg-type]


def count(world: World, table=checkouts) -> int:  # type: ignore[no-untyped-def]
    with world.services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_created_checkout_is_stored_with_a_license_file_that_verifies(
    world: World, key_ring
) -> None:  # type: ignore[no-untyped-def]
    made = create_checkout(world.services, world.admin, ses())
    assert made.expires_at.date() == date(2027, 8, 1)  # valid through the contract's last day
    assert made.user_display_name == "Ana Lima"
    [(stored, file)] = license_files(world.services, world.admin, [made.id])
    assert stored == made
    claims = verify(file, key_ring.trusted(), now=world.clock.now, machine_name="ws-1")
    assert claims.checkout_id == made.id
    assert [(a.name, a.version) for a in claims.applications] == [
        ("Atlas Designer", "10.17.2.61"),
        ("Bridgeworks", "24.0.1.5"),
    ]
    assert claims.expires_at == made.expires_at


def test_selectserver_checkout_carries_its_activation_key(world: World, key_ring) -> None:  # type: ignore[no-untyped-def]
    made = create_checkout(
        world.services,
        world.co_admin,
        ses(
            license_service="SELECTserver",
            activation_key="US-KEY-2",
            applications=[("Atlas Designer", "10.12.0.40")],
        ),
    )
    assert made.license_service is LicenseService.SELECTSERVER
    [(_, file)] = license_files(world.services, world.admin, [made.id])
    assert file.lstrip().startswith(b"<")
    assert (
        verify(file, key_ring.trusted(), now=world.clock.now, machine_name="WS-1").activation_key
        == "US-KEY-2"
    )


def test_refused_create_stores_nothing(world: World) -> None:
    with pytest.raises(DomainError):
        create_checkout(world.services, world.admin, ses(machine="bad name"))
    with pytest.raises(Forbidden):
        create_checkout(world.services, world.user, ses())
    assert count(world) == 0
    assert count(world, checkout_applications) == 0


def test_failure_after_signing_rolls_everything_back(world: World) -> None:
    class Broken:
        def sign(self, claims: object) -> bytes:
            raise RuntimeError("disk full")

    broken = type(world.services)(world.services.engine, Broken(), "test", world.clock)
    with pytest.raises(RuntimeError):
        create_checkout(broken, world.admin, ses())
    assert count(world) == 0


def test_idempotency_key_returns_the_first_checkout_and_refuses_other_bodies(world: World) -> None:
    first = create_checkout(world.services, world.admin, ses(), idempotency_key="k-1")
    again = create_checkout(world.services, world.admin, ses(), idempotency_key="k-1")
    assert again.id == first.id
    assert count(world) == 1
    with pytest.raises(Conflict) as refused:
        create_checkout(world.services, world.admin, ses(machine="WS-2"), idempotency_key="k-1")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_listing_hides_expired_checkouts_three_months_after_expiry(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses(expires_on=date(2026, 12, 10)))
    query = CheckoutQuery(0, status="expired")
    world.clock.now = made.expires_at + timedelta(days=1)
    assert [c.id for c in list_checkouts(world.services, world.admin, query).items] == [made.id]
    world.clock.now = made.expires_at.replace(month=3, year=2027) + timedelta(seconds=1)
    assert list_checkouts(world.services, world.admin, query).total == 0
    everything = list_checkouts(world.services, world.admin, CheckoutQuery(0, status="all"))
    assert everything.total == 1


def test_lists_are_scoped_to_the_callers_organisation(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses())
    assert list_checkouts(world.services, world.other_admin, CheckoutQuery(0)).total == 0
    with pytest.raises(NotFound):
        get_checkout(world.services, world.other_admin, made.id)
    with pytest.raises(NotFound):
        check_in(world.services, world.other_admin, made.id)


def test_list_filters_and_multi_column_sort(world: World) -> None:
    for machine, user in [
        ("WS-B", "zoe@example.com"),
        ("WS-A", "zoe@example.com"),
        ("LAB-1", "al@example.com"),
    ]:
        create_checkout(world.services, world.admin, ses(machine=machine, user=user))
        world.clock.advance(minutes=1)
    create_checkout(
        world.services,
        world.admin,
        ses(machine="LAB-2", applications=[("Atlas Designer", "10.16.3.12")]),
    )
    page = list_checkouts(
        world.services, world.admin, CheckoutQuery(0, sort=parse_sort("user,machine"))
    )
    assert [(c.user_email, c.machine) for c in page.items] == [
        ("al@example.com", "LAB-1"),
        ("ana@example.com", "LAB-2"),
        ("zoe@example.com", "WS-A"),
        ("zoe@example.com", "WS-B"),
    ]
    by_version = list_checkouts(world.services, world.admin, CheckoutQuery(0, version="10.16"))
    assert [c.machine for c in by_version.items] == ["LAB-2"]
    by_machine = list_checkouts(world.services, world.admin, CheckoutQuery(0, machine="ws-"))
    assert by_machine.total == 2
    paged = list_checkouts(
        world.services,
        world.admin,
        CheckoutQuery(0, page_size=3, page=2, sort=parse_sort("-machine")),
    )
    assert paged.total == 4
    assert [c.machine for c in paged.items] == ["LAB-1"]
    with pytest.raises(InvalidInput):
        parse_sort("password")


def test_lists_of_one_shape_with_other_values_each_find_their_own(world: World) -> None:
    """A list's statements are kept by shape (filters, listing, sort) and reused with the next
    query's values: each query still finds what its own values ask for."""
    for machine, country, days in [("WS-1", "US", 10), ("WS-2", "GB", 20), ("WS-3", "US", 30)]:
        create_checkout(
            world.services,
            world.admin,
            ses(machine=machine, country=country, expires_on=date(2026, 12, 1) + timedelta(days)),
        )
    found = {
        (country, page): [
            c.machine
            for c in list_checkouts(
                world.services,
                world.admin,
                CheckoutQuery(
                    0, country=country, page=page, page_size=1, sort=parse_sort("machine")
                ),
            ).items
        ]
        for country in ("US", "GB", "DE")
        for page in (1, 2)
    }
    assert found == {
        ("US", 1): ["WS-1"],
        ("US", 2): ["WS-3"],
        ("GB", 1): ["WS-2"],
        ("GB", 2): [],
        ("DE", 1): [],
        ("DE", 2): [],
    }
    # The same shape at two moments: "active" compares with each query's own now.
    active = CheckoutQuery(0, status="active")
    assert list_checkouts(world.services, world.admin, active).total == 3
    world.clock.now = datetime(2026, 12, 22, tzinfo=UTC)
    assert [c.machine for c in list_checkouts(world.services, world.admin, active).items] == [
        "WS-3"
    ]
    world.clock.now = datetime(2027, 1, 5, tzinfo=UTC)
    assert list_checkouts(world.services, world.admin, active).total == 0


def test_admin_check_in_ends_the_checkout_and_is_audited(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses())
    world.clock.advance(days=2)
    done = check_in(world.services, world.co_admin, made.id)
    assert done.checked_in_at == world.clock.now
    assert done.check_in_method is CheckInMethod.PORTAL
    assert done.checked_in_by == world.co_admin
    with pytest.raises(Conflict):
        check_in(world.services, world.admin, made.id)
    assert count(world, audit_events) == 2


def test_bulk_check_in_reports_per_id_and_keeps_the_successes(world: World) -> None:
    a = create_checkout(world.services, world.admin, ses(machine="WS-A"))
    b = create_checkout(world.services, world.admin, ses(machine="WS-B"))
    check_in(world.services, world.admin, b.id)
    results = check_in_many(world.services, world.admin, [a.id, b.id, "missing"])
    assert [r.error.code if r.error else "ok" for r in results] == [
        "ok",
        "ALREADY_CHECKED_IN",
        "CHECKOUT_NOT_FOUND",
    ]
    assert get_checkout(world.services, world.admin, a.id).checked_in_at is not None


def test_non_select_organisation_cannot_check_in_but_a_client_receipt_checks_in_on_arrival(
    world: World,
) -> None:
    made = create_checkout(world.services, world.other_admin, ses(machine="STUDIO-1"))
    with pytest.raises(Forbidden) as refused:
        check_in(world.services, world.other_admin, made.id)
    assert refused.value.code == "NON_SELECT_CHECK_IN"
    world.clock.advance(hours=5)
    receipt = ClientReceipt(
        made.id, "STUDIO-1", "lee", world.clock.now - timedelta(hours=1), made.license_digest or ""
    )
    done = accept_client_receipt(world.services, receipt)
    assert done.check_in_method is CheckInMethod.CLIENT
    assert done.checked_in_at == world.clock.now  # received now; booking ends here
    assert done.client_cleared_at == world.clock.now - timedelta(hours=1)
    world.clock.advance(hours=1)
    assert accept_client_receipt(world.services, receipt).checked_in_at == done.checked_in_at


def test_receipt_with_another_digest_changes_nothing(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses())
    with pytest.raises(NotFound):
        accept_client_receipt(
            world.services, ClientReceipt(made.id, "WS-1", "ana", world.clock.now, "0" * 64)
        )
    assert get_checkout(world.services, world.admin, made.id).checked_in_at is None
