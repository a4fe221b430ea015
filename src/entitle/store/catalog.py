"""The catalog: applications, their released versions and the license service each uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Table, exists, func, select, true
from sqlalchemy.dialects import postgresql, sqlite

from entitle.domain.model import ApplicationVersion, LicenseService
from entitle.domain.versions import Version
from entitle.store.like import escape_like
from entitle.store.tables import application_versions, applications


def releases_of(conn: Connection, names: Iterable[str]) -> dict[str, list[ApplicationVersion]]:
    """Released versions by lower-cased application name, for the names asked about."""
    keys = {n.strip().lower() for n in names}
    rows = conn.execute(
        select(
            applications.c.name,
            application_versions.c.version,
            application_versions.c.license_service,
        )
        .join(application_versions, application_versions.c.application_id == applications.c.id)
        .where(applications.c.name_key.in_(keys))
    ).all()
    found: dict[str, list[ApplicationVersion]] = {}
    for name, version, service in rows:
        found.setdefault(name.lower(), []).append(release(name, version, service))
    return found


def release(name: str, version: str, service: str) -> ApplicationVersion:
    """A released version as the catalog's tables store it."""
    return ApplicationVersion(name, Version.parse(version), LicenseService(service))


def search_applications(
    conn: Connection, service: LicenseService | None, prefix: str = "", limit: int = 20
) -> list[str]:
    query = select(applications.c.name).distinct()
    if service is not None:
        query = query.join(
            application_versions, application_versions.c.application_id == applications.c.id
        ).where(application_versions.c.license_service == service.value)
    if prefix:
        query = query.where(
            applications.c.name_key.like(f"{escape_like(prefix.strip().lower())}%", escape="\\")
        )
    return list(conn.execute(query.order_by(applications.c.name).limit(limit)).scalars())


def search_versions(
    conn: Connection,
    application: str,
    service: LicenseService | None,
    prefix: str = "",
    limit: int = 50,
) -> list[ApplicationVersion]:
    releases = releases_of(conn, [application]).get(application.strip().lower(), [])
    chosen = [
        r
        for r in releases
        if (service is None or r.license_service is service) and str(r.version).startswith(prefix)
    ]
    return sorted(chosen, key=lambda r: r.version, reverse=True)[:limit]


@dataclass(frozen=True)
class ApplicationsPage:
    """One page of applications in name order, each with its versions newest first."""

    items: list[tuple[str, list[ApplicationVersion]]]
    total: int


def applications_page(
    conn: Connection, text: str, service: LicenseService | None, page: int, page_size: int
) -> ApplicationsPage:
    """Applications whose name contains ``text`` (any case) and that have a version of
    ``service``, with those versions; counted and paged in SQL."""
    condition: ColumnElement[bool] = true()
    if text.strip():
        pattern = f"%{escape_like(text.strip().lower())}%"
        condition = condition & applications.c.name_key.like(pattern, escape="\\")
    if service is not None:
        condition = condition & exists().where(
            (application_versions.c.application_id == applications.c.id)
            & (application_versions.c.license_service == service.value)
        )
    total = conn.execute(select(func.count()).select_from(applications).where(condition)).scalar()
    chosen = conn.execute(
        select(applications.c.id, applications.c.name)
        .where(condition)
        .order_by(applications.c.name_key)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    versions = select(
        application_versions.c.application_id,
        application_versions.c.version,
        application_versions.c.license_service,
    ).where(application_versions.c.application_id.in_([r.id for r in chosen]))
    if service is not None:
        versions = versions.where(application_versions.c.license_service == service.value)
    found: dict[int, list[ApplicationVersion]] = {r.id: [] for r in chosen}
    names = {r.id: r.name for r in chosen}
    for app_id, version, used in conn.execute(
        versions.order_by(application_versions.c.version_key.desc())
    ):
        found[app_id].append(
            ApplicationVersion(names[app_id], Version.parse(version), LicenseService(used))
        )
    return ApplicationsPage([(names[r.id], found[r.id]) for r in chosen], int(total or 0))


def add_releases(conn: Connection, releases: Sequence[ApplicationVersion]) -> int:
    """Add the versions the catalog lacks, a few statements for the lot; returns how many were
    added. A version (or application) another import added first is left as it is, so adding
    is idempotent, also when two imports run at once."""
    if not releases:
        return 0
    names = {r.application.strip().lower(): r.application.strip() for r in reversed(releases)}
    conn.execute(
        _insert(conn, applications).on_conflict_do_nothing(index_elements=["name_key"]),
        [{"name": name, "name_key": key} for key, name in names.items()],
    )
    ids: dict[str, int] = {}
    keys = list(names)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = select(applications.c.name_key, applications.c.id)
        for key, app_id in conn.execute(query.where(applications.c.name_key.in_(chunk))):
            ids[key] = app_id
    added = conn.execute(
        _insert(conn, application_versions)
        .on_conflict_do_nothing(index_elements=["application_id", "version_key"])
        .returning(application_versions.c.id),
        [
            {
                "application_id": ids[r.application.strip().lower()],
                "version": str(r.version),
                "version_key": r.version.sort_key,
                "license_service": r.license_service.value,
            }
            for r in releases
        ],
    )
    return len(added.all())


_CHUNK = 5000  # names in one IN (...): well under SQLite's limit of bound parameters


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
