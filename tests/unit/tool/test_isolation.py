"""The workstation install: the tool loads no server code and needs no server packages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import requires, version
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing
from tests.unit.tool.conftest import MakeLicense
from tests.workstation import tool_environment

SERVER_MODULES = (
    "entitle.store",
    "entitle.service",
    "entitle.api",
    "entitle.web",
    "entitle.cli",
    "entitle.server",
    "sqlalchemy",
    "fastapi",
    "pydantic",
    "typer",
    "uvicorn",
    "jinja2",
    "alembic",
    "psycopg",
    "httpx",
    "authlib",
)
SERVER_PACKAGES = {
    "fastapi",
    "pydantic",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "typer",
    "jinja2",
    "argon2-cffi",
    "python-multipart",
    "itsdangerous",
    "httpx",
    "authlib",
}
# The product start path verifies a .belic file without these either: each costs every product
# start milliseconds (datetime: its pure-Python twin runs before the C classes replace it;
# cryptography.x509: a .belic chain is read by entitle.licensefile.der instead; subprocess: the
# machine's identity is read from files and the registry, not from commands, except on macOS;
# json: compiling its regular expressions costs 5 M instructions, and entitle.licensefile.jsontext
# reads JSON without them; hashlib: 11 M, for what _sha256 does in 0.4 M).
HEAVY_FOR_CHECK = (
    *("lxml", "signxml", "joserfc", "click", "rich", "filelock", "platformdirs"),
    *("datetime", "base64", "dataclasses", "cryptography.x509", "subprocess", "json", "hashlib"),
)


def _modules_after(code: str, env_home: Path) -> list[str]:
    script = (
        f"import sys\n{code}\nfound = sorted(sys.modules)\nimport json\nprint(json.dumps(found))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=tool_environment(env_home, base={"PATH": ""}),
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


@pytest.mark.parametrize("pinned_by", ["the product", "the configuration"])
def test_checking_a_license_loads_no_server_module(
    trusted_home: Path, make_license: MakeLicense, ring: KeyRing, pinned_by: str
) -> None:
    from entitle.tool import import_license_files

    import_license_files([make_license()], home=trusted_home)
    issuer = ring.root_fingerprint if pinned_by == "the product" else None
    modules = _modules_after(
        f"import entitle.tool\nassert entitle.tool.check('Designer', '2.1', issuer={issuer!r}).ok",
        trusted_home,
    )
    assert "entitle.tool.check" in modules
    assert _loaded(modules, SERVER_MODULES) == []
    assert _loaded(modules, HEAVY_FOR_CHECK) == []


def test_the_commands_quick_check_with_a_pinned_issuer_loads_no_command_line_library(
    trusted_home: Path, make_license: MakeLicense, ring: KeyRing
) -> None:
    from entitle.tool import import_license_files

    import_license_files([make_license()], home=trusted_home)
    args = ["check", "--app", "Designer", "--version", "2.1", "--issuer", ring.root_fingerprint]
    modules = _modules_after(
        f"from entitle.tool.cli import main\nassert main({args!r}) == 0", trusted_home
    )
    assert _loaded(modules, HEAVY_FOR_CHECK) == []
    assert "entitle.tool.commands" not in modules


def test_every_tool_command_module_loads_no_server_module(trusted_home: Path) -> None:
    modules = _modules_after(
        "import entitle.tool.commands, entitle.tool.licenses, entitle.tool.receipts, "
        "entitle.tool.trust, entitle.tool.views",
        trusted_home,
    )
    assert _loaded(modules, SERVER_MODULES) == []


def test_the_workstation_install_requires_no_server_package_and_the_server_install_needs_it() -> (
    None
):
    declared = requires("entitle") or []
    base = [r for r in declared if "extra ==" not in r]
    names = {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in base}
    assert {"cryptography", "platformdirs", "filelock", "click"} <= names
    assert names.isdisjoint(SERVER_PACKAGES)
    server = [r for r in requires("entitle-server") or [] if "extra ==" not in r]
    server_names = {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in server}
    assert {"fastapi", "sqlalchemy", "typer"} <= server_names
    assert f"entitle=={version('entitle')}" in server
