"""The settings in force: what ``entitle config`` shows an operator."""

from __future__ import annotations

from entitle import settings
from entitle.store.database import database_url


def effective_settings() -> list[settings.Shown]:
    """Every setting as the server would use it now, with where it came from; a default that
    resolves to a value (the data directory, the SQLite file in it) shows that value. Secrets
    and URL passwords are masked. Reads no database and creates nothing."""
    current = settings.current()
    directory = current.resolved_data_dir()
    return settings.shown(current, data_dir=directory, database_url=database_url(directory))
