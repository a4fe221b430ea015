"""Wire the use cases to a real database and the deployment's signing keys."""

from __future__ import annotations

import os
from pathlib import Path

from entitle.service.context import LicenseSigner, Services
from entitle.store.database import data_dir, database_url, make_engine


def issuer_name() -> str:
    return os.environ.get("ENTITLE_ISSUER", "entitle")


def signing_keys(directory: Path) -> LicenseSigner:
    """The deployment's keys, created on first use so one command runs everything (keys from
    before issuer roots get their root the same way); reloaded by every use once rotated."""
    from entitle.licensefile import keys

    if not keys.keys_exist(directory) or keys.keys_need_root(directory):
        keys.init_keys(directory, issuer=issuer_name())
    return keys.ServerKeys(directory)


def open_services(directory: Path | None = None, url: str | None = None) -> Services:
    directory = directory or data_dir()
    engine = make_engine(url or database_url(directory))
    return Services(engine=engine, signer=signing_keys(directory), issuer=issuer_name())
