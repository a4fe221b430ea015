"""Import checkouts from a CSV file: check every row, then create all of them or the valid ones.

Each row is planned by :func:`entitle.domain.checkouts.plan_checkout` and signed and stored as
:func:`entitle.service.create_checkout.create_checkout` does, in one transaction for the whole
file; the file's own rules are :mod:`entitle.domain.checkout_import`'s.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from entitle.domain.checkout_import import (
    COLUMNS,
    ImportFile,
    ImportProblem,
    duplicates,
    problems_of,
    read_import_file,
)
from entitle.domain.checkouts import CheckoutPlan, plan_checkout, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from entitle.domain.model import Checkout, Organisation, User
from entitle.service import events
from entitle.service.actors import OperatorRef, actor_and_organisation
from entitle.service.bundle_license_files import bundle_license_files
from entitle.service.context import Services
from entitle.service.create_checkout import (
    MAX_IDEMPOTENCY_KEY,
    audit_line,
    member_display_name,
    signed_checkout,
)
from entitle.service.spreadsheet import safe_cell
from entitle.store import audit, catalog, checkout_imports, organisations
from entitle.store import checkouts as store

Progress = Callable[[str, int, int], None]
"""Told how far an import is: the step (``check``, ``sign``), rows done, rows in all."""

PROGRESS_EVERY = 100


@dataclass(frozen=True)
class RowOutcome:
    """One row of the file: its cells as written, and its checkout or its problems."""

    number: int
    cells: dict[str, str]
    checkout_id: str | None = None
    problems: tuple[ImportProblem, ...] = ()

    def status(self, created: bool) -> Literal["valid", "invalid", "created", "skipped"]:
        """``valid`` or ``invalid`` in a preview; ``created`` or ``skipped`` once created."""
        if self.problems:
            return "skipped" if created else "invalid"
        return "created" if created else "valid"


@dataclass(frozen=True)
class ImportResult:
    """A checked file (``id`` None, nothing stored) or a created import."""

    file_digest: str
    rows: tuple[RowOutcome, ...]
    header_problems: tuple[ImportProblem, ...] = ()
    id: str | None = None
    checkouts: tuple[Checkout, ...] = ()
    replayed: bool = False

    @property
    def created(self) -> bool:
        return self.id is not None

    @property
    def problems(self) -> list[ImportProblem]:
        return [*self.header_problems, *(p for row in self.rows for p in row.problems)]

    @property
    def valid_rows(self) -> int:
        return sum(1 for row in self.rows if not row.problems)


class ImportRefused(InvalidInput):
    """Rows broke a rule, so nothing was created: ``result`` holds every problem."""

    def __init__(self, result: ImportResult, message: str) -> None:
        super().__init__(Code.IMPORT_ROWS_INVALID, message, field="file")
        self.result = result
        self.errors = tuple(
            InvalidInput(
                problem.code,
                f"Row {problem.row}: {problem.message}",
                field=f"rows[{problem.row}]" + (f".{problem.column}" if problem.column else ""),
            )
            for problem in result.problems
        )


def import_checkouts(
    services: Services,
    actor_ref: OperatorRef,
    data: bytes,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    idempotency_key: str | None = None,
    address: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Check every row of a CSV file, and unless ``dry_run`` create its checkouts.

    All or nothing: one row with a problem and nothing is created (:class:`ImportRefused`),
    unless ``skip_invalid`` creates the valid rows. A retried ``idempotency_key`` answers the
    first import again and creates nothing more.
    """
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            Code.IDEMPOTENCY_KEY_INVALID,
            f"An Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            field="Idempotency-Key",
        )
    parsed = read_import_file(data)
    digest = hashlib.sha256(f"{parsed.digest}:{skip_invalid}".encode()).hexdigest()
    report = progress or (lambda _step, _done, _total: None)
    for _attempt in range(3):
        try:
            return _import(
                services,
                actor_ref,
                parsed,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                key=None if dry_run else idempotency_key,
                digest=digest,
                address=address,
                progress=report,
            )
        except IntegrityError:
            # A concurrent upload with the same key won the race: answer with its import.
            if idempotency_key is None:
                raise
    raise Conflict(Code.IDEMPOTENCY_RACE, "Retry the request: it raced with another.")


def _import(
    services: Services,
    actor_ref: OperatorRef,
    parsed: ImportFile,
    *,
    dry_run: bool,
    skip_invalid: bool,
    key: str | None,
    digest: str,
    address: str,
    progress: Progress,
) -> ImportResult:
    now = services.now().replace(microsecond=0)
    with services.uow(read_only=dry_run) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        if key is not None:
            earlier = checkout_imports.by_key(uow.conn, organisation.id, key)
            if earlier is not None:
                return _replay(uow.conn, earlier, digest)
        plans, result = _check(uow.conn, parsed, organisation, actor, now, progress)
        if dry_run:
            return result
        _require_creatable(result, skip_invalid)
        import_id = str(uuid.uuid4())
        users = organisations.users_by_email(uow.conn, [p.user_email for _, p, _ in plans])
        created: list[tuple[Checkout, bytes]] = []
        for done, (_number, plan, notes) in enumerate(plans, 1):
            name = member_display_name(users.get(plan.user_email.lower()), organisation)
            created.append(signed_checkout(services, plan, organisation, actor, name, now, notes))
            if done % PROGRESS_EVERY == 0 or done == len(plans):
                progress("sign", done, len(plans))
        store.insert_many(uow.conn, created)
        ids = {
            number: checkout.id
            for (number, _, _), (checkout, _) in zip(plans, created, strict=True)
        }
        rows = tuple(
            RowOutcome(row.number, row.cells, ids.get(row.number), row.problems)
            for row in result.rows
        )
        checkout_imports.insert(
            uow.conn,
            checkout_imports.StoredImport(
                id=import_id,
                organisation_id=organisation.id,
                request_digest=digest,
                file_digest=parsed.digest,
                created_at=now,
                created_by=actor.email,
                rows=[_stored(row) for row in rows],
            ),
            key,
        )
        _audit(uow.conn, organisation, actor, now, address, import_id, parsed, created, rows)
        events.checkouts_created(
            uow.conn,
            organisation.id,
            [checkout for checkout, _ in created],
            now,
            actor.email,
            import_id=import_id,
        )
        uow.commit()
    for checkout, _ in created:
        services.observer.checkout_created(checkout)
    return ImportResult(
        parsed.digest,
        rows,
        id=import_id,
        checkouts=tuple(checkout for checkout, _ in created),
    )


def _check(
    conn: Connection,
    parsed: ImportFile,
    organisation: Organisation,
    actor: User,
    now: datetime,
    progress: Progress,
) -> tuple[list[tuple[int, CheckoutPlan, str | None]], ImportResult]:
    """Every row through the single checkout's rules, then the file's own."""
    requests = [row.request for row in parsed.rows if row.request is not None]
    releases = catalog.releases_of(conn, {n for r in requests for n, _ in r.applications})
    keys = organisations.keys_of(conn, organisation.id)
    planned: list[tuple[int, CheckoutPlan, str | None]] = []
    problems: dict[int, list[ImportProblem]] = {}
    for done, row in enumerate(parsed.rows, 1):
        if row.request is None:
            problems[row.number] = list(row.problems)
        else:
            try:
                plan = plan_checkout(row.request, organisation, actor, releases, keys, now.date())
                planned.append((row.number, plan, row.notes))
            except DomainError as refusal:
                problems[row.number] = problems_of(row.number, refusal)
        if done % PROGRESS_EVERY == 0 or done == len(parsed.rows):
            progress("check", done, len(parsed.rows))
    for problem in duplicates([(number, plan) for number, plan, _ in planned]):
        problems.setdefault(problem.row, []).append(problem)
    rows = tuple(
        RowOutcome(row.number, row.cells, problems=tuple(problems.get(row.number, ())))
        for row in parsed.rows
    )
    valid = [entry for entry in planned if entry[0] not in problems]
    return valid, ImportResult(parsed.digest, rows, parsed.header_problems)


def _require_creatable(result: ImportResult, skip_invalid: bool) -> None:
    invalid = len(result.rows) - result.valid_rows
    if result.header_problems:
        raise ImportRefused(
            result, "The file's header is not right, so nothing was created: fix its columns."
        )
    if invalid and not skip_invalid:
        raise ImportRefused(
            result,
            f"{invalid:,} of {len(result.rows):,} rows have problems, so nothing was created: "
            "fix them, or create only the valid rows.",
        )
    if not result.valid_rows:
        raise ImportRefused(result, "No row of the file is valid, so nothing was created.")


def _audit(
    conn: Connection,
    organisation: Organisation,
    actor: User,
    now: datetime,
    address: str,
    import_id: str,
    parsed: ImportFile,
    created: Sequence[tuple[Checkout, bytes]],
    rows: Sequence[RowOutcome],
) -> None:
    """One event for each checkout, as a single create writes, and one for the import."""

    def event(action: str, subject: str, detail: str) -> dict[str, object]:
        return {
            "organisation_id": organisation.id,
            "at": now,
            "actor": actor.email,
            "action": action,
            "subject": subject,
            "address": address,
            "detail": detail,
        }

    skipped = [str(row.number) for row in rows if row.problems]
    detail = f"file sha256:{parsed.digest}: {len(created):,} checkout(s) created"
    if skipped:
        detail += f", {len(skipped):,} invalid row(s) skipped"
    audit.record_many(
        conn,
        [
            *(
                event("checkout.create", c.id, audit_line(c, f"import {import_id}"))
                for c, _ in created
            ),
            event("checkout.import", import_id, detail),
        ],
    )


def _stored(row: RowOutcome) -> dict[str, Any]:
    return {
        "row": row.number,
        "cells": row.cells,
        "checkout_id": row.checkout_id,
        "problems": [
            {"column": p.column, "code": p.code.name, "message": p.message} for p in row.problems
        ],
    }


def _outcome(stored: dict[str, Any]) -> RowOutcome:
    number = int(stored["row"])
    return RowOutcome(
        number,
        dict(stored["cells"]),
        stored["checkout_id"],
        tuple(
            ImportProblem(number, p["column"], Code[p["code"]], p["message"])
            for p in stored["problems"]
        ),
    )


def _replay(conn: Connection, earlier: checkout_imports.StoredImport, digest: str) -> ImportResult:
    if earlier.request_digest != digest:
        raise Conflict(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for another file or options; use a new key.",
            field="Idempotency-Key",
        )
    return _result_of(conn, earlier, replayed=True)


def _result_of(
    conn: Connection, stored: checkout_imports.StoredImport, *, replayed: bool = False
) -> ImportResult:
    rows = tuple(_outcome(row) for row in stored.rows)
    ids = [row.checkout_id for row in rows if row.checkout_id]
    found = {c.id: c for c in store.get_many(conn, stored.organisation_id, ids)}
    return ImportResult(
        stored.file_digest,
        rows,
        id=stored.id,
        checkouts=tuple(found[i] for i in ids if i in found),
        replayed=replayed,
    )


def get_import(services: Services, actor_ref: OperatorRef, import_id: str) -> ImportResult:
    """An import of the actor's organisation, as it was answered when created."""
    return _read(services, actor_ref, import_id)[1]


def import_license_files(
    services: Services, actor_ref: OperatorRef, import_id: str, address: str = ""
) -> bytes:
    """One zip of the license files an import created (each download audited)."""
    actor, result = _read(services, actor_ref, import_id)
    return bundle_license_files(services, actor.email, [c.id for c in result.checkouts], address)


def _read(services: Services, actor_ref: OperatorRef, import_id: str) -> tuple[User, ImportResult]:
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        stored = checkout_imports.get(uow.conn, organisation.id, import_id)
        if stored is None:
            raise NotFound(Code.IMPORT_NOT_FOUND, f"No import {import_id} in your organisation.")
        return actor, _result_of(uow.conn, stored)


RESULT_COLUMNS = ("row", *COLUMNS, "checkout_id", "status", "problems")


def result_sheet(result: ImportResult) -> str:
    """Each input row with its checkout id or its problems, as CSV (``problems`` one cell,
    ``column: message`` joined by `` | ``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RESULT_COLUMNS)
    for problem in result.header_problems:
        writer.writerow(
            [problem.row, *("" for _ in COLUMNS), "", "invalid", _problem_text(problem)]
        )
    for row in result.rows:
        writer.writerow(
            [
                row.number,
                *(safe_cell(row.cells.get(name, "")) for name in COLUMNS),
                row.checkout_id or "",
                row.status(result.created),
                safe_cell(" | ".join(_problem_text(p) for p in row.problems)),
            ]
        )
    return out.getvalue()


def _problem_text(problem: ImportProblem) -> str:
    return f"{problem.column}: {problem.message}" if problem.column else problem.message
