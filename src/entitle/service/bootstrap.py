"""Wire the use cases to a real database and the deployment's signing keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from entitle import settings
from entitle.service.context import LicenseSigner, Services
from entitle.store.database import data_dir, database_url, make_engine, require_database

if TYPE_CHECKING:
    from entitle.licensefile.claims import LicenseClaims
    from entitle.licensefile.keys import ServerKeys


def issuer_name() -> str:
    return settings.current().issuer


def signing_keys(
    directory: Path,
    *,
    since: datetime | None = None,
    announce: Callable[[str], None] | None = None,
) -> LicenseSigner:
    """The deployment's keys, created on first use so one command runs everything (keys from
    before issuer roots get their root the same way); reloaded by every use once rotated.

    ``since``: when new keys' certificates start, for a deployment whose first checkouts are
    dated in the past (the demo's history); default now. ``announce`` is told when keys are
    made.
    """
    from entitle.licensefile import keys

    if keys.keys_need_root(directory):
        if announce:
            announce(f"certifying the signing keys in {directory / 'keys'} with a new issuer root")
        keys.init_keys(directory, issuer=issuer_name(), now=since)
    elif not keys.keys_exist(directory):
        if announce:
            announce(f"creating signing keys in {directory / 'keys'}")
        keys.init_keys(directory, issuer=issuer_name(), now=since)
    return keys.ServerKeys(directory)


class ExistingKeys:
    """The deployment's keys for commands that may sign nothing: loaded at the first signature,
    never created (a command that only reads leaves an empty data directory empty)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._keys: ServerKeys | None = None

    def sign(self, claims: LicenseClaims) -> bytes:
        from entitle.licensefile import keys

        if self._keys is None:
            self._keys = keys.ServerKeys(self.directory)
        return self._keys.sign(claims)


def open_services(
    directory: Path | None = None,
    url: str | None = None,
    *,
    keys_since: datetime | None = None,
    create_keys: bool = True,
    announce: Callable[[str], None] | None = None,
) -> Services:
    """The use cases on the deployment's database, which must exist (``entitle db upgrade``
    creates it; opening creates nothing).

    ``create_keys``: make the signing keys now when there are none (:func:`signing_keys`, which
    tells ``announce``), as a server does; otherwise keys are loaded when something is signed.
    """
    directory = directory or data_dir()
    url = url or database_url(directory)
    require_database(url)
    engine = make_engine(url)
    signer: LicenseSigner = (
        signing_keys(directory, since=keys_since, announce=announce)
        if create_keys
        else ExistingKeys(directory)
    )
    return Services(engine=engine, signer=signer, issuer=issuer_name())
