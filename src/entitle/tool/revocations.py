"""What the verified revocation lists said, kept for importing: ``<home>/revocations.json``.

``entitle-tool sync`` verifies each organisation's list against the pinned issuers and keeps
what it says here, per license server and organisation, with the list's ``ETag`` for the next
fetch::

    {"format": "entitle-tool-revocations/1",
     "lists": [{"server": "https://licenses.example.com", "organisation_id": "42",
                "etag": "\\"…\\"", "issued_at": "2026-12-01T10:00:00Z",
                "checked_in": ["<checkout id>", …], "superseded": ["<sha256 of a file>", …]}]}

Importing refuses a checkout a list names, or a file it says was superseded. A list can be
long (every checkout checked in before its expiry), so the product start never reads this
file: sync drops the stored licenses a list names and records them as refused checkouts in the
store (and its guard), which ``check`` does read. A file that cannot be read counts as empty:
the next sync fetches every list again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool.store import REVOKED, SUPERSEDED, RefusedCheckout

if TYPE_CHECKING:
    from entitle.licensefile import LicenseClaims
    from entitle.tool.store import Store

REVOCATIONS_FILE = "revocations.json"
REVOCATIONS_FORMAT = "entitle-tool-revocations/1"


class KeptList(NamedTuple):
    """What one verified list of one organisation said."""

    server: str
    organisation_id: str
    etag: str | None
    issued_at: datetime
    checkout_ids: frozenset[str]
    superseded_digests: frozenset[str]


class Revocations:
    """The kept lists of every license server and organisation."""

    def __init__(self, lists: Iterable[KeptList] = ()) -> None:
        self._lists = {(kept.server, kept.organisation_id): kept for kept in lists}

    @classmethod
    def read(cls, store: Store) -> Revocations:
        """The lists kept beside ``store``; none when there is no usable file."""
        try:
            with open(path_of(store), "rb") as handle:
                document = json.loads(handle.read())
            if document["format"] != REVOCATIONS_FORMAT:
                return cls()
            return cls(_kept(entry) for entry in document["lists"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def write(self, store: Store) -> None:
        """Replace the file beside ``store`` (hold the store's lock)."""
        from entitle.tool.files import write_atomic

        document = {
            "format": REVOCATIONS_FORMAT,
            "lists": [_to_json(kept) for _, kept in sorted(self._lists.items())],
        }
        write_atomic(path_of(store), json.dumps(document, indent=2).encode("utf-8") + b"\n")

    def kept(self, server: str, organisation_id: str) -> KeptList | None:
        return self._lists.get((server, organisation_id))

    def keep(self, kept: KeptList) -> None:
        """Keep ``kept`` with what the earlier list of its organisation said: lists only add,
        so an older list replayed by someone on the path brings no license back."""
        earlier = self._lists.get((kept.server, kept.organisation_id))
        if earlier is not None:
            kept = kept._replace(
                issued_at=max(kept.issued_at, earlier.issued_at),
                checkout_ids=kept.checkout_ids | earlier.checkout_ids,
                superseded_digests=kept.superseded_digests | earlier.superseded_digests,
            )
        self._lists[(kept.server, kept.organisation_id)] = kept

    def organisations(self, server: str) -> set[str]:
        """The organisations whose lists this server gave."""
        return {organisation for (kept_by, organisation) in self._lists if kept_by == server}

    def refusal(self, claims: LicenseClaims, digest: str) -> RefusedCheckout | None:
        """Why a list refuses this license (its checkout, or its file), or None."""
        for kept in self._lists.values():
            if kept.organisation_id != claims.organisation_id:
                continue
            if claims.checkout_id in kept.checkout_ids:
                return RefusedCheckout(claims.checkout_id, REVOKED, kept.issued_at)
            if digest in kept.superseded_digests:
                return RefusedCheckout(claims.checkout_id, SUPERSEDED, kept.issued_at)
        return None


def path_of(store: Store) -> str:
    return os.path.join(store.home, REVOCATIONS_FILE)


def _kept(entry: Any) -> KeptList:
    etag = entry["etag"]
    texts = [entry["server"], entry["organisation_id"], *entry["checked_in"], *entry["superseded"]]
    if not all(isinstance(text, str) for text in texts) or not isinstance(etag, str | None):
        raise TypeError("text expected")
    issued_at = datetime.fromisoformat(entry["issued_at"])
    if issued_at.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return KeptList(
        entry["server"],
        entry["organisation_id"],
        etag,
        issued_at.astimezone(UTC),
        frozenset(entry["checked_in"]),
        frozenset(entry["superseded"]),
    )


def _to_json(kept: KeptList) -> dict[str, Any]:
    return {
        "server": kept.server,
        "organisation_id": kept.organisation_id,
        "etag": kept.etag,
        "issued_at": kept.issued_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "checked_in": sorted(kept.checkout_ids),
        "superseded": sorted(kept.superseded_digests),
    }
