"""entitle as the client of an organisation's OpenID provider.

Authlib makes the authorization request (code flow with PKCE, S256) and exchanges the code;
joserfc verifies the ID token: its signature with the provider's published keys (JWKS), its
issuer, audience, expiry, issue time and nonce. The discovery document and the keys are kept
for a few minutes; a token signed with a key id the kept keys lack fetches them again, so a
provider that rotates its keys is followed at once.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import errors, jws, jwt
from joserfc.jwk import KeySet

from entitle.domain.identity_provider import IdentityProvider

with warnings.catch_warnings():
    # Authlib 1.7 warns on import that its httpx client will move to the httpx2 package; the
    # client works, and the warning would be printed to operators at every start-up.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

HTTP_TIMEOUT = 10.0
KEEP_SECONDS = 300.0
LEEWAY_SECONDS = 60
SCOPE = "openid email profile"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")


class ProviderError(Exception):
    """The provider cannot be used, or its answer fails verification; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class Pending:
    """What a sign-in started with, kept by the browser (signed) until the provider answers."""

    organisation_id: int
    state: str
    nonce: str
    code_verifier: str
    next: str


_lock = threading.Lock()
_discoveries: dict[str, tuple[float, Discovery]] = {}
_key_sets: dict[str, tuple[float, KeySet]] = {}


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        answer = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
        answer.raise_for_status()
        found = answer.json()
    except (httpx.HTTPError, ValueError) as failure:
        raise ProviderError(
            f"The identity provider's {what} at {url} cannot be read: {failure}"
        ) from None
    if not isinstance(found, dict):
        raise ProviderError(f"The identity provider's {what} at {url} is not a JSON object.")
    return found


def discover(issuer: str, *, fresh: bool = False) -> Discovery:
    """The provider's /.well-known/openid-configuration, checked by Authlib's metadata rules
    and required to name the very issuer registered."""
    now = time.monotonic()
    with _lock:
        kept = _discoveries.get(issuer)
    if kept and not fresh and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = _get_json(url, "discovery document")
    try:
        OpenIDProviderMetadata(document).validate()
    except ValueError as failure:
        raise ProviderError(f"The discovery document at {url} is not valid: {failure}") from None
    if document.get("issuer") != issuer:
        raise ProviderError(
            f"The discovery document names the issuer {document.get('issuer')!r}, "
            f"not {issuer!r}: register the issuer exactly as the provider names itself."
        )
    offered = tuple(document.get("id_token_signing_alg_values_supported") or ("RS256",))
    found = Discovery(
        issuer=issuer,
        authorization_endpoint=str(document["authorization_endpoint"]),
        token_endpoint=str(document["token_endpoint"]),
        jwks_uri=str(document["jwks_uri"]),
        end_session_endpoint=document.get("end_session_endpoint"),
        algorithms=tuple(a for a in offered if a in ALGORITHMS),
    )
    with _lock:
        _discoveries[issuer] = (now, found)
    return found


def keys(discovery: Discovery, *, fresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _lock:
        kept = _key_sets.get(discovery.jwks_uri)
    if kept and not fresh and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    document = _get_json(discovery.jwks_uri, "keys (JWKS)")
    try:
        found = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (errors.JoseError, ValueError, TypeError) as failure:
        raise ProviderError(f"The keys at {discovery.jwks_uri} cannot be read: {failure}") from None
    with _lock:
        _key_sets[discovery.jwks_uri] = (now, found)
    return found


def check_connection(provider: IdentityProvider) -> Discovery:
    """Discovery and keys fetched afresh: what "test connection" shows the administrator."""
    found = discover(provider.issuer, fresh=True)
    keys(found, fresh=True)
    return found


def _client(provider: IdentityProvider, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


def authorization_request(
    provider: IdentityProvider, redirect_uri: str, next_path: str
) -> tuple[str, Pending]:
    discovery = discover(provider.issuer)
    verifier = generate_token(64)
    nonce = generate_token(32)
    with _client(provider, redirect_uri) as client:
        url, state = client.create_authorization_url(
            discovery.authorization_endpoint, code_verifier=verifier, nonce=nonce
        )
    return url, Pending(provider.organisation_id, state, nonce, verifier, next_path)


class ProviderRefused(ProviderError):
    """The provider answered, and its answer is no (an OAuth error such as invalid_grant)."""


@dataclass(frozen=True)
class Tokens:
    id_token: str
    refresh_token: str | None


def exchange_code(
    provider: IdentityProvider, redirect_uri: str, code: str, pending: Pending
) -> Tokens:
    """The tokens the provider gives for the authorization code (with the PKCE verifier)."""
    discovery = discover(provider.issuer)
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(
                discovery.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
            )
    except OAuthError as refusal:
        reason = refusal.description or refusal.error
        raise ProviderRefused(f"The identity provider refused the sign-in: {reason}.") from None
    except httpx.HTTPError as failure:
        raise ProviderError(f"The identity provider's token endpoint failed: {failure}") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError("The identity provider answered without an ID token.")
    refresh_token = token.get("refresh_token")
    return Tokens(id_token, refresh_token if isinstance(refresh_token, str) else None)


def refresh(provider: IdentityProvider, refresh_token: str) -> str:
    """Refresh at the provider: its new refresh token (or the same one), ProviderRefused when
    it no longer signs the user in, ProviderError when it cannot be reached."""
    discovery = discover(provider.issuer)
    try:
        with _client(provider, "") as client:
            token = client.refresh_token(discovery.token_endpoint, refresh_token=refresh_token)
    except OAuthError as refusal:
        reason = refusal.description or refusal.error
        raise ProviderRefused(f"The identity provider no longer signs you in: {reason}.") from None
    except httpx.HTTPError as failure:
        raise ProviderError(f"The identity provider's token endpoint failed: {failure}") from None
    renewed = token.get("refresh_token")
    return renewed if isinstance(renewed, str) else refresh_token


_CLAIM_FAULTS = {
    "iss": "was issued by another issuer than the registered one",
    "aud": "is meant for another client (its audience is not this client id)",
    "nonce": "does not answer this sign-in (its nonce differs)",
}


def verify_id_token(
    provider: IdentityProvider, id_token: str, nonce: str, now: int
) -> dict[str, Any]:
    """The ID token's claims once the library has verified all of it; else ProviderError."""
    discovery = discover(provider.issuer)
    try:
        kid = jws.extract_compact(id_token.encode()).protected.get("kid")
    except errors.JoseError:
        raise ProviderError("The ID token cannot be read.") from None
    key_set = keys(discovery)
    if kid is not None and all(k.kid != kid for k in key_set.keys):
        key_set = keys(discovery, fresh=True)  # the provider rotated its keys
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        token = jwt.decode(id_token, key_set, algorithms=list(discovery.algorithms))
        registry.validate(token.claims)
    except errors.BadSignatureError:
        raise ProviderError(
            "The ID token's signature does not verify with the identity provider's keys."
        ) from None
    except errors.InvalidKeyIdError:
        raise ProviderError(
            "The ID token is signed with a key the identity provider does not publish."
        ) from None
    except errors.ExpiredTokenError:
        raise ProviderError("The ID token has expired.") from None
    except errors.InvalidClaimError as fault:
        what = _CLAIM_FAULTS.get(fault.claim, f"has a wrong '{fault.claim}' claim")
        raise ProviderError(f"The ID token {what}.") from None
    except errors.MissingClaimError as fault:
        raise ProviderError(f"The ID token lacks its '{fault.claim}' claim.") from None
    except (errors.JoseError, ValueError):
        raise ProviderError(
            "The ID token cannot be read or is not signed as it should be."
        ) from None
    return dict(token.claims)


def end_session_url(provider: IdentityProvider, post_logout_redirect_uri: str) -> str | None:
    """Where the browser goes to sign out at the provider too, if its discovery offers it."""
    try:
        discovery = discover(provider.issuer)
    except ProviderError:
        return None
    if not discovery.end_session_endpoint:
        return None
    query = httpx.QueryParams(
        client_id=provider.client_id, post_logout_redirect_uri=post_logout_redirect_uri
    )
    return f"{discovery.end_session_endpoint}?{query}"
