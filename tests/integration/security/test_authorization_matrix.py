"""Every route of the app, called by every kind of caller, answers as this table says.

The table is keyed by method and path, and the routes come from ``app.routes``: a new route
without a row fails :func:`test_every_route_of_the_app_has_a_row_in_the_table`. Columns are
the callers: no credentials, an Administrator, a Co-Administrator, a User (all of
Northwind), a revoked Administrator token, and the Administrator of another organisation
(Studio). Each call gets fresh resources (a Northwind checkout, a spare Administrator token),
so no call depends on another. Another organisation's answers must never mention Northwind's
checkout.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from entitle.domain.checkouts import CheckoutRequest
from entitle.domain.usage_alerts import AlertKind
from entitle.service import tokens, usage_alerts, users, webhooks
from entitle.service.create_checkout import create_checkout
from entitle.service.import_checkouts import import_checkouts
from tests.integration.fixtures import PASSWORD, World
from tests.integration.security.conftest import CALLERS, Callers

#                 none  admin  co    user  revoked other_admin
PUBLIC = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (401, 200, 200, 200, 401, 200)
# The catalog serves the new-checkout form, so it is for those who create checkouts.
MANAGERS = (401, 200, 200, 403, 401, 200)  # other_admin: its own organisation's data
MANAGE_ONE = (401, 200, 200, 403, 401, 404)  # another organisation's id is unknown
CREATED = (401, 201, 201, 403, 401, 201)


# Northwind's checkout machine and name: never in an answer to another organisation.
NORTHWIND_ONLY = ("WS-OWNED", "Northwind")
# The Catalog page names the organisations that maintain the shared catalog, to everyone.
NAMES_THE_MAINTAINER = {"/catalog", "/catalog/preview", "/catalog/apply"}


@dataclass(frozen=True)
class Fresh:
    checkout_id: str
    digest: str
    spare_token_id: int
    created_at: datetime
    user_id: int
    import_id: str
    endpoint_id: int
    delivery_id: int
    alert_id: int

    def url(self, path: str) -> str:
        """A path of the table with this world's ids in its placeholders."""
        return path.format(
            id=self.checkout_id,
            token=self.spare_token_id,
            user=self.user_id,
            imported=self.import_id,
            endpoint=self.endpoint_id,
            delivery=self.delivery_id,
            alert=self.alert_id,
        )


Request = Callable[[Fresh], dict[str, Any]]


def _none(_fresh: Fresh) -> dict[str, Any]:
    return {}


def _notes(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"notes": "kept by the field team"}}


def _language(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"language": "de"}}


def _language_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"language": "de", "next": "/my-checkouts"}}


def _none_body(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {}}


def _ids(fresh: Fresh) -> dict[str, Any]:
    return {"json": {"ids": [fresh.checkout_id]}}


def _create(_fresh: Fresh) -> dict[str, Any]:
    return {
        "json": {
            "country": "US",
            "license_service": "SES",
            "user": "ana@example.com",
            "machine": "WS-MATRIX",
            "applications": [{"name": "Atlas Designer", "version": "10.17.2.61"}],
        }
    }


def _import_file(_fresh: Fresh) -> dict[str, Any]:
    return {
        "content": b"user,machine,country,applications\n"
        b"ana@example.com,WS-MATRIX,US,Atlas Designer 10.17.2.61\n"
    }


def _receipt(fresh: Fresh) -> dict[str, Any]:
    return {
        "json": {
            "checkout_id": fresh.checkout_id,
            "machine": "WS-1",
            "user_profile": "ana",
            "cleared_at": fresh.created_at.isoformat(),
            "license_digest": fresh.digest,
        }
    }


def _usage(_fresh: Fresh) -> dict[str, Any]:
    return {"params": {"from": "2026-11-01", "to": "2026-12-01"}}


def _login_json(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"email": "co@example.com", "password": PASSWORD}}


def _login_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"email": "co@example.com", "password": PASSWORD, "next": "/checkouts"}}


def _label(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"label": "matrix"}}


def _device(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"client_id": "entitle-tool", "machine": "WS-MATRIX", "tool_version": "1"}}


def _poll(_fresh: Fresh) -> dict[str, Any]:
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    return {"data": {"grant_type": grant, "client_id": "entitle-tool", "device_code": "none"}}


def _revoke_device_token(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"client_id": "entitle-tool", "token": "entr_unknown"}}


def _answer_sign_in(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"user_code": "BBBB-BBBB", "decision": "deny"}}


def _label_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"label": "matrix"}}


def _us_key(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"keys": ["US-KEY-1"]}}


def _us_key_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"keys": "US-KEY-1"}}


def _in_use(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"retired": False}}


def _in_use_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"key": "US-KEY-1", "retired": "false"}}


def _invite(fresh: Fresh) -> dict[str, Any]:
    return {"json": {"email": f"invited-{fresh.spare_token_id}@example.com", "usage_country": "US"}}


def _invite_form(fresh: Fresh) -> dict[str, Any]:
    return {"data": {"email": f"invited-{fresh.spare_token_id}@example.com", "usage_country": "US"}}


def _usage_country(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"usage_country": "US"}}


def _usage_country_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"usage_country": "US"}}


def _active_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"active": "true"}}


def _wrong_link(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"token": "not-a-link", "password": PASSWORD, "confirm": PASSWORD}}


def _spare(fresh: Fresh) -> dict[str, Any]:
    return {"data": {"token_id": str(fresh.spare_token_id)}}


def _own(_fresh: Fresh) -> dict[str, Any]:
    return {
        "json": {
            "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
            "machine_name": "WS-MINE",
        }
    }


CATALOG_FILE = b"application,version,license_service\nAtlas Designer,10.17.2.61,SES\n"


def _catalog_file(_fresh: Fresh) -> dict[str, Any]:
    return {"content": CATALOG_FILE}


def _catalog_upload(_fresh: Fresh) -> dict[str, Any]:
    return {"files": {"file": ("catalog.csv", CATALOG_FILE, "text/csv")}}


def _catalog_content(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"content": base64.b64encode(CATALOG_FILE).decode()}}


def _empty(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {}}


def _days(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"days": 3}}


def _webhook(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"url": "https://hooks.example.com/matrix"}}


def _webhook_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"url": "https://hooks.example.com/form"}}


def _enabled_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"enabled": "true"}}


def _delivery_form(fresh: Fresh) -> dict[str, Any]:
    return {"data": {"delivery_id": str(fresh.delivery_id)}}


def _alert(_fresh: Fresh) -> dict[str, Any]:
    return {"json": {"kind": "monthly_hours", "threshold": 500}}


def _alert_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"kind": "monthly_hours", "threshold": "500"}}


def _days_form(_fresh: Fresh) -> dict[str, Any]:
    return {"data": {"reminder_days": "7, 1", "email_users": "true"}}


def _request_file(_fresh: Fresh) -> dict[str, Any]:
    return {
        "json": {
            "format": "entitle-checkout-request/1",
            "machine_name": "WS-AIRGAP",
            "machine_fingerprint": "ab" * 32,
            "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
        }
    }


def _provider(_fresh: Fresh) -> dict[str, Any]:
    return {
        "json": {
            "name": "Matrix ID",
            "issuer": "http://127.0.0.1:9",
            "client_id": "entitle",
            "client_secret": "matrix-secret",
            "email_domains": ["matrix.example"],
        }
    }


# Administrators run users; Co-Administrators read them; the user is Northwind's (Ana).
ADMINISTRATORS = (401, 200, 403, 403, 401, 404)
INVITED = (401, 201, 403, 403, 401, 201)
LINKED = (401, 201, 403, 403, 401, 404)
# The portal's forms: a User is sent on to My checkouts, refusals are the page's status.
USER_FORM = (303, 200, 403, 303, 303, 404)

# Webhooks are the Administrators' alone; the fresh endpoint is Northwind's.
HOOKS = "/api/v1/admin/webhooks"
HOOK = "/api/v1/admin/webhooks/{endpoint}"
DELIVERY = "/api/v1/admin/webhooks/{endpoint}/deliveries/{delivery}"
OWN_HOOKS = (401, 200, 403, 403, 401, 200)
# The Webhooks page: the Administrators' alone, others are sent on to their start page.
HOOKS_PAGE = (303, 200, 303, 303, 303, 200)
HOOK_FORM = (303, 200, 303, 303, 303, 404)

# The fresh checkout is the User's (made for her by an Administrator): hers alone to touch.
OWNER_ONLY = (401, 404, 404, 200, 401, 404)


# (method, path pattern) -> (the path to call, the request, the answer of each caller)
TABLE: dict[tuple[str, str], tuple[str, Request, tuple[int, ...]]] = {
    ("GET", "/openapi.json"): ("/openapi.json", _none, PUBLIC),
    ("GET", "/docs"): ("/docs", _none, PUBLIC),
    ("POST", "/api/v1/checkouts"): ("/api/v1/checkouts", _create, CREATED),
    ("GET", "/api/v1/checkouts"): ("/api/v1/checkouts", _none, MANAGERS),
    ("POST", "/api/v1/checkouts/import"): ("/api/v1/checkouts/import", _import_file, CREATED),
    ("GET", "/api/v1/checkouts/import/template.csv"): (
        "/api/v1/checkouts/import/template.csv",
        _none,
        SIGNED_IN,
    ),
    ("GET", "/api/v1/checkouts/imports/{import_id}"): (
        "/api/v1/checkouts/imports/{imported}",
        _none,
        MANAGE_ONE,
    ),
    ("GET", "/api/v1/checkouts/imports/{import_id}/result.csv"): (
        "/api/v1/checkouts/imports/{imported}/result.csv",
        _none,
        MANAGE_ONE,
    ),
    ("GET", "/api/v1/checkouts/imports/{import_id}/license-files.zip"): (
        "/api/v1/checkouts/imports/{imported}/license-files.zip",
        _none,
        MANAGE_ONE,
    ),
    ("GET", "/api/v1/checkouts/export.csv"): ("/api/v1/checkouts/export.csv", _none, MANAGERS),
    ("GET", "/api/v1/checkouts/{checkout_id}"): ("/api/v1/checkouts/{id}", _none, MANAGE_ONE),
    ("GET", "/api/v1/checkouts/{checkout_id}/license-file"): (
        "/api/v1/checkouts/{id}/license-file",
        _none,
        MANAGE_ONE,
    ),
    ("POST", "/api/v1/checkouts/license-files"): (
        "/api/v1/checkouts/license-files",
        _ids,
        MANAGE_ONE,
    ),
    # 200 with a result per id; another organisation's id is a 404 inside (checked below).
    ("POST", "/api/v1/checkouts/check-in"): ("/api/v1/checkouts/check-in", _ids, MANAGERS),
    ("PUT", "/api/v1/checkouts/{checkout_id}/notes"): (
        "/api/v1/checkouts/{id}/notes",
        _notes,
        MANAGE_ONE,
    ),
    ("POST", "/api/v1/checkouts/{checkout_id}/extend"): (
        "/api/v1/checkouts/{id}/extend",
        _none_body,
        (401, 422, 422, 403, 401, 404),  # allowed, but it already runs to the latest day
    ),
    ("POST", "/api/v1/checkouts/{checkout_id}/check-in"): (
        "/api/v1/checkouts/{id}/check-in",
        _none,
        MANAGE_ONE,
    ),
    # No credentials needed: the digest of the checkout's own license file is the proof.
    ("POST", "/api/v1/checkouts/{checkout_id}/client-receipts"): (
        "/api/v1/checkouts/{id}/client-receipts",
        _receipt,
        PUBLIC,
    ),
    ("GET", "/api/v1/countries"): ("/api/v1/countries", _none, MANAGERS),
    ("GET", "/api/v1/license-services"): ("/api/v1/license-services", _none, MANAGERS),
    ("GET", "/api/v1/applications"): ("/api/v1/applications", _none, MANAGERS),
    ("GET", "/api/v1/applications/{name}/versions"): (
        "/api/v1/applications/Atlas Designer/versions",
        _none,
        MANAGERS,
    ),
    ("GET", "/api/v1/users"): ("/api/v1/users", _none, MANAGERS),
    # One catalog for the server: everyone who manages checkouts sees it; only Northwind
    # maintains it, so only its Administrators import (a file the catalog holds: no change).
    ("GET", "/api/v1/catalog/applications"): ("/api/v1/catalog/applications", _none, MANAGERS),
    ("POST", "/api/v1/catalog/import"): (
        "/api/v1/catalog/import?dry_run=false",
        _catalog_file,
        (401, 200, 403, 403, 401, 403),
    ),
    ("GET", "/api/v1/activation-keys"): ("/api/v1/activation-keys", _none, MANAGERS),
    ("GET", "/api/v1/audit"): ("/api/v1/audit", _none, (401, 200, 403, 403, 401, 200)),
    ("GET", "/api/v1/audit.csv"): ("/api/v1/audit.csv", _none, (401, 200, 403, 403, 401, 200)),
    ("POST", "/api/v1/session"): ("/api/v1/session", _login_json, PUBLIC),
    ("GET", "/api/v1/session"): ("/api/v1/session", _none, SIGNED_IN),
    ("DELETE", "/api/v1/session"): ("/api/v1/session", _none, (204,) * 6),
    ("GET", "/api/v1/tokens"): ("/api/v1/tokens", _none, SIGNED_IN),
    ("POST", "/api/v1/tokens"): ("/api/v1/tokens", _label, (401, 201, 201, 201, 401, 201)),
    # The spare token is the Administrator's: nobody else can even see it.
    ("DELETE", "/api/v1/tokens/{token_id}"): (
        "/api/v1/tokens/{token}",
        _none,
        (401, 200, 404, 404, 401, 404),
    ),
    # The tool's sign-in: OAuth endpoints that take no credentials but the protocol's own; an
    # unknown device code is an OAuth error to everyone, an unknown token revokes nothing.
    ("POST", "/oauth/device_authorization"): ("/oauth/device_authorization", _device, PUBLIC),
    ("POST", "/oauth/token"): ("/oauth/token", _poll, (400,) * 6),
    ("POST", "/oauth/revoke"): ("/oauth/revoke", _revoke_device_token, PUBLIC),
    ("GET", "/api/v1/usage"): ("/api/v1/usage", _usage, MANAGERS),
    ("GET", "/api/v1/countries/{country}/policy"): ("/api/v1/countries/US/policy", _none, MANAGERS),
    # An empty change: the whole policy as it is (Studio's own US for its Administrator).
    ("PUT", "/api/v1/countries/{country}/policy"): (
        "/api/v1/countries/US/policy",
        _empty,
        MANAGERS,
    ),
    ("GET", "/api/v1/admin/users"): ("/api/v1/admin/users", _none, MANAGERS),
    ("POST", "/api/v1/admin/users"): ("/api/v1/admin/users", _invite, INVITED),
    ("PATCH", "/api/v1/admin/users/{user_id}"): (
        "/api/v1/admin/users/{user}",
        _usage_country,
        ADMINISTRATORS,
    ),
    ("POST", "/api/v1/admin/users/{user_id}/set-password-link"): (
        "/api/v1/admin/users/{user}/set-password-link",
        _none,
        LINKED,
    ),
    # No organisation of the table's world has an identity provider until the PUT (the last
    # of these rows to run): Studio's Administrator then asks for Northwind's domain.
    ("GET", "/api/v1/admin/identity-provider"): (
        "/api/v1/admin/identity-provider",
        _none,
        (401, 404, 404, 403, 401, 404),
    ),
    ("PUT", "/api/v1/admin/identity-provider"): (
        "/api/v1/admin/identity-provider",
        _provider,
        (401, 200, 403, 403, 401, 409),
    ),
    ("POST", "/api/v1/admin/identity-provider/test"): (
        "/api/v1/admin/identity-provider/test",
        _none,
        (401, 404, 403, 403, 401, 404),
    ),
    ("DELETE", "/api/v1/admin/identity-provider"): (
        "/api/v1/admin/identity-provider",
        _none,
        (401, 404, 403, 403, 401, 404),
    ),
    ("GET", HOOKS): (HOOKS, _none, OWN_HOOKS),
    ("GET", "/api/v1/admin/notifications"): ("/api/v1/admin/notifications", _none, OWN_HOOKS),
    ("PUT", "/api/v1/admin/notifications"): ("/api/v1/admin/notifications", _empty, OWN_HOOKS),
    ("GET", "/api/v1/admin/usage-alerts"): ("/api/v1/admin/usage-alerts", _none, OWN_HOOKS),
    ("POST", "/api/v1/admin/usage-alerts"): ("/api/v1/admin/usage-alerts", _alert, INVITED),
    ("DELETE", "/api/v1/admin/usage-alerts/{alert_id}"): (
        "/api/v1/admin/usage-alerts/{alert}",
        _none,
        (401, 204, 403, 403, 401, 404),
    ),
    ("POST", HOOKS): (HOOKS, _webhook, INVITED),
    ("GET", HOOKS + "/{endpoint_id}"): (HOOK, _none, ADMINISTRATORS),
    ("PATCH", HOOKS + "/{endpoint_id}"): (HOOK, _empty, ADMINISTRATORS),
    ("DELETE", HOOKS + "/{endpoint_id}"): (HOOK, _none, (401, 204, 403, 403, 401, 404)),
    ("GET", HOOKS + "/{endpoint_id}/deliveries"): (HOOK + "/deliveries", _none, ADMINISTRATORS),
    ("GET", HOOKS + "/{endpoint_id}/deliveries/{delivery_id}"): (
        DELIVERY,
        _none,
        ADMINISTRATORS,
    ),
    ("POST", HOOKS + "/{endpoint_id}/deliveries/{delivery_id}/redeliver"): (
        DELIVERY + "/redeliver",
        _none,
        ADMINISTRATORS,
    ),
    ("POST", HOOKS + "/{endpoint_id}/test"): (
        HOOK + "/test",
        _none,
        (401, 202, 403, 403, 401, 404),
    ),
    ("GET", "/api/v1/admin/countries/{country}/activation-keys"): (
        "/api/v1/admin/countries/US/activation-keys",
        _none,
        MANAGERS,
    ),
    # A key the country has already: kept as it is (Studio's US has none of Northwind's).
    ("POST", "/api/v1/admin/countries/{country}/activation-keys"): (
        "/api/v1/admin/countries/US/activation-keys",
        _us_key,
        (401, 200, 200, 403, 401, 409),
    ),
    ("PATCH", "/api/v1/admin/activation-keys/{key}"): (
        "/api/v1/admin/activation-keys/US-KEY-1",
        _in_use,
        MANAGE_ONE,
    ),
    ("POST", "/api/v1/checkout-requests"): ("/api/v1/checkout-requests", _request_file, MANAGERS),
    # Self-service is off in every country of the table's world: refused with the policy.
    ("POST", "/api/v1/me/checkouts"): (
        "/api/v1/me/checkouts",
        _own,
        (401, 403, 403, 403, 401, 403),
    ),
    ("GET", "/api/v1/me"): ("/api/v1/me", _none, SIGNED_IN),
    ("PATCH", "/api/v1/me"): ("/api/v1/me", _language, SIGNED_IN),
    ("GET", "/api/v1/me/checkouts"): ("/api/v1/me/checkouts", _none, SIGNED_IN),
    ("GET", "/api/v1/me/countries"): ("/api/v1/me/countries", _none, SIGNED_IN),
    ("GET", "/api/v1/me/checkouts/{checkout_id}"): ("/api/v1/me/checkouts/{id}", _none, OWNER_ONLY),
    ("GET", "/api/v1/me/checkouts/{checkout_id}/file"): (
        "/api/v1/me/checkouts/{id}/file",
        _none,
        OWNER_ONLY,
    ),
    ("POST", "/api/v1/me/checkouts/{checkout_id}/renew"): (
        "/api/v1/me/checkouts/{id}/renew",
        _days,
        (401, 404, 404, 403, 401, 404),  # hers, but self-service is off
    ),
    ("POST", "/api/v1/me/checkouts/{checkout_id}/return"): (
        "/api/v1/me/checkouts/{id}/return",
        _none,
        OWNER_ONLY,
    ),
    ("GET", "/api/v1/usage/peak"): ("/api/v1/usage/peak", _usage, MANAGERS),
    ("GET", "/.well-known/jwks.json"): ("/.well-known/jwks.json", _none, PUBLIC),
    ("GET", "/.well-known/entitle-root.pem"): ("/.well-known/entitle-root.pem", _none, PUBLIC),
    ("GET", "/.well-known/entitle-certificates.pem"): (
        "/.well-known/entitle-certificates.pem",
        _none,
        PUBLIC,
    ),
    ("GET", "/.well-known/entitle-root.crl"): ("/.well-known/entitle-root.crl", _none, PUBLIC),
    # Public, as workstations fetch it with no account: checkout ids and key serials only.
    ("GET", "/.well-known/entitle-revocations/{organisation_id}"): (
        "/.well-known/entitle-revocations/1",
        _none,
        PUBLIC,
    ),
    ("GET", "/.well-known/entitle-xml-cert.pem"): (
        "/.well-known/entitle-xml-cert.pem",
        _none,
        PUBLIC,
    ),
    ("GET", "/healthz"): ("/healthz", _none, PUBLIC),
    ("GET", "/readyz"): ("/readyz", _none, PUBLIC),
    # Counts alone, for the monitoring server; the proxy keeps it from the internet.
    ("GET", "/metrics"): ("/metrics", _none, PUBLIC),
    ("GET", "/static/{path:path}"): ("/static/app.css", _none, PUBLIC),
    ("GET", "/i18n/{language}.js"): ("/i18n/de.js", _none, PUBLIC),
    # The portal: pages redirect to the login page rather than answering 401.
    ("GET", "/"): ("/", _none, (303,) * 6),
    ("GET", "/login"): ("/login", _none, (200, 303, 303, 303, 200, 303)),
    ("POST", "/login"): ("/login", _login_form, (303,) * 6),
    ("POST", "/logout"): ("/logout", _none, (303,) * 6),
    # Single sign-on: the offer is public; without an email whose domain a provider signs
    # in, or without the cookie the sign-in began with, it is the login page with a message.
    ("GET", "/login/sso-offer"): ("/login/sso-offer", _none, PUBLIC),
    ("GET", "/login/sso"): ("/login/sso", _none, (401,) * 6),
    ("GET", "/login/sso/callback"): ("/login/sso/callback", _none, (401,) * 6),
    # A User is sent on to My checkouts.
    ("GET", "/checkouts"): ("/checkouts", _none, (303, 200, 200, 303, 303, 200)),
    ("GET", "/my-checkouts"): ("/my-checkouts", _none, (303, 200, 200, 200, 303, 200)),
    ("GET", "/usage"): ("/usage", _none, (303, 200, 200, 200, 303, 200)),
    # Any signed-in user approves sign-ins of their own tool; the code here matches none.
    ("GET", "/device"): ("/device", _none, (303, 200, 200, 200, 303, 200)),
    ("POST", "/device"): ("/device", _answer_sign_in, (303, 422, 422, 422, 303, 422)),
    ("GET", "/admin/users"): ("/admin/users", _none, (303, 200, 200, 303, 303, 200)),
    ("POST", "/admin/users"): ("/admin/users", _invite_form, (303, 200, 403, 303, 303, 200)),
    ("POST", "/admin/users/{user_id}"): ("/admin/users/{user}", _usage_country_form, USER_FORM),
    ("POST", "/admin/users/{user_id}/access"): (
        "/admin/users/{user}/access",
        _active_form,
        USER_FORM,
    ),
    ("POST", "/admin/users/{user_id}/link"): ("/admin/users/{user}/link", _none, USER_FORM),
    # Each country's policy: its own page, for Administrators and Co-Administrators.
    ("GET", "/admin/countries"): ("/admin/countries", _none, (303,) * 6),
    ("GET", "/admin/countries/{country}"): (
        "/admin/countries/US",
        _none,
        (303, 200, 200, 303, 303, 200),
    ),
    ("POST", "/admin/countries/{country}"): (
        "/admin/countries/US",
        _none,
        (303, 200, 200, 303, 303, 200),
    ),
    ("GET", "/admin/audit"): ("/admin/audit", _none, (303, 200, 303, 303, 303, 200)),
    # The shared catalog: seen by those who manage checkouts, imported by Northwind's
    # Administrators alone; a refusal is the page's status.
    ("GET", "/catalog"): ("/catalog", _none, (303, 200, 200, 303, 303, 200)),
    ("POST", "/catalog/preview"): (
        "/catalog/preview",
        _catalog_upload,
        (303, 200, 403, 303, 303, 403),
    ),
    ("POST", "/catalog/apply"): (
        "/catalog/apply",
        _catalog_content,
        (303, 200, 403, 303, 303, 403),
    ),
    # The identity provider's settings: an empty form is refused field by field, and with
    # none registered there is nothing to test or remove.
    ("GET", "/admin/sign-in"): ("/admin/sign-in", _none, (303, 200, 200, 303, 303, 200)),
    ("POST", "/admin/sign-in"): ("/admin/sign-in", _none, (303, 422, 403, 303, 303, 422)),
    ("POST", "/admin/sign-in/test"): (
        "/admin/sign-in/test",
        _none,
        (303, 404, 403, 303, 303, 404),
    ),
    ("POST", "/admin/sign-in/remove"): (
        "/admin/sign-in/remove",
        _none,
        (303, 404, 403, 303, 303, 404),
    ),
    ("GET", "/admin/webhooks"): ("/admin/webhooks", _none, HOOKS_PAGE),
    ("GET", "/admin/notifications"): ("/admin/notifications", _none, HOOKS_PAGE),
    ("POST", "/admin/notifications"): ("/admin/notifications", _days_form, HOOKS_PAGE),
    ("POST", "/admin/notifications/usage-alerts"): (
        "/admin/notifications/usage-alerts",
        _alert_form,
        HOOKS_PAGE,
    ),
    ("POST", "/admin/notifications/usage-alerts/{alert_id}/remove"): (
        "/admin/notifications/usage-alerts/{alert}/remove",
        _none,
        HOOK_FORM,
    ),
    ("POST", "/admin/webhooks"): ("/admin/webhooks", _webhook_form, HOOKS_PAGE),
    ("POST", "/admin/webhooks/{endpoint_id}/test"): (
        "/admin/webhooks/{endpoint}/test",
        _none,
        HOOK_FORM,
    ),
    ("POST", "/admin/webhooks/{endpoint_id}/access"): (
        "/admin/webhooks/{endpoint}/access",
        _enabled_form,
        HOOK_FORM,
    ),
    ("POST", "/admin/webhooks/{endpoint_id}/redeliver"): (
        "/admin/webhooks/{endpoint}/redeliver",
        _delivery_form,
        HOOK_FORM,
    ),
    ("POST", "/admin/webhooks/{endpoint_id}/remove"): (
        "/admin/webhooks/{endpoint}/remove",
        _none,
        HOOK_FORM,
    ),
    # Everyone's own tokens; the spare one is the Administrator's.
    ("GET", "/api-tokens"): ("/api-tokens", _none, (303, 200, 200, 200, 303, 200)),
    ("POST", "/api-tokens"): ("/api-tokens", _label_form, (303, 200, 200, 200, 303, 200)),
    ("POST", "/api-tokens/revoke"): ("/api-tokens/revoke", _spare, (303, 200, 404, 404, 303, 404)),
    ("POST", "/admin/countries/{country}/keys"): (
        "/admin/countries/US/keys",
        _us_key_form,
        (303, 200, 200, 303, 303, 409),
    ),
    ("POST", "/admin/countries/{country}/keys/retire"): (
        "/admin/countries/US/keys/retire",
        _in_use_form,
        (303, 200, 200, 303, 303, 404),
    ),
    # No credentials needed: the link is the proof, and this one is no link at all.
    ("GET", "/set-password"): ("/set-password", _none, (422,) * 6),
    ("POST", "/set-password"): ("/set-password", _wrong_link, (422,) * 6),
    # The language menu: anyone may choose, kept on the profile of whoever is signed in.
    ("GET", "/language"): ("/language", _none, (200,) * 6),
    ("POST", "/language"): ("/language", _language_form, (303,) * 6),
    # The spare token is the Administrator's: nobody else can revoke it here either.
    ("POST", "/device/revoke"): ("/device/revoke", _spare, (303, 200, 404, 404, 303, 404)),
}


def app_routes(callers: Callers) -> set[tuple[str, str]]:
    """Every (method, path) the app answers; HEAD goes with GET. A mounted app (the static
    files) answers GET under its path."""
    found = set()
    for route in iter_route_contexts(callers.client.app.routes):  # type: ignore[attr-defined]
        if isinstance(route.original_route, Mount):
            found.add(("GET", f"{route.path}/{{path:path}}"))
            continue
        found |= {(m, route.path) for m in (route.methods or ()) if m != "HEAD"}
    return found


def _fresh(world: World) -> Fresh:
    request = CheckoutRequest(
        country="US",
        license_service="SES",
        user=world.user,
        machine="WS-OWNED",
        applications=[("Atlas Designer", "10.17.2.61")],
    )
    checkout = create_checkout(world.services, world.admin, request)
    assert checkout.license_digest
    spare = tokens.create_token(world.services, world.admin, "spare")
    ana = next(u for u in users.list_users(world.services, world.admin) if u.email == world.user)
    imported = import_checkouts(
        world.services,
        world.admin,
        b"user,machine,country,applications\nana@example.com,WS-OWNED,US,Atlas Designer 10.17.2.61",
    )
    assert imported.id
    hook = webhooks.add_endpoint(world.services, world.admin, "https://hooks.example.com/in")
    sent = webhooks.send_test_event(world.services, world.admin, hook.endpoint.id)
    alert = usage_alerts.add_alert(world.services, world.admin, AlertKind.ACTIVE_CHECKOUTS, 50)
    return Fresh(
        checkout.id,
        checkout.license_digest,
        spare.id,
        checkout.created_at,
        ana.id,
        imported.id,
        hook.endpoint.id,
        sent.id,
        alert.id,
    )


def test_every_route_of_the_app_has_a_row_in_the_table(callers: Callers) -> None:
    routes = app_routes(callers)
    assert routes - set(TABLE) == set(), "routes without a row in the authorization table"
    assert set(TABLE) - routes == set(), "rows for routes the app no longer has"


def test_every_route_answers_each_caller_as_the_table_states(callers: Callers) -> None:
    mismatches: list[str] = []
    for (method, pattern), (path, request, expected) in sorted(TABLE.items()):
        for caller, status in zip(CALLERS, expected, strict=True):
            fresh = _fresh(callers.world)
            url = fresh.url(path)
            callers.client.cookies.clear()
            response = callers.client.request(
                method, url, headers=callers.headers(caller), **request(fresh)
            )
            where = f"{method} {pattern} as {caller}"
            if response.status_code != status:
                mismatches.append(f"{where}: {response.status_code}, table says {status}")
            private = NORTHWIND_ONLY[:1] if pattern in NAMES_THE_MAINTAINER else NORTHWIND_ONLY
            if caller == "other_admin" and any(m in response.text for m in private):
                mismatches.append(f"{where}: shows another organisation's checkout")
            if (caller, pattern) == ("other_admin", "/api/v1/checkouts/check-in"):
                (item,) = response.json()["items"]
                if item["ok"] or item["error"]["status"] != 404:
                    mismatches.append(f"{where}: checked in another organisation's checkout")
    assert mismatches == [], "\n".join(mismatches)
