"""The license server's signing keys: create, rotate, load, sign, publish.

``directory / "keys"`` (mode 0700) holds, each file mode 0600:

* ``manifest.json``: every key with its ``kid``, kind, ``created_at``, whether it is active,
  and for retired keys ``retired_at`` and ``signed_until``;
* ``<kid>.ed25519.pem`` / ``<kid>.rsa.pem``: private keys (PKCS#8) of the active keys;
* ``<kid>.crt.pem``: the self-signed X.509 certificate of each RSA key.

A ``kid`` is the RFC 7638 JWK thumbprint (base64url SHA-256) of the public key, for Ed25519
and RSA alike, so one rule names every key.

Rotation makes new active keys and retires the old ones: their private keys are deleted
(a retired key cannot sign, so it cannot be stolen to sign) and their public keys stay
trusted until ``signed_until`` = ``retired_at`` + 366 days. No checkout lasts longer than
365 days, so every license a retired key signed has expired by then.

Loading an RSA key costs about 130 ms: build the :class:`KeyRing` once per process, or call
:meth:`KeyRing.load`, which caches it until the manifest changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from entitle.licensefile import keyfiles
from entitle.licensefile.claims import SES, LicenseClaims
from entitle.licensefile.errors import KeysAlreadyExist, KeysNotFound, KeyStoreError
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.trust import TrustedKeys
from entitle.licensefile.xmlsig import XmlSigner

RETIRED_KEY_TRUST = timedelta(days=366)
ED25519 = "ed25519"
RSA = "rsa"
_MANIFEST = "manifest.json"
_FORMAT = "entitle-keys/1"


@dataclass(frozen=True)
class KeyRecord:
    """One key of the manifest: its public part and its life."""

    kid: str
    kind: str
    created_at: datetime
    public: bytes
    """The 32 raw public bytes (Ed25519) or the DER certificate (RSA)."""
    retired_at: datetime | None = None
    signed_until: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def trusted_at(self, now: datetime) -> bool:
        return self.signed_until is None or now < self.signed_until

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "kind": self.kind,
            "active": self.active,
            "created_at": _iso(self.created_at),
            "retired_at": None if self.retired_at is None else _iso(self.retired_at),
            "signed_until": None if self.signed_until is None else _iso(self.signed_until),
            "public": keyfiles.b64(self.public),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyRecord:
        return cls(
            kid=data["kid"],
            kind=data["kind"],
            created_at=datetime.fromisoformat(data["created_at"]),
            public=keyfiles.unb64(data["public"]),
            retired_at=_moment(data["retired_at"]),
            signed_until=_moment(data["signed_until"]),
        )


class KeyRing:
    """The loaded signing keys; create once per process and reuse (see :meth:`load`)."""

    _cache: ClassVar[dict[Path, tuple[int, KeyRing]]] = {}

    def __init__(self, records: Iterable[KeyRecord], jws: JwsSigner, xml: XmlSigner) -> None:
        self.records = tuple(records)
        self._jws = jws
        self._xml = xml

    @classmethod
    def load(cls, directory: Path) -> KeyRing:
        """The key ring of ``directory``, loaded once and reused until the keys change."""
        keys_dir = (directory / "keys").resolve()
        try:
            stamp = _manifest_path(keys_dir).stat().st_mtime_ns
        except FileNotFoundError:
            stamp = -1
        cached = cls._cache.get(keys_dir)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        ring = load_keys(directory)
        cls._cache[keys_dir] = (stamp, ring)
        return ring

    def kids(self) -> list[str]:
        """The kids of the active signing keys: the Ed25519 one, then the RSA one."""
        return [r.kid for r in sorted(self.records, key=lambda r: r.kind) if r.active]

    def sign(self, claims: LicenseClaims) -> bytes:
        """The license file for ``claims``: ``.belic`` for SES, ``.xml`` for SELECTserver."""
        if claims.license_service == SES:
            return self._jws.sign(claims)
        return self._xml.sign(claims)

    def trusted(self, now: datetime | None = None) -> TrustedKeys:
        """The public keys to trust: the active keys and retired ones still in use."""
        moment = now or datetime.now(UTC)
        live = [r for r in self.records if r.trusted_at(moment)]
        return TrustedKeys(
            {r.kid: r.public for r in live if r.kind == ED25519},
            [r.public for r in live if r.kind == RSA],
        )

    def jwks(self, now: datetime | None = None) -> dict[str, Any]:
        """The public JWKS document for ``/.well-known/jwks.json`` (Ed25519 keys only)."""
        return self.trusted(now).jwks()

    def xml_certificates_pem(self, now: datetime | None = None) -> bytes:
        """The trusted certificates, PEM concatenated, for ``/.well-known/entitle-xml-cert.pem``."""
        return self.trusted(now).certificates_pem()


def keys_exist(directory: Path) -> bool:
    """Whether ``directory / "keys"`` holds a key manifest."""
    return _manifest_path(directory / "keys").is_file()


def init_keys(directory: Path) -> KeyRing:
    """Create the first signing keys in ``directory / "keys"``; refuses to overwrite keys."""
    keys_dir = directory / "keys"
    if keys_dir.exists() and any(keys_dir.iterdir()):
        raise KeysAlreadyExist(f"{keys_dir} already holds keys; use rotate_keys to replace them")
    keyfiles.make_private_dir(keys_dir)
    records = _new_keys(keys_dir, datetime.now(UTC).replace(microsecond=0))
    _write_manifest(keys_dir, records)
    return load_keys(directory)


def rotate_keys(directory: Path) -> KeyRing:
    """Make new active keys; retired public keys stay trusted for :data:`RETIRED_KEY_TRUST`."""
    keys_dir = directory / "keys"
    now = datetime.now(UTC).replace(microsecond=0)
    old = _read_manifest(keys_dir)
    retired = [
        replace(r, retired_at=now, signed_until=now + RETIRED_KEY_TRUST) if r.active else r
        for r in old
    ]
    records = [r for r in retired if r.trusted_at(now)] + _new_keys(keys_dir, now)
    _write_manifest(keys_dir, records)
    for record in old:
        if record.active:
            keyfiles.private_key_path(keys_dir, record.kid, record.kind).unlink(missing_ok=True)
    return load_keys(directory)


def load_keys(directory: Path) -> KeyRing:
    """Load the key ring of ``directory`` (uncached; prefer :meth:`KeyRing.load`)."""
    keys_dir = directory / "keys"
    records = _read_manifest(keys_dir)
    active = {r.kind: r for r in records if r.active}
    if set(active) != {ED25519, RSA}:
        raise KeyStoreError(f"{keys_dir} has no active key of each kind")
    ed_key = keyfiles.load_ed25519(keys_dir, active[ED25519].kid)
    rsa_key, certificate = keyfiles.load_rsa(keys_dir, active[RSA].kid)
    return KeyRing(records, JwsSigner(ed_key, active[ED25519].kid), XmlSigner(rsa_key, certificate))


def _new_keys(keys_dir: Path, now: datetime) -> list[KeyRecord]:
    ed_kid, ed_public = keyfiles.create_ed25519(keys_dir)
    rsa_kid, certificate_der = keyfiles.create_rsa(keys_dir, now)
    return [
        KeyRecord(ed_kid, ED25519, now, ed_public),
        KeyRecord(rsa_kid, RSA, now, certificate_der),
    ]


def _manifest_path(keys_dir: Path) -> Path:
    return keys_dir / _MANIFEST


def _read_manifest(keys_dir: Path) -> list[KeyRecord]:
    try:
        document = json.loads(_manifest_path(keys_dir).read_bytes())
    except FileNotFoundError:
        raise KeysNotFound(f"no signing keys in {keys_dir}; create them with init_keys") from None
    try:
        if document["format"] != _FORMAT:
            raise KeyStoreError(f"{_manifest_path(keys_dir)} has an unknown format")
        return [KeyRecord.from_json(entry) for entry in document["keys"]]
    except (KeyError, TypeError, ValueError) as error:
        raise KeyStoreError(f"{_manifest_path(keys_dir)} is malformed: {error}") from None


def _write_manifest(keys_dir: Path, records: list[KeyRecord]) -> None:
    document = {"format": _FORMAT, "keys": [r.to_json() for r in records]}
    text = json.dumps(document, indent=2) + "\n"
    keyfiles.replace_private_file(_manifest_path(keys_dir), text.encode("utf-8"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
