"""How licenses look on screen: the ``list`` table, the ``show`` details and the ``checkouts``
table of the user's checkouts on the server."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING

from entitle.tool.store import StoredLicense

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from entitle.tool.selfservice import ServerCheckout


def days_left(entry: StoredLicense, now: datetime) -> int:
    """Whole days until expiry; negative once expired."""
    return (entry.claims.expires_at - now).days


def applications(entry: StoredLicense) -> str:
    return ", ".join(f"{a.name} {a.version}" for a in sorted(entry.claims.applications))


def status(entry: StoredLicense, now: datetime) -> str:
    return "EXPIRED" if now >= entry.claims.expires_at else "valid"


def print_table(licenses: list[StoredLicense], now: datetime) -> None:
    """Print ``licenses`` as a table, expired ones marked."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Licenses imported for this user")
    table.add_column("checkout id", no_wrap=True)
    table.add_column("applications")
    table.add_column("expires (UTC)", no_wrap=True)
    table.add_column("days left", justify="right")
    table.add_column("status")
    for entry in licenses:
        expired = now >= entry.claims.expires_at
        table.add_row(
            entry.checkout_id,
            applications(entry),
            entry.claims.expires_at.strftime("%Y-%m-%d %H:%M"),
            "0" if expired else str(days_left(entry, now)),
            "[bold red]EXPIRED[/]" if expired else "valid",
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def details(entry: StoredLicense, now: datetime) -> str:
    """Everything a stored license says, one field a line."""
    claims = entry.claims
    left = "EXPIRED" if now >= claims.expires_at else f"{days_left(entry, now)} days left"
    rows = [
        ("Checkout id", claims.checkout_id),
        ("Status", status(entry, now)),
        ("Applications", applications(entry)),
        ("Expires", f"{claims.expires_at:%Y-%m-%d %H:%M} UTC ({left})"),
        ("Issued", f"{claims.issued_at:%Y-%m-%d %H:%M} UTC"),
        ("Machine", claims.machine_name),
        ("User", claims.user_email),
        ("Organisation", f"{claims.organisation_name} ({claims.organisation_id})"),
        ("Entitlement country", claims.country),
        ("License service", claims.license_service),
        ("Activation key", claims.activation_key or "-"),
        ("Issuer", claims.issuer),
        ("File", entry.file_name),
        ("Imported", f"{entry.imported_at:%Y-%m-%d %H:%M} UTC"),
        ("License digest", entry.digest),
    ]
    return "\n".join(f"{label + ':':<21}{value}" for label, value in rows)


def print_own_checkouts(
    title: str, checkouts: Sequence[ServerCheckout], here: Collection[str]
) -> None:
    """Print the user's checkouts on the server; ``here``: the ids stored on this machine."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("checkout id", no_wrap=True)
    table.add_column("applications")
    table.add_column("machine", no_wrap=True)
    table.add_column("expires on", no_wrap=True)
    table.add_column("status")
    table.add_column("made", no_wrap=True)
    table.add_column("here")
    for checkout in checkouts:
        table.add_row(
            checkout.id,
            checkout.applications_text(),
            checkout.machine,
            checkout.expires_on.isoformat(),
            checkout.status.replace("_", " "),
            checkout.created_via.replace("_", " "),
            "imported" if checkout.id in here else "",
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
