"""The catalog: applications, their released versions and the license service each uses."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, select

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
        found.setdefault(name.lower(), []).append(
            ApplicationVersion(name, Version.parse(version), LicenseService(service))
        )
    return found


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


def add_release(conn: Connection, release: ApplicationVersion) -> bool:
    """Add one version of an application; False when the catalog already had it."""
    key = release.application.strip().lower()
    app_id = conn.execute(select(applications.c.id).where(applications.c.name_key == key)).scalar()
    if app_id is None:
        result = conn.execute(
            applications.insert().values(name=release.application.strip(), name_key=key)
        )
        assert result.inserted_primary_key is not None
        app_id = result.inserted_primary_key[0]
    exists = conn.execute(
        select(func.count())
        .select_from(application_versions)
        .where(
            (application_versions.c.application_id == app_id)
            & (application_versions.c.version_key == release.version.sort_key)
        )
    ).scalar()
    if exists:
        return False
    conn.execute(
        application_versions.insert().values(
            application_id=app_id,
            version=str(release.version),
            version_key=release.version.sort_key,
            license_service=release.license_service.value,
        )
    )
    return True
