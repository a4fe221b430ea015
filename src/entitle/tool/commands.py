"""The ``entitle-tool`` commands other than the quick path of ``check`` (see ``cli``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from entitle.tool.errors import ToolError

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(command: F) -> F:
    """Print a :class:`ToolError` as one line and exit 1, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ToolError as error:
            click.echo(f"entitle-tool: {error.message}", err=True)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Import license files, check them offline and clear them on this workstation.

    Licenses are stored for the current OS user only (ENTITLE_TOOL_HOME overrides where).
    """


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="FILE_OR_URL...")
@_reports_errors
def trust(sources: tuple[str, ...]) -> None:
    """Trust a license server's keys: its base URL, a JWKS file or a PEM certificate file."""
    from entitle.tool.trust import trust as trust_sources

    result = trust_sources(sources)
    if not result.added_kids and not result.added_certificates:
        click.echo("These keys were already trusted.")
        return
    click.echo(
        f"Trusted {len(result.added_kids)} new signing key(s) and "
        f"{result.added_certificates} new XML certificate(s)."
    )


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_reports_errors
def import_(files: tuple[str, ...]) -> None:
    """Verify license files (.belic or .xml) and store them for the current user."""
    from entitle.tool.licenses import import_license_files

    outcomes = import_license_files(files)
    for outcome in outcomes:
        click.echo(f"{outcome.path}: {'refused: ' if outcome.refused else ''}{outcome.message}")
    if any(outcome.refused for outcome in outcomes):
        raise SystemExit(1)


@cli.command(name="list")
@_reports_errors
def list_() -> None:
    """Show the stored licenses: applications, versions, expiry and days left."""
    from entitle.tool.licenses import list_licenses
    from entitle.tool.views import print_table

    licenses = list_licenses()
    if not licenses:
        click.echo("No licenses are imported for this user.")
        return
    print_table(licenses, datetime.now(UTC))


@cli.command()
@click.argument("checkout_id", metavar="ID")
@_reports_errors
def show(checkout_id: str) -> None:
    """Show everything a stored license says."""
    from entitle.tool.licenses import show_license
    from entitle.tool.views import details

    click.echo(details(show_license(checkout_id), datetime.now(UTC)))


@cli.command()
@_reports_errors
def clean() -> None:
    """Remove the expired licenses."""
    from entitle.tool.licenses import clean_expired

    removed = clean_expired()
    if not removed:
        click.echo("No expired licenses.")
    for entry in removed:
        click.echo(f"Removed expired checkout {entry.checkout_id}.")


@cli.command()
@click.option("--app", "application", required=True, help="Application name.")
@click.option("--version", required=True, help="Application version, e.g. 2.1.")
def check(application: str, version: str) -> None:
    """Exit 0 when a stored license covers this application version here and now."""
    from entitle.tool.cli import run_check

    raise SystemExit(run_check(application, version))


@cli.command()
@_reports_errors
def machine() -> None:
    """Show this machine's name and fingerprint, as license files bind to them."""
    from entitle.tool.home import this_machine

    identity = this_machine()
    click.echo(f"Machine name:        {identity.name}")
    if identity.name_is_bindable:
        click.echo("Name-bound licenses: can run here")
    else:
        click.echo(
            "Name-bound licenses: cannot run here: the name is not plain ASCII; "
            "ask for a license bound to this machine's fingerprint"
        )
    click.echo(f"Machine fingerprint: {identity.fingerprint}")


@cli.command()
@click.argument("checkout_id", metavar="ID")
@click.option("--send", "server_url", metavar="SERVER_URL", help="Post the receipt there.")
@_reports_errors
def clear(checkout_id: str, server_url: str | None) -> None:
    """Check in a license from this workstation: remove it and write a check-in receipt."""
    from entitle.tool.receipts import OFFLINE, REFUSED, send_receipt
    from entitle.tool.receipts import clear as clear_license

    cleared = clear_license(checkout_id)
    click.echo(f"Cleared checkout {cleared.license.checkout_id}.")
    click.echo(f"Check-in receipt: {cleared.receipt_path}")
    if server_url is None:
        return
    outcome = send_receipt(cleared.receipt_path, server_url)
    if outcome.status == OFFLINE:
        click.echo(
            f"{outcome.message} The receipt is kept; send it later with "
            f"'entitle-tool send-receipts {server_url}'."
        )
        return
    click.echo(f"Receipt {outcome.status}: {outcome.message}")
    if outcome.status == REFUSED:
        raise SystemExit(1)


@cli.command(name="send-receipts")
@click.argument("server_url")
@_reports_errors
def send_receipts(server_url: str) -> None:
    """Post the check-in receipts not yet accepted by the license server."""
    from entitle.tool.receipts import ACCEPTED
    from entitle.tool.receipts import send_receipts as send_pending

    outcomes = send_pending(server_url)
    if not outcomes:
        click.echo("No receipts are waiting to be sent.")
    for outcome in outcomes:
        click.echo(f"{outcome.checkout_id}: {outcome.status}: {outcome.message}")
    if any(outcome.status != ACCEPTED for outcome in outcomes):
        raise SystemExit(1)
