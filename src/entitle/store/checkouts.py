"""Checkouts: insert, fetch, check in, and the list query behind the portal and the API."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

from entitle.domain.listing import Listing, expired_listing_cutoff
from entitle.domain.model import (
    CheckInMethod,
    Checkout,
    CheckoutLine,
    CreatedVia,
    LicenseService,
    Status,
)
from entitle.domain.names import machine_key
from entitle.domain.versions import Version
from entitle.store import driver
from entitle.store.bulk import Rows, insert_rows
from entitle.store.like import escape_like
from entitle.store.tables import checkout_applications, checkouts, superseded_license_files
from entitle.store.usage import booking_columns, check_in_columns

SORTABLE = (
    "user",
    "machine",
    "country",
    "license_service",
    "applications",
    "created_at",
    "expires_at",
    "checked_in_at",
    "status",
    "created_via",
    "created_by",
    "checked_in_by",
)
STATUSES = tuple(Listing)


@dataclass(frozen=True)
class CheckoutQuery:
    """A page of one organisation's checkouts. ``listed`` is active plus recently expired."""

    organisation_id: int
    status: str = "all"
    country: str | None = None
    user: str | None = None
    machine: str | None = None
    application: str | None = None
    version: str | None = None
    license_service: str | None = None
    created_via: str | None = None
    # A part of the user's name or email, the machine name or an application, any case.
    search: str | None = None
    created_by: str | None = None
    checked_in_by: str | None = None
    # portal, client or expiry (an expired checkout counts as checked in at its expiry).
    check_in_method: str | None = None
    # Exactly this user's checkouts (My checkouts), whatever the case of the email.
    owner: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    expires_from: datetime | None = None
    expires_to: datetime | None = None
    sort: Sequence[tuple[str, bool]] = field(default=(("created_at", True),))
    page: int = 1
    page_size: int = 50


@dataclass(frozen=True)
class CheckoutPage:
    items: list[Checkout]
    total: int
    page: int
    page_size: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.page_size))


def insert(conn: Connection, checkout: Checkout, license_file: bytes) -> None:
    insert_many(conn, [(checkout, license_file)])


def insert_many(conn: Connection, created: Sequence[tuple[Checkout, bytes]]) -> None:
    """Checkouts, their license files and their bookings, in two statements for any count."""
    insert_rows(conn, checkouts, [_row(c, f) for c, f in created], _INSERTED)
    lines = [line for checkout, _ in created for line in _lines(checkout)]
    insert_rows(conn, checkout_applications, lines, _LINES)


def created_rows(checkout: Checkout, license_file: bytes) -> list[tuple[Table, Rows]]:
    """The rows :func:`insert` writes, for :func:`entitle.store.bulk.insert_together` (a create
    writes them in one statement with its audit event and its outbox event)."""
    return [
        (checkouts, [dict(zip(_INSERTED, _row(checkout, license_file), strict=True))]),
        (checkout_applications, [dict(zip(_LINES, x, strict=True)) for x in _lines(checkout)]),
    ]


def _row(checkout: Checkout, license_file: bytes) -> tuple[object, ...]:
    return (
        checkout.id,
        checkout.organisation_id,
        checkout.country,
        checkout.license_service.value,
        checkout.user_email,
        checkout.user_display_name,
        checkout.machine,
        machine_key(checkout.machine),
        checkout.activation_key,
        summary(checkout.lines),
        checkout.created_at,
        checkout.created_by,
        checkout.expires_at,
        license_file,
        checkout.license_digest,
        checkout.created_via.value,
        checkout.machine_fingerprint,
        checkout.notes,
    )


def _lines(checkout: Checkout) -> list[tuple[object, ...]]:
    """The checkout's applications, each with its booking."""
    booked = booking_columns(checkout.created_at, checkout.expires_at, checkout.checked_in_at)
    bounds = tuple(booked[name] for name in _BOOKED)
    return [
        (
            checkout.id,
            position,
            line.application,
            str(line.version),
            line.version.sort_key,
            checkout.organisation_id,
            *bounds,
        )
        for position, line in enumerate(checkout.lines)
    ]


_INSERTED = (
    "id",
    "organisation_id",
    "country",
    "license_service",
    "user_email",
    "user_display_name",
    "machine",
    "machine_key",
    "activation_key",
    "applications_summary",
    "created_at",
    "created_by",
    "expires_at",
    "license_file",
    "license_digest",
    "created_via",
    "machine_fingerprint",
    "notes",
)
_BOOKED = ("start_interval", "first_month", "stop_interval", "last_month")
_LINES = (
    "checkout_id",
    "position",
    "application",
    "version",
    "version_key",
    "organisation_id",
    *_BOOKED,
)


def set_notes(conn: Connection, organisation_id: int, checkout_id: str, notes: str | None) -> bool:
    """False when the organisation has no such checkout."""
    result = conn.execute(
        checkouts.update()
        .where((checkouts.c.organisation_id == organisation_id) & (checkouts.c.id == checkout_id))
        .values(notes=notes)
    )
    return bool(result.rowcount)


def replace_license_file(
    conn: Connection, checkout: Checkout, license_file: bytes, now: datetime
) -> bool:
    """A renewal: the checkout's new file and expiry, and its bookings to match; the file it
    replaces is kept by digest, superseded. False when the checkout is no longer active."""
    assert checkout.license_digest is not None
    old = conn.execute(
        select(checkouts.c.license_digest, checkouts.c.expires_at).where(
            (checkouts.c.id == checkout.id)
            & checkouts.c.checked_in_at.is_(None)
            & (checkouts.c.expires_at > now)
        )
    ).first()
    if old is None:
        return False
    conn.execute(
        superseded_license_files.insert().values(
            license_digest=old.license_digest,
            checkout_id=checkout.id,
            organisation_id=checkout.organisation_id,
            superseded_at=now,
            expires_at=old.expires_at,
        )
    )
    conn.execute(
        checkouts.update()
        .where(checkouts.c.id == checkout.id)
        .values(
            expires_at=checkout.expires_at,
            license_file=license_file,
            license_digest=checkout.license_digest,
        )
    )
    conn.execute(
        checkout_applications.update()
        .where(checkout_applications.c.checkout_id == checkout.id)
        .values(**booking_columns(checkout.created_at, checkout.expires_at))
    )
    return True


def summary(lines: Sequence[CheckoutLine]) -> str:
    return ", ".join(f"{line.application} {line.version}" for line in lines)


def get(conn: Connection, organisation_id: int | None, checkout_id: str) -> Checkout | None:
    """One checkout; ``organisation_id`` None only for callers proven by other means."""
    query = select(*_COLUMNS).where(checkouts.c.id == checkout_id)
    if organisation_id is not None:
        query = query.where(checkouts.c.organisation_id == organisation_id)
    row = conn.execute(query).first()
    return _with_lines(conn, [row])[0] if row else None


def get_many(conn: Connection, organisation_id: int, checkout_ids: Sequence[str]) -> list[Checkout]:
    rows = conn.execute(
        select(*_COLUMNS).where(
            (checkouts.c.organisation_id == organisation_id) & checkouts.c.id.in_(checkout_ids)
        )
    ).all()
    return _with_lines(conn, rows)


def license_files(
    conn: Connection, organisation_id: int, checkout_ids: Sequence[str]
) -> dict[str, bytes]:
    rows = conn.execute(
        select(checkouts.c.id, checkouts.c.license_file).where(
            (checkouts.c.organisation_id == organisation_id) & checkouts.c.id.in_(checkout_ids)
        )
    ).all()
    return {row.id: bytes(row.license_file) for row in rows}


def check_in(
    conn: Connection,
    checkout_id: str,
    now: datetime,
    by: str,
    method: CheckInMethod,
    client_cleared_at: datetime | None = None,
) -> bool:
    """Record a check-in if the checkout is still active; False when it was not."""
    result = conn.execute(
        checkouts.update()
        .where(
            (checkouts.c.id == checkout_id)
            & checkouts.c.checked_in_at.is_(None)
            & (checkouts.c.expires_at > now)
        )
        .values(
            checked_in_at=now,
            checked_in_by=by,
            check_in_method=method.value,
            client_cleared_at=client_cleared_at,
        )
    )
    if result.rowcount != 1:
        return False
    _end_bookings(conn, [checkout_id], now)
    return True


def check_in_many(
    conn: Connection,
    checkout_ids: Sequence[str],
    now: datetime,
    by: str,
    method: CheckInMethod,
) -> set[str]:
    """Record the check-in of each checkout still active, in one statement; the ids it did."""
    if not checkout_ids:
        return set()
    result = conn.execute(
        checkouts.update()
        .where(
            checkouts.c.id.in_(checkout_ids)
            & checkouts.c.checked_in_at.is_(None)
            & (checkouts.c.expires_at > now)
        )
        .values(checked_in_at=now, checked_in_by=by, check_in_method=method.value)
        .returning(checkouts.c.id)
    )
    done = {row.id for row in result}
    _end_bookings(conn, sorted(done), now)
    return done


def _end_bookings(conn: Connection, checkout_ids: Sequence[str], now: datetime) -> None:
    """A check-in before expiry ends the bookings of the checkout's applications now."""
    if checkout_ids:
        conn.execute(
            checkout_applications.update()
            .where(checkout_applications.c.checkout_id.in_(checkout_ids))
            .values(**check_in_columns(now))
        )


class Named:
    """The values of one list query, each bound by name as its statements are built.

    Two queries of the same shape (the same listing, filters and sort) then build the same SQL
    and differ only in these values: :func:`search` keeps its statements by that shape, and
    :mod:`entitle.store.driver` compiles each once.
    """

    def __init__(self, now: datetime) -> None:
        self.values: dict[str, Any] = {}
        self.at = now
        self.now = self("now", now, checkouts.c.expires_at.type)

    def __call__(self, name: str, value: Any, type_: TypeEngine[Any] | None = None) -> Any:
        self.values[name] = value
        found: BindParameter[Any] = bindparam(name, value, type_=type_)
        return found

    def cutoff(self) -> Any:
        """When an expired checkout leaves the list (the three-month rule), bound."""
        return self("cutoff", expired_listing_cutoff(self.at), checkouts.c.expires_at.type)


def status_expression(named: Named) -> ColumnElement[str]:
    return case(
        (checkouts.c.checked_in_at.is_not(None), literal(Status.CHECKED_IN.value)),
        (checkouts.c.expires_at <= named.now, literal(Status.EXPIRED.value)),
        else_=literal(Status.ACTIVE.value),
    )


def status_condition(status: str, named: Named) -> ColumnElement[bool] | None:
    # Only the listing asked for is built: every list request comes through here.
    listing = Listing(status)
    if listing is Listing.ALL:
        return None
    if listing is Listing.CHECKED_IN:
        return checkouts.c.checked_in_at.is_not(None)
    now, cutoff = named.now, named.cutoff()
    if listing is Listing.HISTORY:
        return or_(checkouts.c.checked_in_at.is_not(None), checkouts.c.expires_at > cutoff)
    not_in = checkouts.c.checked_in_at.is_(None)
    active = and_(not_in, checkouts.c.expires_at > now)
    recent = and_(not_in, checkouts.c.expires_at <= now, checkouts.c.expires_at > cutoff)
    return {Listing.ACTIVE: active, Listing.EXPIRED: recent}.get(listing, or_(active, recent))


def _where(query: CheckoutQuery, named: Named) -> ColumnElement[bool]:
    conditions = [checkouts.c.organisation_id == named("organisation_id", query.organisation_id)]
    wanted = status_condition(query.status, named)
    if wanted is not None:
        conditions.append(wanted)
    conditions += _filters(query, named)
    if query.check_in_method == CheckInMethod.EXPIRY.value:
        conditions.append(
            and_(checkouts.c.checked_in_at.is_(None), checkouts.c.expires_at <= named.now)
        )
    elif query.check_in_method:
        method = named("check_in_method", query.check_in_method)
        conditions.append(checkouts.c.check_in_method == method)
    return and_(*conditions)


def _order(query: CheckoutQuery, named: Named) -> list[ColumnElement[Any]]:
    order: list[ColumnElement[Any]] = []
    for name, descending in query.sort:
        column = _sort_column(name, named)
        order.append(column.desc() if descending else column.asc())
    order.append(checkouts.c.id.asc())
    return order


EXPORT_FIELDS = (
    "id",
    "user",
    "user_display_name",
    "machine",
    "country",
    "license_service",
    "applications",
    "activation_key",
    "created_at",
    "created_by",
    "created_via",
    "expires_at",
    "status",
    "checked_in_at",
    "checked_in_by",
    "check_in_method",
)


def export_rows(
    conn: Connection, query: CheckoutQuery, now: datetime, batch: int = 2000
) -> Iterator[Sequence[Any]]:
    """Every checkout the query matches (no paging), in its order, as flat rows of
    ``EXPORT_FIELDS`` computed in SQL (status, and expiry as the check-in of an expired
    checkout), fetched ``batch`` at a time from a server-side cursor."""
    named = Named(now)
    expired = and_(checkouts.c.checked_in_at.is_(None), checkouts.c.expires_at <= named.now)
    statement = (
        select(
            checkouts.c.id,
            checkouts.c.user_email.label("user"),
            checkouts.c.user_display_name,
            checkouts.c.machine,
            checkouts.c.country,
            checkouts.c.license_service,
            checkouts.c.applications_summary.label("applications"),
            checkouts.c.activation_key,
            checkouts.c.created_at,
            checkouts.c.created_by,
            checkouts.c.created_via,
            checkouts.c.expires_at,
            status_expression(named).label("status"),
            case((expired, checkouts.c.expires_at), else_=checkouts.c.checked_in_at).label(
                "checked_in_at"
            ),
            checkouts.c.checked_in_by,
            case(
                (expired, literal(CheckInMethod.EXPIRY.value)), else_=checkouts.c.check_in_method
            ).label("check_in_method"),
        )
        .where(_where(query, named))
        .order_by(*_order(query, named))
        .execution_options(yield_per=batch)
    )
    if conn.dialect.name == "postgresql":
        # A server-side cursor is planned for its first tenth of rows by default (an index walk
        # in the sort's order, filtered as it goes); every row is read, so plan for all of them:
        # 3.8 s against 1.4 s for 100,000 rows.
        conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1.0")
    yield from conn.execute(statement)


def search(conn: Connection, query: CheckoutQuery, now: datetime) -> CheckoutPage:
    """A page of checkouts and the count of all that match, in three statements (the count,
    the page, the page's application lines) sent on the driver's cursor."""
    named = Named(now)
    where = _where(query, named)
    limit = named("page_size", query.page_size)
    offset = named("offset", (query.page - 1) * query.page_size)
    shape = (
        query.status,
        tuple(query.sort),
        query.check_in_method == CheckInMethod.EXPIRY.value,
        tuple(named.values),
    )
    statements = _SHAPES.get(shape)
    if statements is None:
        page = select(*_COLUMNS).where(where).order_by(*_order(query, named))
        statements = (
            select(func.count()).select_from(checkouts).where(where),
            page.limit(limit).offset(offset),
        )
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[shape] = statements
    counted, paged = statements
    total = driver.fetch(conn, counted, named.values)[0][0]
    rows = driver.fetch(conn, paged, named.values)
    return CheckoutPage(_with_lines(conn, rows), int(total), query.page, query.page_size)


# A list query's statements by its shape (listing, sort, which filters): a portal uses a few
# dozen shapes, and a caller trying every combination only empties this now and then.
MAX_SHAPES = 256
_SHAPES: dict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = {}


def _filters(query: CheckoutQuery, named: Named) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.country:
        found.append(checkouts.c.country == named("country", query.country.upper()))
    if query.created_via:
        found.append(checkouts.c.created_via == named("created_via", query.created_via))
    if query.owner:
        # Emails are stored with the domain in lower case and the local part as typed.
        found.append(func.lower(checkouts.c.user_email) == named("owner", query.owner.lower()))
    if query.license_service:
        # The stored names are canonical: compare with the canonical spelling so an index and
        # the planner's statistics apply (lower() on the column would hide both).
        wanted = query.license_service.lower()
        canonical = next((s.value for s in LicenseService if s.value.lower() == wanted), None)
        service = named("license_service", canonical or query.license_service)
        found.append(checkouts.c.license_service == service)
    if query.user:
        pattern = named("user", f"%{escape_like(query.user.lower())}%")
        found.append(
            or_(
                func.lower(checkouts.c.user_email).like(pattern, escape="\\"),
                func.lower(checkouts.c.user_display_name).like(pattern, escape="\\"),
            )
        )
    for column, part in (
        (checkouts.c.created_by, query.created_by),
        (checkouts.c.checked_in_by, query.checked_in_by),
    ):
        if part and part.strip():
            pattern = named(column.name, f"%{escape_like(part.strip().lower())}%")
            found.append(func.lower(column).like(pattern, escape="\\"))
    if query.machine:
        machine = named("machine", f"%{escape_like(machine_key(query.machine))}%")
        found.append(checkouts.c.machine_key.like(machine, escape="\\"))
    if query.search and query.search.strip():
        pattern = named("search", f"%{escape_like(query.search.strip().lower())}%")
        found.append(
            or_(
                func.lower(checkouts.c.user_email).like(pattern, escape="\\"),
                func.lower(checkouts.c.user_display_name).like(pattern, escape="\\"),
                func.lower(checkouts.c.machine).like(pattern, escape="\\"),
                func.lower(checkouts.c.applications_summary).like(pattern, escape="\\"),
            )
        )
    if query.application or query.version:
        line = checkout_applications
        match = [line.c.checkout_id == checkouts.c.id]
        if query.application:
            pattern = named("application", f"%{escape_like(query.application.lower())}%")
            match.append(func.lower(line.c.application).like(pattern, escape="\\"))
        if query.version:
            version = named("version", f"{escape_like(query.version.strip())}%")
            match.append(line.c.version.like(version, escape="\\"))
        found.append(exists().where(and_(*match)))
    for column, low, high in (
        (checkouts.c.created_at, query.created_from, query.created_to),
        (checkouts.c.expires_at, query.expires_from, query.expires_to),
    ):
        if low is not None:
            found.append(column >= named(f"{column.name}_from", low, column.type))
        if high is not None:
            found.append(column < named(f"{column.name}_to", high, column.type))
    return found


_SORT_COLUMNS: dict[str, ColumnElement[Any]] = {
    "user": checkouts.c.user_email,
    "machine": checkouts.c.machine_key,
    "country": checkouts.c.country,
    "license_service": checkouts.c.license_service,
    "applications": checkouts.c.applications_summary,
    "created_at": checkouts.c.created_at,
    "expires_at": checkouts.c.expires_at,
    "checked_in_at": checkouts.c.checked_in_at,
    "created_via": checkouts.c.created_via,
    "created_by": checkouts.c.created_by,
    "checked_in_by": checkouts.c.checked_in_by,
}


def _sort_column(name: str, named: Named) -> ColumnElement[Any]:
    # The status expression depends on now: built only when the list is sorted by it.
    return status_expression(named) if name == "status" else _SORT_COLUMNS[name]


_COLUMNS = [c for c in checkouts.c if c.name != "license_file"]


@lru_cache(maxsize=4096)
def _stored_version(text: str) -> Version:
    """Stored versions repeat on every page (a catalog has a few hundred): parse each once."""
    return Version.parse(text)


def _lines_of(ids: ColumnElement[bool]) -> Select[tuple[str, str, str]]:
    line = checkout_applications.c
    return (
        select(line.checkout_id, line.application, line.version)
        .where(ids)
        .order_by(line.checkout_id, line.position)
    )


# Built once, with the ids as one parameter: building and rendering an IN of a page's ids
# afresh cost more than running it. PostgreSQL takes them as one array.
_LINES_OF = {
    "postgresql": _lines_of(
        checkout_applications.c.checkout_id == any_(bindparam("ids", type_=ARRAY(String)))
    ),
    "sqlite": _lines_of(checkout_applications.c.checkout_id.in_(bindparam("ids", expanding=True))),
}
_SERVICES = {s.value: s for s in LicenseService}
_METHODS = {m.value: m for m in CheckInMethod}
_VIA = {v.value: v for v in CreatedVia}


def _with_lines(conn: Connection, rows: Sequence[Any]) -> list[Checkout]:
    ids = [row.id for row in rows]
    lines: dict[str, list[CheckoutLine]] = {i: [] for i in ids}
    if ids:
        statement = _LINES_OF.get(conn.dialect.name, _LINES_OF["sqlite"])
        for line in driver.fetch(conn, statement, {"ids": ids}):
            lines[line.checkout_id].append(
                CheckoutLine(line.application, _stored_version(line.version))
            )
    return [
        Checkout(
            id=row.id,
            organisation_id=row.organisation_id,
            country=row.country,
            license_service=_SERVICES[row.license_service],
            user_email=row.user_email,
            user_display_name=row.user_display_name,
            machine=row.machine,
            activation_key=row.activation_key,
            lines=tuple(lines[row.id]),
            created_at=row.created_at,
            created_by=row.created_by,
            expires_at=row.expires_at,
            checked_in_at=row.checked_in_at,
            checked_in_by=row.checked_in_by,
            check_in_method=_METHODS[row.check_in_method] if row.check_in_method else None,
            license_digest=row.license_digest,
            client_cleared_at=row.client_cleared_at,
            created_via=_VIA[row.created_via],
            machine_fingerprint=row.machine_fingerprint,
            notes=row.notes,
        )
        for row in rows
    ]
