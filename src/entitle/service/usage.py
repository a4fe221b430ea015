"""Usage reports for administrators: totals per group, daily usage, peak machines, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection

from entitle.domain import names
from entitle.domain.calendar import add_years
from entitle.domain.checkouts import require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput, NotFound
from entitle.domain.model import LicenseService, Organisation
from entitle.domain.usage import format_duration
from entitle.service.actors import actor_and_organisation
from entitle.service.context import Services
from entitle.store import organisations
from entitle.store import usage as store
from entitle.store.usage import CALENDAR_GROUPS, GROUPS, Peak, UsageFilters, UsageQuery, UsageRow

MAX_YEARS = 3
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
DAILY_BY = ("user", "machine")


@dataclass(frozen=True)
class UsageReport:
    """Booked usage of one organisation over the UTC days ``[from_, to)`` as of ``generated_at``."""

    organisation: str
    from_: date
    to: date
    group_by: tuple[str, ...]
    filters: UsageFilters
    rows: list[UsageRow]
    generated_at: datetime
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", (*self.group_by, "minutes", "duration"))

    @property
    def total_minutes(self) -> int:
        return 10 * sum(row.intervals for row in self.rows)

    def items(self) -> list[dict[str, str | int]]:
        """One mapping per row: the group keys, ``minutes`` and ``duration`` (``D HH:MM``)."""
        return [
            {
                **dict(zip(self.group_by, row.keys, strict=True)),
                "minutes": 10 * row.intervals,
                "duration": format_duration(row.intervals),
            }
            for row in self.rows
        ]


def usage_report(
    services: Services,
    actor_email: str,
    from_: date,
    to: date,
    group_by: Sequence[str] = (),
    filters: UsageFilters | None = None,
) -> UsageReport:
    """Total booked usage per group; every application of every checkout is booked."""
    return _report(services, from_, to, group_by, filters, actor_email=actor_email)


def organisation_usage_report(
    services: Services,
    organisation_name: str,
    from_: date,
    to: date,
    group_by: Sequence[str] = (),
    filters: UsageFilters | None = None,
) -> UsageReport:
    """The same report for an operator, who names the organisation (``entitle usage``)."""
    return _report(services, from_, to, group_by, filters, organisation_name=organisation_name)


def _report(
    services: Services,
    from_: date,
    to: date,
    group_by: Sequence[str],
    filters: UsageFilters | None,
    *,
    actor_email: str | None = None,
    organisation_name: str | None = None,
) -> UsageReport:
    groups = parse_group_by(group_by)
    wanted = check_filters(filters or UsageFilters())
    check_range(from_, to)
    now = services.now()
    with services.uow(read_only=True) as uow:
        organisation = _organisation(uow.conn, actor_email, organisation_name)
        query = UsageQuery(organisation.id, from_, to, groups, wanted)
        rows = store.totals(uow.conn, query, now)
    return UsageReport(organisation.name, from_, to, groups, wanted, rows, now)


def _organisation(
    conn: Connection, actor_email: str | None, organisation_name: str | None
) -> Organisation:
    if actor_email is not None:
        actor, organisation = actor_and_organisation(conn, actor_email)
        require_manager(actor)
        return organisation
    found = organisations.by_name(conn, (organisation_name or "").strip())
    if found is None:
        raise NotFound(Code.ORGANISATION_NOT_FOUND, f"No organisation named {organisation_name}.")
    return found


def daily_usage(
    services: Services,
    actor_email: str,
    from_: date,
    to: date,
    by: str,
    filters: UsageFilters | None = None,
) -> UsageReport:
    """ "Daily usage by user" or "by machine": one row per day and user (or machine)."""
    if by not in DAILY_BY:
        raise InvalidInput(
            Code.DAILY_BY_UNKNOWN, "Daily usage is by user or by machine.", field="group_by"
        )
    return usage_report(services, actor_email, from_, to, ("day", by), filters)


def peak_usage(
    services: Services,
    actor_email: str,
    from_: date,
    to: date,
    filters: UsageFilters | None = None,
) -> Peak:
    """The most distinct machines with a booked 10-minute interval at once, and when first."""
    wanted = check_filters(filters or UsageFilters())
    check_range(from_, to)
    with services.uow(read_only=True) as uow:
        organisation = _organisation(uow.conn, actor_email, None)
        query = UsageQuery(organisation.id, from_, to, (), wanted)
        return store.peak(uow.conn, query, services.now())


def parse_group_by(group_by: Sequence[str]) -> tuple[str, ...]:
    parts = [p.strip().lower() for text in group_by for p in text.split(",") if p.strip()]
    for part in parts:
        if part not in GROUPS:
            raise InvalidInput(
                Code.GROUP_BY_UNKNOWN,
                f"Cannot group by '{part}'; use any of {', '.join(GROUPS)}.",
                field="group_by",
            )
    groups = tuple(dict.fromkeys(parts))
    if all(g in groups for g in CALENDAR_GROUPS):
        raise InvalidInput(
            Code.GROUP_BY_DAY_AND_MONTH, "Group by day or by month, not both.", field="group_by"
        )
    return groups


RANGE_AND_FILTER_REFUSALS = (
    Code.DATE_OUT_OF_RANGE,
    Code.RANGE_EMPTY,
    Code.RANGE_TOO_LONG,
    Code.COUNTRY_INVALID,
    Code.MACHINE_NAME_INVALID,
    Code.LICENSE_SERVICE_UNKNOWN,
)
"""What :func:`check_range` and :func:`check_filters` refuse a report's request with."""
GROUP_BY_REFUSALS = (Code.GROUP_BY_UNKNOWN, Code.GROUP_BY_DAY_AND_MONTH)
"""What :func:`parse_group_by` refuses."""


def check_range(from_: date, to: date) -> None:
    for name, day in (("from", from_), ("to", to)):
        if not EARLIEST <= day <= LATEST:
            raise InvalidInput(
                Code.DATE_OUT_OF_RANGE,
                f"'{name}' must be a day between {EARLIEST} and {LATEST}.",
                field=name,
            )
    if from_ >= to:
        raise InvalidInput(
            Code.RANGE_EMPTY,
            "'from' must be before 'to': the range includes 'from' and excludes 'to', "
            "so one day is from=2026-03-01 to=2026-03-02.",
            field="to",
        )
    cap = add_years(from_, MAX_YEARS)
    if to > cap:
        raise InvalidInput(
            Code.RANGE_TOO_LONG,
            f"A report covers at most {MAX_YEARS} years: choose 'to' on or before {cap}.",
            field="to",
        )


def check_filters(filters: UsageFilters) -> UsageFilters:
    if filters.country:
        names.country(filters.country)
    if filters.machine:
        names.machine_name(filters.machine)
    service = filters.license_service
    if service and service.lower() not in (s.value.lower() for s in LicenseService):
        raise InvalidInput(
            Code.LICENSE_SERVICE_UNKNOWN,
            f"'{service}' is not a license service: use SES or SELECTserver.",
            field="license_service",
        )
    return filters


def report_csv(report: UsageReport) -> str:
    """The report's rows as CSV with a header line: group keys, minutes, duration."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=report.columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(report.items())
    return buffer.getvalue()
