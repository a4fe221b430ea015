"""Fill a database with many checkouts, fast: ``load(engine, 1_000_000)``.

The organisations, their countries, administrators, activation keys and the catalog are made
through ``entitle.service.admin``, so the service layer and the API work on the result. The
users and the checkouts are written in bulk straight into the store's tables: SQLAlchemy Core
``executemany`` in one transaction on SQLite, ``COPY`` through psycopg on PostgreSQL.

The mix: five organisations, one holding about 80% of the checkouts; countries US, GB and DE;
thousands of users and machines; the demo catalog's applications and versions on both license
services; one to three applications a checkout; creation times spread over three years, so
most checkouts have expired or were checked in and a few percent are active.

Signing a million files would take longer than the rest of the load, so each organisation gets
one real signed file per license service, and every checkout stores its organisation's file
for its service (the claims of that file name another checkout: the bytes are a valid signed
file, not that checkout's own).
"""

from __future__ import annotations

import hashlib
import importlib
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from sqlalchemy import (
    Connection,
    Engine,
    Index,
    Table,
    inspect,
)

from entitle.domain.model import ActivationKey, ApplicationVersion, LicenseService, Role
from entitle.domain.names import machine_key
from entitle.domain.policy import CheckoutPolicy
from entitle.domain.versions import Version
from entitle.licensefile.claims import LicenseClaims, LicensedApplication
from entitle.service import admin
from entitle.service.context import LicenseSigner, Services
from entitle.service.demo import CATALOG
from entitle.store import organisations as store
from entitle.store.bulk import insert_rows
from entitle.store.database import upgrade
from entitle.store.tables import checkout_applications, checkouts, users

ADMIN_PASSWORD = "bench-admin-password"
BATCH = 20_000
COUNTRIES = ("US", "GB", "DE")
YEARS = 3


@dataclass(frozen=True)
class LoadedOrganisation:
    id: int
    name: str
    admin_email: str
    has_select: bool
    countries: tuple[str, ...]
    user_emails: tuple[str, ...]
    machines: tuple[str, ...]
    share: float


@dataclass(frozen=True)
class LoadedWorld:
    """What a bench needs to know about a loaded database."""

    total: int
    now: datetime
    organisations: tuple[LoadedOrganisation, ...]
    admin_password: str
    seconds: float
    activation_keys: dict[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)

    @property
    def dominant(self) -> LoadedOrganisation:
        """The organisation holding most of the checkouts."""
        return max(self.organisations, key=lambda o: o.share)

    @property
    def organisation_ids(self) -> list[int]:
        return [o.id for o in self.organisations]

    @property
    def admin_emails(self) -> dict[int, str]:
        return {o.id: o.admin_email for o in self.organisations}


# name, domain, has SELECT, share of checkouts, users, machines, countries
OrganisationMix = tuple[tuple[str, str, bool, float, int, int, tuple[str, ...]], ...]
_ORGANISATIONS: OrganisationMix = (
    ("Northwind Engineering", "northwind.example", True, 0.80, 4000, 5000, COUNTRIES),
    ("Harbour Civil", "harbour.example", True, 0.08, 600, 700, ("GB", "DE")),
    ("Studio Example", "studio.example", False, 0.06, 400, 450, ("US",)),
    ("Rhein Planung", "rhein.example", True, 0.04, 300, 350, ("DE",)),
    ("Small Survey Co", "survey.example", False, 0.02, 60, 60, ("US", "GB")),
)


def many_organisations(count: int, largest: float) -> OrganisationMix:
    """``count`` organisations, the first holding ``largest`` of the checkouts and the others
    an equal part of the rest; every third has SELECT, each books in one to three countries."""
    first = ("Northwind Engineering", "northwind.example", True, largest, 4000, 5000, COUNTRIES)
    rest = (1 - largest) / max(1, count - 1)
    others = tuple(
        (
            f"Customer {n:04d}",
            f"customer{n:04d}.example",
            n % 3 == 0,
            rest,
            20,
            25,
            COUNTRIES[n % 3 :][: 1 + n % 2] or COUNTRIES[:1],
        )
        for n in range(1, count)
    )
    return (first, *others)


_GIVEN = ("ana", "ben", "chloe", "dev", "elena", "farid", "grace", "hugo", "isla", "jon", "kai")
_FAMILY = ("lima", "carter", "davies", "patel", "rossi", "haddad", "kim", "martin", "murray")


def load(
    engine: Engine,
    total: int,
    *,
    seed: int = 1,
    progress: bool = True,
    signer: LicenseSigner | None = None,
    now: datetime | None = None,
    mix: OrganisationMix = _ORGANISATIONS,
) -> LoadedWorld:
    """Upgrade the schema of an empty database and fill it with ``total`` checkouts of the
    organisations in ``mix`` (five by default, one holding 80%)."""
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    upgrade(engine)
    if signer is None:
        signer = _throwaway_signer(now)
    services = Services(engine=engine, signer=signer, issuer="entitle-bench", clock=lambda: now)
    rng = random.Random(seed)
    admin.import_catalog(
        services,
        [
            ApplicationVersion(a, Version.parse(v), s)
            for a, rows in CATALOG.items()
            for v, s in rows
        ],
    )
    organisations, keys = _organisations(services, now, mix)
    password_hash = admin.hash_password(ADMIN_PASSWORD)
    with engine.begin() as conn:
        people = list(_users(organisations, password_hash, now))
        _insert(conn, users, [tuple(p.values()) for p in people], list(people[0]))
        conn.execute(
            users.update()
            .where(users.c.email.in_([o.admin_email for o in organisations]))
            .values(password_hash=password_hash)
        )
    templates = _templates(signer, organisations, keys, now)
    counts = _shares(total, organisations)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not progress,
    ) as bar:
        task = bar.add_task(f"loading {total:,} checkouts", total=total)
        rows = _checkouts(rng, organisations, counts, keys, templates, now)
        with _bulk_connection(engine) as conn, conn.begin():
            freeze = _empty_for_freezing(conn)
            indexes = _drop_secondary_indexes(conn)
            for batch in _batches(rows, BATCH):
                heads = [head for head, _ in batch]
                lines = [line for _, body in batch for line in body]
                insert_rows(conn, checkouts, heads, _HEAD, freeze=freeze)
                insert_rows(conn, checkout_applications, lines, _LINE, freeze=freeze)
                bar.advance(task, len(batch))
            bar.update(task, description="indexing")
            for index in indexes:
                index.create(conn)
    analyze(engine)
    return LoadedWorld(
        total=total,
        now=now,
        organisations=tuple(organisations),
        admin_password=ADMIN_PASSWORD,
        seconds=time.perf_counter() - started,
        activation_keys=keys,
    )


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map) after a bulk load."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # VACUUM too: a table this old has been vacuumed by autovacuum, so counts read
            # the indexes alone (index-only scans need the visibility map VACUUM sets).
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
            # And write the load's dirty pages out now: else the checkpointer writes them
            # over the next minutes, beside whatever is measured first.
            conn.exec_driver_sql("CHECKPOINT")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


@contextmanager
def _bulk_connection(engine: Engine) -> Iterator[Connection]:
    """A connection tuned for one big load transaction.

    SQLite leaves WAL for a rollback journal while loading: pages appended to the file need
    no journal, where WAL would write the whole load twice. PostgreSQL skips the foreign key
    triggers (the rows are consistent by construction) when the role may.
    """
    if engine.dialect.name == "sqlite":
        engine.dispose()  # journal_mode changes only with no other connection open
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA journal_mode=DELETE")
            raw.execute("PRAGMA synchronous=OFF")
            try:
                yield conn
            finally:
                raw.execute("PRAGMA journal_mode=WAL")
                raw.execute("PRAGMA synchronous=NORMAL")
        return
    with engine.connect() as conn:
        superuser = conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar()
        # Room to sort in memory while the indexes are built again (64 MB by default).
        conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        conn.commit()
        if superuser == "on":
            conn.exec_driver_sql("SET session_replication_role = replica")
            conn.commit()
        try:
            yield conn
        finally:
            conn.exec_driver_sql("RESET maintenance_work_mem")
            if superuser == "on":
                conn.exec_driver_sql("SET session_replication_role = DEFAULT")
            conn.commit()


def _empty_for_freezing(conn: Connection) -> bool:
    """On PostgreSQL, ``TRUNCATE`` the (empty) checkout tables in the load's transaction, so
    that ``COPY … FREEZE`` may write their rows frozen and visible to all: VACUUM then has
    nothing to rewrite, which at 10,000,000 checkouts is tens of gigabytes."""
    if conn.dialect.name != "postgresql":
        return False
    referring = sorted(
        {
            t.name
            for t in checkouts.metadata.tables.values()
            for key in t.foreign_keys
            if key.column.table is checkouts
        }
    )
    conn.exec_driver_sql(f"TRUNCATE {', '.join(['checkouts', *referring])}")
    return True


def _drop_secondary_indexes(conn: Connection) -> list[Index]:
    """Drop the loaded tables' secondary indexes; building them afterwards is faster.

    Only those the migrations made (present in the database) are dropped and rebuilt.
    """
    inspector = inspect(conn)
    dropped = []
    for table in (checkouts, checkout_applications):
        present = {i["name"] for i in inspector.get_indexes(table.name)}
        dropped += [i for i in table.indexes if i.name in present]
    for index in dropped:
        index.drop(conn)
    return dropped


def _throwaway_signer(now: datetime) -> LicenseSigner:
    """Keys made for this load only: loaded into memory, their directory removed."""
    from entitle.licensefile import keys

    with tempfile.TemporaryDirectory(prefix="entitle-bench-keys-") as directory:
        return keys.init_keys(Path(directory), now=now)


# Organisations beyond these are written straight into the store in one transaction: a
# thousand of them through the use cases (five transactions each) took minutes.
THROUGH_SERVICES = 5


def _organisations(
    services: Services, now: datetime, mix: OrganisationMix
) -> tuple[list[LoadedOrganisation], dict[tuple[int, str], tuple[str, ...]]]:
    found: list[LoadedOrganisation] = []
    keys: dict[tuple[int, str], tuple[str, ...]] = {}
    contract_end = (now + timedelta(days=400)).date()
    for index, (name, domain, has_select, _, _, _, countries) in enumerate(mix[:THROUGH_SERVICES]):
        organisation = admin.create_organisation(services, name, has_select, contract_end)
        for country in countries:
            admin.set_country(services, name, country)
        # No password here: hashing one costs 150 ms, so ``load`` sets one hash for all.
        admin.add_user(
            services, name, f"admin@{domain}", "Bench Administrator", countries[0], "Administrator"
        )
        if has_select:
            for country in countries:
                wanted = _key_names(index, country)
                admin.add_activation_keys(services, name, country, list(wanted))
                keys[(organisation.id, country)] = wanted
        found.append(_loaded(organisation.id, mix[index]))
    with services.uow() as uow:
        for index, entry in enumerate(mix[THROUGH_SERVICES:], THROUGH_SERVICES):
            name, domain, has_select, _, _, _, countries = entry
            organisation_id = store.add(uow.conn, name, has_select, contract_end, now)
            for country in countries:
                store.set_policy(uow.conn, organisation_id, CheckoutPolicy(country))
            store.add_user(
                uow.conn, organisation_id, f"admin@{domain}", "Bench Administrator",
                countries[0], Role.ADMINISTRATOR, None, now,
            )  # fmt: skip
            if has_select:
                for country in countries:
                    wanted = _key_names(index, country)
                    store.add_keys(
                        uow.conn, organisation_id, [ActivationKey(k, country) for k in wanted]
                    )
                    keys[(organisation_id, country)] = wanted
            found.append(_loaded(organisation_id, entry))
        uow.commit()
    return found, keys


def _key_names(index: int, country: str) -> tuple[str, ...]:
    return tuple(f"{country}-{index:02d}{n:02d}-BENCH-KEY" for n in range(3))


def _loaded(
    organisation_id: int, entry: tuple[str, str, bool, float, int, int, tuple[str, ...]]
) -> LoadedOrganisation:
    name, domain, has_select, share, people, machines, countries = entry
    return LoadedOrganisation(
        id=organisation_id,
        name=name,
        admin_email=f"admin@{domain}",
        has_select=has_select,
        countries=countries,
        user_emails=tuple(_email(n, domain) for n in range(people)),
        machines=tuple(f"{countries[n % len(countries)]}-WS-{n:05d}" for n in range(machines)),
        share=share,
    )


def _email(n: int, domain: str) -> str:
    given, family = _GIVEN[n % len(_GIVEN)], _FAMILY[n // len(_GIVEN) % len(_FAMILY)]
    return f"{given}.{family}{n}@{domain}"


def _users(
    organisations: Sequence[LoadedOrganisation], password_hash: str, now: datetime
) -> Iterator[dict[str, Any]]:
    for organisation in organisations:
        for n, email in enumerate(organisation.user_emails):
            yield {
                "organisation_id": organisation.id,
                "email": email,
                "display_name": email.split("@")[0].rstrip("0123456789").replace(".", " ").title(),
                "usage_country": organisation.countries[n % len(organisation.countries)],
                "role": (Role.CO_ADMINISTRATOR if n % 500 == 0 else Role.USER).value,
                "password_hash": password_hash if n % 500 == 0 else None,
                "created_at": now - timedelta(days=YEARS * 365),
            }


def _templates(
    signer: LicenseSigner,
    organisations: Sequence[LoadedOrganisation],
    keys: dict[tuple[int, str], tuple[str, ...]],
    now: datetime,
) -> dict[tuple[int, LicenseService], tuple[bytes, str]]:
    """One real signed file per organisation and license service, with its digest."""
    made: dict[tuple[int, LicenseService], tuple[bytes, str]] = {}
    for organisation in organisations:
        for service in LicenseService:
            if service is LicenseService.SELECTSERVER and not organisation.has_select:
                continue
            country = organisation.countries[0]
            application, rows = next(iter(CATALOG.items()))
            version = next(v for v, s in rows if s is service)
            claims = LicenseClaims(
                checkout_id=str(uuid.UUID(int=organisation.id, version=4)),
                issuer="entitle-bench",
                organisation_id=str(organisation.id),
                organisation_name=organisation.name,
                user_email=organisation.user_emails[0],
                machine_name=organisation.machines[0],
                country=country,
                license_service=service.value,
                activation_key=(
                    keys[(organisation.id, country)][0]
                    if service is LicenseService.SELECTSERVER
                    else None
                ),
                issued_at=now,
                expires_at=now + timedelta(days=30),
                applications=(LicensedApplication(application, version),),
            )
            data = signer.sign(claims)
            made[(organisation.id, service)] = (data, hashlib.sha256(data).hexdigest())
    return made


def _shares(total: int, organisations: Sequence[LoadedOrganisation]) -> list[int]:
    counts = [int(total * o.share) for o in organisations]
    counts[0] += total - sum(counts)
    return counts


# The usage reports' booked intervals, kept on the checkout or on each of its applications,
# whichever table of the schema has them (entitle.store.usage.booking_columns).
booking_columns: Callable[..., dict[str, int]] | None = getattr(
    importlib.import_module("entitle.store.usage"), "booking_columns", None
)
_BOOKING = (
    tuple(booking_columns(datetime.now(UTC), datetime.now(UTC) + timedelta(days=1)))
    if booking_columns is not None
    else ()
)
_BOOKED_HEAD = _BOOKING if _BOOKING and _BOOKING[0] in checkouts.c else ()
_BOOKED_LINE = (
    (("organisation_id",) if "organisation_id" in checkout_applications.c else ()) + _BOOKING
    if _BOOKING and _BOOKING[0] in checkout_applications.c
    else ()
)
_HEAD = (
    *_BOOKED_HEAD,
    "id",
    "organisation_id",
    "country",
    "license_service",
    "user_email",
    "machine",
    "machine_key",
    "activation_key",
    "applications_summary",
    "created_at",
    "created_by",
    "expires_at",
    "checked_in_at",
    "checked_in_by",
    "check_in_method",
    "license_file",
    "license_digest",
)
_LINE = ("checkout_id", "position", "application", "version", "version_key", *_BOOKED_LINE)
_Row = tuple[tuple[Any, ...], list[tuple[Any, ...]]]


def _checkouts(
    rng: random.Random,
    organisations: Sequence[LoadedOrganisation],
    counts: Sequence[int],
    keys: dict[tuple[int, str], tuple[str, ...]],
    templates: dict[tuple[int, LicenseService], tuple[bytes, str]],
    now: datetime,
) -> Iterator[_Row]:
    span = YEARS * 365 * 86400
    start = now - timedelta(seconds=span)
    ses, select = LicenseService.SES, LicenseService.SELECTSERVER
    by_service = {
        service: [
            (app, [(v, Version.parse(v).sort_key) for v, s in rows if s is service])
            for app, rows in CATALOG.items()
            if any(s is service for _, s in rows)
        ]
        for service in LicenseService
    }
    keyed = {m: machine_key(m) for o in organisations for m in o.machines}
    durations = (1, 3, 7, 7, 14, 14, 30, 30, 30, 60, 90, 180, 365)
    widths = (1, 1, 1, 2, 2, 3)
    day_end = timedelta(hours=23, minutes=59, seconds=59)
    plan = [o for o, n in zip(organisations, counts, strict=True) for _ in range(n)]
    rng.shuffle(plan)
    randrange, random_, choice, sample = rng.randrange, rng.random, rng.choice, rng.sample
    # Ids in ascending order (random below each step), so the primary key's index is
    # appended to rather than split at random places: a large load stays I/O-bound.
    step = (1 << 128) // max(1, len(plan))
    low = min(step, 1 << 100)
    for n, organisation in enumerate(plan):
        created = start + timedelta(seconds=randrange(span))
        service = select if organisation.has_select and random_() < 0.3 else ses
        country = choice(organisation.countries)
        person = randrange(len(organisation.user_emails))
        user = organisation.user_emails[person]
        machines = organisation.machines
        machine = machines[(person + choice((0, 0, 0, 1, 7))) % len(machines)]
        midnight = created.replace(hour=0, minute=0, second=0)
        expires = midnight + timedelta(days=choice(durations)) + day_end
        checked_in_at = checked_in_by = method = None
        if random_() < 0.35:
            moment = created + (expires - created) * (0.05 + 0.9 * random_())
            if moment < now:
                checked_in_at = moment.replace(microsecond=0)
                if organisation.has_select and random_() < 0.6:
                    checked_in_by, method = organisation.admin_email, "portal"
                else:
                    checked_in_by, method = user, "client"
        checkout_id = str(uuid.UUID(int=n * step + randrange(low), version=4))
        lines: list[tuple[Any, ...]] = []
        names = []
        for position, (application, versions) in enumerate(
            sample(by_service[service], choice(widths))
        ):
            version, version_key = choice(versions)
            lines.append((checkout_id, position, application, version, version_key))
            names.append(f"{application} {version}")
        data, digest = templates[(organisation.id, service)]
        booked = (
            tuple(booking_columns(created, expires, checked_in_at).values())
            if booking_columns is not None and (_BOOKED_HEAD or _BOOKED_LINE)
            else ()
        )
        if _BOOKED_LINE:
            extra = (organisation.id, *booked) if "organisation_id" in _BOOKED_LINE else booked
            lines = [(*line, *extra) for line in lines]
        yield (
            (
                *(booked if _BOOKED_HEAD else ()),
                checkout_id,
                organisation.id,
                country,
                service.value,
                user,
                machine,
                keyed[machine],
                choice(keys[(organisation.id, country)]) if service is select else None,
                ", ".join(names),
                created,
                organisation.admin_email,
                expires,
                checked_in_at,
                checked_in_by,
                method,
                data,
                digest,
            ),
            lines,
        )


def _batches(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(
    conn: Connection, table: Table, rows: Sequence[Sequence[Any]], names: Sequence[str]
) -> None:
    """Insert positional ``rows`` of the ``names`` columns in one round of the driver."""
    insert_rows(conn, table, rows, names)
