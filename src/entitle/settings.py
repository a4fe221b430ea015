"""The server's settings: every ``ENTITLE_*`` environment variable, in one class.

Each field is one variable (``data_dir`` is ``ENTITLE_DATA_DIR``) with its type, its default
and, as its description, the line the README's table and ``entitle config`` print. Settings
are read when asked for, so a process sees the environment it runs in.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "ENTITLE_"


class Settings(BaseSettings):
    """The server's settings, from ``ENTITLE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True)

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
    issuer: str = Field("entitle", description="Issuer name written into every license file.")
    argon2_time_cost: int | None = Field(
        None, ge=1, description="Argon2 iterations for new password hashes (default: argon2's)."
    )
    argon2_memory_kib: int | None = Field(
        None, ge=8, description="Argon2 memory in KiB for new password hashes (default: argon2's)."
    )
    bench_routes: bool = Field(
        False, description="Adds the routes the benchmarks measure against; never in production."
    )

    def resolved_data_dir(self) -> Path:
        return self.data_dir or Path.cwd() / ".entitle"


def current() -> Settings:
    """The settings as the environment says now."""
    return Settings()
