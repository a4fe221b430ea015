"""Online backups of the embedded SQLite database; PostgreSQL is backed up with pg_dump."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.store.database import require_database

PG_DUMP_HINT = (
    "entitle db backup copies the embedded SQLite database only; back up PostgreSQL with "
    'pg_dump --format=custom --file DEST "$ENTITLE_DATABASE_URL" (see DEPLOY.md)'
)


def backup_sqlite(url: str, destination: Path) -> int:
    """Copy the live SQLite database to ``destination`` with SQLite's online backup API.

    Writers keep going meanwhile: the copy is one consistent snapshot. Returns its page count.
    Refuses PostgreSQL (use pg_dump) and an existing ``destination``.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise InvalidInput(Code.BACKUP_NEEDS_PG_DUMP, PG_DUMP_HINT)
    require_database(url)
    source_path = Path(parsed.database)
    if destination.exists():
        raise InvalidInput(Code.BACKUP_EXISTS, f"{destination} exists; choose a new file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
        pages = int(target.execute("PRAGMA page_count").fetchone()[0])
        (status,) = target.execute("PRAGMA integrity_check").fetchone()
    finally:
        target.close()
        source.close()
    if status != "ok":
        destination.unlink(missing_ok=True)
        raise InvalidInput(Code.BACKUP_DAMAGED, f"the copy failed its integrity check: {status}")
    destination.chmod(0o600)
    return pages
