"""The loaded databases a run shares: a SQLite file and, when reachable, PostgreSQL.

Each backend is loaded once per run (1,000,000 checkouts, 100,000 with ``--quick``, 2,000 with
``--tiny``) and reused by every bench module, together with a data directory holding the
signing keys that the loader signed its files with and that ``entitle serve`` uses.

PostgreSQL is ``ENTITLE_BENCH_DATABASE_URL`` when set, else ``DEFAULT_POSTGRES_URL`` if a server
answers there. The database named in the URL is dropped and created again: point it at a
database of its own. :func:`load_new` loads a database of its own for a bench that wants other
sizes (``bench/scale.py``), and :func:`drop` frees it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.harness import Context
from bench.loader import LoadedWorld, OrganisationMix, load
from entitle.licensefile import keys
from entitle.store.database import make_engine

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/entitle_bench"
SIZES = {"full": 1_000_000, "quick": 100_000, "tiny": 2_000}


@dataclass(frozen=True)
class BenchDatabase:
    backend: str
    url: str
    engine: Engine
    data_dir: Path
    world: LoadedWorld


def size(ctx: Context) -> int:
    return SIZES["tiny" if ctx.tiny else "quick" if ctx.quick else "full"]


def backends(ctx: Context) -> list[str]:
    """``sqlite`` always, ``postgresql`` when a server answers at the bench URL."""
    if ctx.backends is not None:
        return list(ctx.backends)
    found = ["sqlite"]
    if postgres_url(ctx) is not None:
        found.append("postgresql")
    return found


def postgres_url(ctx: Context) -> str | None:
    cached = _cache.get("postgres_url")
    if cached is not None:
        return cached or None
    url = ctx.database_url or DEFAULT_POSTGRES_URL
    admin = make_url(url).set(drivername="postgresql+psycopg", database="postgres")
    try:
        engine = create_engine(admin)
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError:
        _cache["postgres_url"] = ""
        return None
    _cache["postgres_url"] = url
    return url


def shared(ctx: Context, backend: str) -> BenchDatabase:
    """The run's loaded database on ``backend``, loaded on first use."""
    found = _loaded.get(backend)
    if found is None:
        found = _load(ctx, backend)
        _loaded[backend] = found
    return found


_cache: dict[str, str] = {}
_loaded: dict[str, BenchDatabase] = {}


def _load(ctx: Context, backend: str) -> BenchDatabase:
    url = postgres_url(ctx) or DEFAULT_POSTGRES_URL if backend == "postgresql" else None
    return load_new(ctx, backend, size(ctx), url)


def load_new(
    ctx: Context,
    backend: str,
    total: int,
    url: str | None = None,
    mix: OrganisationMix | None = None,
) -> BenchDatabase:
    """A database of its own loaded with ``total`` checkouts: a new SQLite file, or the
    PostgreSQL database at ``url`` dropped and created again."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"entitle-bench-{backend}-"))
    atexit.register(shutil.rmtree, data_dir, True)
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'entitle.sqlite3'}"
    else:
        assert url, "no PostgreSQL URL to load into"
        recreate_postgres(url)
    engine = make_engine(url)
    Console().print(f"loading {total:,} checkouts into {backend}")
    world = load(engine, total, progress=not ctx.tiny, signer=keys.init_keys(data_dir), **_mix(mix))
    Console().print(f"loaded {total:,} checkouts into {backend} in {world.seconds:.1f} s")
    return BenchDatabase(backend, url, engine, data_dir, world)


def _mix(mix: OrganisationMix | None) -> dict[str, OrganisationMix]:
    return {} if mix is None else {"mix": mix}


def drop(db: BenchDatabase) -> None:
    """Free what ``db`` holds: its engine, its PostgreSQL database, its data directory."""
    db.engine.dispose()
    if db.backend == "postgresql":
        recreate_postgres(db.url, create=False)
    shutil.rmtree(db.data_dir, ignore_errors=True)


def recreate_postgres(url: str, *, create: bool = True) -> None:
    parsed = make_url(url)
    name = parsed.database
    assert name, "the PostgreSQL URL names no database"
    admin = create_engine(
        parsed.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    quoted = '"' + name.replace('"', '""') + '"'
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        if create:
            conn.execute(text(f"CREATE DATABASE {quoted}"))
    admin.dispose()
