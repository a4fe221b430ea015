"""What every use case needs from outside: the database, the signing keys, the clock, and
whoever watches what the use cases did (the server's metrics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from entitle.domain.codes import Code
from entitle.domain.model import CheckInMethod, Checkout
from entitle.licensefile.claims import LicenseClaims
from entitle.service.recent_tokens import RecentTokens
from entitle.service.unit_of_work import UnitOfWork


class LicenseSigner(Protocol):
    def sign(self, claims: LicenseClaims) -> bytes: ...


class Observer(Protocol):
    """Told what the use cases did: creates and check-ins once committed, refused logins."""

    def checkout_created(self, checkout: Checkout) -> None: ...

    def checked_in(self, checkout: Checkout, method: CheckInMethod) -> None: ...

    def login_refused(self, reason: Code) -> None: ...


class Unobserved:
    """Nobody watches: the command line, and tests that do not ask."""

    def checkout_created(self, checkout: Checkout) -> None:
        pass

    def checked_in(self, checkout: Checkout, method: CheckInMethod) -> None:
        pass

    def login_refused(self, reason: Code) -> None:
        pass


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    engine: Engine
    signer: LicenseSigner
    issuer: str = "entitle"
    clock: Callable[[], datetime] = field(default=utc_now)
    observer: Observer = field(default_factory=Unobserved)
    tokens: RecentTokens = field(default_factory=RecentTokens, repr=False)

    def uow(
        self, *, read_only: bool = False, stream: bool = False, reads_first: bool = False
    ) -> UnitOfWork:
        if read_only or stream:
            return UnitOfWork(self.engine, read_only=read_only, stream=stream)
        # A write may revoke a token or change its user: this server forgets them at once.
        return UnitOfWork(self.engine, committed=self.tokens.clear, reads_first=reads_first)

    def now(self) -> datetime:
        return self.clock()
