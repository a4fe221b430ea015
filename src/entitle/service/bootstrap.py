"""Wire the use cases to a real database and the deployment's signing keys."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from entitle import settings
from entitle.service.context import LicenseSigner, Services
from entitle.store.database import data_dir, database_url, make_engine


def issuer_name() -> str:
    return settings.current().issuer


def signing_keys(directory: Path, *, since: datetime | None = None) -> LicenseSigner:
    """The deployment's keys, created on first use so one command runs everything (keys from
    before issuer roots get their root the same way); reloaded by every use once rotated.

    ``since``: when new keys' certificates start, for a deployment whose first checkouts are
    dated in the past (the demo's history); default now.
    """
    from entitle.licensefile import keys

    if not keys.keys_exist(directory) or keys.keys_need_root(directory):
        keys.init_keys(directory, issuer=issuer_name(), now=since)
    return keys.ServerKeys(directory)


def open_services(
    directory: Path | None = None, url: str | None = None, *, keys_since: datetime | None = None
) -> Services:
    directory = directory or data_dir()
    engine = make_engine(url or database_url(directory))
    signer = signing_keys(directory, since=keys_since)
    return Services(engine=engine, signer=signer, issuer=issuer_name())
