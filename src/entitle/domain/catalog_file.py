"""A catalog file, and what importing it would change.

A catalog file is CSV with the header ``application,version,license_service`` and one released
version a row, at most ``MAX_CATALOG_BYTES``. Reading it names every bad row with its line
number (an empty application name, a malformed version, an unknown license service, a control
character); a wrong header, an empty or oversized file refuses the whole file.

Importing only adds: a version the catalog lacks is added, a version it has with the same
license service is unchanged, and a version it has under the other license service is a bad
row (an import neither changes nor retires a version). A file with any bad row changes nothing.

Who imports: the catalog is one per server, shared by every organisation; only Administrators
of an organisation the operator marked as maintaining it import from the portal or the API
(the operator imports with ``entitle catalog import``). Everyone else who manages checkouts
sees it, read-only.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, Forbidden, InvalidInput
from entitle.domain.model import ApplicationVersion, LicenseService, Organisation, Role, User
from entitle.domain.versions import Version

CATALOG_COLUMNS = ("application", "version", "license_service")
MAX_CATALOG_BYTES = 512 * 1024
APPLICATION_MAX_LENGTH = 200
LISTED_IN_SUMMARY = 5


def may_import(user: User, organisation: Organisation) -> bool:
    return user.role is Role.ADMINISTRATOR and organisation.maintains_catalog


def require_importer(user: User, organisation: Organisation) -> None:
    if may_import(user, organisation):
        return
    why = (
        f"{organisation.name} does not maintain the catalog, which every organisation of this "
        "server shares"
        if user.role is Role.ADMINISTRATOR
        else f"only Administrators import it; a {user.role.value} sees it"
    )
    raise Forbidden(
        Code.ROLE_CANNOT_CHANGE_CATALOG,
        f"You cannot import the catalog: {why}.",
    )


@dataclass(frozen=True)
class CatalogRow:
    line: int
    release: ApplicationVersion


@dataclass(frozen=True)
class CatalogProblem:
    """A bad row: its line in the file, a stable code and what to fix."""

    line: int
    code: Code
    message: str


@dataclass(frozen=True)
class CatalogFile:
    sha256: str
    rows: tuple[CatalogRow, ...]
    problems: tuple[CatalogProblem, ...]


def parse_catalog(text: str | bytes) -> CatalogFile:
    """Read a catalog file: every good row and every bad row, in file order."""
    data = text.encode() if isinstance(text, str) else text
    if len(data) > MAX_CATALOG_BYTES:
        raise InvalidInput(
            Code.CATALOG_TOO_LARGE,
            f"A catalog file is at most {MAX_CATALOG_BYTES // 1024} KiB; this one is "
            f"{-(-len(data) // 1024):,} KiB: split it and import each part.",
            field="file",
        )
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            Code.FILE_UNREADABLE, "The file is not UTF-8 text: save it as CSV UTF-8.", field="file"
        ) from None
    reader = csv.reader(io.StringIO(decoded, newline=""))
    header = next(reader, None)
    if header is None or [f.strip().lower() for f in header] != list(CATALOG_COLUMNS):
        raise InvalidInput(
            Code.CATALOG_HEADER,
            f"The first line must be the header {','.join(CATALOG_COLUMNS)}.",
            field="file",
        )
    rows: list[CatalogRow] = []
    problems: list[CatalogProblem] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # a blank line
            try:
                rows.append(CatalogRow(line, _release(cells)))
            except InvalidInput as refusal:
                problems.append(CatalogProblem(line, refusal.problem, refusal.message))
    except csv.Error as error:
        problems.append(
            CatalogProblem(reader.line_num, Code.CATALOG_ROW, f"the row cannot be read ({error})")
        )
    if not rows and not problems:
        raise InvalidInput(Code.CATALOG_EMPTY, "The file lists no versions.", field="file")
    digest = hashlib.sha256(data).hexdigest()
    return CatalogFile(digest, tuple(rows), tuple(problems))


def _release(cells: list[str]) -> ApplicationVersion:
    if len(cells) != len(CATALOG_COLUMNS):
        raise InvalidInput(
            Code.CATALOG_ROW,
            f"the row has {len(cells)} fields; write application,version,license_service",
        )
    name, version, service = (c.strip() for c in cells)
    if not name:
        raise InvalidInput(Code.APPLICATION_REQUIRED, "the application name is empty")
    bad = next((c for c in name if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise InvalidInput(
            Code.CATALOG_ROW,
            f"the application name holds the control character U+{ord(bad):04X}; remove it",
        )
    if len(name) > APPLICATION_MAX_LENGTH:
        raise InvalidInput(
            Code.CATALOG_ROW,
            f"the application name is {len(name):,} characters; "
            f"at most {APPLICATION_MAX_LENGTH} fit",
        )
    return ApplicationVersion(name, Version.parse(version), LicenseService.parse(service))


@dataclass(frozen=True)
class CatalogChange:
    """What importing a file would change: the versions it adds (``new_application`` when the
    application is new as well), those already there, and its bad rows."""

    sha256: str
    added: tuple[CatalogRow, ...]
    new_applications: tuple[str, ...]
    unchanged: tuple[CatalogRow, ...]
    problems: tuple[CatalogProblem, ...]

    @cached_property
    def _new_keys(self) -> frozenset[str]:
        return frozenset(n.lower() for n in self.new_applications)

    def is_new_application(self, name: str) -> bool:
        return name.lower() in self._new_keys

    def refusal(self) -> DomainError | None:
        """The file's bad rows as one refusal naming each, or ``None`` when it has none."""
        if not self.problems:
            return None
        listed = "; ".join(f"Line {p.line}: {p.message}" for p in self.problems[:LISTED_IN_SUMMARY])
        more = len(self.problems) - LISTED_IN_SUMMARY
        summary = (
            f"{len(self.problems)} bad row{'s' if len(self.problems) > 1 else ''}, "
            f"nothing imported. {listed}" + (f"; and {more} more" if more > 0 else "")
        )
        refusal = InvalidInput(Code.CATALOG_ROW, summary, field="file")
        refusal.errors = tuple(
            InvalidInput(p.code, f"Line {p.line}: {p.message}", field="file") for p in self.problems
        )
        return refusal


def plan_import(
    file: CatalogFile, known: Mapping[str, Sequence[ApplicationVersion]]
) -> CatalogChange:
    """What importing ``file`` changes in a catalog holding ``known`` (the versions of each
    application the file names, by lower-cased name)."""
    seen: dict[tuple[str, Version], tuple[int, LicenseService]] = {}
    for key, releases in known.items():
        for r in releases:
            seen[(key, r.version)] = (0, r.license_service)
    added: list[CatalogRow] = []
    unchanged: list[CatalogRow] = []
    problems = list(file.problems)
    new_names: dict[str, str] = {}
    for row in file.rows:
        release = row.release
        key = release.application.lower()
        earlier = seen.get((key, release.version))
        if earlier is None:
            seen[(key, release.version)] = (row.line, release.license_service)
            added.append(row)
            if key not in known:
                new_names.setdefault(key, release.application)
        elif earlier[1] is release.license_service:
            unchanged.append(row)
        else:
            where = f"line {earlier[0]}" if earlier[0] else "the catalog"
            problems.append(
                CatalogProblem(
                    row.line,
                    Code.CATALOG_SERVICE_CHANGE,
                    f"{release.application} {release.version} uses {earlier[1].value} in "
                    f"{where}, not {release.license_service.value}; an import adds versions, "
                    "it does not change them",
                )
            )
    return CatalogChange(
        file.sha256,
        tuple(added),
        tuple(new_names.values()),
        tuple(unchanged),
        tuple(sorted(problems, key=lambda p: p.line)),
    )
