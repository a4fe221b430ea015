"""May this application version run here, now? The question every product asks at start-up.

Kept cheap to import: a cold ``entitle-tool check`` process runs this on every product start.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from entitle.licensefile import LicenseClaims, LicenseFileError, NotYetValid, verify
from entitle.licensefile.timestamps import UTC, datetime, timedelta
from entitle.tool.errors import MachineIdUnavailable, ToolError
from entitle.tool.home import MachineIdentity, this_machine
from entitle.tool.store import CHECKED_IN, Store, StoredLicense, StoreState
from entitle.tool.trusted import product_pins, store_issuers

if TYPE_CHECKING:
    from collections.abc import Sequence

    from entitle.licensefile import TrustedIssuers

OK = "OK"
NO_LICENSE = "NO_LICENSE"
WRONG_VERSION = "WRONG_VERSION"
CLOCK_WRONG = "CLOCK_WRONG"
# When several stored licenses would cover the version, the most useful refusal wins.
_PRECEDENCE = (
    CLOCK_WRONG,
    CHECKED_IN,
    "EXPIRED",
    "WRONG_MACHINE",
    MachineIdUnavailable.code,
    "REVOKED",
    "UNKNOWN_KEY",
    "UNTRUSTED_ISSUER",
    "BAD_SIGNATURE",
    "MALFORMED",
)

CLOCK_TOLERANCE = timedelta(days=1)
"""How far behind the latest time seen the clock may be (time zones, small corrections)."""

REMEMBER_EVERY = timedelta(hours=1)
"""``check`` writes the latest time seen at most this often, to stay fast and read-only."""


def clock_problem(now: datetime, last_seen: datetime | None) -> str | None:
    """A sentence saying why ``now`` cannot be right, or None when it looks fine."""
    if last_seen is not None and now < last_seen - CLOCK_TOLERANCE:
        return (
            f"The system clock looks wrong: it says {_utc(now)}, but this computer has already "
            f"been seen at {_utc(last_seen)}. Correct the date and time."
        )
    return None


def clock_before_issue(now: datetime, issued_at: datetime) -> str:
    """The sentence for a clock earlier than a license's issue time."""
    return (
        f"The system clock looks wrong: it says {_utc(now)}, before this license was issued "
        f"({_utc(issued_at)}). Correct the date and time."
    )


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class CheckResult:
    """The answer of :func:`check`; true exactly when the application may run.

    ``reason`` is a stable code: ``OK``; ``NOT_TRUSTED`` (no issuer is pinned: nothing can
    run) or ``CONFIGURATION`` (the machine-wide configuration is unusable); ``NO_LICENSE``,
    ``WRONG_VERSION``, ``EXPIRED``, ``CLOCK_WRONG``; ``CHECKED_IN`` (cleared on this machine),
    ``REVOKED`` (checked in on the license server, or its signing key revoked) or
    ``KEY_REVOKED``; ``WRONG_MACHINE``, ``NO_MACHINE_ID`` (the license is bound to a machine
    fingerprint and this machine has no machine id); ``UNTRUSTED_ISSUER`` (its chain does not
    end at a pinned root), ``BAD_SIGNATURE``, ``MALFORMED``; or ``STORE_DAMAGED`` (also for a
    store edited to forget the time it has seen). ``message`` is one sentence for people.
    ``claims`` are the verified claims of the license that grants the run, else None.
    """

    __slots__ = ("claims", "message", "ok", "reason")

    def __init__(
        self, ok: bool, reason: str, message: str, claims: LicenseClaims | None = None
    ) -> None:
        self.ok = ok
        self.reason = reason
        self.message = message
        self.claims = claims

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"CheckResult(ok={self.ok}, reason={self.reason!r}, message={self.message!r})"


def check(
    application: str,
    version: str,
    *,
    issuer: str | Sequence[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    machine_name: str | None = None,
) -> CheckResult:
    """Whether a stored license covers ``application`` ``version`` on this machine now.

    ``issuer`` pins the license issuer the product trusts: the fingerprint of its root
    certificate (``"sha256:<64 hex>"``, as ``entitle keys fingerprint`` prints it), or a
    sequence of them. A file whose certificate chain does not end at a pinned root is refused,
    whatever the store says. Without ``issuer``, the issuers pinned in the machine-wide
    configuration are trusted (:func:`entitle.tool.configured_issuers`); with neither, nothing
    is (``NOT_TRUSTED``). A user's store never adds an issuer.

    Every candidate license file is verified again (its chain to a pinned root, signature,
    machine name and fingerprint, validity), so an edited store grants nothing, and a
    checkout cleared here or dropped by a revocation list grants nothing again. Refuses with
    ``CLOCK_WRONG`` when the clock is more than a day behind the latest time the tool has
    seen (kept in the store and beside it, and moved forward by each revocation list's signed
    issue time), or before a license's issue time. ``home`` defaults to
    :func:`entitle.tool.home.tool_home`, ``now`` to the system clock, ``machine_name`` to this
    machine's (:func:`entitle.tool.machine_name`). The machine fingerprint is read only for a
    license bound to one. Raises ValueError for an ``issuer`` that is not a fingerprint.
    """
    pins = product_pins(issuer)
    store = Store(home)
    try:
        state = store.read()
    except ToolError as error:
        return CheckResult(False, error.code, error.message)
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    problem = clock_problem(moment, state.last_seen)
    if problem:
        return CheckResult(False, CLOCK_WRONG, problem)
    try:
        trusted = store_issuers(state, pins)
    except ToolError as error:
        return CheckResult(False, error.code, error.message)
    machine = MachineIdentity(machine_name) if machine_name else this_machine()
    result = _decide(application, version, state, trusted, moment, machine)
    if state.licenses and (state.last_seen is None or moment - state.last_seen >= REMEMBER_EVERY):
        _remember(store, moment)
    return result


def _decide(
    application: str,
    version: str,
    state: StoreState,
    trusted: TrustedIssuers,
    now: datetime,
    machine: MachineIdentity,
) -> CheckResult:
    wanted = application.casefold()
    named = [
        entry
        for entry in state.licenses.values()
        if any(a.name.casefold() == wanted for a in entry.claims.applications)
    ]
    if not named:
        return CheckResult(
            False, NO_LICENSE, f"No license for {application} is imported for this user."
        )
    covering = [entry for entry in named if entry.claims.covers(application, version)]
    if not covering:
        versions = covered_versions(named, application)
        return CheckResult(
            False,
            WRONG_VERSION,
            f"Version {version} of {application} is not licensed here; "
            f"the imported licenses cover {', '.join(versions)}.",
        )
    refusals: list[tuple[str, str]] = []
    for entry in sorted(covering, key=lambda e: e.claims.expires_at, reverse=True):
        refusal = state.refused.get(entry.checkout_id)
        if refusal is not None:
            refusals.append((refusal.reason, refusal.message))
            continue
        try:
            claims = verify(
                entry.data,
                trusted,
                now=now,
                machine_name=machine.name,
                machine_fingerprint=machine_fingerprint_for(entry.claims, machine),
            )
        except MachineIdUnavailable as error:
            refusals.append((error.code, f"Checkout {entry.checkout_id}: {error.message}"))
        except NotYetValid as error:
            refusals.append((CLOCK_WRONG, clock_before_issue(now, error.issued_at)))
        except LicenseFileError as error:
            refusals.append((error.code, f"Checkout {entry.checkout_id}: {error}"))
        else:
            if claims.covers(application, version) and claims.checkout_id == entry.checkout_id:
                return CheckResult(
                    True, OK, _granted(application, version, machine.name, claims), claims
                )
            refusals.append(("BAD_SIGNATURE", _altered(entry)))
    code, message = min(refusals, key=lambda r: _rank(r[0]))
    return CheckResult(False, code, message)


def machine_fingerprint_for(claims: LicenseClaims, machine: MachineIdentity) -> str | None:
    """This machine's fingerprint when ``claims`` bind a license to one, else None.

    ``claims`` may be the store's unverified copy: a license that names a fingerprint its
    copy does not is refused by :func:`~entitle.licensefile.verify` all the same. Raises
    :class:`~entitle.tool.errors.MachineIdUnavailable` when this machine has no machine id.
    """
    return None if claims.machine_fingerprint is None else machine.fingerprint


def _rank(code: str) -> int:
    # A refusal this list does not know yet (a revocation reason) ranks with CHECKED_IN.
    return _PRECEDENCE.index(code) if code in _PRECEDENCE else _PRECEDENCE.index(CHECKED_IN)


def covered_versions(entries: list[StoredLicense], application: str) -> list[str]:
    """The versions of ``application`` that ``entries`` name, in version order."""
    wanted = application.casefold()
    found = {
        a.version for e in entries for a in e.claims.applications if a.name.casefold() == wanted
    }
    return sorted(found, key=_version_key)


def _version_key(version: str) -> tuple[int, tuple[int, ...], str]:
    try:
        return (0, tuple(int(part) for part in version.split(".")), "")
    except ValueError:
        return (1, (), version)


def _granted(application: str, version: str, machine: str, claims: LicenseClaims) -> str:
    expiry = claims.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{application} {version} is licensed on {machine} until {expiry} "
        f"(checkout {claims.checkout_id})."
    )


def _altered(entry: StoredLicense) -> str:
    return (
        f"The stored record of checkout {entry.checkout_id} was altered; "
        "import its license file again."
    )


def _remember(store: Store, now: datetime) -> None:
    try:
        with store.update() as state:
            state.saw(now)
    except (OSError, ToolError):
        pass  # a read-only or busy store must not stop the product from starting
