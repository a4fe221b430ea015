"""The ``entitle-tool`` commands other than the quick path of ``check`` (see ``cli``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from entitle import __version__
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
@click.version_option(__version__, prog_name="entitle-tool", message="%(prog)s %(version)s")
def cli() -> None:
    """Import license files, check them offline and clear them on this workstation.

    Licenses are stored for the current OS user only (ENTITLE_TOOL_HOME overrides where).
    Which license issuers are trusted is pinned for the whole machine by an administrator
    ('trust --system'), or by the product ('check --issuer').
    """


def _fingerprint(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...] | None
) -> str | tuple[str, ...] | None:
    """Check fingerprints given on the command line; a bad one is a usage error (exit 2)."""
    from entitle.licensefile import InvalidTrustedKeys, parse_fingerprint

    try:
        if isinstance(value, tuple):
            return tuple(parse_fingerprint(v) for v in value)
        return None if value is None else parse_fingerprint(value)
    except InvalidTrustedKeys as error:
        raise click.BadParameter(str(error)) from None


_ISSUER_HELP = (
    "Pin this issuer root (sha256:..., as 'entitle keys fingerprint' prints it); repeatable. "
    "Default: the issuers the machine-wide configuration pins."
)


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="URL_OR_FILE...")
@click.option(
    "--system",
    is_flag=True,
    help="Pin the issuer of URL for every user of this machine (needs administrator rights).",
)
@click.option(
    "--fingerprint",
    "fingerprint",
    metavar="sha256:HEX",
    callback=_fingerprint,
    help="With --system: the issuer root's fingerprint, from the server's administrator.",
)
@_reports_errors
def trust(sources: tuple[str, ...], system: bool, fingerprint: str | None) -> None:
    """Fetch a license server's certificates and revocation lists for this user (no --system),
    or pin its issuer for the whole machine (--system).

    Without --system no issuer is added: certificates are kept only when an issuer the
    machine-wide configuration pins issued them, and the server is remembered for 'sync'.
    With --system, the downloaded root must have the fingerprint given; over https:// at a
    terminal it may be left out, and the tool shows the root's fingerprint and asks.
    """
    if system:
        _trust_system(sources, fingerprint)
        return
    if fingerprint is not None:
        raise click.UsageError("--fingerprint goes with --system.")
    from entitle.tool.trust import trust as trust_sources

    result = trust_sources(sources)
    click.echo(
        f"Cached {result.certificates_added} new certificate(s), each issued by an issuer this "
        "machine pins; this adds no issuer (administrators pin them: 'trust --system')."
    )
    for server in result.servers:
        click.echo(f"Remembered {server} for 'entitle-tool sync'.")
    for outcome in result.synced:
        for line in outcome.lines():
            click.echo(line)


def _trust_system(sources: tuple[str, ...], fingerprint: str | None) -> None:
    import sys

    from entitle.tool.trust import trust_system

    if len(sources) != 1:
        raise click.UsageError("trust --system takes one URL or file.")

    def confirm(found: str) -> bool:
        if not sys.stdin.isatty():
            raise click.UsageError(
                "give --fingerprint sha256:... (no terminal to confirm the fingerprint at)."
            )
        click.echo(f"The issuer root at {sources[0]} has the fingerprint\n  {found}")
        return click.confirm(
            "Is this the fingerprint the license server's administrator gave you "
            "('entitle keys fingerprint', the portal's footer)?",
            default=False,
        )

    pinned = trust_system(sources[0], fingerprint, confirm=confirm)
    issuer = pinned.issuer
    click.echo(
        f"{'Updated' if pinned.replaced else 'Pinned'} issuer {issuer.fingerprint} "
        f"({issuer.name or sources[0]}) for every user of this machine in {pinned.path}."
    )
    click.echo("Each user now runs 'entitle-tool sync' to fetch its certificates and revocations.")


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--issuer",
    "issuers",
    multiple=True,
    metavar="sha256:HEX",
    callback=_fingerprint,
    help=_ISSUER_HELP,
)
@_reports_errors
def import_(files: tuple[str, ...], issuers: tuple[str, ...]) -> None:
    """Verify license files (.belic or .xml) and store them for the current user."""
    from entitle.tool.licenses import import_license_files

    outcomes = import_license_files(files, issuer=issuers or None)
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
@click.option(
    "--issuer",
    "issuers",
    multiple=True,
    metavar="sha256:HEX",
    callback=_fingerprint,
    help=_ISSUER_HELP,
)
def check(application: str, version: str, issuers: tuple[str, ...]) -> None:
    """Exit 0 when a stored license covers this application version here and now."""
    from entitle.tool.cli import run_check

    raise SystemExit(run_check(application, version, issuers))


@cli.command()
@click.argument("server_url", required=False)
@_reports_errors
def sync(server_url: str | None) -> None:
    """Fetch certificates and revocation lists, drop revoked licenses (default: every known server).

    A SERVER_URL given is remembered for later syncs.
    """
    from entitle.tool.sync import sync as sync_servers

    outcomes = sync_servers(server_url)
    for outcome in outcomes:
        for line in outcome.lines():
            click.echo(line)
    if not any(outcome.online for outcome in outcomes):
        raise SystemExit(1)


def _sync_after(server_url: str) -> None:
    """End an online command with a sync of its server; what stops it is one line, no error."""
    from entitle.tool.sync import sync as sync_servers

    try:
        outcomes = sync_servers(server_url)
    except ToolError as error:
        click.echo(f"Revocation lists not fetched: {error.message}")
        return
    for outcome in outcomes:
        for line in outcome.lines():
            click.echo(line)


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
    _sync_after(server_url)
    if outcome.status == REFUSED:
        raise SystemExit(1)


@cli.command(name="send-receipts")
@click.argument("server_url")
@_reports_errors
def send_receipts(server_url: str) -> None:
    """Post the check-in receipts not yet accepted by the license server."""
    from entitle.tool.receipts import ACCEPTED, OFFLINE
    from entitle.tool.receipts import send_receipts as send_pending

    outcomes = send_pending(server_url)
    if not outcomes:
        click.echo("No receipts are waiting to be sent.")
    for outcome in outcomes:
        click.echo(f"{outcome.checkout_id}: {outcome.status}: {outcome.message}")
    if not outcomes or outcomes[-1].status != OFFLINE:
        _sync_after(server_url)
    if any(outcome.status != ACCEPTED for outcome in outcomes):
        raise SystemExit(1)


@cli.command()
@click.argument("server_url", metavar="URL")
@_reports_errors
def login(server_url: str) -> None:
    """Sign this user's tool in to a license server: approve it in the portal, signed in there.

    Prints the page to open and a code to enter, then waits; the credential is kept for this
    OS user alone, until 'entitle-tool logout'.
    """
    from entitle.tool.http import is_https
    from entitle.tool.oauth import DeviceAuthorization
    from entitle.tool.signin import login as sign_in

    if not is_https(server_url) and not _is_loopback(server_url):
        click.echo(
            f"Warning: {server_url} is not https://: the credential will cross the network "
            "unencrypted.",
            err=True,
        )

    def show(authorization: DeviceAuthorization) -> None:
        minutes = max(1, authorization.expires_in // 60)
        click.echo(f"To sign in, open {authorization.verification_uri}")
        click.echo(f"and enter the code {authorization.user_code}")
        click.echo(f"(or open {authorization.verification_uri_complete}).")
        click.echo(f"Waiting for the approval (the code expires in {minutes} minutes)...")

    credential = sign_in(server_url, show)
    click.echo(f"Signed in as {credential.email} to {credential.server}.")


@cli.command()
@_reports_errors
def logout() -> None:
    """Sign this user's tool out: revoke the credential at the server and delete it here."""
    from entitle.tool.signin import logout as sign_out

    outcome = sign_out()
    if outcome.revoked:
        click.echo(f"Signed out of {outcome.server}.")
    else:
        click.echo(
            f"Deleted the sign-in here, but {outcome.server} could not revoke it "
            f"({outcome.reason.rstrip('.')}); revoke it in the portal's /device page or with "
            "'entitle token revoke'."
        )


@cli.command()
@_reports_errors
def whoami() -> None:
    """Show who this user's tool is signed in as, and to which server (no network)."""
    from entitle.tool.signin import signed_in

    credential = signed_in()
    if credential is None:
        click.echo("Not signed in: run 'entitle-tool login SERVER_URL'.")
        raise SystemExit(1)
    since = credential.signed_in_at.strftime("%Y-%m-%d %H:%M UTC")
    click.echo(
        f"Signed in as {credential.email} to {credential.server} "
        f"(machine {credential.machine}, since {since})."
    )


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"
