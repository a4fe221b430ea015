"""What every use case needs from outside: the database, the signing keys, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine

from entitle.licensefile.claims import LicenseClaims
from entitle.service.unit_of_work import UnitOfWork


class LicenseSigner(Protocol):
    def sign(self, claims: LicenseClaims) -> bytes: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    engine: Engine
    signer: LicenseSigner
    issuer: str = "entitle"
    clock: Callable[[], datetime] = field(default=utc_now)

    def uow(self, *, read_only: bool = False, stream: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only, stream=stream)

    def now(self) -> datetime:
        return self.clock()
