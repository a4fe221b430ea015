"""The per-user license store: one JSON file, written atomically under a file lock.

``<home>/store.json`` holds the trusted keys, every imported license file (its exact bytes,
so the signature is verified again at every check) and the latest time the tool has seen.
Readers need no lock, because writers replace the file in one rename. A store that cannot
be read is moved aside to ``store.json.damaged-<time>`` and reported, never emptied.
"""

from __future__ import annotations

import binascii
import json
import os
from typing import TYPE_CHECKING, Any

from entitle.licensefile import LicenseClaims, TrustedKeys
from entitle.licensefile.claims import Frozen
from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool.errors import DamagedStore
from entitle.tool.home import tool_home

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

STORE_FORMAT = "entitle-tool-store/1"


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
        trusted_keys: TrustedKeys | None = None,
        last_seen: datetime | None = None,
    ) -> None:
        self.licenses = dict(licenses or {})
        self.trusted_keys = trusted_keys
        self.last_seen = last_seen

    def saw(self, now: datetime) -> None:
        """Remember ``now`` if it is the latest time seen so far."""
        if self.last_seen is None or now > self.last_seen:
            self.last_seen = now.replace(microsecond=0)

    def to_bytes(self) -> bytes:
        document = {
            "format": STORE_FORMAT,
            "last_seen": _iso(self.last_seen),
            "trusted_keys": None
            if self.trusted_keys is None
            else json.loads(self.trusted_keys.to_json()),
            "licenses": {
                entry.checkout_id: {
                    "file_name": entry.file_name,
                    "imported_at": _iso(entry.imported_at),
                    "digest": entry.digest,
                    "data": binascii.b2a_base64(entry.data, newline=False).decode("ascii"),
                    "claims": entry.claims.to_dict(),
                }
                for entry in sorted(self.licenses.values(), key=lambda e: e.checkout_id)
            },
        }
        return json.dumps(document, indent=2, sort_keys=True).encode("utf-8") + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> StoreState:
        """Parse a store file; raises ValueError (or KeyError, TypeError) when it is damaged."""
        document = json.loads(data)
        if document["format"] != STORE_FORMAT:
            raise ValueError(f"unknown format {document['format']!r}")
        trusted = document["trusted_keys"]
        licenses = {
            checkout_id: StoredLicense(
                checkout_id=checkout_id,
                file_name=str(entry["file_name"]),
                imported_at=_from_iso(entry["imported_at"]),
                digest=str(entry["digest"]),
                data=binascii.a2b_base64(entry["data"], strict_mode=True),
                claims=LicenseClaims.from_dict(entry["claims"]),
            )
            for checkout_id, entry in document["licenses"].items()
        }
        return cls(
            licenses=licenses,
            trusted_keys=None if trusted is None else TrustedKeys.from_json(json.dumps(trusted)),
            last_seen=None if document["last_seen"] is None else _from_iso(document["last_seen"]),
        )


class Store:
    """The current OS user's store in ``home`` (default: :func:`tool_home`)."""

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.home = os.fspath(home) if home is not None else tool_home()
        self.path = os.path.join(self.home, "store.json")
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

    def _parse(self) -> StoreState | str:
        """The store's state, or why its file cannot be read."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return StoreState()
        try:
            return StoreState.from_bytes(data)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return (str(error).splitlines() or [""])[0] or type(error).__name__

    def _locked(self) -> AbstractContextManager[None]:
        from entitle.tool.files import locked

        return locked(self)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _from_iso(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError("a time is ISO 8601 text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a time must carry its UTC offset")
    return moment.astimezone(UTC)
