"""What the new-checkout form offers, scoped to the caller's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from entitle.domain import names
from entitle.domain.checkouts import require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput, NotFound
from entitle.domain.expiry import expiry_cap
from entitle.domain.model import ActivationKey, ApplicationVersion, LicenseService, User
from entitle.domain.request_file import RequestFile, parse_request_file
from entitle.service.actors import actor_and_organisation
from entitle.service.context import Services
from entitle.store import catalog, organisations

MAX_RESULTS = 50


@dataclass(frozen=True)
class CountryChoice:
    country: str
    checkouts_enabled: bool
    max_days: int
    latest_expires_on: date | None


def countries(services: Services, actor_email: str) -> list[CountryChoice]:
    """Entitlement countries with the latest expiry a checkout made today may have."""
    today = services.now().date()
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
    require_manager(actor)
    choices = []
    for settings in organisation.countries:
        cap = expiry_cap(today, organisation.contract_end, settings)
        choices.append(
            CountryChoice(
                settings.country,
                settings.checkouts_enabled,
                settings.max_days,
                cap if cap > today else None,
            )
        )
    return choices


def license_services(services: Services, actor_email: str) -> list[LicenseService]:
    with services.uow(read_only=True) as uow:
        actor, _ = actor_and_organisation(uow.conn, actor_email)
    require_manager(actor)
    return list(LicenseService)


def applications(
    services: Services, actor_email: str, service: LicenseService | None, prefix: str = ""
) -> list[str]:
    with services.uow(read_only=True) as uow:
        actor, _ = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        return catalog.search_applications(uow.conn, service, prefix, MAX_RESULTS)


def versions(
    services: Services,
    actor_email: str,
    application: str,
    service: LicenseService | None,
    prefix: str = "",
) -> list[ApplicationVersion]:
    with services.uow(read_only=True) as uow:
        actor, _ = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        if not catalog.releases_of(uow.conn, [application]):
            raise NotFound(
                Code.APPLICATION_NOT_FOUND,
                f"'{application}' is not an application in the catalog.",
                field="name",
            )
        return catalog.search_versions(uow.conn, application, service, prefix.strip(), MAX_RESULTS)


def users(services: Services, actor_email: str, text: str = "") -> list[User]:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        return organisations.search_users(uow.conn, organisation.id, text.strip(), MAX_RESULTS)


def activation_keys(
    services: Services, actor_email: str, country: str | None = None
) -> list[ActivationKey]:
    code = names.country(country) if country else None
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        if code is not None and organisation.policy_for(code) is None:
            raise InvalidInput(
                Code.COUNTRY_NOT_ENTITLED,
                f"{code} is not one of your entitlement countries.",
                field="country",
            )
        return organisations.keys_of(uow.conn, organisation.id, code)


@dataclass(frozen=True)
class CheckoutDraft:
    """A request file read for the new-checkout form: its fields, application names as the
    catalog spells them, and the license service its versions use (when they agree)."""

    request: RequestFile
    applications: tuple[tuple[str, str], ...]
    license_service: LicenseService | None


def read_request_file(services: Services, actor_email: str, data: str | bytes) -> CheckoutDraft:
    """Read a workstation's request file for an administrator: every bad field is named."""
    with services.uow(read_only=True) as uow:
        actor, _ = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        request = parse_request_file(data)
        releases = catalog.releases_of(uow.conn, [name for name, _ in request.applications])
    lines, used = [], set()
    for name, version in request.applications:
        known = releases.get(name.lower(), [])
        wanted = next((r for r in known if str(r.version) == version), None)
        lines.append((known[0].application if known else name, version))
        used.add(wanted.license_service if wanted else None)
    service = used.pop() if len(used) == 1 else None
    return CheckoutDraft(request, tuple(lines), service)
