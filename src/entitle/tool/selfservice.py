"""Checking out for oneself from the workstation, signed in (``entitle-tool login URL``).

* :func:`check_out` asks the license server for a checkout for the signed-in user on this
  machine (its name and fingerprint, which the server binds into the file) and imports the
  license file it answers, verified against the pinned issuers exactly as ``import`` verifies
  a file from disk: that the server sent it vouches for nothing;
* :func:`renew` asks for a new file of a stored checkout, to a new expiry, and imports it in
  place of the old one, which the server supersedes: its revocation list names the old file's
  digest from then on, so ``sync`` drops any copy of it;
* :func:`return_checkout` clears the license here, with its check-in receipt (as ``clear``),
  and tells the server at once (``POST /api/v1/me/checkouts/{id}/return``): the checkout is
  checked in by the workstation (``check_in_method`` ``client``). When the server will not
  take the return from this sign-in, the receipt goes instead (its digest is the proof); when
  it cannot be reached, the receipt waits for ``entitle-tool send-receipts``;
* :func:`own_checkouts` lists the signed-in user's checkouts on the server.

What can be checked here is checked before the server is asked (the sign-in, a pinned issuer,
the clock, the stored license), so such a refusal leaves nothing on the server; a new checkout
whose file this machine refuses is returned at once. A server's refusal is
:class:`~entitle.tool.errors.ServerRefused`, with its code and its sentence for people.
"""

from __future__ import annotations

import binascii
import os
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from entitle import __version__
from entitle.tool.check import clock_problem
from entitle.tool.errors import (
    ClockLooksWrong,
    MachineIdUnavailable,
    NotSignedIn,
    ServerRefused,
    ServerUnreachable,
    ToolError,
)
from entitle.tool.home import MachineIdentity, this_machine
from entitle.tool.http import HttpAnswer
from entitle.tool.licenses import ImportOutcome, import_license_data
from entitle.tool.signin import Credential, authorised_request, signed_in
from entitle.tool.store import Store
from entitle.tool.trusted import product_pins, store_issuers

ME = "/api/v1/me/checkouts"

RETURNED = "returned"
"""The server checked the checkout in from this workstation's return."""
ENDED_ALREADY = "ended already"
"""The server had checked it in, or it had expired, before the return."""
RECEIPT_ACCEPTED = "receipt accepted"
"""The return was not taken from this sign-in; the check-in receipt was."""
RECEIPT_KEPT = "receipt kept"
"""The server could not be reached: the receipt waits for ``send-receipts``."""
REFUSED = "refused"
"""The server refused both the return and the receipt."""
_ENDED = ("ALREADY_CHECKED_IN", "ALREADY_EXPIRED")


class ServerCheckout(NamedTuple):
    """A checkout as the license server shows it to its user."""

    id: str
    status: str
    machine: str
    applications: tuple[tuple[str, str], ...]
    expires_on: date
    created_via: str
    check_in_method: str | None
    checked_in_by: str | None

    @classmethod
    def of(cls, document: Any) -> ServerCheckout:
        try:
            return cls(
                id=str(document["id"]),
                status=str(document["status"]),
                machine=str(document["machine"]),
                applications=tuple(
                    (str(a["name"]), str(a["version"])) for a in document["applications"]
                ),
                expires_on=date.fromisoformat(document["expires_on"]),
                created_via=str(document.get("created_via") or ""),
                check_in_method=document.get("check_in_method"),
                checked_in_by=document.get("checked_in_by"),
            )
        except (KeyError, TypeError, ValueError):
            raise _unexpected() from None

    def applications_text(self) -> str:
        return ", ".join(f"{name} {version}" for name, version in self.applications)


class CheckedOut(NamedTuple):
    """What :func:`check_out` or :func:`renew` did: the server's ``checkout``, and the
    license file as ``imported`` (the import's outcome) from ``server``."""

    checkout: ServerCheckout
    imported: ImportOutcome
    server: str


class Returned(NamedTuple):
    """What :func:`return_checkout` did: ``status`` is one of the constants above;
    ``message`` is the server's sentence when it refused or had ended the checkout."""

    checkout_id: str
    machine: str
    server: str
    status: str
    message: str = ""
    receipt_path: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (RETURNED, ENDED_ALREADY, RECEIPT_ACCEPTED)


def check_out(
    applications: Sequence[tuple[str, str]],
    *,
    expires_on: date | None = None,
    days: int | None = None,
    country: str | None = None,
    issuer: str | Sequence[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> CheckedOut:
    """Check out ``applications`` (``(name, version)`` pairs) for the signed-in user on this
    machine, and import the license file; afterwards it runs here offline until it expires.

    ``expires_on`` (the last day) or ``days`` from today; neither: as long as the country's
    self-service policy allows. ``country`` may be left out when one country is open to the
    user. ``issuer`` pins the issuers as for :func:`~entitle.tool.check`. Raises
    :class:`~entitle.tool.errors.NotSignedIn`, :class:`~entitle.tool.errors.ServerRefused`
    (the country's policy, with the server's sentence), ``ServerUnreachable``, and
    :class:`~entitle.tool.errors.ToolError` when the file the server sent is refused here (the
    checkout is then returned on the server).
    """
    credential, pins, moment = _ready(issuer, home, now)
    machine = this_machine()
    body: dict[str, Any] = {
        "applications": [
            {"application": name, "version": version} for name, version in applications
        ],
        "machine_name": machine.name,
        "tool_version": __version__,
        **_expiry(expires_on, days),
    }
    fingerprint = _fingerprint(machine)
    if fingerprint is not None:
        body["machine_fingerprint"] = fingerprint
    if country:
        body["country"] = country
    key = {"Idempotency-Key": f"entitle-tool-{uuid.uuid4()}"}
    try:
        answer = _request("POST", ME, body, home, key)
    except ServerUnreachable:
        answer = _request("POST", ME, body, home, key)  # the same key: never a second checkout
    if answer.status != 201:
        raise ServerRefused.of(answer)
    checkout, name, data = _with_file(answer)
    imported = import_license_data(
        name, data, issuer=pins, home=home, now=moment, server=credential.server
    )
    if imported.refused:
        undone = _give_back(checkout.id, machine, home)
        raise ToolError(
            f"The license file the server sent for checkout {checkout.id} was refused here: "
            f"{imported.message.rstrip('.')}. {undone}"
        )
    return CheckedOut(checkout, imported, credential.server)


def renew(
    checkout_id: str,
    *,
    expires_on: date | None = None,
    days: int | None = None,
    issuer: str | Sequence[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> CheckedOut:
    """A new license file for a checkout stored here (its id, or a unique beginning of it),
    expiring on ``expires_on`` or in ``days`` from today, imported in place of the old file.

    The server supersedes the old file: once a workstation syncs, it refuses any copy of it.
    Raises :class:`~entitle.tool.errors.UnknownCheckout` when no such license is stored here,
    and as :func:`check_out` does.
    """
    if expires_on is None and days is None:
        raise ValueError("give expires_on or days")
    credential, pins, moment = _ready(issuer, home, now)
    stored = Store(home).read().find(checkout_id)
    machine = this_machine()
    body = {"machine_name": machine.name, "tool_version": __version__, **_expiry(expires_on, days)}
    answer = _request("POST", f"{ME}/{_quoted(stored.checkout_id)}/renew", body, home)
    if answer.status != 200:
        raise ServerRefused.of(answer)
    checkout, name, data = _with_file(answer)
    imported = import_license_data(
        name, data, issuer=pins, home=home, now=moment, server=credential.server
    )
    if imported.refused:
        raise ToolError(
            f"The renewed license file of checkout {checkout.id} was refused here: "
            f"{imported.message.rstrip('.')}. The stored file keeps working until it expires "
            "or a sync drops it as superseded."
        )
    return CheckedOut(checkout, imported, credential.server)


def return_checkout(
    checkout_id: str,
    *,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> Returned:
    """Check in a checkout stored here: clear it (receipt written, refused here from now on)
    and tell the server at once; what became of it on the server is the ``status``.

    Raises :class:`~entitle.tool.errors.NotSignedIn` and
    :class:`~entitle.tool.errors.UnknownCheckout` before anything is cleared.
    """
    from entitle.tool.receipts import ACCEPTED, OFFLINE, clear, mark_sent, send_receipt

    credential = _credential(home)
    machine = this_machine()
    cleared = clear(checkout_id, home=home, now=now, machine_name=machine.name)
    found = cleared.license.checkout_id
    body = {"machine_name": machine.name, "tool_version": __version__}

    def returned(status: str, message: str = "") -> Returned:
        path = cleared.receipt_path
        return Returned(found, machine.name, credential.server, status, message, path)

    try:
        answer: HttpAnswer | None = _request("POST", f"{ME}/{_quoted(found)}/return", body, home)
    except ServerUnreachable as error:
        return returned(RECEIPT_KEPT, error.message)
    except NotSignedIn:
        answer = None  # the credential ended meanwhile: the receipt needs none
    if answer is not None and answer.status == 200:
        mark_sent(cleared.receipt_path)
        return returned(RETURNED)
    if answer is not None:
        refused = ServerRefused.of(answer)
        if refused.code in _ENDED:
            mark_sent(cleared.receipt_path)  # nothing left to tell the server
            return returned(ENDED_ALREADY, refused.message)
    sent = send_receipt(cleared.receipt_path, credential.server)
    if sent.status == ACCEPTED:
        return returned(RECEIPT_ACCEPTED)
    return returned(RECEIPT_KEPT if sent.status == OFFLINE else REFUSED, sent.message)


def own_checkouts(
    *, status: str = "listed", home: str | os.PathLike[str] | None = None
) -> tuple[Credential, list[ServerCheckout]]:
    """The signed-in user's checkouts on the server, newest first (``status``: ``listed`` are
    the active ones and those ended in the last three months; or ``active``, ``expired``,
    ``checked_in``, ``all``), with the credential that says who and where."""
    credential = _credential(home)
    answer = _request("GET", f"{ME}?status={status}&page_size=200", None, home)
    if answer.status != 200:
        raise ServerRefused.of(answer)
    page = answer.json()
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise _unexpected()
    return credential, [ServerCheckout.of(item) for item in page["items"]]


def _ready(
    issuer: str | Sequence[str] | None,
    home: str | os.PathLike[str] | None,
    now: datetime | None,
) -> tuple[Credential, tuple[str, ...] | None, datetime]:
    """The credential, the pins and the time, once what would refuse the file here is ruled
    out: before the server is asked, so a refusal here leaves nothing there."""
    credential = _credential(home)
    pins = product_pins(issuer)
    moment = datetime.now(UTC) if now is None else now
    state = Store(home).read()
    problem = clock_problem(moment, state.last_seen)
    if problem:
        raise ClockLooksWrong(problem)
    store_issuers(state, pins)  # NotTrusted, ConfigurationError
    return credential, pins, moment


def _credential(home: str | os.PathLike[str] | None) -> Credential:
    credential = signed_in(_home(home))
    if credential is None:
        raise NotSignedIn(
            "This user's entitle-tool is not signed in: run 'entitle-tool login SERVER_URL'."
        )
    return credential


def _request(
    method: str,
    path: str,
    document: Any,
    home: str | os.PathLike[str] | None,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    return authorised_request(method, path, document, home=_home(home), headers=headers)


def _home(home: str | os.PathLike[str] | None) -> str | None:
    return None if home is None else os.fspath(home)


def _expiry(expires_on: date | None, days: int | None) -> dict[str, Any]:
    if expires_on is not None and days is not None:
        raise ValueError("give expires_on or days, not both")
    if expires_on is not None:
        return {"expires_on": expires_on.isoformat()}
    return {} if days is None else {"days": days}


def _fingerprint(machine: MachineIdentity) -> str | None:
    """This machine's fingerprint; None without a machine id (the file is then bound by
    name alone, as a license for such a machine is)."""
    try:
        return machine.fingerprint
    except MachineIdUnavailable:
        return None


def _with_file(answer: HttpAnswer) -> tuple[ServerCheckout, str, bytes]:
    body = answer.json()
    try:
        checkout = ServerCheckout.of(body["checkout"])
        license_file = body["license_file"]
        name = os.path.basename(str(license_file["name"])) or f"{checkout.id}.belic"
        data = binascii.a2b_base64(str(license_file["data"]), strict_mode=True)
    except (KeyError, TypeError, binascii.Error):
        raise _unexpected() from None
    return checkout, name, data


def _give_back(
    checkout_id: str, machine: MachineIdentity, home: str | os.PathLike[str] | None
) -> str:
    """Return a checkout whose file was refused here; the sentence that says how it went."""
    body = {"machine_name": machine.name, "tool_version": __version__}
    try:
        answer = _request("POST", f"{ME}/{_quoted(checkout_id)}/return", body, home)
    except ToolError:
        answer = None
    if answer is not None and answer.status == 200:
        return "The checkout was returned on the server: nothing is checked out."
    return (
        "Return it on the server (the portal's My checkouts): it could not be returned from here."
    )


def _quoted(checkout_id: str) -> str:
    from urllib.parse import quote

    return quote(checkout_id, safe="")


def _unexpected() -> ToolError:
    return ToolError("The license server's answer is not what this entitle-tool understands.")
