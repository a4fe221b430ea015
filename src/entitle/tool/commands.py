"""The ``entitle-tool`` commands other than the quick path of ``check`` (see ``cli``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
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
_issuer_option = click.option(
    "--issuer",
    "issuers",
    multiple=True,
    metavar="sha256:HEX",
    callback=_fingerprint,
    help=_ISSUER_HELP,
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
@_issuer_option
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
@_issuer_option
def check(application: str, version: str, issuers: tuple[str, ...]) -> None:
    """Exit 0 when a stored license covers this application version here and now."""
    from entitle.tool.cli import run_check

    raise SystemExit(run_check(application, version, issuers))


@cli.command()
@click.argument("server_url", required=False)
@_reports_errors
def sync(server_url: str | None) -> None:
    """Fetch certificates and revocation lists, drop revoked licenses (default: every known server).

    SERVER_URL is the server's URL, or that of a document it publishes under /.well-known/;
    it is remembered for later syncs.
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


def _applications(
    applications: tuple[str, ...], versions: tuple[str, ...]
) -> list[tuple[str, str]]:
    """``--app NAME --version V`` pairs, in the order given."""
    if len(applications) != len(versions):
        raise click.UsageError("give one --version after each --app.")
    return list(zip(applications, versions, strict=True))


def _expiry_options(command: F) -> F:
    command = click.option(
        "--days",
        type=click.IntRange(1, 365),
        help="Instead of --until: this many days from today.",
    )(command)
    return click.option(
        "--until",
        "until",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="The last day of the checkout.",
    )(command)


def _version(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from entitle.tool.request_file import is_version

    for version in value:
        if not is_version(version):
            raise click.BadParameter(f"{version!r} is not a version such as 10.17.2.61.")
    return value


def _application_options(check_versions: bool = False) -> Callable[[F], F]:
    """``--app NAME --version V``, repeatable; ``check_versions``: each must read as a version
    here (for a request file, which nobody checks before the administrator)."""

    def add(command: F) -> F:
        command = click.option(
            "--version",
            "versions",
            multiple=True,
            required=True,
            callback=_version if check_versions else None,
            help="Its version, e.g. 10.17.2.61 (one after each --app).",
        )(command)
        return click.option(
            "--app",
            "applications",
            multiple=True,
            required=True,
            metavar="NAME",
            help="An application, as the catalog names it; repeatable, each with its --version.",
        )(command)

    return add


def _day(until: datetime | None, days: int | None) -> date | None:
    if until is not None and days is not None:
        raise click.UsageError("give --until or --days, not both.")
    return None if until is None else until.date()


@cli.command()
@_application_options()
@_expiry_options
@click.option("--country", metavar="CC", help="The entitlement country, e.g. GB.")
@_issuer_option
@_reports_errors
def checkout(
    applications: tuple[str, ...],
    versions: tuple[str, ...],
    until: datetime | None,
    days: int | None,
    country: str | None,
    issuers: tuple[str, ...],
) -> None:
    """Check out for yourself, on this machine: the license file is downloaded, verified and
    imported, and runs here offline until it expires.

    Signed in first ('entitle-tool login URL'). Without --until or --days the checkout lasts as
    long as the country's self-service policy allows.
    """
    from entitle.tool.selfservice import check_out

    done = check_out(
        _applications(applications, versions),
        expires_on=_day(until, days),
        days=days,
        country=country,
        issuer=issuers or None,
    )
    checkout = done.checkout
    click.echo(
        f"Checked out {checkout.applications_text()} until {checkout.expires_on} for "
        f"{checkout.machine} (checkout {checkout.id}); it runs offline until then."
    )


@cli.command()
@click.argument("checkout_id", metavar="ID")
@_expiry_options
@_issuer_option
@_reports_errors
def renew(
    checkout_id: str, until: datetime | None, days: int | None, issuers: tuple[str, ...]
) -> None:
    """Extend a checkout stored here: a new license file replaces the old one, which the
    server supersedes (any copy of it stops working where entitle-tool syncs)."""
    from entitle.tool.selfservice import renew as renew_checkout

    expires_on = _day(until, days)
    if expires_on is None and days is None:
        raise click.UsageError("give --until YYYY-MM-DD or --days N.")
    done = renew_checkout(checkout_id, expires_on=expires_on, days=days, issuer=issuers or None)
    click.echo(
        f"Renewed checkout {done.checkout.id} until {done.checkout.expires_on} for "
        f"{done.checkout.machine}: the new license file replaces the old one, which the server "
        "has superseded."
    )


@cli.command(name="return")
@click.argument("checkout_id", metavar="ID")
@_reports_errors
def return_(checkout_id: str) -> None:
    """Check in a checkout stored here, online: clear it here and tell the server at once."""
    from entitle.tool.selfservice import (
        ENDED_ALREADY,
        RECEIPT_ACCEPTED,
        RECEIPT_KEPT,
        RETURNED,
        return_checkout,
    )

    done = return_checkout(checkout_id)
    cleared = f"cleared on {done.machine}"
    if done.status == RETURNED:
        click.echo(
            f"Returned checkout {done.checkout_id}: {cleared} and checked in on {done.server}."
        )
    elif done.status == RECEIPT_ACCEPTED:
        click.echo(
            f"Returned checkout {done.checkout_id}: {cleared}; {done.server} recorded the check-in "
            "from its receipt."
        )
    elif done.status == ENDED_ALREADY:
        click.echo(
            f"Cleared checkout {done.checkout_id} on {done.machine}; {done.server} had ended it "
            f"already: {done.message}"
        )
    elif done.status == RECEIPT_KEPT:
        click.echo(
            f"Cleared checkout {done.checkout_id} on {done.machine}, but the server was not told: "
            f"{done.message.rstrip('.')}. Send the check-in later with "
            f"'entitle-tool send-receipts {done.server}'.",
            err=True,
        )
    else:
        click.echo(
            f"Cleared checkout {done.checkout_id} on {done.machine}, but {done.server} refused the "
            f"check-in: {done.message}",
            err=True,
        )
    if not done.ok:
        raise SystemExit(1)


@cli.command()
@_application_options(check_versions=True)
@_expiry_options
@click.option("--country", metavar="CC", help="The entitlement country, e.g. GB.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the request file (e.g. on a USB stick).",
)
@_reports_errors
def request(
    applications: tuple[str, ...],
    versions: tuple[str, ...],
    until: datetime | None,
    days: int | None,
    country: str | None,
    out: str,
) -> None:
    """Write a checkout request for this machine, for an administrator to import (no network).

    The request names this machine and its fingerprint, your OS user, the applications and the
    expiry you want; the license file that comes back runs on this machine only
    ('entitle-tool import FILE').
    """
    from entitle.tool.request_file import write_request

    try:
        written = write_request(
            out,
            _applications(applications, versions),
            expires_on=_day(until, days),
            days=days,
            country=country,
        )
    except ValueError as error:
        raise click.UsageError(f"{error}.") from None
    document = written.document
    wanted = ", ".join(f"{a['application']} {a['version']}" for a in document["applications"])
    click.echo(
        f"Wrote the checkout request of {document['machine_name']} for {wanted} to "
        f"{written.path}; hand it to your administrator."
    )


@cli.command()
@click.option(
    "--status",
    type=click.Choice(["listed", "active", "expired", "checked_in", "all"]),
    default="listed",
    show_default=True,
    help="listed: active ones, and those that ended in the last three months.",
)
@_reports_errors
def checkouts(status: str) -> None:
    """List your checkouts on the license server you are signed in to, and which are here."""
    from entitle.tool.licenses import list_licenses
    from entitle.tool.selfservice import own_checkouts
    from entitle.tool.views import print_own_checkouts

    credential, found = own_checkouts(status=status)
    if not found:
        click.echo(f"{credential.email} has no checkouts on {credential.server} ({status}).")
        return
    here = {entry.checkout_id for entry in list_licenses()}
    print_own_checkouts(f"Checkouts of {credential.email} on {credential.server}", found, here)
