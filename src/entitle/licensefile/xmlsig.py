"""``.xml`` files (SELECTserver): ``<License>`` with an enveloped XML-DSig signature.

RSA-SHA256 over exclusive XML canonicalization, a single reference to the whole document
(``URI=""``) and, in ``KeyInfo/X509Data``, the signing certificate followed by the issuer
root's certificate (files issued before the root existed carry only a self-signed signing
certificate). ``xmlsec1 --verify --enabled-key-data x509 --trusted-pem root.pem`` validates
that chain with the root alone.

Which key verifies: with :class:`~entitle.licensefile.issuers.TrustedIssuers`, the signing
certificate once the chain policy of :mod:`entitle.licensefile.issuers` holds (an older file's
self-signed certificate is replaced by a cached root-issued certificate of the same key); with
the older :class:`~entitle.licensefile.trust.TrustedKeys`, an embedded certificate that is
byte-for-byte one of the trusted ones. Either way signxml is handed that certificate, never
one taken from the file unchecked.

Parsing is hardened: no DTD, no entities, no network, no huge trees, and any DOCTYPE is
refused. Claims are read only from signxml's ``VerifyResult.signed_xml``, the canonical
bytes the signature covers, so elements added around or inside the signature are never
believed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

from entitle.licensefile.claims import ClaimsError, LicenseClaims
from entitle.licensefile.der import Certificate, CertificateError
from entitle.licensefile.errors import BadSignature, LicenseFileError, MalformedLicense, UnknownKey
from entitle.licensefile.issuers import LICENSE_SIGNING, TrustedIssuers
from entitle.licensefile.timestamps import datetime
from entitle.licensefile.trust import MIN_RSA_BITS, TrustedKeys
from entitle.licensefile.xmlclaims import claims_element, claims_from_element

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from lxml import etree  # type: ignore[import-untyped]

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY", b"<!ELEMENT", b"<!ATTLIST")


def hardened_parser() -> etree.XMLParser:
    """An lxml parser that loads no DTD, expands no entity and touches no network."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


class XmlSigner:
    """Signs ``.xml`` files with one RSA key; build once, sign many.

    ``chain`` is the key's certificate first, then the issuer root's (or, for a key that
    predates the root, its self-signed certificate alone).
    """

    def __init__(self, private_key: RSAPrivateKey, chain: Sequence[x509.Certificate]) -> None:
        self._key = private_key
        self._chain = list(chain)

    def sign(self, claims: LicenseClaims) -> bytes:
        """The ``.xml`` file bytes for ``claims``."""
        from lxml import etree
        from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
        from signxml.signer import XMLSigner

        signer = XMLSigner(
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
        )
        signed = signer.sign(claims_element(claims), key=self._key, cert=self._chain)
        document: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
        return document + b"\n"


def verify_xml(
    data: bytes, trusted: TrustedKeys | TrustedIssuers, now: datetime
) -> tuple[LicenseClaims, Certificate | None]:
    """The claims of an ``.xml`` file whose signature checks out with a trusted certificate,
    and that certificate when ``trusted`` pins issuers (None with :class:`TrustedKeys`)."""
    if any(marker in data for marker in _FORBIDDEN):
        raise MalformedLicense("DTDs and entities are not allowed in license files")
    try:
        return _verify(data, trusted, now)
    except LicenseFileError:
        raise
    except ClaimsError as error:
        raise MalformedLicense(str(error)) from None
    except Exception as error:
        # Whatever lxml, signxml or cryptography raise on hostile input is a refusal.
        raise _refusal(error) from None


def _verify(
    data: bytes, trusted: TrustedKeys | TrustedIssuers, now: datetime
) -> tuple[LicenseClaims, Certificate | None]:
    from lxml import etree
    from signxml.algorithms import DigestAlgorithm, SignatureMethod
    from signxml.verifier import SignatureConfiguration, VerifyResult, XMLVerifier

    parser = hardened_parser()
    root = etree.fromstring(data, parser)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedLicense("DTDs are not allowed in license files")
    embedded = _embedded_certificates(root)
    checked: Certificate | None = None
    if isinstance(trusted, TrustedIssuers):
        checked, certificate = _certified(embedded, trusted, now)
    else:
        certificate = _pinned_certificate(embedded, trusted)
    config = SignatureConfiguration(
        require_x509=True,
        expect_references=1,
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        # Trust comes from the chain policy or from pinning the certificate, and the dates
        # from the caller: the license's window must lie inside the certificate's.
        verification_time=certificate.not_valid_before_utc,
    )
    result = XMLVerifier().verify(data, x509_cert=certificate, parser=parser, expect_config=config)
    if not isinstance(result, VerifyResult) or result.signed_xml is None:
        raise BadSignature()
    return claims_from_element(result.signed_xml), checked


def _embedded_certificates(root: etree._Element) -> list[bytes]:
    embedded = root.findall(
        f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"
    )
    if not embedded:
        raise MalformedLicense("the signature carries no certificate")
    found = []
    for element in embedded:
        try:
            found.append(base64.b64decode("".join((element.text or "").split()), validate=True))
        except (binascii.Error, ValueError):
            raise MalformedLicense("the embedded certificate is not base64") from None
    return found


def _certified(
    embedded: list[bytes], trusted: TrustedIssuers, now: datetime
) -> tuple[Certificate, x509.Certificate]:
    """The signing certificate by the chain policy, and the same certificate for signxml."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        checked = trusted.signing_certificate(embedded, LICENSE_SIGNING, now)
    except CertificateError as error:
        raise MalformedLicense(f"a certificate of the chain is malformed: {error}") from None
    certificate = x509.load_der_x509_certificate(checked.der)
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise BadSignature()
    return checked, certificate


def _pinned_certificate(embedded: list[bytes], trusted: TrustedKeys) -> x509.Certificate:
    for der in embedded:
        certificate = trusted.certificate(der)
        if certificate is not None:
            return certificate
    raise UnknownKey()


def _refusal(error: Exception) -> LicenseFileError:
    from signxml.exceptions import InvalidDigest, InvalidSignature

    if isinstance(error, InvalidSignature | InvalidDigest):
        return BadSignature()
    return MalformedLicense(type(error).__name__)
