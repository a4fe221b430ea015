"""The machine-wide configuration: where it lives, the issuers it pins, who may write it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from entitle.licensefile import KeyRing
from entitle.tool import (
    ConfigurationError,
    ConfiguredIssuer,
    configured_issuers,
    import_license_files,
    write_issuers,
)
from entitle.tool import config as config_module
from tests.claims import NOW
from tests.unit.tool.conftest import MakeLicense
from tests.workstation import tool_environment, without_administrator_rights

OTHER = "sha256:" + "ab" * 32


@pytest.fixture
def root_pem(ring: KeyRing) -> str:
    """A real certificate, standing in for an issuer's root certificate."""
    pem = ring.xml_certificates_pem().decode("ascii")
    return pem[: pem.index("-----END CERTIFICATE-----")] + "-----END CERTIFICATE-----\n"


def _pinned(pem: str) -> str:
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return "sha256:" + certificate.fingerprint(hashes.SHA256()).hex()


def _write(document: object) -> Path:
    path = Path(config_module.issuers_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def test_the_configuration_lives_where_each_system_keeps_machine_wide_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(config_module.sys, "platform", "linux")
    assert config_module.system_config_dir() == "/etc/entitle"
    monkeypatch.setattr(config_module.sys, "platform", "darwin")
    assert config_module.system_config_dir() == "/Library/Application Support/entitle"


def test_no_environment_variable_moves_the_configuration(tmp_path: Path) -> None:
    env = {
        "PATH": "",
        "ENTITLE_TEST_CONFIG_DIR": str(tmp_path),
        "XDG_CONFIG_DIRS": str(tmp_path),
        "ProgramData": str(tmp_path),
        "WIN_PD_OVERRIDE_COMMON_APPDATA": str(tmp_path),
    }
    script = "from entitle.tool.config import issuers_path; print(issuers_path())"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == config_module.issuers_path()
    assert not done.stdout.strip().startswith(str(tmp_path))


def test_without_a_file_no_issuer_is_configured(home: Path) -> None:
    assert configured_issuers() == ()


def test_the_file_gives_each_pinned_issuer_in_its_order(home: Path, root_pem: str) -> None:
    _write(
        {
            "format": "entitle-issuers/1",
            "issuers": [
                {
                    "fingerprint": _pinned(root_pem),
                    "name": "licenses.example.com",
                    "root_certificate": root_pem,
                },
                {"fingerprint": OTHER.upper().replace("SHA256", "sha256")},
            ],
        },
    )
    assert configured_issuers() == (
        ConfiguredIssuer(_pinned(root_pem), "licenses.example.com", root_pem),
        ConfiguredIssuer(OTHER),
    )


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ("{not json", "not a usable issuers file"),
        ({"format": "entitle-issuers/9", "issuers": []}, "format is not entitle-issuers/1"),
        ({"format": "entitle-issuers/1", "issuers": {}}, "issuers is a list"),
        ({"format": "entitle-issuers/1", "issuers": [{"fingerprint": "ab" * 32}]}, "sha256:"),
        ({"format": "entitle-issuers/1", "issuers": [{"fingerprint": 7}]}, "text"),
        ({"format": "entitle-issuers/1", "issuers": [{"name": "x"}]}, "fingerprint"),
        (
            {"format": "entitle-issuers/1", "issuers": [{"fingerprint": OTHER}] * 2},
            "listed twice",
        ),
    ],
)
def test_an_unusable_file_is_refused_in_one_line_naming_it(
    home: Path, document: object, says: str
) -> None:
    path = _write(document)
    with pytest.raises(ConfigurationError) as raised:
        configured_issuers()
    assert str(path) in raised.value.message
    assert says in raised.value.message
    assert len(raised.value.message.splitlines()) == 1


def test_a_root_certificate_that_does_not_have_the_pinned_fingerprint_is_refused(
    home: Path, root_pem: str
) -> None:
    _write(
        {
            "format": "entitle-issuers/1",
            "issuers": [{"fingerprint": OTHER, "root_certificate": root_pem}],
        },
    )
    with pytest.raises(ConfigurationError, match="has another fingerprint"):
        configured_issuers()


def test_written_issuers_are_read_back_and_readable_by_every_user(
    home: Path, root_pem: str
) -> None:
    issuers = (ConfiguredIssuer(_pinned(root_pem), "licenses.example.com", root_pem),)
    path = Path(write_issuers(issuers))
    assert path == home.parent / "etc-entitle" / "issuers.json"
    assert configured_issuers() == issuers
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert json.loads(path.read_text())["format"] == "entitle-issuers/1"


def test_the_users_own_store_and_files_add_no_issuer(
    home: Path, make_license: MakeLicense, ring: KeyRing, root_pem: str
) -> None:
    home.mkdir()
    issuer = {"fingerprint": _pinned(root_pem), "root_certificate": root_pem}
    (home / "store.json").write_text(
        json.dumps(
            {
                "format": "entitle-tool-store/3",
                "issuers": [issuer],
                "trusted_keys": json.loads(ring.trusted().to_json()),
                "last_seen": None,
                "refused": {},
                "certificates": [],
                "revoked_serials": [],
                "servers": [],
                "licenses": {},
            }
        )
    )
    (home / "issuers.json").write_text(
        json.dumps({"format": "entitle-issuers/1", "issuers": [issuer]})
    )
    assert configured_issuers() == ()
    [outcome] = import_license_files([make_license()], home=home, now=NOW)
    assert outcome.refused
    assert outcome.message.startswith("Nothing is trusted on this machine")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_writing_without_administrator_rights_says_so_in_one_line(
    tmp_path: Path, root_pem: str
) -> None:
    protected = tmp_path / "etc"
    protected.mkdir(mode=0o555)
    config_dir = protected / "entitle"
    script = (
        "from entitle.tool import ConfiguredIssuer, ToolError, write_issuers\n"
        "try:\n"
        f"    write_issuers([ConfiguredIssuer({OTHER!r})])\n"
        "except ToolError as error:\n"
        "    print(error.code, error.message)\n"
    )
    env = tool_environment(tmp_path / "home", config_dir=config_dir)
    done = subprocess.run(
        [*without_administrator_rights(), sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        f"NEEDS_ADMINISTRATOR Writing {config_dir / 'issuers.json'} needs administrator "
        "rights: run the command again as root (or from an administrator prompt on Windows)."
    ]
    assert not config_dir.exists()
