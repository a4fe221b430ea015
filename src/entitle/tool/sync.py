"""Bring this workstation up to date with its license servers: certificates and revocations.

For each license server (the one given, else those this user trusted or synced with, and
those the machine-wide configuration names), :func:`sync`:

1. fetches the certificates it publishes (``/.well-known/entitle-certificates.pem``) and caches
   those a pinned issuer root issued (any other is dropped: a cached certificate is only ever
   read, never trusted by itself);
2. fetches the revocation list of each organisation whose licenses are stored (with the
   ``ETag`` of the last one), verifies it against the pinned issuers and keeps what it says
   (:mod:`entitle.tool.revocations`): lists only add;
3. drops every stored license a list names (checked in on the server), whose file a list says
   was superseded, or whose signing key was revoked, and records the checkouts as refused
   (:class:`~entitle.tool.store.RefusedCheckout`), so that importing them again is refused;
4. takes each list's signed issue time as a floor for the clock guard: a clock behind it by
   more than a day is refused from then on.

The store is read before and written after the network: nothing is locked while a server is
slow. A server that cannot be reached changes nothing. The online commands (``trust``,
``clear --send``, ``send-receipts``) end with a sync of their server.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable
from typing import NamedTuple

from entitle.licensefile import (
    LICENSE_SIGNING,
    REVOCATION_SIGNING,
    InvalidTrustedKeys,
    LicenseFileError,
    LicenseRevoked,
    TrustedIssuers,
    fingerprint,
    verify,
    wellknown,
)
from entitle.licensefile.der import CertificateError, parse_certificate
from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool.check import clock_problem
from entitle.tool.errors import NoServer, ServerUnreachable, TrustSourceError
from entitle.tool.http import base_url, get, is_url, server_of
from entitle.tool.revocations import KeptList, Revocations
from entitle.tool.store import KEY_REVOKED, SUPERSEDED, RefusedCheckout, Store, StoreState
from entitle.tool.trusted import store_issuers


class SyncOutcome(NamedTuple):
    """What one license server's sync did; :meth:`lines` says it for people."""

    server: str
    online: bool
    message: str
    certificates_added: int = 0
    lists_new: int = 0
    lists_unchanged: int = 0
    dropped: tuple[RefusedCheckout, ...] = ()
    problems: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """One line for the server, one per dropped license, one per problem."""
        dropped = [f"Dropped checkout {r.checkout_id}: {r.message}" for r in self.dropped]
        return [self.message, *dropped, *self.problems]


class Fetched(NamedTuple):
    """What a server gave, verified, before anything is stored."""

    server: str
    certificates: tuple[bytes, ...]
    lists: tuple[KeptList, ...]
    revoked_serials: frozenset[int]
    unchanged: int
    problems: tuple[str, ...]


def sync(
    server_url: str | None = None,
    *,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> list[SyncOutcome]:
    """Fetch certificates and revocation lists from ``server_url`` (default: every license
    server known here) and apply them; one outcome per server.

    ``server_url`` is a license server's base URL or the URL of a document it publishes under
    ``/.well-known/``. A server given here is remembered for later syncs once it gave a
    certificate or a list that verifies. Raises :class:`~entitle.tool.errors.NotTrusted` when
    no issuer is pinned in the machine-wide configuration (lists are verified against it),
    :class:`~entitle.tool.errors.NoServer` when no server is given or known, and
    :class:`~entitle.tool.errors.TrustSourceError` for a URL that names no server.
    """
    moment = _now(now)
    store = Store(home)
    state = store.read()
    issuers = store_issuers(state)
    servers = [license_server(server_url)] if server_url else known_servers(state)
    if not servers:
        raise NoServer()
    outcomes = []
    for server in servers:
        try:
            fetched = fetch(server, store, issuers, moment)
        except ServerUnreachable as error:
            outcomes.append(SyncOutcome(server, False, f"{error.message} Nothing changed."))
            continue
        outcomes.append(apply(store, issuers, fetched, moment, remember=server_url is not None))
    return outcomes


def license_server(url: str) -> str:
    """The license server ``url`` names: its base URL, or the URL of a document it publishes
    under ``/.well-known/`` (as ``trust`` takes them). Raises
    :class:`~entitle.tool.errors.TrustSourceError` for the URL of a document elsewhere."""
    server = server_of(url) if is_url(url) else None
    if server is None:
        what = (
            "a document of its own, not a license server"
            if is_url(url)
            else ("not an http:// or https:// URL")
        )
        raise TrustSourceError(
            f"{url} is {what}: give the server's URL (https://licenses.example.com) or that of "
            "a document it publishes under /.well-known/."
        )
    return server


def known_servers(state: StoreState) -> list[str]:
    """The servers this user trusted or synced with, then those the configuration names."""
    from entitle.tool.config import configured_issuers

    configured = [base_url(i.url) for i in configured_issuers() if i.url is not None]
    return list(dict.fromkeys((*state.servers, *configured)))


def fetch(server: str, store: Store, issuers: TrustedIssuers, now: datetime) -> Fetched:
    """The certificates and the new revocation lists ``server`` gives, each verified.

    Raises :class:`~entitle.tool.errors.ServerUnreachable` when it does not answer.
    """
    problems: list[str] = []
    answer = get(server + wellknown.CERTIFICATES_PATH)
    certificates: tuple[bytes, ...] = ()
    if answer.status == 200:
        try:
            certificates = certified(issuers, read_pem(answer.body), now)
        except TrustSourceError as error:
            problems.append(f"{server}{wellknown.CERTIFICATES_PATH}: {error.message}")
    else:
        problems.append(f"{server}{wellknown.CERTIFICATES_PATH} answered HTTP {answer.status}.")
    trusted = issuers.with_certificates(certificates)
    state = store.read()
    revocations = Revocations.read(store)
    organisations = stored_organisations(state, trusted, now) | revocations.organisations(server)
    lists: list[KeptList] = []
    serials: set[int] = set()
    unchanged = 0
    for organisation in sorted(organisations):
        found = _fetch_list(server, organisation, trusted, revocations, problems)
        if found is None:
            continue
        if isinstance(found, KeptList):
            unchanged += 1
            continue
        kept, revoked = found
        lists.append(kept)
        serials |= revoked
    return Fetched(
        server, certificates, tuple(lists), frozenset(serials), unchanged, tuple(problems)
    )


def _fetch_list(
    server: str,
    organisation: str,
    issuers: TrustedIssuers,
    revocations: Revocations,
    problems: list[str],
) -> KeptList | tuple[KeptList, frozenset[int]] | None:
    """The organisation's new list and its revoked serials; the kept one when unchanged;
    None when the server has none for it or it was refused (a problem says why)."""
    from entitle.licensefile import InvalidRevocationList, RevocationList

    path = wellknown.revocation_list_path(urllib.parse.quote(organisation, safe=""))
    kept = revocations.kept(server, organisation)
    headers = {"If-None-Match": kept.etag} if kept is not None and kept.etag else {}
    answer = get(server + path, headers=headers)
    if answer.status == 304 and kept is not None:
        return kept
    if answer.status == 404:
        return None  # not an organisation of this server
    if answer.status != 200:
        problems.append(f"{server}{path} answered HTTP {answer.status}.")
        return None
    try:
        found = RevocationList.verify(answer.body, issuers, organisation_id=organisation)
    except InvalidRevocationList as error:
        problems.append(
            f"The revocation list of organisation {organisation} from {server} was refused: "
            f"{error}."
        )
        return None
    etag = answer.headers.get("etag")
    listed = KeptList(
        server,
        organisation,
        etag,
        found.issued_at,
        found.checkout_ids,
        found.superseded_digests,
    )
    return listed, found.revoked_serials


def apply(
    store: Store, issuers: TrustedIssuers, fetched: Fetched, now: datetime, *, remember: bool
) -> SyncOutcome:
    """Store what ``fetched`` holds and drop the licenses it revokes; the outcome."""
    with store.update() as state:
        before = set(state.certificates)
        state.revoked_serials |= fetched.revoked_serials
        state.certificates = current_certificates(
            (*state.certificates, *fetched.certificates), state.revoked_serials, now
        )
        added = len(set(state.certificates) - before)
        verified = fetched.certificates or fetched.lists or fetched.unchanged
        if remember and verified and fetched.server not in state.servers:
            state.servers = (*state.servers, fetched.server)
        revocations = Revocations.read(store)
        for kept in fetched.lists:
            revocations.keep(kept)
            state.saw(kept.issued_at)
        problems = list(fetched.problems)
        clock = clock_problem(now, state.last_seen)
        if clock is None:
            state.saw(now)
        elif fetched.lists:
            problems.append(clock)
        trusted = issuers.with_certificates(state.certificates).with_revoked(state.revoked_serials)
        dropped = drop_revoked(state, revocations, trusted, now)
        if fetched.lists:
            revocations.write(store)
    message = (
        f"Synced with {fetched.server}: {added} new certificate(s) cached; revocation lists: "
        f"{len(fetched.lists)} new, {fetched.unchanged} unchanged; "
        f"{len(dropped)} license(s) dropped."
    )
    return SyncOutcome(
        fetched.server,
        True,
        message,
        added,
        len(fetched.lists),
        fetched.unchanged,
        tuple(dropped),
        tuple(problems),
    )


def drop_revoked(
    state: StoreState, revocations: Revocations, trusted: TrustedIssuers, now: datetime
) -> list[RefusedCheckout]:
    """Remove the stored licenses the kept lists revoke; each with why, refused from now on
    (except a superseded file, whose checkout may come back with its newer file)."""
    dropped = []
    for key, entry in sorted(state.licenses.items()):
        try:
            claims = verify(entry.data, trusted, now=now, machine_name=None)
        except LicenseRevoked:
            since = now.astimezone(UTC).replace(microsecond=0)
            refusal = RefusedCheckout(entry.claims.checkout_id, KEY_REVOKED, since)
        except LicenseFileError:
            continue  # refused at every check anyway, for its own reason
        else:
            found = revocations.refusal(claims, entry.digest)
            if found is None:
                continue
            refusal = found
        del state.licenses[key]
        if refusal.reason != SUPERSEDED:
            state.refuse(refusal)
        dropped.append(refusal)
    return dropped


def stored_organisations(state: StoreState, trusted: TrustedIssuers, now: datetime) -> set[str]:
    """The organisations of the stored licenses, as their signed claims name them (the
    store's own copy of the claims could be edited to dodge a list)."""
    found = set()
    for entry in state.licenses.values():
        try:
            found.add(verify(entry.data, trusted, now=now, machine_name=None).organisation_id)
        except LicenseFileError:
            continue
    return found


def certified(
    issuers: TrustedIssuers, certificates: Iterable[bytes], now: datetime
) -> tuple[bytes, ...]:
    """The ``certificates`` worth caching: pinned roots, and the signing certificates a
    pinned root issued (for license files or revocation lists) that are not revoked.

    Raises :class:`~entitle.tool.errors.TrustSourceError` when none is.
    """
    given = tuple(certificates)
    candidates = issuers.with_certificates(given)
    kept = []
    for der in given:
        if fingerprint(der) in issuers.pinned or _issued_by_pinned_root(candidates, der, now):
            kept.append(der)
    if not kept:
        pinned = ", ".join(sorted(issuers.pinned))
        raise TrustSourceError(
            f"none of its certificates was issued by an issuer this machine trusts ({pinned}); "
            "nothing was stored. Issuers are pinned by an administrator: "
            "'entitle-tool trust --system SERVER_URL --fingerprint sha256:...'."
        )
    return tuple(kept)


def _issued_by_pinned_root(issuers: TrustedIssuers, der: bytes, now: datetime) -> bool:
    for purpose in (LICENSE_SIGNING, REVOCATION_SIGNING):
        try:
            issuers.signing_certificate([der], purpose, now)
        except (LicenseFileError, ValueError):
            continue
        return True
    return False


def current_certificates(
    certificates: Iterable[bytes], revoked_serials: frozenset[int], now: datetime
) -> tuple[bytes, ...]:
    """``certificates`` without those expired, revoked or unreadable, each once."""
    kept = []
    for der in dict.fromkeys(certificates):
        try:
            certificate = parse_certificate(der)
        except CertificateError:
            continue
        if now < certificate.not_after and certificate.serial_number not in revoked_serials:
            kept.append(der)
    return tuple(kept)


def read_pem(data: bytes) -> tuple[bytes, ...]:
    """The certificates of a PEM document; :class:`TrustSourceError` when it holds none."""
    from entitle.licensefile import load_certificates

    try:
        return load_certificates(data)
    except InvalidTrustedKeys as error:
        raise TrustSourceError(f"not a PEM document of certificates ({error}).") from None


def _now(now: datetime | None) -> datetime:
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment
