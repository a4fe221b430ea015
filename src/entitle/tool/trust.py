"""Trust a license issuer (administrators, for the machine) and fetch what it publishes (users).

Two commands, two different rights:

* :func:`trust_system` (``entitle-tool trust --system URL --fingerprint sha256:…``) pins an
  issuer for every user of the machine: it downloads the issuer's root certificate and writes it
  with its fingerprint to the machine-wide configuration, which only administrators can write.
  The fingerprint comes from the license server's administrator, out of band (``entitle keys
  fingerprint``, the portal's footer): the downloaded root must hash to it, so whoever answers
  for the server on the path cannot pin a root of their own.
* :func:`trust` (``entitle-tool trust URL``) adds no issuer. For the current user it caches the
  certificates a license server publishes, keeping those a pinned root issued, remembers the
  server for ``entitle-tool sync`` and syncs its revocation lists.

A source is a license server's base URL, the URL of one of the documents it publishes under
``/.well-known/`` (the server is the part before), the URL of another PEM document, or a PEM
file.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterable
from typing import NamedTuple

from entitle.licensefile import InvalidTrustedKeys, fingerprint, parse_fingerprint, wellknown
from entitle.licensefile.der import CertificateError, parse_certificate
from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool.config import ConfiguredIssuer, configured_issuers, write_issuers
from entitle.tool.errors import FingerprintMismatch, TrustSourceError
from entitle.tool.http import get, is_https, is_url, server_of
from entitle.tool.store import Store
from entitle.tool.sync import (
    Fetched,
    SyncOutcome,
    apply,
    certified,
    current_certificates,
    fetch,
    read_pem,
)
from entitle.tool.trusted import store_issuers


class TrustResult(NamedTuple):
    """What ``trust`` did: certificates newly cached, the servers remembered for ``sync``, and
    each server's sync."""

    certificates_added: int
    servers: tuple[str, ...]
    synced: tuple[SyncOutcome, ...]


class SystemTrust(NamedTuple):
    """The issuer ``trust_system`` pinned, the file it wrote, and whether it replaced an entry
    of the same fingerprint."""

    issuer: ConfiguredIssuer
    path: str
    replaced: bool


def trust(
    sources: Iterable[str],
    *,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> TrustResult:
    """Cache the certificates of each source for the current user, and sync each server.

    Only certificates a pinned issuer root issued are cached; nothing becomes trusted that the
    machine-wide configuration does not pin already. Nothing is stored unless every source
    gives such certificates. Raises :class:`~entitle.tool.errors.NotTrusted` when no issuer is
    pinned, :class:`~entitle.tool.errors.TrustSourceError` for a source that gives nothing to
    cache (a JWKS among them: keys are no longer trusted one by one), and
    :class:`~entitle.tool.errors.ServerUnreachable`.
    """
    moment = datetime.now(UTC) if now is None else now
    store = Store(home)
    issuers = store_issuers(store.read())
    servers: list[Fetched] = []
    documents: list[bytes] = []
    for source in sources:
        server, document = locate(source)
        if server is not None:
            fetched = fetch(server, store, issuers, moment)
            if not fetched.certificates:
                detail = fetched.problems[0] if fetched.problems else "no certificates."
                raise TrustSourceError(f"{server}: {detail}")
            servers.append(fetched)
        else:
            try:
                documents.extend(certified(issuers, read_pem(_read(document)), moment))
            except TrustSourceError as error:
                raise TrustSourceError(f"{source}: {error.message}") from None
    added = 0
    if documents:
        with store.update() as state:
            before = set(state.certificates)
            state.certificates = current_certificates(
                (*state.certificates, *documents), state.revoked_serials, moment
            )
            added = len(set(state.certificates) - before)
    synced = [apply(store, issuers, fetched, moment, remember=True) for fetched in servers]
    return TrustResult(
        added + sum(outcome.certificates_added for outcome in synced),
        tuple(fetched.server for fetched in servers),
        tuple(synced),
    )


def trust_system(
    source: str,
    fingerprint_given: str | None = None,
    *,
    confirm: Callable[[str], bool] | None = None,
) -> SystemTrust:
    """Pin an issuer for every user of this machine: write its root certificate and fingerprint
    to the machine-wide ``issuers.json`` (:func:`~entitle.tool.config.write_issuers`).

    ``source`` gives the root: a license server's URL (its ``/.well-known/entitle-root.pem``),
    the URL of a PEM document, or a PEM file. ``fingerprint_given`` is the root's fingerprint as
    the license server's administrator gave it; the root must have it, else
    :class:`~entitle.tool.errors.FingerprintMismatch` and nothing is written. It may be left out
    only for an ``https://`` source, where TLS vouches for the server, and only when
    ``confirm`` is given and, shown the root's fingerprint, returns true (the command line asks
    at a terminal). Raises :class:`~entitle.tool.errors.NeedsAdministrator` without the rights
    to write the configuration.
    """
    if fingerprint_given is None:
        if not is_https(source):
            raise TrustSourceError(
                f"{source}: give the issuer's fingerprint (--fingerprint sha256:..., as "
                "'entitle keys fingerprint' prints it on the license server): over http:// or "
                "from a file, whoever answers for the server could pin a root of their own."
            )
        if confirm is None:
            raise TrustSourceError(f"{source}: give the issuer's fingerprint to pin its root.")
        wanted = None
    else:
        try:
            wanted = parse_fingerprint(fingerprint_given)
        except InvalidTrustedKeys as error:
            raise TrustSourceError(f"{error}.") from None
    server, document = locate(source, document=wellknown.ROOT_PATH)
    roots = _roots(source, _read(document))
    if wanted is not None:
        der = roots.get(wanted)
        if der is None:
            found = ", ".join(sorted(roots))
            raise FingerprintMismatch(
                f"{document} holds the issuer root {found}, not {wanted}: nothing was pinned. "
                "Check the fingerprint with the license server's administrator; whoever answers "
                "for the server may not be it."
            )
        pinned = wanted
    else:
        if len(roots) != 1:
            raise TrustSourceError(
                f"{document} holds {len(roots)} issuer roots: give --fingerprint."
            )
        [(pinned, der)] = roots.items()
        assert confirm is not None
        if not confirm(pinned):
            raise TrustSourceError("Nothing was pinned: the fingerprint was not confirmed.")
    from entitle.licensefile.trust import pem_certificate

    name = urllib.parse.urlsplit(server).hostname if server else None
    issuer = ConfiguredIssuer(pinned, name, pem_certificate(der).decode("ascii"), server)
    existing = configured_issuers()
    kept = [i for i in existing if i.fingerprint != pinned]
    path = write_issuers([*kept, issuer])
    return SystemTrust(issuer, path, replaced=len(kept) != len(existing))


def locate(source: str, *, document: str | None = None) -> tuple[str | None, str]:
    """``(server, where)``: the license server a source names (None for a PEM document or
    file of its own), and where to read (``document`` under the server, when given)."""
    if not is_url(source):
        return None, source
    url = source.split("#", 1)[0]
    server = server_of(url)
    if server is None:
        return None, url
    return server, (server + document) if document else url


def _read(where: str) -> bytes:
    if is_url(where):
        answer = get(where)
        if answer.status != 200:
            raise TrustSourceError(f"{where} answered HTTP {answer.status}.")
        data = answer.body
    else:
        try:
            with open(where, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise TrustSourceError(f"{where}: cannot read it ({error.strerror}).") from None
    if data.lstrip().startswith((b"{", b"[")):
        raise TrustSourceError(
            f"{where}: a JWKS names signing keys, and keys are no longer trusted one by one: "
            "this machine trusts the issuer roots an administrator pins "
            "('entitle-tool trust --system SERVER_URL --fingerprint sha256:...'); "
            "nothing was stored."
        )
    return data


def _roots(source: str, data: bytes) -> dict[str, bytes]:
    """The self-signed certificate authorities of a PEM document, by fingerprint."""
    try:
        certificates = read_pem(data)
    except TrustSourceError as error:
        raise TrustSourceError(f"{source}: {error.message}") from None
    roots = {}
    for der in certificates:
        try:
            parsed = parse_certificate(der)
        except CertificateError:
            continue
        if parsed.is_ca and parsed.subject == parsed.issuer:
            roots[fingerprint(der)] = der
    if not roots:
        raise TrustSourceError(f"{source}: holds no issuer root certificate.")
    return roots
