"""The per-user license store: one JSON file, written atomically under a file lock.

``<home>/store.json`` holds every imported license file (its exact bytes, so the signature is
verified again at every check), the certificates fetched from license servers (read, never
trusted by themselves: a pinned issuer root must have certified them), the serial numbers of
revoked signing certificates, the license servers to sync with, the checkouts refused here
(cleared on this machine, or dropped by a revocation list) and the latest time the tool has
seen, kept with each license entry as well. It holds no issuer: which issuers are trusted is
the machine-wide configuration's or the product's to say (:mod:`entitle.tool.trusted`), and a
``trusted_keys`` member, which stores written before issuer roots have, is ignored.
A store that holds licenses but no time seen was edited: like any store that cannot be read,
it is moved aside to ``store.json.damaged-<time>`` and reported, never emptied.

``<home>/guard.json`` keeps a second copy of the latest time seen, of the refused checkouts
and of the revoked serial numbers, so that editing or deleting ``store.json`` forgets none.
Without it, the check-in receipts in ``<home>/receipts/`` stand in (their checkout ids and
clear times). Readers need no lock, because writers replace each file in one rename.
"""

from __future__ import annotations

import binascii
import os
from typing import TYPE_CHECKING, Any

from entitle.licensefile import LicenseClaims
from entitle.licensefile.claims import Frozen
from entitle.licensefile.jsontext import loads
from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool.errors import DamagedStore, UnknownCheckout
from entitle.tool.home import tool_home

if TYPE_CHECKING:
    from collections.abc import Iterable
    from contextlib import AbstractContextManager

STORE_FORMAT = "entitle-tool-store/3"
FIRST_STORE_FORMAT = "entitle-tool-store/1"
"""Read as well: no time seen per license entry, no refused checkouts, trusted keys."""
SECOND_STORE_FORMAT = "entitle-tool-store/2"
"""Read as well: trusted keys, no cached certificates, revoked serials or servers."""
GUARD_FORMAT = "entitle-tool-guard/1"

CHECKED_IN = "CHECKED_IN"
"""Why a checkout is refused: it was cleared (checked in) on this machine."""
REVOKED = "REVOKED"
"""Why a checkout is refused: its license server's revocation list says it was checked in."""
KEY_REVOKED = "KEY_REVOKED"
"""Why a checkout is refused: its issuer revoked the key that signed its license file."""
SUPERSEDED = "SUPERSEDED"
"""Why a license file is refused: its server replaced it with a newer file of its checkout."""


class RefusedCheckout(Frozen):
    """A checkout this workstation refuses to import or run again: ``reason`` and ``since``.

    ``reason`` is a stable code: :data:`CHECKED_IN` when it was cleared here; from a license
    server's revocation list (``entitle-tool sync``), :data:`REVOKED` when it was checked in
    there and :data:`KEY_REVOKED` when the key that signed it was revoked (and, for one file
    only, :data:`SUPERSEDED` when a newer file replaced it). ``since`` is when
    it was cleared, or the issue time of the revocation list that said so.
    """

    _fields = ("checkout_id", "reason", "since")
    __slots__ = _fields
    checkout_id: str
    reason: str
    since: datetime

    def __init__(self, checkout_id: str, reason: str, since: datetime) -> None:
        self._init(checkout_id=checkout_id, reason=reason, since=since)

    @property
    def message(self) -> str:
        """One sentence for people, naming the checkout."""
        day = self.since.strftime("%Y-%m-%d")
        if self.reason == CHECKED_IN:
            return (
                f"Checkout {self.checkout_id} was checked in on this machine on {day}; "
                "ask your administrator for a new checkout."
            )
        if self.reason == REVOKED:
            return (
                f"Checkout {self.checkout_id} was checked in on the license server (revocation "
                f"list of {day}); ask your administrator for a new checkout."
            )
        if self.reason == SUPERSEDED:
            return (
                f"The license file of checkout {self.checkout_id} was replaced by a newer one "
                f"(revocation list of {day}); import the newer file."
            )
        if self.reason == KEY_REVOKED:
            return (
                f"Checkout {self.checkout_id} was signed by a key its issuer revoked (revocation "
                f"list of {day}); ask your administrator for a new license file."
            )
        return f"Checkout {self.checkout_id} is refused here ({self.reason}) since {day}."


class StoredLicense(Frozen):
    """An imported license file; ``claims`` are as verified at import, for listing only.

    A :class:`~entitle.licensefile.claims.Frozen` value rather than a ``NamedTuple``: building a
    ``NamedTuple`` compiles each annotation at import, and every product start imports this.
    """

    _fields = ("checkout_id", "file_name", "imported_at", "digest", "data", "claims")
    __slots__ = _fields
    checkout_id: str
    file_name: str
    imported_at: datetime
    digest: str
    data: bytes
    claims: LicenseClaims

    def __init__(
        self,
        checkout_id: str,
        file_name: str,
        imported_at: datetime,
        digest: str,
        data: bytes,
        claims: LicenseClaims,
    ) -> None:
        self._init(
            checkout_id=checkout_id,
            file_name=file_name,
            imported_at=imported_at,
            digest=digest,
            data=data,
            claims=claims,
        )


class StoreState:
    """What the store holds; change it inside :meth:`Store.update`."""

    def __init__(
        self,
        licenses: dict[str, StoredLicense] | None = None,
        last_seen: datetime | None = None,
        refused: dict[str, RefusedCheckout] | None = None,
        *,
        certificates: Iterable[bytes] = (),
        revoked_serials: Iterable[int] = (),
        servers: Iterable[str] = (),
    ) -> None:
        self.licenses = dict(licenses or {})
        self.last_seen = last_seen
        self.refused = dict(refused or {})
        self.certificates: tuple[bytes, ...] = tuple(dict.fromkeys(certificates))
        """Certificates (DER) fetched from license servers; they grant nothing by themselves."""
        self.revoked_serials: frozenset[int] = frozenset(revoked_serials)
        """Serial numbers of signing certificates revoked by their issuer."""
        self.servers: tuple[str, ...] = tuple(dict.fromkeys(servers))
        """The license servers ``entitle-tool sync`` fetches from, as their base URLs."""

    def saw(self, now: datetime) -> None:
        """Remember ``now`` if it is the latest time seen so far."""
        if self.last_seen is None or now > self.last_seen:
            self.last_seen = now.replace(microsecond=0)

    def refuse(self, refusal: RefusedCheckout) -> None:
        """Refuse that checkout from now on; the first refusal of a checkout is kept."""
        self.refused.setdefault(refusal.checkout_id, refusal)

    def recall(
        self,
        last_seen: datetime | None,
        refused: dict[str, RefusedCheckout],
        revoked_serials: frozenset[int] = frozenset(),
    ) -> None:
        """Take in what another copy remembers: its latest time seen, its refusals."""
        if last_seen is not None:
            self.saw(last_seen)
        for refusal in refused.values():
            self.refuse(refusal)
        self.revoked_serials |= revoked_serials

    def find(self, checkout_id: str) -> StoredLicense:
        """The entry for ``checkout_id``, also found by a unique beginning of the id."""
        if checkout_id.strip() in self.licenses:
            return self.licenses[checkout_id.strip()]
        wanted = checkout_id.strip().lower()
        matches = [
            e for key, e in self.licenses.items() if wanted and key.lower().startswith(wanted)
        ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownCheckout(
                f"Several stored licenses begin with {checkout_id}; give more of it."
            )
        raise UnknownCheckout(f"No license with checkout id {checkout_id} is stored for this user.")

    def to_bytes(self) -> bytes:
        seen = _iso(self.last_seen)
        document = {
            "format": STORE_FORMAT,
            "last_seen": seen,
            "refused": _refused_to_json(self.refused),
            "certificates": [_b64(der) for der in self.certificates],
            "revoked_serials": _serials_to_json(self.revoked_serials),
            "servers": list(self.servers),
            "licenses": {
                entry.checkout_id: {
                    "file_name": entry.file_name,
                    "imported_at": _iso(entry.imported_at),
                    "last_seen": seen,
                    "digest": entry.digest,
                    "data": _b64(entry.data),
                    "claims": entry.claims.to_dict(),
                }
                for entry in sorted(self.licenses.values(), key=lambda e: e.checkout_id)
            },
        }
        return _dump(document)

    def guard_bytes(self) -> bytes:
        """The copy kept outside ``store.json``: the latest time seen, the refused checkouts,
        the revoked serial numbers."""
        return _dump(
            {
                "format": GUARD_FORMAT,
                "last_seen": _iso(self.last_seen),
                "refused": _refused_to_json(self.refused),
                "revoked_serials": _serials_to_json(self.revoked_serials),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> StoreState:
        """Parse a store file; raises ValueError (or KeyError, TypeError) when it is damaged."""
        document = loads(data)
        version = _VERSIONS.get(document["format"])
        if version is None:
            raise ValueError(f"unknown format {document['format']!r}")
        entries = document["licenses"]
        licenses = {
            checkout_id: StoredLicense(
                checkout_id=checkout_id,
                file_name=str(entry["file_name"]),
                imported_at=_from_iso(entry["imported_at"]),
                digest=str(entry["digest"]),
                data=binascii.a2b_base64(entry["data"], strict_mode=True),
                claims=LicenseClaims.from_dict(entry["claims"]),
            )
            for checkout_id, entry in entries.items()
        }
        seen = [document["last_seen"], *(e["last_seen"] for e in entries.values() if version > 1)]
        if licenses and None in seen:
            raise ValueError("it holds licenses but no time last seen, so it was edited")
        state = cls(
            licenses=licenses,
            refused=_refused_from_json(document["refused"]) if version > 1 else None,
        )
        if version > 2:
            state.certificates = tuple(
                binascii.a2b_base64(text, strict_mode=True) for text in document["certificates"]
            )
            state.revoked_serials = _serials_from_json(document["revoked_serials"])
            state.servers = tuple(_texts(document["servers"]))
        for moment in seen:
            if moment is not None:
                state.saw(_from_iso(moment))
        return state


class Store:
    """The current OS user's store in ``home`` (default: :func:`tool_home`)."""

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.home = os.fspath(home) if home is not None else tool_home()
        self.path = os.path.join(self.home, "store.json")
        self.guard_path = os.path.join(self.home, "guard.json")
        self.receipts_dir = os.path.join(self.home, "receipts")
        self.lock_path = os.path.join(self.home, ".store.lock")

    def read(self) -> StoreState:
        """The store as it is now (empty if there is none yet); no lock needed."""
        found = self._parse()
        if isinstance(found, StoreState):
            return found
        with self._locked():
            return self.read_locked(found)

    def update(self) -> AbstractContextManager[StoreState]:
        """Lock the store, yield its state, and write it back if the block changed it."""
        from entitle.tool.files import locked_update

        return locked_update(self)

    def read_locked(self, detail: str = "") -> StoreState:
        """Like :meth:`read`, for holders of the lock: a damaged file is moved aside."""
        found = self._parse()
        if isinstance(found, StoreState):
            return found
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept_as = f"{self.path}.damaged-{stamp}"
        os.replace(self.path, kept_as)
        raise DamagedStore(self.path, kept_as, detail or found)

    def guard_on_disk(self) -> bytes | None:
        """The guard file's bytes as they are now, None when there is none."""
        return _read(self.guard_path)

    def _parse(self) -> StoreState | str:
        """The store's state with what the guard remembers, or why the store cannot be read."""
        data = _read(self.path)
        if data is None:
            state = StoreState()
        else:
            try:
                state = StoreState.from_bytes(data)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                return (str(error).splitlines() or [""])[0] or type(error).__name__
        remembered = _guard_from_bytes(self.guard_on_disk())
        state.recall(*(remembered or _cleared_in_receipts(self.receipts_dir)))
        return state

    def _locked(self) -> AbstractContextManager[None]:
        from entitle.tool.files import locked

        return locked(self)


_VERSIONS = {FIRST_STORE_FORMAT: 1, SECOND_STORE_FORMAT: 2, STORE_FORMAT: 3}


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _serials_to_json(serials: frozenset[int]) -> list[str]:
    return [format(serial, "x") for serial in sorted(serials)]


def _serials_from_json(document: Any) -> frozenset[int]:
    return frozenset(int(text, 16) for text in _texts(document))


def _texts(document: Any) -> list[str]:
    if not isinstance(document, list) or not all(isinstance(t, str) for t in document):
        raise TypeError("a list of text")
    return document


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _dump(document: dict[str, Any]) -> bytes:
    import json  # writing only: every product start reads the store, few write it

    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _refused_to_json(refused: dict[str, RefusedCheckout]) -> dict[str, dict[str, str | None]]:
    return {r.checkout_id: {"reason": r.reason, "since": _iso(r.since)} for r in refused.values()}


def _refused_from_json(document: Any) -> dict[str, RefusedCheckout]:
    return {
        str(checkout_id): RefusedCheckout(
            str(checkout_id), str(entry["reason"]), _from_iso(entry["since"])
        )
        for checkout_id, entry in document.items()
    }


Remembered = tuple[datetime | None, dict[str, RefusedCheckout], frozenset[int]]


def _guard_from_bytes(data: bytes | None) -> Remembered | None:
    """What a guard file remembers; None when there is none or it cannot be read."""
    if data is None:
        return None
    try:
        document = loads(data)
        if document["format"] != GUARD_FORMAT:
            return None
        seen = document["last_seen"]
        return (
            None if seen is None else _from_iso(seen),
            _refused_from_json(document["refused"]),
            _serials_from_json(document.get("revoked_serials", [])),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _cleared_in_receipts(receipts_dir: str) -> Remembered:
    """The checkouts the check-in receipts (sent or not) say were cleared, and the last time."""
    refused: dict[str, RefusedCheckout] = {}
    for directory in (receipts_dir, os.path.join(receipts_dir, "sent")):
        try:
            names = [n for n in os.listdir(directory) if n.endswith(".json")]
        except OSError:
            continue
        for name in names:
            try:
                receipt = loads(_read(os.path.join(directory, name)) or b"")
                checkout_id = str(receipt["checkout_id"])
                cleared = RefusedCheckout(checkout_id, CHECKED_IN, _from_iso(receipt["cleared_at"]))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue
            refused.setdefault(checkout_id, cleared)
    latest = max((r.since for r in refused.values()), default=None)
    return latest, refused, frozenset()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _from_iso(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError("a time is ISO 8601 text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return moment.astimezone(UTC)
