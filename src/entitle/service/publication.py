"""What workstations fetch to trust this server: the issuer root, certificates, revocations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from entitle.domain.codes import Code
from entitle.domain.errors import NotFound
from entitle.service.context import Services
from entitle.store import organisations
from entitle.store.revocations import checked_in_before_expiry, superseded_before_expiry

if TYPE_CHECKING:
    from entitle.licensefile.keys import SignedRevocationList


@runtime_checkable
class PublishesTrust(Protocol):
    """The signer's public side (:class:`entitle.licensefile.keys.ServerKeys`)."""

    @property
    def root_fingerprint(self) -> str: ...

    @property
    def crl(self) -> bytes: ...

    def root_pem(self) -> bytes: ...

    def certificates_pem(self, now: datetime | None = None) -> bytes: ...

    def jwks(self, now: datetime | None = None) -> dict[str, Any]: ...

    def xml_certificates_pem(self, now: datetime | None = None) -> bytes: ...

    def notices(self, now: datetime | None = None) -> list[str]: ...

    def sign_revocation_list(
        self,
        organisation_id: str,
        checkout_ids: Iterable[str],
        superseded_digests: Iterable[str],
        now: datetime,
    ) -> SignedRevocationList: ...


def publisher(services: Services) -> PublishesTrust:
    """The keys workstations trust, as the signer publishes them."""
    if not isinstance(services.signer, PublishesTrust):
        raise NotFound(Code.KEYS_NOT_PUBLISHED, "This server publishes no keys.")
    return services.signer


def issuer_fingerprint(services: Services) -> str | None:
    """The issuer root's fingerprint, for people to read and pin; None if none is published."""
    signer = services.signer
    return signer.root_fingerprint if isinstance(signer, PublishesTrust) else None


def revocation_list(services: Services, organisation_id: str) -> SignedRevocationList:
    """The organisation's signed revocation list: its checkouts checked in before expiry, the
    license files renewals superseded, and the root-signed CRL of revoked signing keys."""
    signer = publisher(services)
    number = int(organisation_id) if organisation_id.isascii() and organisation_id.isdigit() else 0
    now = services.now()
    with services.uow(read_only=True) as uow:
        if not 0 < number < 2**31 or organisations.get(uow.conn, number) is None:
            raise NotFound(
                Code.ORGANISATION_NOT_FOUND,
                f"No organisation {organisation_id[:40]!r} publishes a revocation list here.",
            )
        checked_in = checked_in_before_expiry(uow.conn, number, now)
        superseded = superseded_before_expiry(uow.conn, number, now)
    return signer.sign_revocation_list(str(number), checked_in, superseded, now)
