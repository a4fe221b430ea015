"""``entitle``: the operator's command for the server, its database, keys and organisations."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from entitle import __version__
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput, NotFound, Unavailable

if TYPE_CHECKING:
    from entitle.service.import_checkouts import ImportResult

app = typer.Typer(
    help="Offline license checkouts: server, database, keys and organisations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations (accounts).", no_args_is_help=True)
user_app = typer.Typer(help="Users of an organisation.", no_args_is_help=True)
country_app = typer.Typer(help="Entitlement countries of an organisation.", no_args_is_help=True)
key_app = typer.Typer(help="Activation keys (SELECTserver).", no_args_is_help=True)
catalog_app = typer.Typer(help="Applications and versions.", no_args_is_help=True)
signing_app = typer.Typer(help="License signing keys.", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
checkouts_app = typer.Typer(
    help="An organisation's checkouts: list them, or import them from a CSV file.",
    invoke_without_command=True,
)
for sub, name in (
    (db_app, "db"),
    (org_app, "org"),
    (user_app, "user"),
    (country_app, "country"),
    (key_app, "activation-keys"),
    (catalog_app, "catalog"),
    (signing_app, "keys"),
    (token_app, "token"),
    (checkouts_app, "checkouts"),
):
    app.add_typer(sub, name=name)

console = Console()
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", envvar="ENTITLE_DATA_DIR", help="Where the SQLite file and keys live."
    ),
]
# Options read from the environment that are not settings (settings.Settings has the rest).
PASSWORD_ENV = "ENTITLE_PASSWORD"  # noqa: S105 (the name of a variable)
OPTION_VARIABLES = (PASSWORD_ENV,)


def _print_version(wanted: bool) -> None:
    if wanted:
        print(f"entitle {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


def _services(directory: Path | None):  # type: ignore[no-untyped-def]
    """The use cases on the existing database; signing keys are neither needed nor made."""
    from entitle.service.bootstrap import open_services

    return open_services(directory, create_keys=False)


def _note(message: str) -> None:
    print(f"entitle: {message}", file=sys.stderr)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            Code.DATE_INVALID, f"{field} must be a date such as 2027-06-30."
        ) from None


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Create or migrate the schema to the latest version."""
    from entitle.store.database import data_dir as default_dir
    from entitle.store.database import database_url, make_engine, upgrade

    engine = make_engine(database_url(data_dir or default_dir()))
    upgrade(engine)
    console.print("database is up to date")


@db_app.command("backup")
def db_backup(
    destination: Annotated[Path, typer.Argument(help="The new backup file.")],
    data_dir: DataDir = None,
) -> None:
    """Copy the SQLite database while the server runs (PostgreSQL: use pg_dump)."""
    from entitle.store.backup import backup_sqlite
    from entitle.store.database import data_dir as default_dir
    from entitle.store.database import database_url

    pages = backup_sqlite(database_url(data_dir or default_dir()), destination)
    console.print(f"backed up {pages} pages to {destination}", highlight=False)


@app.command()
def demo(data_dir: DataDir = None) -> None:
    """Load the demo organisations, users, catalog and checkouts (once) and print the logins."""
    from entitle.service.bootstrap import open_services
    from entitle.service.demo import HISTORY, load_demo

    services = open_services(data_dir, keys_since=datetime.now(UTC) - HISTORY, announce=_note)
    logins = load_demo(services)
    table = Table(title="Demo logins")
    table.add_column("email")
    table.add_column("password")
    for email, password in logins:
        table.add_row(email, password)
    console.print(table)


@org_app.command("create")
def org_create(
    name: str,
    contract_end: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    select: Annotated[
        bool, typer.Option("--select/--no-select", help="Has a maintenance agreement.")
    ] = True,
    maintains_catalog: Annotated[
        bool,
        typer.Option(
            "--maintains-catalog/--no-maintains-catalog",
            help="Its Administrators import the catalog every organisation shares.",
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an organisation."""
    from entitle.service import admin

    found = admin.create_organisation(
        _services(data_dir),
        name,
        select,
        _date(contract_end, "--contract-end"),
        maintains_catalog=maintains_catalog,
    )
    console.print(f"created organisation {found.name} (id {found.id})")


@org_app.command("set")
def org_set(
    name: str,
    contract_end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    select: Annotated[bool | None, typer.Option("--select/--no-select")] = None,
    maintains_catalog: Annotated[
        bool | None,
        typer.Option(
            "--maintains-catalog/--no-maintains-catalog",
            help="Its Administrators import the catalog every organisation shares.",
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Change an organisation's contract end, maintenance agreement or catalog maintenance."""
    from entitle.service import admin

    end = _date(contract_end, "--contract-end") if contract_end else None
    found = admin.update_organisation(
        _services(data_dir),
        name,
        has_select=select,
        contract_end=end,
        maintains_catalog=maintains_catalog,
    )
    console.print(
        f"{found.name}: SELECT={found.has_select}, contract ends {found.contract_end}, "
        f"maintains the catalog: {'yes' if found.maintains_catalog else 'no'}",
        highlight=False,
    )


@org_app.command("list")
def org_list(data_dir: DataDir = None) -> None:
    """List organisations with their countries."""
    from entitle.service import admin

    table = Table()
    for column in ("id", "name", "SELECT", "contract end", "catalog", "countries"):
        table.add_column(column)
    for o in admin.list_organisations(_services(data_dir)):
        countries = ", ".join(
            f"{c.country} ({c.max_days} d{'' if c.checkouts_enabled else ', off'})"
            for c in o.countries
        )
        table.add_row(
            str(o.id),
            o.name,
            "yes" if o.has_select else "no",
            str(o.contract_end),
            "maintains" if o.maintains_catalog else "",
            countries,
        )
    console.print(table)


@country_app.command("set")
def country_set(
    organisation: str,
    country: str,
    max_days: Annotated[
        int | None, typer.Option(help="Longest checkout in days (1-365); new countries: 365.")
    ] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enabled/--disabled", help="Checkouts on or off.")
    ] = None,
    self_service: Annotated[
        bool | None,
        typer.Option(
            "--self-service/--no-self-service",
            help="Users may check out for themselves from the workstation (new: off).",
        ),
    ] = None,
    self_service_max_days: Annotated[
        int | None,
        typer.Option(help="Longest self-service checkout in days, up to --max-days (new: 30)."),
    ] = None,
    exclude_application: Annotated[
        list[str] | None,
        typer.Option(help="Exclude this application from checkout (repeatable: the list)."),
    ] = None,
    allow_application: Annotated[
        list[str] | None,
        typer.Option(help="Allow only these applications (repeatable: the list)."),
    ] = None,
    all_applications: Annotated[
        bool, typer.Option("--all-applications", help="Clear the list: every application.")
    ] = False,
    self_service_users: Annotated[
        str | None,
        typer.Option(help="Who may self-serve: 'all', or emails separated by commas."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Add an entitlement country of an organisation, or change its checkout policy.

    Options left out keep their values; a new country starts with checkouts on, 365 days,
    self-service off, every application.
    """
    from entitle.domain.policy import ApplicationRule
    from entitle.service import admin
    from entitle.service.checkout_policy import EVERY_USER, PolicyChange, describe

    lists = [
        (ApplicationRule.EXCLUDE, exclude_application),
        (ApplicationRule.ALLOW, allow_application),
        (ApplicationRule.ALL, [] if all_applications else None),
    ]
    given = [(rule, names) for rule, names in lists if names is not None]
    if len(given) > 1:
        raise InvalidInput(
            Code.APPLICATION_RULES_BOTH,
            "Give --exclude-application, --allow-application or --all-applications, one of them.",
        )
    rule, names = given[0] if given else (None, None)
    users: list[str] | str | None = None
    if self_service_users is not None:
        text = self_service_users.strip()
        users = EVERY_USER if text.lower() == EVERY_USER else [e for e in text.split(",") if e]
    change = PolicyChange(
        checkouts_enabled=enabled,
        max_days=max_days,
        self_service=self_service,
        self_service_max_days=self_service_max_days,
        application_rule=rule,
        applications=names,
        self_service_users=users,
    )
    found = admin.set_country(_services(data_dir), organisation, country, change)
    policy = found.policy_for(country.strip().upper())
    assert policy is not None
    print(f"{found.name}: {policy.country}: {describe(policy)}")


@user_app.command("add")
def user_add(
    organisation: str,
    email: str,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    country: Annotated[str, typer.Option(help="Usage country.")] = "US",
    role: Annotated[str, typer.Option(help="Administrator, Co-Administrator or User.")] = "User",
    password: Annotated[
        str | None, typer.Option(envvar=PASSWORD_ENV, help="Portal password (min. 8).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Add a user to an organisation."""
    from entitle.service import admin

    admin.add_user(_services(data_dir), organisation, email, name, country, role, password)
    console.print(f"added {email} to {organisation} as {role}")


@user_app.command("password")
def user_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, envvar=PASSWORD_ENV)],
    data_dir: DataDir = None,
) -> None:
    """Set a user's portal password; every portal session of the user ends."""
    from entitle.service import admin

    admin.set_password(_services(data_dir), email, password)
    console.print(f"password set for {email}")


@key_app.command("add")
def activation_keys_add(
    organisation: str, country: str, keys: list[str], data_dir: DataDir = None
) -> None:
    """Add activation keys of one entitlement country."""
    from entitle.service import admin

    admin.add_activation_keys(_services(data_dir), organisation, country, keys)
    console.print(f"{len(keys)} key(s) added for {country.upper()}")


@catalog_app.command("import")
def catalog_import(file: Path, data_dir: DataDir = None) -> None:
    """Import application,version,license_service rows from a CSV file (all or nothing; at
    most 512 KiB). It adds versions; it neither changes nor retires one."""
    from entitle.service.import_catalog import import_catalog

    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidInput(Code.FILE_UNREADABLE, f"cannot read {file}: {error}") from None
    done = import_catalog(_services(data_dir), None, data, apply=True)
    change = done.change
    console.print(
        f"{done.added} new version(s) ({len(change.new_applications)} new application(s)), "
        f"{len(change.unchanged)} already known",
        highlight=False,
    )


@checkouts_app.callback()
def checkouts_list(
    context: typer.Context,
    organisation: Annotated[str | None, typer.Option("--org", help="Organisation name.")] = None,
    status: Annotated[
        str, typer.Option(help="active, expired, checked_in, listed, history or all.")
    ] = "listed",
    data_dir: DataDir = None,
) -> None:
    """Show an organisation's checkouts as a table (entitle checkouts --org NAME), or import
    them from a CSV file (entitle checkouts import)."""
    if context.invoked_subcommand is not None:
        return
    if organisation is None:
        raise InvalidInput(
            Code.INVALID_INPUT, "Name the organisation: entitle checkouts --org NAME."
        )
    from entitle.domain.listing import status_of
    from entitle.service import admin
    from entitle.store.checkouts import STATUSES

    if status not in STATUSES:
        raise InvalidInput(Code.STATUS_UNKNOWN, f"--status is one of {', '.join(STATUSES)}.")
    services = _services(data_dir)
    found, page = admin.list_checkouts(services, organisation, status)
    now = services.now()
    table = Table(title=f"{found.name}: {page.total} checkout(s)")
    for column in ("user", "machine", "country", "service", "applications", "expires", "status"):
        table.add_column(column)
    for c in page.items:
        state = status_of(c, now)
        table.add_row(
            c.user_email,
            c.machine,
            c.country,
            c.license_service.value,
            ", ".join(f"{line.application} {line.version}" for line in c.lines),
            c.expires_at.strftime("%Y-%m-%d"),
            state.value,
            style="red" if state.value == "expired" else None,
        )
    console.print(table)


@checkouts_app.command("template")
def checkouts_template() -> None:
    """Print an example import file: its header row and two checkouts."""
    from entitle.domain.checkout_import import TEMPLATE

    sys.stdout.write(TEMPLATE.replace("\r\n", "\n"))


@checkouts_app.command("import")
def checkouts_import(
    file: Annotated[Path, typer.Argument(help="The CSV file (entitle checkouts template).")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write result.csv and license-files.zip."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row, create nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Create the valid rows, skip the others.")
    ] = False,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as", help="The user who acts (default: the organisation's first Administrator)."
        ),
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="An idempotency key: running again creates nothing.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Check out licenses for many users at once from a CSV file, all or nothing.

    Every row meets the rules of a single checkout. With problems, each is printed with its row
    and column and nothing is created (exit status 2; a --dry-run with problems exits 1).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from entitle.service.actors import OrganisationManager
    from entitle.service.bootstrap import open_services
    from entitle.service.import_checkouts import (
        ImportRefused,
        import_checkouts,
        import_license_files,
        result_sheet,
    )

    if out is None and not dry_run:
        raise InvalidInput(Code.INVALID_INPUT, "Name where the license files go: --out DIR.")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidInput(Code.FILE_UNREADABLE, f"cannot read {file}: {error}") from None
    services = open_services(data_dir, announce=_note)
    actor = OrganisationManager(organisation, acting_as)
    labels = {"check": "Checking rows", "sign": "Signing license files"}
    errors = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(labels.get(step, step), total=total)
            bar.update(tasks[step], completed=done)  # type: ignore[arg-type]

        try:
            result = import_checkouts(
                services,
                actor,
                data,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                idempotency_key=key,
                progress=progress,
            )
        except ImportRefused as refused:
            bar.stop()
            _print_problems(refused.result)
            if out is not None:
                _write(out, "result.csv", result_sheet(refused.result).encode())
            raise
    if out is not None:
        _write(out, "result.csv", result_sheet(result).encode())
    if dry_run:
        _print_problems(result)
        print(f"{result.valid_rows} of {len(result.rows)} row(s) valid; nothing created")
        if result.problems:
            raise typer.Exit(1)
        return
    assert out is not None
    assert result.id is not None
    _write(out, "license-files.zip", import_license_files(services, actor, result.id))
    skipped = len(result.rows) - len(result.checkouts)
    again = " (imported before with this key: nothing new)" if result.replayed else ""
    print(
        f"{len(result.checkouts)} checkout(s) created, {skipped} row(s) skipped{again}; "
        f"import {result.id}; {out / 'license-files.zip'}, {out / 'result.csv'}"
    )


def _print_problems(result: ImportResult) -> None:
    if not result.problems:
        return
    table = Table(title=f"{len(result.problems)} problem(s)")
    for column in ("row", "column", "problem"):
        table.add_column(column)
    for problem in result.problems:
        table.add_row(str(problem.row), problem.column or "", problem.message)
    console.print(table)


def _write(directory: Path, name: str, data: bytes) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    except OSError as error:
        raise InvalidInput(
            Code.FILE_UNREADABLE, f"cannot write {directory / name}: {error}"
        ) from None


RootKey = Annotated[
    Path | None,
    typer.Option(
        "--root-key",
        help="The issuer root's private key, when it is kept off the server "
        "(the file 'entitle keys export-root' wrote).",
    ),
]


def _keys_dir(data_dir: Path | None) -> Path:
    from entitle.store.database import data_dir as default_dir

    return data_dir or default_dir()


def _existing_keys_dir(data_dir: Path | None) -> Path:
    """The data directory, which must hold keys already (nothing is created to look)."""
    from entitle.licensefile import keys

    directory = _keys_dir(data_dir)
    if not keys.keys_exist(directory):
        fail(
            f"there are no signing keys yet ({directory / 'keys'}); "
            "create them with 'entitle keys init'"
        )
    return directory


@signing_app.command("init")
def keys_init(data_dir: DataDir = None) -> None:
    """Create the issuer root and the signing keys it certifies (never overwrites keys).

    Keys made before issuer roots existed are kept and certified by the new root.
    """
    from entitle.licensefile import keys
    from entitle.service.bootstrap import issuer_name

    directory = _keys_dir(data_dir)
    upgrading = keys.keys_need_root(directory)
    ring = keys.init_keys(directory, issuer=issuer_name())
    if upgrading:
        console.print(
            f"existing signing keys certified by a new issuer root: {', '.join(ring.kids())}"
        )
    else:
        console.print(f"issuer root and signing keys created: {', '.join(ring.kids())}")
    console.print(
        "move the root's private key off this server: entitle keys export-root --out PATH"
    )
    console.print(f"issuer root fingerprint (what products pin): {ring.root_fingerprint}")


@signing_app.command("fingerprint")
def keys_fingerprint(data_dir: DataDir = None) -> None:
    """Print the issuer root's fingerprint, alone on the last line: what products pin."""
    from entitle.licensefile import keys

    ring = keys.load_keys(_existing_keys_dir(data_dir))
    print("issuer root fingerprint (SHA-256 of the root certificate):")
    print(ring.root_fingerprint)


@signing_app.command("status")
def keys_status(data_dir: DataDir = None) -> None:
    """Every key with its certificate's validity, and when to rotate."""
    from entitle.licensefile import keys

    ring = keys.load_keys(_existing_keys_dir(data_dir))
    table = Table("kid", "kind", "state", "certified from", "certified until")
    for status in ring.status():
        table.add_row(
            status.kid,
            status.kind,
            status.state,
            _day(status.certificate_from),
            _day(status.certificate_until),
        )
    console.print(table)
    print(f"issuer root fingerprint: {ring.root_fingerprint}")
    for notice in ring.notices():
        print(f"warning: {notice}")


def _day(moment: object) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if isinstance(moment, datetime) else "-"


@signing_app.command("rotate")
def keys_rotate(root_key: RootKey = None, data_dir: DataDir = None) -> None:
    """Make and certify new signing keys; the old ones sign nothing more (needs the root)."""
    from entitle.licensefile import keys
    from entitle.service.events import signing_keys_rotated

    ring = keys.rotate_keys(_existing_keys_dir(data_dir), root_key=root_key)
    console.print(f"active signing keys: {', '.join(ring.kids())}")
    try:
        services = _services(data_dir)
    except NotFound:
        return  # no database yet: no organisation to tell
    told = signing_keys_rotated(services, ring.kids())
    services.engine.dispose()
    console.print(f"{told} organisations told of the new keys (event signing_key.rotated)")


# A kid is base64url, so it may begin with "-": taken as the key, not as an unknown option.
@signing_app.command("revoke", context_settings={"ignore_unknown_options": True})
def keys_revoke(
    kid: Annotated[
        str | None, typer.Argument(help="A retired key; none: sign the CRL again.")
    ] = None,
    kid_option: Annotated[
        str | None, typer.Option("--kid", help="The retired key, as an option.")
    ] = None,
    root_key: RootKey = None,
    data_dir: DataDir = None,
) -> None:
    """Revoke a retired signing key: every file it signed stops verifying (needs the root)."""
    from entitle.licensefile import keys

    if kid is not None and kid_option is not None and kid != kid_option:
        raise typer.BadParameter("give the key once: KID or --kid")
    ring = keys.revoke_key(_existing_keys_dir(data_dir), kid_option or kid, root_key=root_key)
    revoked = [s.kid for s in ring.status() if s.state == "revoked"]
    console.print(f"revoked signing keys: {', '.join(revoked) or 'none'}; the CRL is signed again")


@signing_app.command("export-root")
def keys_export_root(
    out: Annotated[Path, typer.Option("--out", help="Where to write it (a new file).")],
    data_dir: DataDir = None,
) -> None:
    """Move the issuer root's private key off this server, into a new file (mode 0600)."""
    from entitle.licensefile import keys

    written = keys.export_root_key(_existing_keys_dir(data_dir), out)
    console.print(
        f"the issuer root's private key is now only in {written}: keep it offline; "
        "'entitle keys rotate --root-key' and 'entitle keys revoke --root-key' need it",
        highlight=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request (ENTITLE_ACCESS_LOG; a line costs each request a few "
            "hundredths of a millisecond).",
        ),
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Run the portal and the API (run 'entitle db upgrade' first)."""
    import os

    import uvicorn

    from entitle import settings
    from entitle.api.logs import configure as configure_logs
    from entitle.ports import refusal
    from entitle.service.bootstrap import open_services
    from entitle.service.demo import demo_login
    from entitle.service.health import readiness
    from entitle.service.publication import publisher

    refused = refusal(host, port, "choose another: entitle serve --port {port}")
    if refused:
        fail(refused)
    if data_dir is not None:
        os.environ["ENTITLE_DATA_DIR"] = str(data_dir)
    if not access_log:
        os.environ["ENTITLE_ACCESS_LOG"] = "off"
    configured = settings.current()
    checked = _services(data_dir)  # before any signing key is made
    found = readiness(checked)
    checked.engine.dispose()
    if not found.ready:
        fail(found.what_to_do())
    services = open_services(data_dir, announce=_note)
    if configured.smtp_url is None:
        _note("e-mail is off: ENTITLE_SMTP_URL is not set")
    for notice in publisher(services).notices():
        print(f"entitle: warning: {notice}", file=sys.stderr)
    login = demo_login(services)
    services.engine.dispose()
    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::"} else host  # noqa: S104
    lines = [f"entitle portal: http://{shown}:{port}/  (API docs: /docs)"]
    if login is not None:
        lines.append(f"demo login: {login[0]} / {login[1]}")
    _print_when_answering(host, port, lines)
    configure_logs(configured)  # from here on the log is uvicorn's and the app's
    with _metrics_shared_by(workers, configured.metrics):
        uvicorn.run(
            "entitle.server:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            # entitle's log (entitle.api.logs) writes uvicorn's lines, and its own request line
            # in place of uvicorn's access log.
            log_config=None,
            log_level=configured.log_level,
            access_log=False,
        )


@app.command()
def worker(data_dir: DataDir = None) -> None:
    """Deliver events (webhooks) and produce checkouts' reminders, without the portal: for
    deployments whose servers run with ENTITLE_WORKER=off. Stops on Ctrl-C or SIGTERM."""
    import os
    import signal

    from entitle import settings
    from entitle.api.logs import configure as configure_logs
    from entitle.service.health import readiness
    from entitle.service.worker import from_settings

    if data_dir is not None:
        os.environ["ENTITLE_DATA_DIR"] = str(data_dir)
    services = _services(data_dir)
    found = readiness(services)
    if not found.ready:
        fail(found.what_to_do())
    if settings.current().smtp_url is None:
        _note("e-mail is off: ENTITLE_SMTP_URL is not set")
    configure_logs(settings.current())
    running = from_settings(services)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: running.stopping.set())
    _note("events worker: delivering webhooks (Ctrl-C stops)")
    running.run()
    services.engine.dispose()


@contextmanager
def _metrics_shared_by(workers: int, metrics: bool) -> Iterator[None]:
    """Several worker processes count in files of one fresh folder, which /metrics adds up
    (prometheus-client's multiprocess mode); an operator's PROMETHEUS_MULTIPROC_DIR is kept."""
    import os
    import tempfile

    from entitle.api.metrics import MULTIPROCESS_DIR

    if workers == 1 or not metrics or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="entitle-metrics-") as folder:
        os.environ[MULTIPROCESS_DIR] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_DIR]


def _print_when_answering(host: str, port: int, lines: list[str]) -> None:
    """Print ``lines`` once the server answers /healthz (uvicorn runs in front meanwhile)."""
    import threading

    from entitle.ports import answers

    def wait() -> None:
        if answers(host, port, "/healthz"):
            for line in lines:
                console.print(line, highlight=False)

    threading.Thread(target=wait, name="entitle-ready", daemon=True).start()


@app.command("config")
def config() -> None:
    """Print the settings in force, a line each: the variable=value, and whether the environment
    or the default gave it (secrets masked). Reads no database."""
    from entitle.service.configuration import effective_settings

    for shown in effective_settings():
        print(shown.line())


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    data_dir: DataDir = None,
) -> None:
    """Make an API token; it is shown once, alone on the last line."""
    from entitle.service import tokens

    issued = tokens.create_token(_services(data_dir), email, label, by="operator")
    console.print(f"token {issued.id} for {email} (shown once; store it now):", highlight=False)
    print(issued.token)


@token_app.command("list")
def token_list(
    email: Annotated[str, typer.Option(help="Whose tokens.")], data_dir: DataDir = None
) -> None:
    """List a user's API tokens and device credentials (entitle-tool signed in)."""
    from entitle.service import tokens

    def minute(moment: datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else ""

    table = Table(title=f"API tokens of {email}")
    for column in ("id", "kind", "label", "created", "last used", "revoked"):
        table.add_column(column)
    for t in tokens.list_tokens(_services(data_dir), email):
        table.add_row(
            str(t.id),
            t.kind,
            t.label,  # a device credential's: "entitle-tool VERSION on MACHINE"
            minute(t.created_at),
            minute(t.last_used_at),
            minute(t.revoked_at),
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(token_id: int, data_dir: DataDir = None) -> None:
    """Revoke an API token by its id; requests using it are refused from now on."""
    from entitle.service import tokens

    tokens.revoke_token(_services(data_dir), token_id)
    console.print(f"token {token_id} revoked")


@app.command("usage")
def usage(
    organisation: Annotated[str, typer.Option("--org", help="Organisation name.")],
    from_: Annotated[str, typer.Option("--from", help="First UTC day, YYYY-MM-DD.")],
    to: Annotated[str, typer.Option("--to", help="Day after the last, YYYY-MM-DD.")],
    group_by: Annotated[
        list[str] | None,
        typer.Option(help="user, machine, application, country, day or month (repeatable)."),
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only this user's email.")] = None,
    machine: Annotated[str | None, typer.Option(help="Only this machine name.")] = None,
    application: Annotated[str | None, typer.Option(help="Only this application.")] = None,
    country: Annotated[str | None, typer.Option(help="Only this entitlement country.")] = None,
    license_service: Annotated[str | None, typer.Option(help="SES or SELECTserver.")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Booked usage (24/7 from checkout to check-in or expiry) in whole 10-minute intervals."""
    from entitle.service.usage import organisation_usage_report, report_csv
    from entitle.store.usage import UsageFilters

    filters = UsageFilters(user, machine, application, country, license_service)
    report = organisation_usage_report(
        _services(data_dir),
        organisation,
        _date(from_, "--from"),
        _date(to, "--to"),
        group_by or [],
        filters,
    )
    if csv:
        sys.stdout.write(report_csv(report))
        return
    table = Table(title=f"{report.organisation}: usage {report.from_} to {report.to} (excl.)")
    for column in report.columns:
        table.add_column(column, justify="right" if column in ("minutes", "duration") else "left")
    for item in report.items():
        table.add_row(*(str(item[column]) for column in report.columns))
    console.print(table)
    console.print(f"total: {report.total_minutes} minutes")


def fail(message: str) -> NoReturn:
    print(f"entitle: {message}", file=sys.stderr)
    raise SystemExit(2)


def _message_of(error: Exception) -> str:
    format_message = getattr(error, "format_message", None)
    return str(format_message()) if callable(format_message) else str(error)


def _check_environment(args: list[str]) -> None:
    """Before a command: warn of each misspelt ENTITLE_* variable, and refuse a setting's
    malformed value, one line each. Help and the version answer without looking."""
    if not args or {"--help", "--version"} & set(args):
        return
    from entitle import settings

    for warning in settings.unknown_variables(known=OPTION_VARIABLES):
        print(f"entitle: warning: {warning}", file=sys.stderr)
    try:
        settings.current()
    except settings.SettingsError as wrong:
        for line in wrong.lines[:-1]:
            _note(line)
        fail(wrong.lines[-1])


def main(argv: list[str] | None = None) -> None:
    """Run the command; every refusal is one plain line on stderr and exit status 2."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from entitle.licensefile.errors import KeyStoreError
    from entitle.store.outages import unavailable

    args = sys.argv[1:] if argv is None else list(argv)
    _check_environment(args)
    try:
        code = app(args=args, prog_name="entitle", standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except Unavailable as outage:
        fail(f"{outage.message} ({outage.cause})")
    except DomainError as refusal:
        fail(refusal.message)
    except KeyStoreError as error:
        fail(str(error))
    except typer.Abort:
        fail("aborted")
    except typer.TyperException as error:
        fail(f"{_message_of(error)} (see 'entitle --help')")
    except (OperationalError, ProgrammingError) as error:
        found = unavailable(error)
        if found is not None:
            fail(f"{found.message} ({found.cause})")
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        fail(f"the database is not ready ({reason}); run 'entitle db upgrade' and check the URL")
