"""Pinned issuer roots, and the one chain policy every signed document of entitle meets.

Each deployment has one issuer root: a self-signed Ed25519 CA certificate whose fingerprint,
``sha256:`` and the 64 hex digits of the SHA-256 of its DER, is what products pin. The root
certifies the deployment's signing keys, each for one purpose (an extended key usage of
entitle's own OID arc, 2.25.172943173761079315657418670032476771962):

* :data:`LICENSE_SIGNING` (``.1``): the Ed25519 key of ``.belic`` files and the RSA key of
  ``.xml`` files;
* :data:`REVOCATION_SIGNING` (``.2``): the Ed25519 key of the revocation lists.

A signing certificate is accepted when, in this order:

1. it is the file's first certificate, or (files issued before the root existed, which carry
   no root-issued chain) a certificate the caller cached for the key the file names;
2. a certificate among the file's others and the cached ones has a pinned fingerprint and the
   signing certificate's issuer as its subject; that root is a CA (basicConstraints CA,
   keyUsage keyCertSign) with an Ed25519 key, and valid at ``now``;
3. the root's key verifies the signing certificate's Ed25519 signature, and its
   authorityKeyIdentifier, if any, is the root's subjectKeyIdentifier;
4. the signing certificate is no CA, has keyUsage digitalSignature (and not keyCertSign), has
   the wanted purpose in its extendedKeyUsage;
5. its serial number is not among the revoked ones;
6. what it signed lies inside its validity (:func:`check_within`): a license from its issue
   time to its expiry, a revocation list at its issue time. With the license's own window
   checked against the clock, that also makes the certificate valid now.

Only a root directly certifies signing keys; there are no intermediate CAs. A key or a root
embedded in a file is never trusted by itself: only a pinned fingerprint is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from entitle.licensefile.der import (
    DIGITAL_SIGNATURE,
    ED25519_ALGORITHM,
    KEY_CERT_SIGN,
    Certificate,
    CertificateError,
    parse_certificate,
)
from entitle.licensefile.errors import InvalidTrustedKeys, LicenseRevoked, UntrustedIssuer
from entitle.licensefile.jwk import ed25519_thumbprint, sha256
from entitle.licensefile.timestamps import CLOCK_SKEW, datetime

OID_ARC = "2.25.172943173761079315657418670032476771962"
LICENSE_SIGNING = f"{OID_ARC}.1"
"""The extended key usage of a key that signs license files."""
REVOCATION_SIGNING = f"{OID_ARC}.2"
"""The extended key usage of a key that signs revocation lists."""
# The content octets of the two OIDs, as the DER reader compares them (a test re-encodes).
_PURPOSE_OCTETS = {
    LICENSE_SIGNING: bytes.fromhex("6982849bd2b2b5ded2aaaf9eaee4bfc48b94ac7a01"),
    REVOCATION_SIGNING: bytes.fromhex("6982849bd2b2b5ded2aaaf9eaee4bfc48b94ac7a02"),
}
_PURPOSE_NAMES = {LICENSE_SIGNING: "signing licenses", REVOCATION_SIGNING: "revocation lists"}
_HEX = frozenset("0123456789abcdef")
_REMEMBERED = 64


def fingerprint(certificate_der: bytes) -> str:
    """``sha256:`` and the lowercase hex SHA-256 of a certificate's DER: what products pin."""
    return "sha256:" + sha256(certificate_der).hex()


def parse_fingerprint(text: str) -> str:
    """``text`` as a fingerprint (``sha256:`` and 64 hex digits, any case), in lowercase.

    Raises :class:`InvalidTrustedKeys` with a sentence saying what is expected.
    """
    value = text.strip().lower() if isinstance(text, str) else ""
    digits = value.removeprefix("sha256:")
    if not value.startswith("sha256:") or len(digits) != 64 or not _HEX.issuperset(digits):
        raise InvalidTrustedKeys(
            f"{text!r} is not an issuer fingerprint: expected sha256: and 64 hex digits, "
            "as 'entitle keys fingerprint' prints it"
        )
    return value


class TrustedIssuers:
    """The issuer roots a workstation pins, with the certificates it has cached.

    Pins are ``fingerprints`` (see :func:`fingerprint`: what an administrator types) and
    ``roots``, root certificates (DER) pinned as they are: matched byte for byte, which
    spares a product start the hash. Only pinned roots are trusted. ``certificates`` (DER)
    may hold anything the caller cached: root certificates, and the signing certificates a
    license server publishes at :data:`~entitle.licensefile.wellknown.CERTIFICATES_PATH`,
    which files issued before the root existed need; a cached certificate grants nothing
    unless a pinned root certified it. ``revoked_serials`` are the serial numbers of revoked
    signing certificates, as :attr:`RevocationList.revoked_serials
    <entitle.licensefile.revocation.RevocationList>` gives them. Immutable; cheap to build
    (certificates are read on first use). Without any pin, nothing is trusted.
    """

    __slots__ = (
        "_by_fingerprint",
        "_parsed",
        "certificates_der",
        "fingerprints",
        "revoked_serials",
        "roots",
    )

    def __init__(
        self,
        fingerprints: Iterable[str] = (),
        certificates: Iterable[bytes] = (),
        *,
        roots: Iterable[bytes] = (),
        revoked_serials: Iterable[int] = (),
    ) -> None:
        self.fingerprints = frozenset(parse_fingerprint(f) for f in fingerprints)
        self.roots = frozenset(roots)
        self.certificates_der = tuple(dict.fromkeys((*self.roots, *certificates)))
        self.revoked_serials = frozenset(revoked_serials)
        self._parsed: dict[bytes, Certificate] = {}
        self._by_fingerprint: dict[bytes, str] = {}

    @classmethod
    def for_roots(
        cls,
        roots: Iterable[bytes],
        certificates: Iterable[bytes] = (),
        *,
        revoked_serials: Iterable[int] = (),
    ) -> TrustedIssuers:
        """Pin the given root certificates (DER) and cache them with ``certificates``."""
        return cls((), certificates, roots=roots, revoked_serials=revoked_serials)

    @property
    def pinned(self) -> frozenset[str]:
        """The fingerprints of every pinned root, those pinned by certificate included."""
        return self.fingerprints | {fingerprint(der) for der in self.roots}

    def with_certificates(self, certificates: Iterable[bytes]) -> TrustedIssuers:
        """The same pins with more cached certificates."""
        return TrustedIssuers(
            self.fingerprints,
            (*self.certificates_der, *certificates),
            roots=self.roots,
            revoked_serials=self.revoked_serials,
        )

    def with_revoked(self, serials: Iterable[int]) -> TrustedIssuers:
        """The same pins and certificates with more revoked serial numbers."""
        return TrustedIssuers(
            self.fingerprints,
            self.certificates_der,
            roots=self.roots,
            revoked_serials=self.revoked_serials | frozenset(serials),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrustedIssuers):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[frozenset[str], frozenset[bytes], frozenset[int]]:
        return (self.pinned, frozenset(self.certificates_der), self.revoked_serials)

    def __repr__(self) -> str:
        return (
            f"TrustedIssuers(pinned={sorted(self.pinned)}, "
            f"certificates={len(self.certificates_der)}, revoked={len(self.revoked_serials)})"
        )

    def signing_certificate(
        self,
        chain: Sequence[bytes],
        purpose: str,
        now: datetime,
        *,
        kid: str | None = None,
    ) -> Certificate:
        """The certificate of the key that signed a document, once steps 1 to 5 hold.

        ``chain`` is the document's certificates, signing certificate first (``x5c``, or
        ``X509Data``); it may be empty. ``kid`` names the signing key of a ``.belic`` file
        that carries no chain. Raises :class:`UntrustedIssuer`, :class:`LicenseRevoked`, or
        :class:`CertificateError` (a ``ValueError``) when a certificate of ``chain`` is
        malformed.
        """
        wanted = _PURPOSE_OCTETS[purpose]
        leaf = self._parsed_or_raise(chain[0]) if chain else None
        others = [self._parsed_or_none(der) for der in chain[1:]]
        if leaf is not None:
            root = self._root_of(leaf, others)
            if root is None:
                cached = self._cached_for(leaf.public_key, None)
                if cached is not None:
                    leaf, root = cached, self._root_of(cached, others)
        else:
            leaf = self._cached_for(None, kid)
            if leaf is None:
                raise UntrustedIssuer(
                    "it carries no certificate chain and no cached certificate matches its key; "
                    "fetch the license server's certificates"
                )
            root = self._root_of(leaf, others)
        if root is None:
            raise UntrustedIssuer("its certificate chain does not end at a pinned issuer root")
        _check_root(root, now)
        _check_signed_by(leaf, root)
        _check_signing_certificate(leaf, wanted, _PURPOSE_NAMES[purpose])
        if leaf.serial_number in self.revoked_serials:
            raise LicenseRevoked("its signing key was revoked by the issuer")
        return leaf

    def issuer_root(self, leaf: Certificate, chain: Sequence[bytes] = ()) -> Certificate | None:
        """The pinned root, among ``chain`` and the cached certificates, named as the issuer
        of ``leaf``; None when there is none. It says nothing of ``leaf``'s signature."""
        return self._root_of(leaf, [self._parsed_or_none(der) for der in chain])

    def _root_of(
        self, leaf: Certificate, others: Sequence[Certificate | None]
    ) -> Certificate | None:
        """A pinned root whose subject is the leaf's issuer, from the file or the cache."""
        for candidate in (*others, *(self._parsed_or_none(d) for d in self.certificates_der)):
            if (
                candidate is not None
                and candidate.subject == leaf.issuer
                and (candidate.der in self.roots or self._is_pinned_fingerprint(candidate.der))
            ):
                return candidate
        return None

    def _cached_for(self, public_key: bytes | None, kid: str | None) -> Certificate | None:
        """A cached signing certificate (no CA) of this public key, or of this kid."""
        for der in self.certificates_der:
            cached = self._parsed_or_none(der)
            if cached is None or cached.is_ca:
                continue
            if public_key is not None and cached.public_key == public_key:
                return cached
            if (
                kid is not None
                and cached.is_ed25519
                and ed25519_thumbprint(cached.public_key) == kid
            ):
                return cached
        return None

    def _parsed_or_none(self, der: bytes) -> Certificate | None:
        try:
            return self._parsed_or_raise(der)
        except CertificateError:
            return None

    def _parsed_or_raise(self, der: bytes) -> Certificate:
        """The certificate read from ``der``; remembered, as a process verifies the same few
        certificates again and again (the good ones only, and a bounded number)."""
        found = self._parsed.get(der)
        if found is None:
            found = parse_certificate(der)
            if len(self._parsed) < _REMEMBERED:
                self._parsed[der] = found
        return found

    def _is_pinned_fingerprint(self, der: bytes) -> bool:
        if not self.fingerprints:
            return False
        found = self._by_fingerprint.get(der)
        if found is None:
            found = self._by_fingerprint[der] = fingerprint(der)
        return found in self.fingerprints


def _check_root(root: Certificate, now: datetime) -> None:
    if root.is_ca is not True or root.key_usage is None or not root.key_usage & KEY_CERT_SIGN:
        raise UntrustedIssuer("the pinned issuer certificate is not a certificate authority")
    if not root.is_ed25519:
        raise UntrustedIssuer("the pinned issuer root does not hold an Ed25519 key")
    if not root.not_before - CLOCK_SKEW <= now < root.not_after:
        raise UntrustedIssuer("the pinned issuer root is not valid at this time")


def _check_signed_by(leaf: Certificate, root: Certificate) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from entitle.licensefile.jws import verified

    if leaf.signature_algorithm != ED25519_ALGORITHM:
        raise UntrustedIssuer("its certificate is not signed with Ed25519 by the issuer root")
    if (
        leaf.authority_key_id is not None
        and root.subject_key_id is not None
        and leaf.authority_key_id != root.subject_key_id
    ):
        raise UntrustedIssuer("its certificate names another issuer key")
    if not verified(Ed25519PublicKey.from_public_bytes(root.public_key), leaf.signature, leaf.tbs):
        raise UntrustedIssuer("its certificate was not signed by the pinned issuer root")


def check_within(leaf: Certificate, start: datetime, end: datetime) -> None:
    """Refuse with :class:`UntrustedIssuer` unless ``[start, end]`` lies within ``leaf``'s
    validity: a key signs only what ends before its certificate does."""
    if not leaf.not_before <= start <= end <= leaf.not_after:
        raise UntrustedIssuer(
            f"its signing certificate is valid from {_utc(leaf.not_before)} until "
            f"{_utc(leaf.not_after)}, which does not cover {_utc(start)} to {_utc(end)}"
        )


def _check_signing_certificate(leaf: Certificate, purpose: bytes, purpose_name: str) -> None:
    if leaf.is_ca is True or (leaf.key_usage is not None and leaf.key_usage & KEY_CERT_SIGN):
        raise UntrustedIssuer("it was signed with a certificate authority's key")
    if leaf.key_usage is None or not leaf.key_usage & DIGITAL_SIGNATURE:
        raise UntrustedIssuer("its certificate does not allow digital signatures")
    if leaf.extended_key_usage is None or purpose not in leaf.extended_key_usage:
        raise UntrustedIssuer(f"its certificate is not for {purpose_name}")


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
