"""The license server's keys: the issuer root, the signing keys it certifies, and the CRL.

``directory / "keys"`` (mode 0700) holds, each file mode 0600:

* ``manifest.json``: the root certificate, the CRL, and every signing key with its ``kid``,
  kind, ``created_at``, public part, root-issued certificate and, once retired or revoked,
  ``retired_at``, ``signed_until`` and ``revoked_at``;
* ``root.key.pem``: the issuer root's private key, only until ``entitle keys export-root``
  moves it off the server (:func:`export_root_key`): signing never needs it;
* ``<kid>.ed25519.pem`` / ``<kid>.rsa.pem`` / ``<kid>.revocation.pem``: the private keys of
  the active keys (PKCS#8).

Three kinds of signing key, each certified by the root for one purpose:
``ed25519`` signs ``.belic`` files and ``rsa`` signs ``.xml`` files
(:data:`~entitle.licensefile.issuers.LICENSE_SIGNING`); ``revocation`` signs revocation lists
(:data:`~entitle.licensefile.issuers.REVOCATION_SIGNING`). A ``kid`` is the RFC 7638 JWK
thumbprint (base64url SHA-256) of the public key, for Ed25519 and RSA alike.

**Certificate validity.** A signing certificate runs :data:`SIGNING_CERTIFICATE_LIFETIME` (three
years) from its key's creation (starting :data:`CLOCK_MARGIN` before it). A key signs only
licenses whose whole window, issue time to expiry, lies inside its certificate:
:meth:`KeyRing.sign` raises :class:`~entitle.licensefile.errors.CertificateDoesNotCover`
otherwise, and workstations refuse such a file too. No checkout lasts longer than
:data:`LONGEST_LICENSE`, so once less than that is left the key cannot sign a full-length
checkout: :meth:`KeyRing.status` warns :data:`ROTATE_NOTICE` before that moment. Rotating every
two years keeps every request covered.

**Rotation** (:func:`rotate_keys`, needs the root's private key) makes and certifies new keys
and retires the old ones: their private keys are deleted, so a retired key signs nothing new.
A retired key's public part and certificate stay published until ``signed_until``: the
earlier of its certificate's end and ``retired_at`` + :data:`LONGEST_LICENSE`. Every license a
key signed lies inside its certificate and was issued before its retirement, so the last of
them has expired by then; the certificate itself is not shortened (files carry it), and no
license outlives it. **Revocation** (:func:`revoke_key`) puts a retired key's certificate on
the root-signed CRL: its files stop verifying at once, wherever the CRL has reached.

Keys made before the deployment had a root (manifest format 1) are certified by a new root
when :func:`init_keys` runs again (``entitle keys init``): the active keys for a new three-year
window from their creation, retired ones still in use until their ``signed_until``.

Loading an RSA key costs about 130 ms: build the :class:`KeyRing` once per process, or call
:meth:`KeyRing.load`, which caches it until the manifest changes (:class:`ServerKeys` does so
for every use, so a rotation reaches running servers at their next signature).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from entitle.licensefile import keyfiles
from entitle.licensefile.claims import SES, LicenseClaims
from entitle.licensefile.der import Certificate, parse_certificate
from entitle.licensefile.errors import KeyStoreError
from entitle.licensefile.issuers import (
    LICENSE_SIGNING,
    REVOCATION_SIGNING,
    TrustedIssuers,
    fingerprint,
)
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.keyerrors import (
    CertificateDoesNotCover,
    KeysAlreadyExist,
    KeysNotFound,
    RootKeyUnavailable,
)
from entitle.licensefile.revocation import revocation_list_tag, sign_revocation_list
from entitle.licensefile.trust import TrustedKeys, pem_certificate
from entitle.licensefile.xmlsig import XmlSigner

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

LONGEST_LICENSE = timedelta(days=366)
"""No checkout lasts longer (a year, to the end of its last day)."""
RETIRED_KEY_TRUST = LONGEST_LICENSE
SIGNING_CERTIFICATE_LIFETIME = timedelta(days=3 * 365 + 1)
CLOCK_MARGIN = timedelta(hours=1)
"""New signing certificates start this much before their key's creation, so servers whose
clocks run behind the one that rotated can sign with the new keys at once."""
ROTATE_NOTICE = timedelta(days=30)
ED25519 = "ed25519"
RSA = "rsa"
REVOCATION = "revocation"
KINDS = (ED25519, RSA, REVOCATION)
_PURPOSES = {ED25519: LICENSE_SIGNING, RSA: LICENSE_SIGNING, REVOCATION: REVOCATION_SIGNING}
_LABELS = {ED25519: "license signing", RSA: "xml license signing", REVOCATION: "revocations"}
_MANIFEST = "manifest.json"
_FORMAT = "entitle-keys/2"
_FORMAT_BEFORE_ROOT = "entitle-keys/1"


@dataclass(frozen=True)
class KeyRecord:
    """One signing key of the manifest: its public part, its certificate and its life."""

    kid: str
    kind: str
    created_at: datetime
    public: bytes
    """The 32 raw public bytes (Ed25519), or the DER certificate older ``.xml`` files of
    this key carry (RSA: self-signed for keys older than the root, else ``certificate``)."""
    certificate: bytes | None = None
    """The root-issued certificate (DER); None only in a manifest older than the root."""
    retired_at: datetime | None = None
    signed_until: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def trusted_at(self, now: datetime) -> bool:
        """Whether workstations should still accept what this key signed."""
        return self.revoked_at is None and (self.signed_until is None or now < self.signed_until)

    @property
    def parsed_certificate(self) -> Certificate:
        if self.certificate is None:
            raise KeyStoreError(f"key {self.kid} has no certificate from the issuer root")
        return parse_certificate(self.certificate)

    def to_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "kind": self.kind,
            "active": self.active,
            "created_at": _iso(self.created_at),
            "retired_at": _iso(self.retired_at),
            "signed_until": _iso(self.signed_until),
            "revoked_at": _iso(self.revoked_at),
            "public": keyfiles.b64(self.public),
            "certificate": None if self.certificate is None else keyfiles.b64(self.certificate),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyRecord:
        certificate = data.get("certificate")
        return cls(
            kid=data["kid"],
            kind=data["kind"],
            created_at=datetime.fromisoformat(data["created_at"]),
            public=keyfiles.unb64(data["public"]),
            certificate=None if certificate is None else keyfiles.unb64(certificate),
            retired_at=_moment(data["retired_at"]),
            signed_until=_moment(data["signed_until"]),
            revoked_at=_moment(data.get("revoked_at")),
        )


class KeyStatus(NamedTuple):
    """One key as ``entitle keys status`` shows it; ``notice`` says what to do, if anything."""

    kid: str
    kind: str
    state: str
    certificate_from: datetime | None
    certificate_until: datetime | None
    notice: str | None


class SignedRevocationList(NamedTuple):
    """A signed revocation list and its entity tag (equal while its content is)."""

    data: bytes
    etag: str


class Manifest(NamedTuple):
    root: bytes
    crl: bytes
    records: tuple[KeyRecord, ...]


class KeyRing:
    """The loaded keys; create once per process and reuse (see :meth:`load`)."""

    _cache: ClassVar[dict[Path, tuple[int, KeyRing]]] = {}

    def __init__(
        self,
        manifest: Manifest,
        jws: JwsSigner,
        xml: XmlSigner,
        revocations: JwsSigner,
    ) -> None:
        self.records = manifest.records
        self.root_certificate = manifest.root
        self.crl = manifest.crl
        self._jws = jws
        self._xml = xml
        self._revocations = revocations
        active = {r.kind: r for r in self.records if r.active}
        self._windows = {kind: active[kind].parsed_certificate for kind in (ED25519, RSA)}

    @classmethod
    def load(cls, directory: Path) -> KeyRing:
        """The key ring of ``directory``, loaded once and reused until the keys change."""
        keys_dir = _keys_dir(directory)
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

    @property
    def root_fingerprint(self) -> str:
        """What products pin: ``sha256:`` and the hex SHA-256 of the root certificate's DER."""
        return fingerprint(self.root_certificate)

    def kids(self) -> list[str]:
        """The kids of the active license signing keys: the Ed25519 one, then the RSA one."""
        return [self._active(ED25519).kid, self._active(RSA).kid]

    def sign(self, claims: LicenseClaims) -> bytes:
        """The license file for ``claims``: ``.belic`` for SES, ``.xml`` for SELECTserver.

        Raises :class:`CertificateDoesNotCover` when the license's window is not inside the
        active key's certificate.
        """
        kind = ED25519 if claims.license_service == SES else RSA
        window = self._windows[kind]
        if not window.not_before <= claims.issued_at <= claims.expires_at <= window.not_after:
            raise CertificateDoesNotCover(
                self._active(kind).kid, window.not_before, window.not_after
            )
        if kind == ED25519:
            return self._jws.sign(claims)
        return self._xml.sign(claims)

    def sign_revocation_list(
        self,
        organisation_id: str,
        checkout_ids: Iterable[str],
        superseded_digests: Iterable[str],
        now: datetime,
    ) -> SignedRevocationList:
        """The organisation's signed revocation list, with the CRL, and its entity tag."""
        ids, digests = sorted(set(checkout_ids)), sorted(set(superseded_digests))
        data = sign_revocation_list(self._revocations, self.crl, organisation_id, ids, digests, now)
        tag = revocation_list_tag(self._revocations.kid, self.crl, organisation_id, ids, digests)
        return SignedRevocationList(data, tag)

    def trusted(self, now: datetime | None = None) -> TrustedKeys:
        """The license signing keys as workstations trusted them before issuer roots: the
        active keys and retired ones still in use, none revoked."""
        moment = now or datetime.now(UTC)
        live = [r for r in self.records if r.trusted_at(moment)]
        rsa = [c for r in live if r.kind == RSA for c in (r.public, r.certificate) if c]
        return TrustedKeys({r.kid: r.public for r in live if r.kind == ED25519}, rsa)

    def issuers(self, now: datetime | None = None) -> TrustedIssuers:
        """This deployment's root pinned, with every published certificate cached."""
        return TrustedIssuers.for_roots([self.root_certificate], self.certificates(now))

    def certificates(self, now: datetime | None = None) -> list[bytes]:
        """The root certificate, then every certificate it issued that is neither expired
        nor revoked (DER): all a workstation needs cached, whatever its files carry."""
        moment = now or datetime.now(UTC)
        return [self.root_certificate] + [
            r.certificate
            for r in self.records
            if r.certificate is not None
            and r.revoked_at is None
            and moment < r.parsed_certificate.not_after
        ]

    def certificates_pem(self, now: datetime | None = None) -> bytes:
        """:meth:`certificates` as PEM, for ``/.well-known/entitle-certificates.pem``."""
        return b"".join(pem_certificate(der) for der in self.certificates(now))

    def root_pem(self) -> bytes:
        """The root certificate as PEM, for ``/.well-known/entitle-root.pem``."""
        return pem_certificate(self.root_certificate)

    def jwks(self, now: datetime | None = None) -> dict[str, Any]:
        """The public JWKS document for ``/.well-known/jwks.json`` (Ed25519 keys only)."""
        return self.trusted(now).jwks()

    def xml_certificates_pem(self, now: datetime | None = None) -> bytes:
        """The trusted certificates, PEM concatenated, for ``/.well-known/entitle-xml-cert.pem``."""
        return self.trusted(now).certificates_pem()

    def status(self, now: datetime | None = None) -> list[KeyStatus]:
        """Every key with its certificate's window, and what the operator should do."""
        moment = now or datetime.now(UTC)
        found = []
        for record in self.records:
            certificate = record.parsed_certificate
            notice = None
            if record.revoked_at is not None:
                state = "revoked"
            elif record.active:
                state = "active"
                if record.kind != REVOCATION:
                    notice = _rotate_notice(certificate, moment)
            else:
                state = "retired"
            found.append(
                KeyStatus(
                    record.kid,
                    record.kind,
                    state,
                    certificate.not_before,
                    certificate.not_after,
                    notice,
                )
            )
        return found

    def notices(self, now: datetime | None = None) -> list[str]:
        """The sentences of :meth:`status` that ask the operator to act."""
        return [s.notice for s in self.status(now) if s.notice]

    def _active(self, kind: str) -> KeyRecord:
        return next(r for r in self.records if r.active and r.kind == kind)


class ServerKeys:
    """The keys of a data directory as they are now: each use reloads them if rotated.

    What a server process holds, so that ``entitle keys rotate`` in another process takes
    effect at the next signature, and a retired key never signs again.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._last = KeyRing.load(directory)  # fail at start-up, not at the first checkout

    def ring(self) -> KeyRing:
        """The keys as the directory holds them now; while a copy of rotated keys is still
        arriving (a manifest naming private keys not there yet), the keys loaded last."""
        with suppress(KeyStoreError):
            self._last = KeyRing.load(self.directory)
        return self._last

    def sign(self, claims: LicenseClaims) -> bytes:
        return self.ring().sign(claims)

    def sign_revocation_list(
        self,
        organisation_id: str,
        checkout_ids: Iterable[str],
        superseded_digests: Iterable[str],
        now: datetime,
    ) -> SignedRevocationList:
        return self.ring().sign_revocation_list(
            organisation_id, checkout_ids, superseded_digests, now
        )

    @property
    def root_fingerprint(self) -> str:
        return self.ring().root_fingerprint

    @property
    def crl(self) -> bytes:
        return self.ring().crl

    def root_pem(self) -> bytes:
        return self.ring().root_pem()

    def certificates_pem(self, now: datetime | None = None) -> bytes:
        return self.ring().certificates_pem(now)

    def jwks(self, now: datetime | None = None) -> dict[str, Any]:
        return self.ring().jwks(now)

    def xml_certificates_pem(self, now: datetime | None = None) -> bytes:
        return self.ring().xml_certificates_pem(now)

    def notices(self, now: datetime | None = None) -> list[str]:
        return self.ring().notices(now)


def keys_exist(directory: Path) -> bool:
    """Whether ``directory / "keys"`` holds a key manifest."""
    return _manifest_path(directory / "keys").is_file()


def keys_need_root(directory: Path) -> bool:
    """Whether the keys predate the issuer root (:func:`init_keys` certifies them)."""
    try:
        document = json.loads(_manifest_path(directory / "keys").read_bytes())
    except FileNotFoundError:
        return False
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("format") == _FORMAT_BEFORE_ROOT


def init_keys(directory: Path, *, issuer: str = "entitle", now: datetime | None = None) -> KeyRing:
    """Create the issuer root and the first signing keys in ``directory / "keys"``.

    Keys made before issuer roots existed are kept and certified by the new root instead.
    Refuses (:class:`KeysAlreadyExist`) when the keys already have a root.
    """
    keys_dir = directory / "keys"
    moment = _now(now)
    if keys_need_root(directory):
        return _add_root(directory, issuer, moment)
    if keys_dir.exists() and any(keys_dir.iterdir()):
        raise KeysAlreadyExist(
            f"{keys_dir} already holds keys; rotate them instead (entitle keys rotate)"
        )
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from entitle.licensefile import certify

    keyfiles.make_private_dir(keys_dir)
    root_key = Ed25519PrivateKey.generate()
    keyfiles.write_private_file(keys_dir / keyfiles.ROOT_KEY_FILE, keyfiles.pkcs8(root_key))
    root = certify.make_root(root_key, issuer, moment)
    records = _new_keys(keys_dir, root_key, root, moment)
    crl = certify.make_crl(root_key, root, (), moment)
    _write_manifest(keys_dir, Manifest(_der(root), crl, tuple(records)))
    return load_keys(directory)


def rotate_keys(
    directory: Path, *, root_key: Path | None = None, now: datetime | None = None
) -> KeyRing:
    """Make and certify new active keys and retire the old ones (their private keys go).

    Needs the issuer root's private key: ``root_key``, or ``keys/root.key.pem`` while it is
    still on the server; :class:`RootKeyUnavailable` says so otherwise.
    """
    from entitle.licensefile import certify

    keys_dir = directory / "keys"
    moment = _now(now)
    manifest = _read_manifest(keys_dir)
    signing_key, root = _root_key(keys_dir, manifest, root_key, "rotating the signing keys")
    retired = [
        replace(r, retired_at=moment, signed_until=_signed_until(r, moment)) if r.active else r
        for r in manifest.records
    ]
    kept = [r for r in retired if moment < r.parsed_certificate.not_after]
    records = [*kept, *_new_keys(keys_dir, signing_key, root, moment)]
    crl = certify.make_crl(signing_key, root, _revoked(records), moment)
    _write_manifest(keys_dir, Manifest(manifest.root, crl, tuple(records)))
    for record in manifest.records:
        if record.active:
            keyfiles.private_key_path(keys_dir, record.kid, record.kind).unlink(missing_ok=True)
    return load_keys(directory)


def revoke_key(
    directory: Path,
    kid: str | None,
    *,
    root_key: Path | None = None,
    now: datetime | None = None,
) -> KeyRing:
    """Put the retired key ``kid`` on the root-signed CRL (None: sign the CRL again).

    An active key is rotated first (:func:`rotate_keys`); revoking a key makes every file it
    signed fail on every workstation the CRL reaches, so re-issue those checkouts.
    """
    from entitle.licensefile import certify

    keys_dir = directory / "keys"
    moment = _now(now)
    manifest = _read_manifest(keys_dir)
    records = list(manifest.records)
    if kid is not None:
        index = next((i for i, r in enumerate(records) if r.kid == kid), None)
        if index is None:
            raise KeyStoreError(f"there is no signing key {kid}")
        if records[index].active:
            raise KeyStoreError(
                f"key {kid} is active: rotate the keys first (entitle keys rotate), "
                "then revoke the retired key"
            )
        if records[index].revoked_at is None:
            records[index] = replace(records[index], revoked_at=moment)
    signing_key, root = _root_key(keys_dir, manifest, root_key, "revoking a key")
    crl = certify.make_crl(signing_key, root, _revoked(records), moment)
    _write_manifest(keys_dir, Manifest(manifest.root, crl, tuple(records)))
    return load_keys(directory)


def export_root_key(directory: Path, destination: Path) -> Path:
    """Move the issuer root's private key to ``destination`` (mode 0600, never overwritten).

    The copy is read back and checked against the root certificate before the server's
    copy is deleted. From then on rotation and revocation need ``root_key=destination``.
    """
    keys_dir = directory / "keys"
    manifest = _read_manifest(keys_dir)
    source = keys_dir / keyfiles.ROOT_KEY_FILE
    if not source.exists():
        raise RootKeyUnavailable(
            f"the issuer root's private key is not in {keys_dir}: it was exported already"
        )
    key = _matching_root_key(source, manifest)
    keyfiles.write_private_file(destination, keyfiles.pkcs8(key))
    _matching_root_key(destination, manifest)
    source.unlink()
    return destination


def load_keys(directory: Path) -> KeyRing:
    """Load the key ring of ``directory`` (uncached; prefer :meth:`KeyRing.load`)."""
    from cryptography import x509

    keys_dir = directory / "keys"
    manifest = _read_manifest(keys_dir)
    active = {r.kind: r for r in manifest.records if r.active}
    if set(active) != set(KINDS):
        raise KeyStoreError(f"{keys_dir} has no active key of each kind")
    root = x509.load_der_x509_certificate(manifest.root)
    ed = active[ED25519]
    revocations = active[REVOCATION]
    rsa = active[RSA]
    return KeyRing(
        manifest,
        JwsSigner(keyfiles.load_ed25519(keys_dir, ed.kid), ed.kid, _chain(ed, manifest)),
        XmlSigner(
            keyfiles.load_rsa(keys_dir, rsa.kid),
            [x509.load_der_x509_certificate(_certificate(rsa)), root],
        ),
        JwsSigner(
            keyfiles.load_ed25519(keys_dir, revocations.kid, REVOCATION),
            revocations.kid,
            _chain(revocations, manifest),
        ),
    )


def _add_root(directory: Path, issuer: str, now: datetime) -> KeyRing:
    """Certify keys made before issuer roots with a new root."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from entitle.licensefile import certify

    keys_dir = directory / "keys"
    document = json.loads(_manifest_path(keys_dir).read_bytes())
    old = [KeyRecord.from_json(entry) for entry in document["keys"]]
    root_key = Ed25519PrivateKey.generate()
    keyfiles.write_private_file(keys_dir / keyfiles.ROOT_KEY_FILE, keyfiles.pkcs8(root_key))
    root = certify.make_root(root_key, issuer, now)
    records: list[KeyRecord] = []
    for record in old:
        if not record.trusted_at(now):
            continue
        public = (
            Ed25519PublicKey.from_public_bytes(record.public)
            if record.kind == ED25519
            else x509.load_der_x509_certificate(record.public).public_key()
        )
        until = record.signed_until or now + SIGNING_CERTIFICATE_LIFETIME
        certificate = certify.certify(
            root_key,
            root,
            public,  # type: ignore[arg-type]
            purpose=_PURPOSES[record.kind],
            label=f"entitle {_LABELS[record.kind]} {record.kid[:16]}",
            not_before=record.created_at,
            not_after=until,
        )
        records.append(replace(record, certificate=_der(certificate)))
    records.append(_new_key(keys_dir, REVOCATION, root_key, root, now))
    crl = certify.make_crl(root_key, root, (), now)
    _write_manifest(keys_dir, Manifest(_der(root), crl, tuple(records)))
    return load_keys(directory)


def _new_keys(
    keys_dir: Path, root_key: Ed25519PrivateKey, root: x509.Certificate, now: datetime
) -> list[KeyRecord]:
    return [_new_key(keys_dir, kind, root_key, root, now) for kind in KINDS]


def _new_key(
    keys_dir: Path,
    kind: str,
    root_key: Ed25519PrivateKey,
    root: x509.Certificate,
    now: datetime,
) -> KeyRecord:
    from cryptography.hazmat.primitives import serialization

    from entitle.licensefile import certify

    if kind == RSA:
        kid, rsa_key = keyfiles.create_rsa(keys_dir)
        public_key: Any = rsa_key.public_key()
    else:
        kid, ed_key = keyfiles.create_ed25519(keys_dir, kind)
        public_key = ed_key.public_key()
    certificate = _der(
        certify.certify(
            root_key,
            root,
            public_key,
            purpose=_PURPOSES[kind],
            label=f"entitle {_LABELS[kind]} {kid[:16]}",
            not_before=now - CLOCK_MARGIN,
            not_after=now + SIGNING_CERTIFICATE_LIFETIME,
        )
    )
    public = (
        certificate
        if kind == RSA
        else public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return KeyRecord(kid, kind, now, public, certificate)


def _signed_until(record: KeyRecord, now: datetime) -> datetime:
    return min(now + LONGEST_LICENSE, record.parsed_certificate.not_after)


def _revoked(records: Sequence[KeyRecord]) -> list[tuple[int, datetime]]:
    return [
        (r.parsed_certificate.serial_number, r.revoked_at)
        for r in records
        if r.revoked_at is not None
    ]


def _rotate_notice(certificate: Certificate, now: datetime) -> str | None:
    full_length_until = certificate.not_after - LONGEST_LICENSE
    if now < full_length_until - ROTATE_NOTICE:
        return None
    when = full_length_until.strftime("%Y-%m-%d")
    if now < full_length_until:
        return (
            f"rotate the signing keys before {when} (entitle keys rotate): after that day "
            "their certificate cannot cover a checkout of a full year"
        )
    return (
        f"rotate the signing keys now (entitle keys rotate): since {when} their certificate "
        f"cannot cover a checkout of a full year, and after "
        f"{certificate.not_after.strftime('%Y-%m-%d')} no checkout at all"
    )


def _root_key(
    keys_dir: Path, manifest: Manifest, path: Path | None, doing: str
) -> tuple[Ed25519PrivateKey, x509.Certificate]:
    from cryptography import x509

    source = path or keys_dir / keyfiles.ROOT_KEY_FILE
    if path is None and not source.exists():
        raise RootKeyUnavailable(
            f"{doing} needs the issuer root's private key, which is not on this server: "
            "pass --root-key PATH (the file 'entitle keys export-root' wrote)"
        )
    return _matching_root_key(source, manifest), x509.load_der_x509_certificate(manifest.root)


def _matching_root_key(path: Path, manifest: Manifest) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization

    key = keyfiles.load_root_key(path)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if raw != parse_certificate(manifest.root).public_key:
        raise RootKeyUnavailable(f"{path} is not the private key of this deployment's root")
    return key


def _chain(record: KeyRecord, manifest: Manifest) -> list[bytes]:
    return [_certificate(record), manifest.root]


def _certificate(record: KeyRecord) -> bytes:
    if record.certificate is None:
        raise KeyStoreError(f"key {record.kid} has no certificate from the issuer root")
    return record.certificate


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return certificate.public_bytes(serialization.Encoding.DER)


def _manifest_path(keys_dir: Path) -> Path:
    return keys_dir / _MANIFEST


@lru_cache(maxsize=64)
def _keys_dir(directory: Path) -> Path:
    """The keys' directory, its path resolved once: every signature looks its keys up by it
    (resolving on each call cost a fifth of a signature)."""
    return (directory / "keys").resolve()


def _read_manifest(keys_dir: Path) -> Manifest:
    try:
        document = json.loads(_manifest_path(keys_dir).read_bytes())
    except FileNotFoundError:
        raise KeysNotFound(f"no signing keys in {keys_dir}; create them with init_keys") from None
    try:
        if document["format"] == _FORMAT_BEFORE_ROOT:
            raise KeyStoreError(
                f"the keys in {keys_dir} predate the issuer root: run 'entitle keys init' "
                "to create it and certify them"
            )
        if document["format"] != _FORMAT:
            raise KeyStoreError(f"{_manifest_path(keys_dir)} has an unknown format")
        return Manifest(
            keyfiles.unb64(document["root"]),
            keyfiles.unb64(document["crl"]),
            tuple(KeyRecord.from_json(entry) for entry in document["keys"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise KeyStoreError(f"{_manifest_path(keys_dir)} is malformed: {error}") from None


def _write_manifest(keys_dir: Path, manifest: Manifest) -> None:
    document = {
        "format": _FORMAT,
        "root": keyfiles.b64(manifest.root),
        "crl": keyfiles.b64(manifest.crl),
        "keys": [r.to_json() for r in manifest.records],
    }
    text = json.dumps(document, indent=2) + "\n"
    keyfiles.replace_private_file(_manifest_path(keys_dir), text.encode("utf-8"))


def _now(now: datetime | None) -> datetime:
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
