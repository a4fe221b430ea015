"""Clear a license on the workstation and prove it to the server with a check-in receipt.

A receipt is a JSON file in ``<home>/receipts/``::

    {"checkout_id", "machine", "user_profile", "cleared_at", "license_digest"}

``license_digest`` is the SHA-256 of the exact license file bytes: the server accepts the
receipt, without any login, only when it matches that checkout's file. Sent receipts move to
``receipts/sent/``; the others wait for ``entitle-tool send-receipts SERVER_URL``.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from entitle.tool.check import clock_problem
from entitle.tool.errors import ServerUnreachable
from entitle.tool.files import ensure_private_dir, write_atomic
from entitle.tool.home import machine_name as this_machine
from entitle.tool.home import user_profile as this_profile
from entitle.tool.http import base_url, post_json
from entitle.tool.store import CHECKED_IN, RefusedCheckout, Store, StoredLicense

ACCEPTED = "accepted"
REFUSED = "refused"
OFFLINE = "offline"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class Cleared(NamedTuple):
    """A cleared license and where its receipt was written."""

    license: StoredLicense
    receipt: dict[str, str]
    receipt_path: str


class SendOutcome(NamedTuple):
    """What the server said about one receipt: ``status`` is accepted, refused or offline."""

    receipt_path: str
    checkout_id: str
    status: str
    message: str


def clear(
    checkout_id: str,
    *,
    home: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    machine_name: str | None = None,
    user_profile: str | None = None,
) -> Cleared:
    """Remove a stored license and write its check-in receipt (before the removal is saved).

    From then on this workstation refuses to import that checkout again.
    """
    moment = (datetime.now(UTC) if now is None else now).astimezone(UTC).replace(microsecond=0)
    store = Store(home)
    with store.update() as state:
        entry = state.find(checkout_id)
        receipt = {
            "checkout_id": entry.checkout_id,
            "machine": machine_name or this_machine(),
            "user_profile": user_profile or this_profile(),
            "cleared_at": moment.isoformat().replace("+00:00", "Z"),
            "license_digest": entry.digest,
        }
        path = os.path.join(store.receipts_dir, f"{_UNSAFE.sub('_', entry.checkout_id)}.json")
        write_atomic(path, json.dumps(receipt, indent=2).encode("utf-8") + b"\n")
        del state.licenses[entry.checkout_id]
        state.refuse(RefusedCheckout(entry.checkout_id, CHECKED_IN, moment))
        if clock_problem(moment, state.last_seen) is None:
            state.saw(moment)
    return Cleared(entry, receipt, path)


def receipt_url(server_url: str, checkout_id: str) -> str:
    return f"{base_url(server_url)}/api/v1/checkouts/{checkout_id}/client-receipts"


def send_receipt(receipt_path: str, server_url: str) -> SendOutcome:
    """Post one receipt file; an accepted one moves to ``receipts/sent/``."""
    try:
        with open(receipt_path, "rb") as handle:
            receipt = json.loads(handle.read())
        checkout_id = str(receipt["checkout_id"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        return SendOutcome(receipt_path, _id_of(receipt_path), REFUSED, f"unreadable ({error}).")
    try:
        answer = post_json(receipt_url(server_url, checkout_id), receipt)
    except ServerUnreachable as error:
        return SendOutcome(receipt_path, checkout_id, OFFLINE, error.message)
    if 200 <= answer.status < 300:
        mark_sent(receipt_path)
        return SendOutcome(receipt_path, checkout_id, ACCEPTED, "the server recorded the check-in.")
    reason = _server_reason(answer.json()) or f"HTTP {answer.status}"
    return SendOutcome(receipt_path, checkout_id, REFUSED, f"the server refused it: {reason}")


def mark_sent(receipt_path: str) -> None:
    """Move a receipt the server has no more need of to ``receipts/sent/``."""
    sent_dir = os.path.join(os.path.dirname(receipt_path), "sent")
    ensure_private_dir(sent_dir)
    os.replace(receipt_path, os.path.join(sent_dir, os.path.basename(receipt_path)))


def pending_receipts(*, home: str | os.PathLike[str] | None = None) -> list[str]:
    """Receipt files not yet accepted by a server, oldest first."""
    directory = Store(home).receipts_dir
    try:
        names = [n for n in os.listdir(directory) if n.endswith(".json")]
    except FileNotFoundError:
        return []
    paths = [os.path.join(directory, n) for n in names]
    return sorted(paths, key=lambda p: (os.path.getmtime(p), p))


def send_receipts(
    server_url: str, *, home: str | os.PathLike[str] | None = None
) -> list[SendOutcome]:
    """Post every pending receipt; stops trying once the server is unreachable."""
    outcomes: list[SendOutcome] = []
    for path in pending_receipts(home=home):
        if outcomes and outcomes[-1].status == OFFLINE:
            outcomes.append(outcomes[-1]._replace(receipt_path=path, checkout_id=_id_of(path)))
            continue
        outcomes.append(send_receipt(path, server_url))
    return outcomes


def _id_of(path: str) -> str:
    return os.path.basename(path).removesuffix(".json")


def _server_reason(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    for key in ("message", "detail", "error"):
        value = body.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return _server_reason(value)
    return ""
