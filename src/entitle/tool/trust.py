"""Trust a license server's public keys: from its URL, a JWKS file or a PEM certificate file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any, NamedTuple

from entitle.licensefile import InvalidTrustedKeys, TrustedKeys
from entitle.tool.errors import TrustSourceError
from entitle.tool.http import base_url, get, is_url
from entitle.tool.store import Store

JWKS_PATH = "/.well-known/jwks.json"
PEM_PATH = "/.well-known/entitle-xml-cert.pem"
_EMPTY_JWKS: dict[str, Any] = {"keys": []}


class TrustResult(NamedTuple):
    """What ``trust`` added: new Ed25519 key ids and the number of new XML certificates."""

    added_kids: tuple[str, ...]
    added_certificates: int
    trusted: TrustedKeys


def trust(sources: Iterable[str], *, home: str | os.PathLike[str] | None = None) -> TrustResult:
    """Add the public keys of each source to the trusted keys of the current user's store.

    A source is a license server's base URL (its ``/.well-known/jwks.json`` and
    ``/.well-known/entitle-xml-cert.pem`` are fetched), a JWKS JSON file or a PEM file of
    certificates. Nothing is stored unless every source gives usable keys.
    """
    found = [load_source(source) for source in sources]
    with Store(home).update() as state:
        before = state.trusted_keys or TrustedKeys({}, ())
        merged = before
        for keys in found:
            merged = merge(merged, keys)
        state.trusted_keys = merged
    return TrustResult(
        tuple(sorted(merged.kids - before.kids)),
        len(set(merged.certificates_der) - set(before.certificates_der)),
        merged,
    )


def load_source(source: str) -> TrustedKeys:
    """The public keys one source gives; :class:`TrustSourceError` when none are usable."""
    if is_url(source):
        keys = _from_server(source)
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise TrustSourceError(f"{source}: cannot read it ({error.strerror}).") from None
        keys = _from_file(source, data)
    if not keys.kids and not keys.certificates_der:
        raise TrustSourceError(f"{source}: holds no Ed25519 signing key or RSA certificate.")
    return keys


def merge(first: TrustedKeys, second: TrustedKeys) -> TrustedKeys:
    """Keys trusted by either."""
    jwks = {"keys": first.jwks()["keys"] + second.jwks()["keys"]}
    return TrustedKeys.from_json(
        json.dumps(
            {
                "format": "entitle-trusted-keys/1",
                "jwks": jwks,
                "xml_certificates_pem": (
                    first.certificates_pem() + second.certificates_pem()
                ).decode("ascii"),
            }
        )
    )


def _from_server(url: str) -> TrustedKeys:
    root = base_url(url)
    jwks = get(root + JWKS_PATH)
    if jwks.status != 200:
        raise TrustSourceError(f"{root}{JWKS_PATH} answered HTTP {jwks.status}.")
    pem = get(root + PEM_PATH)
    if pem.status not in (200, 404):
        raise TrustSourceError(f"{root}{PEM_PATH} answered HTTP {pem.status}.")
    try:
        return TrustedKeys.from_documents(jwks.body, pem.body if pem.status == 200 else b"")
    except InvalidTrustedKeys as error:
        raise TrustSourceError(f"{root}: the published keys are unusable ({error}).") from None


def _from_file(source: str, data: bytes) -> TrustedKeys:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return TrustedKeys.from_documents(_EMPTY_JWKS, data)
        document = json.loads(data)
        if isinstance(document, dict) and "format" in document:
            return TrustedKeys.from_json(data)
        return TrustedKeys.from_documents(document, b"")
    except ValueError as error:
        detail = str(error).splitlines()[0] if str(error) else "not JSON or PEM"
        raise TrustSourceError(
            f"{source}: not a JWKS or PEM certificate file ({detail})."
        ) from None
