"""Where a license server publishes what workstations need to trust it (paths under its URL).

* :data:`ROOT_PATH`: the issuer root certificate (PEM). Pin its fingerprint, which the
  operator reads with ``entitle keys fingerprint``, not whatever this URL answers.
* :data:`CERTIFICATES_PATH`: the root certificate and every signing certificate it issued
  that is still valid and not revoked (PEM, concatenated): cache them all; files issued
  before the root existed carry no chain and need them.
* :data:`CRL_PATH`: the root-signed X.509 CRL of revoked signing certificates (DER).
* :func:`revocation_list_path`: one organisation's revocation list
  (:class:`~entitle.licensefile.revocation.RevocationList`); it answers ``ETag`` and honours
  ``If-None-Match`` with 304.
* :data:`JWKS_PATH`, :data:`XML_CERTIFICATES_PATH`: the signing keys as workstations trusted
  them before issuer roots (a JWKS of the Ed25519 keys; the RSA certificates, PEM).
"""

from __future__ import annotations

ROOT_PATH = "/.well-known/entitle-root.pem"
CERTIFICATES_PATH = "/.well-known/entitle-certificates.pem"
CRL_PATH = "/.well-known/entitle-root.crl"
REVOCATIONS_PREFIX = "/.well-known/entitle-revocations/"
JWKS_PATH = "/.well-known/jwks.json"
XML_CERTIFICATES_PATH = "/.well-known/entitle-xml-cert.pem"


def revocation_list_path(organisation_id: str) -> str:
    """The path of an organisation's revocation list; ``organisation_id`` as licenses carry it."""
    return REVOCATIONS_PREFIX + organisation_id
