"""Webhook rules: which URLs an endpoint may have, and when a failed delivery is tried again.

An endpoint's URL is ``https://`` and names no loopback, private, link-local or otherwise
internal address, so that a webhook cannot reach into the server's own network; a server set
up for development and tests may allow loopback ``http://`` too. (The host's name is also
resolved at delivery, so a public name that points inside is refused then.)

A failed delivery is tried again after each delay of :data:`RETRY_DELAYS`, the schedule
Standard Webhooks suggests: for about 27 hours in all. After the last the endpoint is
disabled and the organisation's administrators are told.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from datetime import timedelta

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_URL = 2000
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def retry_after(attempts_made: int) -> timedelta | None:
    """The delay before the next try after ``attempts_made`` failed ones; None: give up."""
    if attempts_made < 1 or attempts_made > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts_made - 1]


def address_allowed(address: str, *, allow_loopback: bool) -> bool:
    """Whether a delivery may go to this IP address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast


def endpoint_url(text: str, *, allow_loopback: bool) -> str:
    """The URL as an endpoint keeps it, or a refusal saying what to change."""
    url = text.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 33 for c in url):
        raise InvalidInput(
            Code.WEBHOOK_URL_INVALID,
            f"Give the endpoint's full URL, https://…, of at most {MAX_URL} characters "
            "and no spaces.",
            field="url",
        )
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("https", "http") or not host:
        raise InvalidInput(
            Code.WEBHOOK_URL_INVALID, "Give a URL that begins with https://.", field="url"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            Code.WEBHOOK_URL_INVALID,
            "Leave credentials out of the URL: every delivery is signed instead.",
            field="url",
        )
    try:
        parts.port  # noqa: B018 (a port out of range raises)
    except ValueError:
        raise InvalidInput(Code.WEBHOOK_URL_INVALID, "The URL's port is not a number.") from None
    loopback = host in LOOPBACK_NAMES or host.endswith(".localhost") or _is_loopback(host)
    if loopback and allow_loopback:
        return url
    if parts.scheme.lower() != "https":
        raise InvalidInput(
            Code.WEBHOOK_URL_NOT_HTTPS,
            "Webhooks are sent over https only: give an https:// URL.",
            field="url",
        )
    if loopback or not _outside(host):
        raise InvalidInput(
            Code.WEBHOOK_URL_INTERNAL,
            f"{host} is a loopback, private or internal address: give a public one.",
            field="url",
        )
    return url


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _outside(host: str) -> bool:
    try:
        return address_allowed(host.strip("[]"), allow_loopback=False)
    except ValueError:
        return True  # a name: resolved and checked at delivery
