"""The server's settings: every ``ENTITLE_*`` environment variable, in one class.

Each field is one variable (``data_dir`` is ``ENTITLE_DATA_DIR``) with its type, its default
and, as its description, the line the README's table prints. Settings are read when asked for,
so a process sees the environment it runs in; a value that does not fit its field is a
:class:`SettingsError` naming the variable, and an ``ENTITLE_*`` variable that is no field is
most likely misspelt (:func:`unknown_variables`).
"""

from __future__ import annotations

import difflib
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args, get_origin

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "ENTITLE_"
# The project's other programs read variables of their own, which are not the server's: the
# licensing tool's (entitle.tool.home.VARIABLES), the test suite's (ENTITLE_TEST_* and the
# first four here) and the benchmarks'.
TEST_PREFIX = "ENTITLE_TEST_"
OTHER_PROGRAMS = (
    "ENTITLE_SOAK",
    "ENTITLE_FUZZ_SEED",
    "ENTITLE_REQUIRE_BROWSER",
    "ENTITLE_REQUIRE_INTEROP",
    "ENTITLE_BENCH_DATABASE_URL",
)
MASK = "********"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class Settings(BaseSettings):
    """The server's settings, from ``ENTITLE_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path | None = Field(
        None,
        description="Folder of the SQLite database and the signing keys "
        "(default: .entitle in the working directory).",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database, e.g. postgresql://user@host/db "
        "(default: SQLite in the data directory).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Secret that signs session cookies; every server of one database needs "
        "the same (default: generated once and kept in the database).",
    )
    issuer: str = Field(
        "entitle",
        description="Issuer name in every license file, and in the issuer root's certificate "
        "when the keys are made (default: entitle).",
    )
    argon2_time_cost: int | None = Field(
        None, ge=1, description="Argon2 iterations for new password hashes (default: argon2's)."
    )
    argon2_memory_kib: int | None = Field(
        None, ge=8, description="Argon2 memory in KiB for new password hashes (default: argon2's)."
    )
    device_code_seconds: int = Field(
        600,
        ge=1,
        le=3600,
        description="Seconds a sign-in of entitle-tool waits for the user's approval "
        "(default: 600).",
    )
    device_poll_seconds: int = Field(
        5,
        ge=1,
        le=60,
        description="Seconds entitle-tool waits between asking whether its sign-in was "
        "approved (default: 5).",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Server log lines: text for people, or json, one object a line "
        "(default: text).",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="The least severe server log lines written (default: info)."
    )
    access_log: bool = Field(
        True,
        description="One log line per request; entitle serve --no-access-log sets it off "
        "(default: true).",
    )
    metrics: bool = Field(
        True,
        description="Prometheus metrics at /metrics; off removes the route (default: true).",
    )
    bench_routes: bool = Field(
        False, description="Adds the routes the benchmarks measure against; never in production."
    )
    worker: bool = Field(
        True,
        description="Each entitle serve process also delivers events (webhooks); off when "
        "entitle worker runs apart (default: true).",
    )
    worker_interval_seconds: float = Field(
        1.0,
        gt=0,
        le=3600,
        description="How often the events worker looks for due deliveries and checkouts' "
        "reminders, in seconds (default: 1).",
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=120,
        description="How long a webhook receiver has to answer, in seconds; a worker holds a "
        "delivery this long plus 5 seconds before another may retry it (default: 10).",
    )
    smtp_url: SecretStr | None = Field(
        None,
        description="SMTP server that sends e-mail: smtp://user:password@host:587 (STARTTLS "
        "when the server offers it) or smtps://…:465 (default: none, and no e-mail is sent).",
    )
    mail_from: str = Field(
        "entitle@localhost",
        description="The From address of entitle's e-mail (default: entitle@localhost).",
    )
    webhook_allow_loopback: bool = Field(
        False,
        description="Allow webhook URLs on loopback (http://127.0.0.1, localhost), for "
        "development and tests only; private and other internal addresses stay refused "
        "(default: false).",
    )

    def resolved_data_dir(self) -> Path:
        return self.data_dir or Path.cwd() / ".entitle"

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _in_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _is_a_url(cls, url: str | None) -> str | None:
        if url is not None and not _URL.match(url):
            raise ValueError("a database URL such as postgresql://user@host/db")
        return url


class SettingsError(ValueError):
    """``ENTITLE_*`` variables whose values the server cannot use: ``lines`` has one for each,
    naming the variable and what to fix."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class Shown(NamedTuple):
    """A setting as ``entitle config`` prints it: ``variable=value  (source: ...)``."""

    variable: str
    value: str
    source: Literal["environment", "default"]

    def line(self) -> str:
        return f"{self.variable}={self.value}  (source: {self.source})"


def current() -> Settings:
    """The settings as the environment says now; :class:`SettingsError` if a value is wrong.

    Building :class:`Settings` reads and validates every field (about half a millisecond), and
    the server asks on every create; the answer is kept while the ``ENTITLE_*`` variables stay
    as they were, so a changed variable is still seen at once.
    """
    seen = _variables()
    kept = _current
    if kept is not None and kept[0] == seen:
        return kept[1]
    try:
        made = Settings()
    except ValidationError as error:
        raise SettingsError([_problem(details) for details in error.errors()]) from None
    globals()["_current"] = (seen, made)
    return made


_current: tuple[tuple[tuple[Any, Any], ...], Settings] | None = None


def _variables() -> tuple[tuple[Any, Any], ...]:
    """The ``ENTITLE_*`` variables as the process holds them, in a few microseconds: read
    from the environment's own encoded mapping (``os.environ.items()`` decodes every variable
    of the process, about 35 µs, on every create)."""
    raw = getattr(os.environ, "_data", None)
    if not isinstance(raw, dict):
        return tuple((k, v) for k, v in os.environ.items() if k.upper().startswith(PREFIX))
    return tuple(item for item in raw.items() if item[0][:_PREFIX_LENGTH].upper() in _PREFIXES)


_PREFIX_LENGTH = len(PREFIX)
_PREFIXES = (PREFIX, PREFIX.encode())


def variable(name: str) -> str:
    """The environment variable of field ``name``."""
    return PREFIX + name.upper()


def shown(settings: Settings, **in_force: object) -> list[Shown]:
    """Every setting, secrets and URL passwords masked. ``in_force`` gives the value a field
    left unset resolves to (the data directory, its SQLite file), to show instead of nothing."""
    rows = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            value = in_force.get(name)
        source: Literal["environment", "default"] = (
            "environment" if name in settings.model_fields_set else "default"
        )
        rows.append(Shown(variable(name), _text(name, value), source))
    return rows


def unknown_variables(
    environ: Mapping[str, str] | None = None, *, known: Iterable[str] = ()
) -> list[str]:
    """A warning for each ``ENTITLE_*`` variable that is no setting, nor one of ``known`` (a
    command's options) or of the project's other programs: most likely a misspelt setting."""
    environ = os.environ if environ is None else environ
    names = {variable(name) for name in Settings.model_fields} | set(known)
    unknown = sorted(
        name
        for name in environ
        if name.upper().startswith(PREFIX)
        and not name.upper().startswith(TEST_PREFIX)
        and name.upper() not in names
        and name.upper() not in OTHER_PROGRAMS
    )
    if not unknown:
        return []
    from entitle.tool.home import VARIABLES as TOOL_VARIABLES  # only when there is a doubt

    names |= set(TOOL_VARIABLES)
    suffixes = sorted(name.removeprefix(PREFIX) for name in names)
    warnings = []
    for name in unknown:
        if name.upper() in TOOL_VARIABLES:
            continue
        close = difflib.get_close_matches(name.upper().removeprefix(PREFIX), suffixes, n=1)
        hint = f"did you mean {PREFIX}{close[0]}?" if close else "'entitle config' lists them"
        warnings.append(f"{name} is not a setting ({hint})")
    return warnings


def _problem(details: Mapping[str, Any]) -> str:
    location = details.get("loc") or ()
    name = str(location[0]) if location else ""
    field = Settings.model_fields.get(name)
    if field is None:
        return f"the settings are not valid: {details.get('msg')}"
    expected = _expected(field) or _reason(details)
    # A secret, or a URL that may carry a password, is not repeated.
    given = "" if _is_secret(name) or name.endswith("_url") else f" {details.get('input')!r},"
    return f"{variable(name)} is{given} not {expected}: correct it, or unset it for the default"


def _expected(field: FieldInfo) -> str | None:
    if get_origin(field.annotation) is Literal:
        return " or ".join(repr(choice) for choice in get_args(field.annotation))
    kinds = [kind for kind in get_args(field.annotation) if kind is not type(None)]
    kind = kinds[0] if kinds else field.annotation
    if kind is bool:
        return "true or false (1 or 0)"
    if kind is int:
        least = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
        return "a whole number" + ("" if least is None else f" of at least {least}")
    return None


def _reason(details: Mapping[str, Any]) -> str:
    error = (details.get("ctx") or {}).get("error")
    return str(error) if error is not None else str(details.get("msg", "a valid value")).lower()


def _text(name: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, SecretStr) or (_is_secret(name) and value):
        return MASK
    if isinstance(value, bool):
        return "true" if value else "false"
    return _without_password(str(value))


def _is_secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    return field is not None and SecretStr in (field.annotation, *get_args(field.annotation))


def _without_password(text: str) -> str:
    """``text``, with the password masked when it is a URL that carries one."""
    parts = urllib.parse.urlsplit(text)
    if not parts.password:
        return text
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))
