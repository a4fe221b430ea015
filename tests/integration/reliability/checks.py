"""What the database must hold after the faults, given what the clients were told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from entitle.licensefile import LicenseFileError, TrustedKeys, verify
from entitle.store.tables import checkouts
from tests.integration.reliability.load import Ledger


@dataclass(frozen=True)
class Outcome:
    stored: int
    lost_creates: list[str]
    duplicated_creates: list[str]
    lost_check_ins: list[str]
    bad_files: list[str]

    @property
    def lost(self) -> int:
        return len(self.lost_creates) + len(self.lost_check_ins)


def audit_database(engine: Engine, ledger: Ledger, trusted: TrustedKeys) -> Outcome:
    """Every acknowledged create once, every acknowledged check-in held, every file valid."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                checkouts.c.id,
                checkouts.c.machine,
                checkouts.c.checked_in_at,
                checkouts.c.license_file,
            ).where(checkouts.c.machine.like("LD%"))
        ).all()
    by_machine: dict[str, list[str]] = {}
    checked_in = {row.id for row in rows if row.checked_in_at is not None}
    bad_files: list[str] = []
    now = datetime.now(UTC)
    for row in rows:
        by_machine.setdefault(row.machine, []).append(row.id)
        try:
            claims = verify(bytes(row.license_file), trusted, now=now, machine_name=row.machine)
        except LicenseFileError as error:
            bad_files.append(f"{row.id}: {error}")
            continue
        if claims.checkout_id != row.id:
            bad_files.append(f"{row.id}: the file names checkout {claims.checkout_id}")
    return Outcome(
        stored=len(rows),
        lost_creates=[
            machine
            for machine, checkout_id in ledger.acknowledged_creates.items()
            if by_machine.get(machine) != [checkout_id]
        ],
        duplicated_creates=[m for m, ids in by_machine.items() if len(ids) > 1],
        lost_check_ins=sorted(ledger.acknowledged_check_ins - checked_in),
        bad_files=bad_files,
    )


def figures(name: str, ledger: Ledger, outcome: Outcome, kills: int) -> str:
    """One line for the test log and BENCHMARKS.md."""
    return (
        f"{name}: requests={ledger.requests} transport_errors={ledger.transport_errors} "
        f"kills={kills} retried_creates={ledger.retried_creates} "
        f"acknowledged_creates={len(ledger.acknowledged_creates)} "
        f"acknowledged_check_ins={len(ledger.acknowledged_check_ins)} "
        f"files_verified={ledger.files_verified + outcome.stored} stored={outcome.stored} "
        f"lost={outcome.lost} duplicated={len(outcome.duplicated_creates)}"
    )
