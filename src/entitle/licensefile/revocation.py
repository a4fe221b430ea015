"""Revocation lists: which licenses of an organisation may no longer be used, and which keys.

A license server publishes one list per organisation at
:func:`~entitle.licensefile.wellknown.revocation_list_path`. It is a compact JWS like a
``.belic`` file (Ed25519, ``x5c`` = the signer's certificate and the issuer root's), with
``typ`` = ``"entitle-revocations+jws"``, signed by a key the root certified for
:data:`~entitle.licensefile.issuers.REVOCATION_SIGNING` only: the root itself may be kept
offline, and a license signing key cannot sign a list. The payload::

    {"ver": 1, "org": "42", "iat": 1764583200, "next": 1764669600,
     "checked_in": ["<checkout id>", ...], "superseded": ["<sha256 of a file>", ...],
     "crl": "<base64url DER>"}

``checked_in``: checkouts checked in before their expiry (expired ones drop off, as their files
no longer verify anyway); ``superseded``: digests of license files replaced by a newer file of
the same checkout; ``iat`` the signing time, ``next`` when to fetch again. ``crl`` is the
root-signed X.509 CRL of revoked signing certificates, also published on its own at
:data:`~entitle.licensefile.wellknown.CRL_PATH`, embedded so that one fetch brings both.

On a workstation::

    revocations = RevocationList.verify(body, issuers, organisation_id="42")
    issuers = issuers.with_revoked(revocations.revoked_serials)   # keys: verify() refuses
    revocations.checkout_ids, revocations.superseded_digests       # drop these licenses
    revocations.issued_at     # a server-signed time: a floor for the workstation's clock

A list only ever adds revocations: keep the union of what every verified list said (an older
list replayed by someone on the path must not bring a license back). Verification does not
compare ``iat`` or ``next`` with the clock, so a list fetched by a workstation whose clock is
wrong still verifies and can correct it; the signer's certificate must cover ``iat``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from entitle.licensefile.claims import Frozen
from entitle.licensefile.der import Certificate
from entitle.licensefile.errors import LicenseFileError
from entitle.licensefile.issuers import REVOCATION_SIGNING, TrustedIssuers, check_within
from entitle.licensefile.jwk import b64url_decode, b64url_encode, sha256
from entitle.licensefile.jws import JwsSigner, verify_compact
from entitle.licensefile.keyerrors import InvalidRevocationList
from entitle.licensefile.timestamps import UTC, datetime, timedelta

REVOCATIONS_TYP = "entitle-revocations+jws"
FORMAT_VERSION = 1
LIST_LIFETIME = timedelta(days=1)
"""How long after its issue time a list says to fetch the next one."""


class RevocationList(Frozen):
    """A verified revocation list of one organisation (see the module docstring)."""

    _fields = (
        "organisation_id",
        "issued_at",
        "next_update",
        "checkout_ids",
        "superseded_digests",
        "revoked_serials",
    )
    __slots__ = _fields
    organisation_id: str
    issued_at: datetime
    next_update: datetime
    checkout_ids: frozenset[str]
    superseded_digests: frozenset[str]
    revoked_serials: frozenset[int]

    def __init__(
        self,
        organisation_id: str,
        issued_at: datetime,
        next_update: datetime,
        checkout_ids: Iterable[str],
        superseded_digests: Iterable[str],
        revoked_serials: Iterable[int],
    ) -> None:
        self._init(
            organisation_id=organisation_id,
            issued_at=issued_at,
            next_update=next_update,
            checkout_ids=frozenset(checkout_ids),
            superseded_digests=frozenset(superseded_digests),
            revoked_serials=frozenset(revoked_serials),
        )

    @classmethod
    def verify(
        cls, data: bytes, issuers: TrustedIssuers, *, organisation_id: str | None = None
    ) -> RevocationList:
        """The list in ``data``, once signed by a key a pinned issuer certified for lists.

        ``organisation_id``, when given, must be the list's. Raises
        :class:`~entitle.licensefile.errors.InvalidRevocationList`.
        """
        try:
            payload_b64, signer, chain = verify_compact(
                data, REVOCATIONS_TYP, issuers, REVOCATION_SIGNING, datetime.now(UTC)
            )
            payload = json.loads(b64url_decode(payload_b64))
            found = _from_payload(payload)
            assert signer is not None
            check_within(signer, found.issued_at, found.issued_at)
        except LicenseFileError as error:
            raise InvalidRevocationList(str(error).rstrip(".")) from None
        except (ValueError, KeyError, TypeError, RecursionError) as error:
            if isinstance(error, InvalidRevocationList):
                raise
            raise InvalidRevocationList(f"its content is malformed ({error})") from None
        root = issuers.issuer_root(signer, chain)
        assert root is not None  # the signer's chain was checked to end at it
        serials = _crl_serials(b64url_decode(payload["crl"]), root)
        if signer.serial_number in serials:
            raise InvalidRevocationList("its signing key was revoked by the issuer")
        if organisation_id is not None and found.organisation_id != organisation_id:
            raise InvalidRevocationList(
                f"it is the list of organisation {found.organisation_id}, not {organisation_id}"
            )
        return found.replace(revoked_serials=serials)


def sign_revocation_list(
    signer: JwsSigner,
    crl: bytes,
    organisation_id: str,
    checkout_ids: Iterable[str],
    superseded_digests: Iterable[str],
    now: datetime,
) -> bytes:
    """The signed list (server side); ``signer`` holds a revocation signing key and chain."""
    issued_at = int(now.timestamp())
    payload = {
        "ver": FORMAT_VERSION,
        "org": organisation_id,
        "iat": issued_at,
        "next": issued_at + int(LIST_LIFETIME.total_seconds()),
        "checked_in": sorted(set(checkout_ids)),
        "superseded": sorted(set(superseded_digests)),
        "crl": b64url_encode(crl),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return signer.sign_payload(text, REVOCATIONS_TYP)


def revocation_list_tag(
    signer_kid: str,
    crl: bytes,
    organisation_id: str,
    checkout_ids: Iterable[str],
    superseded_digests: Iterable[str],
) -> str:
    """An entity tag for a list: equal exactly when everything but its times is equal."""
    parts = (signer_kid, sha256(crl).hex(), organisation_id)
    lists = (sorted(set(checkout_ids)), sorted(set(superseded_digests)))
    content = json.dumps([*parts, *lists], separators=(",", ":"))
    return sha256(content.encode("utf-8")).hex()[:32]


def _from_payload(payload: Any) -> RevocationList:
    if not isinstance(payload, dict) or payload.get("ver") != FORMAT_VERSION:
        raise InvalidRevocationList("it is not a revocation list of a version this tool reads")
    if payload.keys() != {"ver", "org", "iat", "next", "checked_in", "superseded", "crl"}:
        raise InvalidRevocationList("its content has unexpected members")
    organisation = payload["org"]
    ids = payload["checked_in"]
    digests = payload["superseded"]
    times = (payload["iat"], payload["next"])
    if (
        not isinstance(organisation, str)
        or not all(isinstance(t, int) and not isinstance(t, bool) for t in times)
        or not isinstance(ids, list)
        or not isinstance(digests, list)
        or not all(isinstance(i, str) for i in (*ids, *digests))
        or not isinstance(payload["crl"], str)
    ):
        raise InvalidRevocationList("its content has members of the wrong type")
    return RevocationList(
        organisation,
        datetime.fromtimestamp(times[0], UTC),
        datetime.fromtimestamp(times[1], UTC),
        ids,
        digests,
        (),
    )


def _crl_serials(der: bytes, root: Certificate) -> frozenset[int]:
    """The revoked serial numbers of a CRL signed by the root that issued the list's signer."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        crl = x509.load_der_x509_crl(der)
        if crl.issuer.public_bytes() != root.subject:
            raise InvalidRevocationList("its key revocations name another issuer")
        if not crl.is_signature_valid(Ed25519PublicKey.from_public_bytes(root.public_key)):
            raise InvalidRevocationList("its key revocations were not signed by the issuer root")
    except (ValueError, TypeError) as error:
        if isinstance(error, InvalidRevocationList):
            raise
        raise InvalidRevocationList(f"its key revocations are malformed ({error})") from None
    return frozenset(entry.serial_number for entry in crl)
