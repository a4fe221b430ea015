"""Import license files into the current user's store, list, show and clean them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from entitle.licensefile import LicenseFileError, TrustedIssuers, license_digest, verify
from entitle.tool.check import clock_problem, machine_fingerprint_for
from entitle.tool.errors import MachineIdUnavailable, ToolError
from entitle.tool.home import MachineIdentity, this_machine
from entitle.tool.revocations import Revocations
from entitle.tool.store import Store, StoredLicense, StoreState
from entitle.tool.trusted import product_pins, store_issuers

IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
REPLACED = "replaced"
REFUSED = "refused"


class ImportOutcome(NamedTuple):
    """What became of one file: ``status`` is one of the constants above."""

    path: str
    status: str
    message: str
    license: StoredLicense | None = None

    @property
    def refused(self) -> bool:
        return self.status == REFUSED


def import_license_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    issuer: str | Sequence[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    machine_name: str | None = None,
) -> list[ImportOutcome]:
    """Verify each file (its chain to a pinned issuer root, signature, this machine, validity)
    and store the good ones.

    The issuers are those of ``issuer`` (as for :func:`~entitle.tool.check`), else of the
    machine-wide configuration. Refusals carry the license file's own reason, or why this
    workstation refuses that checkout: it was cleared here, or a license server's revocation
    list (``entitle-tool sync``) names it or its file. Importing a stored file again changes
    nothing. Files are read before the store is locked, so one unreadable file refuses only
    itself.
    """
    contents: list[tuple[str, bytes | str]] = []
    for path in paths:
        name = os.fspath(path)
        try:
            with open(name, "rb") as handle:
                contents.append((name, handle.read()))
        except OSError as error:
            contents.append((name, f"cannot read it ({error.strerror})."))
    machine = MachineIdentity(machine_name) if machine_name else this_machine()
    return _import(contents, product_pins(issuer), Store(home), _now(now), machine)


def import_license_data(
    file_name: str,
    data: bytes,
    *,
    issuer: str | Sequence[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    machine_name: str | None = None,
    server: str | None = None,
) -> ImportOutcome:
    """:func:`import_license_files` for one file's bytes, as a license server sent them.

    The file is verified exactly as one read from disk: that a server sent it vouches for
    nothing. Once stored, ``server`` (its base URL) is remembered for ``entitle-tool sync``.
    """
    machine = MachineIdentity(machine_name) if machine_name else this_machine()
    store = Store(home)
    [outcome] = _import(
        [(file_name, data)], product_pins(issuer), store, _now(now), machine, server
    )
    return outcome


def _import(
    contents: list[tuple[str, bytes | str]],
    pins: tuple[str, ...] | None,
    store: Store,
    moment: datetime,
    machine: MachineIdentity,
    server: str | None = None,
) -> list[ImportOutcome]:
    with store.update() as state:
        problem = clock_problem(moment, state.last_seen)
        try:
            trusted: TrustedIssuers | ToolError = store_issuers(state, pins)
        except ToolError as error:
            trusted = error
        revocations = Revocations.read(store)
        outcomes = [
            _import_one(state, trusted, revocations, name, data, moment, machine, problem)
            for name, data in contents
        ]
        if problem is None:
            state.saw(moment)
        stored = any(not outcome.refused for outcome in outcomes)
        if server is not None and stored and server not in state.servers:
            state.servers = (*state.servers, server)
    return outcomes


def _import_one(
    state: StoreState,
    trusted: TrustedIssuers | ToolError,
    revocations: Revocations,
    name: str,
    data: bytes | str,
    now: datetime,
    machine: MachineIdentity,
    clock_problem: str | None,
) -> ImportOutcome:
    if isinstance(data, str):
        return ImportOutcome(name, REFUSED, data)
    if clock_problem:
        return ImportOutcome(name, REFUSED, clock_problem)
    if isinstance(trusted, ToolError):
        return ImportOutcome(name, REFUSED, trusted.message)
    try:
        claims = verify(data, trusted, now=now, machine_name=None)
        fingerprint = machine_fingerprint_for(claims, machine)
        verify(data, trusted, now=now, machine_name=machine.name, machine_fingerprint=fingerprint)
    except (LicenseFileError, MachineIdUnavailable) as error:
        return ImportOutcome(name, REFUSED, str(error))
    digest = license_digest(data)
    refusal = state.refused.get(claims.checkout_id) or revocations.refusal(claims, digest)
    if refusal is not None:
        return ImportOutcome(name, REFUSED, refusal.message)
    earlier = state.licenses.get(claims.checkout_id)
    if earlier is not None and earlier.digest == digest:
        return ImportOutcome(name, ALREADY_IMPORTED, "already imported.", earlier)
    entry = StoredLicense(
        checkout_id=claims.checkout_id,
        file_name=os.path.basename(name),
        imported_at=now.replace(microsecond=0),
        digest=digest,
        data=data,
        claims=claims,
    )
    state.licenses[claims.checkout_id] = entry
    status = IMPORTED if earlier is None else REPLACED
    return ImportOutcome(name, status, f"{status} checkout {claims.checkout_id}.", entry)


def list_licenses(*, home: str | os.PathLike[str] | None = None) -> list[StoredLicense]:
    """The stored licenses, the one expiring first first."""
    licenses = Store(home).read().licenses.values()
    return sorted(licenses, key=lambda e: (e.claims.expires_at, e.checkout_id))


def show_license(checkout_id: str, *, home: str | os.PathLike[str] | None = None) -> StoredLicense:
    """The stored license with this checkout id (or a unique beginning of it)."""
    return Store(home).read().find(checkout_id)


def clean_expired(
    *, home: str | os.PathLike[str] | None = None, now: datetime | None = None
) -> list[StoredLicense]:
    """Remove the licenses whose expiry has passed; the removed ones, for reporting."""
    moment = _now(now)
    with Store(home).update() as state:
        expired = [e for e in state.licenses.values() if is_expired(e, moment)]
        for entry in expired:
            del state.licenses[entry.checkout_id]
        if clock_problem(moment, state.last_seen) is None:
            state.saw(moment)
    return sorted(expired, key=lambda e: e.checkout_id)


def is_expired(entry: StoredLicense, now: datetime) -> bool:
    return now >= entry.claims.expires_at


def _now(now: datetime | None) -> datetime:
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment
