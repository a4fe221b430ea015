"""A CSV file of checkouts: its format, its limits, and the rules of the file itself.

Each row is one checkout request, checked later by exactly the rules of a single checkout
(:func:`entitle.domain.checkouts.plan_checkout`); this module reads the file into requests and
adds what only a file can break: its size, its encoding, its header, and two rows that check
out the same application for the same user and machine.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first checkout row 2.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from entitle.domain.checkouts import CheckoutPlan, CheckoutRequest, checkout_notes
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.names import machine_key

COLUMNS = (
    "user",
    "machine",
    "country",
    "license_service",
    "applications",
    "expires_on",
    "activation_key",
    "notes",
)
REQUIRED = ("user", "machine", "country", "applications")
MAX_ROWS = 10_000
MAX_BYTES = 4 * 1024 * 1024
HEADER_ROW = 1
TOO_LARGE = (
    f"An import file is at most {MAX_BYTES:,} bytes ({MAX_BYTES // (1024 * 1024)} MiB): split it."
)

TEMPLATE = (
    ",".join(COLUMNS) + "\r\n"
    "ana@example.com,WS-0042,US,SES,Atlas Designer 10.17.2.61,2027-06-30,,Bridge deck\r\n"
    'ben@example.com,WS-0043,US,SELECTserver,"GeoSurvey 8.4.1.0; Atlas Designer 10.12.0.40",'
    ",US-KEY-1,\r\n"
)
"""The file the portal offers and ``entitle checkouts import --template`` prints.

``applications`` is ``Name version`` pairs separated by ``;``. Empty ``license_service``: the
one the versions use; empty ``expires_on``: the latest the country and contract allow; empty
``activation_key``: the country's only key, when a SELECTserver checkout has one to take.
"""


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong with one cell, row or the header: ``column`` None for the whole row."""

    row: int
    column: str | None
    code: Code
    message: str


@dataclass(frozen=True)
class ImportRow:
    """One row of the file: its cells as written, and the request they make."""

    number: int
    cells: dict[str, str]
    request: CheckoutRequest | None
    notes: str | None = None
    problems: tuple[ImportProblem, ...] = ()


@dataclass(frozen=True)
class ImportFile:
    digest: str
    rows: tuple[ImportRow, ...]
    header_problems: tuple[ImportProblem, ...] = field(default=())


def read_import_file(data: bytes) -> ImportFile:
    """The rows of a CSV file: UTF-8 with or without BOM, comma or semicolon, quoted fields.

    A file over the limits, not text, or with no row at all is refused whole; a header that
    lacks a required column or names an unknown one is a problem of row 1, and a row whose
    cells cannot make a request (a malformed date, notes too long) carries its own problems.
    """
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            Code.IMPORT_FILE_TOO_LARGE,
            f"The file is {len(data):,} bytes. {TOO_LARGE}",
            field="file",
        )
    text = _text(data)
    records = _records(text)
    if not records:
        raise InvalidInput(
            Code.IMPORT_FILE_EMPTY,
            f"The file is empty; its first row names the columns: {', '.join(COLUMNS)}.",
            field="file",
        )
    header = [cell.strip().lower() for cell in records[0]]
    body = [(n, cells) for n, cells in enumerate(records[1:], HEADER_ROW + 1) if any(cells)]
    if not body:
        raise InvalidInput(
            Code.IMPORT_FILE_EMPTY,
            "The file has a header row but no checkout row after it.",
            field="file",
        )
    if len(body) > MAX_ROWS:
        raise InvalidInput(
            Code.IMPORT_TOO_MANY_ROWS,
            f"The file has {len(body):,} rows; an import file holds at most {MAX_ROWS:,}: "
            "split it.",
            field="file",
        )
    header_problems = _header_problems(header)
    rows = tuple(_row(number, header, cells) for number, cells in body)
    return ImportFile(hashlib.sha256(data).hexdigest(), rows, tuple(header_problems))


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            Code.IMPORT_NOT_TEXT,
            f"The file is not UTF-8 text (byte {error.start + 1:,} is not); save it as "
            "'CSV UTF-8' and upload it again.",
            field="file",
        ) from None
    if "\x00" in text:
        raise InvalidInput(
            Code.IMPORT_NOT_TEXT,
            "The file holds a NUL character, so it is not a CSV text file.",
            field="file",
        )
    return text


def _records(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise InvalidInput(
            Code.IMPORT_NOT_TEXT, f"The file cannot be read as CSV: {error}.", field="file"
        ) from None


def _header_problems(header: Sequence[str]) -> list[ImportProblem]:
    problems = []
    for position, name in enumerate(header):
        if name not in COLUMNS:
            problems.append(
                ImportProblem(
                    HEADER_ROW,
                    name or f"column {position + 1}",
                    Code.IMPORT_COLUMN_UNKNOWN,
                    f"'{name}' is not a column of an import file; the columns are "
                    f"{', '.join(COLUMNS)}.",
                )
            )
        elif name in header[:position]:
            problems.append(
                ImportProblem(
                    HEADER_ROW, name, Code.IMPORT_COLUMN_REPEATED, f"'{name}' is named twice."
                )
            )
    for name in REQUIRED:
        if name not in header:
            problems.append(
                ImportProblem(
                    HEADER_ROW,
                    name,
                    Code.IMPORT_COLUMN_MISSING,
                    f"The header has no '{name}' column; every row needs one.",
                )
            )
    return problems


def _row(number: int, header: Sequence[str], cells: Sequence[str]) -> ImportRow:
    named = {name: "" for name in COLUMNS}
    for name, cell in zip(header, cells, strict=False):
        if name in named and not named[name]:
            named[name] = cell
    if len(cells) > len(header) and any(cells[len(header) :]):
        problem = ImportProblem(
            number,
            None,
            Code.IMPORT_ROW_MALFORMED,
            f"The row has {len(cells)} cells but the header names {len(header)} columns; "
            "quote a cell that holds the separator.",
        )
        return ImportRow(number, named, None, problems=(problem,))
    problems: list[ImportProblem] = []
    expires_on = None
    if named["expires_on"].strip():
        try:
            expires_on = date.fromisoformat(named["expires_on"].strip())
        except ValueError:
            problems.append(
                ImportProblem(
                    number,
                    "expires_on",
                    Code.DATE_INVALID,
                    f"'{named['expires_on'].strip()}' is not a date such as 2027-06-30 "
                    "(YYYY-MM-DD); leave it empty for the latest allowed.",
                )
            )
    notes = None
    try:
        notes = checkout_notes(named["notes"])
    except DomainError as refusal:
        problems.extend(problems_of(number, refusal))
    if problems:
        return ImportRow(number, named, None, problems=tuple(problems))
    request = CheckoutRequest(
        country=named["country"],
        license_service=named["license_service"].strip() or None,
        user=named["user"],
        machine=named["machine"],
        applications=applications(named["applications"]),
        activation_key=named["activation_key"].strip() or None,
        expires_on=expires_on,
    )
    return ImportRow(number, named, request, notes)


def applications(text: str) -> tuple[tuple[str, str], ...]:
    """``Atlas Designer 10.17.2.61; GeoSurvey 8.4.1.0`` as (name, version) pairs."""
    pairs = []
    for item in text.split(";"):
        words = item.strip().rsplit(None, 1)
        if len(words) == 2 and words[1][:1].isdigit():
            pairs.append((words[0], words[1]))
        elif words:
            # No version: the whole is the name, and the rules name the versions it has.
            pairs.append((item.strip(), ""))
    return tuple(pairs)


def problems_of(row: int, refusal: DomainError) -> list[ImportProblem]:
    """A refusal of the single-checkout rules as problems of one row, each at its column."""
    return [
        ImportProblem(
            row, error.field if error.field in COLUMNS else None, error.problem, error.message
        )
        for error in refusal.errors
    ]


def duplicates(planned: Sequence[tuple[int, CheckoutPlan]]) -> list[ImportProblem]:
    """Rows that check out an application for a user and machine an earlier row already does."""
    first: dict[tuple[str, str, str], int] = {}
    problems = []
    for number, plan in planned:
        for line in plan.lines:
            key = (plan.user_email.lower(), machine_key(plan.machine), line.application.lower())
            earlier = first.setdefault(key, number)
            if earlier != number:
                problems.append(
                    ImportProblem(
                        number,
                        "applications",
                        Code.IMPORT_DUPLICATE,
                        f"Row {earlier} already checks out {line.application} for "
                        f"{plan.user_email} on {plan.machine}; remove one of the two rows.",
                    )
                )
                break
    return problems
