"""``entitle-tool trust --system``: an administrator pins an issuer by a fingerprint from
the license server's administrator, and nobody else can pin one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing, wellknown
from entitle.tool import (
    ConfiguredIssuer,
    FingerprintMismatch,
    TrustSourceError,
    check,
    configured_issuers,
    import_license_files,
    trust_system,
)
from entitle.tool import config as config_module
from entitle.tool.cli import main
from tests.claims import NOW
from tests.unit.tool.conftest import FakeServer, MakeLicense
from tests.workstation import tool_environment, without_administrator_rights

TOOL = str(Path(sys.executable).with_name("entitle-tool"))


def _config_file() -> Path:
    return Path(config_module.issuers_path())


def test_the_root_is_pinned_with_the_fingerprint_the_administrator_gave(
    home: Path, server: FakeServer, ring: KeyRing, make_license: MakeLicense
) -> None:
    pinned = trust_system(server.url, ring.root_fingerprint)
    assert not pinned.replaced
    assert configured_issuers() == (
        ConfiguredIssuer(
            ring.root_fingerprint, "127.0.0.1", ring.root_pem().decode("ascii"), server.url
        ),
    )
    assert server.requests == [wellknown.ROOT_PATH]
    assert not import_license_files([make_license()], home=home, now=NOW)[0].refused
    assert check("Designer", "2.1", home=home, now=NOW).ok


@pytest.mark.parametrize(
    "path", [wellknown.ROOT_PATH, wellknown.JWKS_PATH, wellknown.CERTIFICATES_PATH, "/"]
)
def test_the_url_of_a_document_the_server_publishes_pins_that_servers_root(
    path: str, home: Path, server: FakeServer, ring: KeyRing
) -> None:
    pinned = trust_system(server.url + path, ring.root_fingerprint)
    assert pinned.issuer.fingerprint == ring.root_fingerprint
    assert pinned.issuer.url == server.url
    assert server.requests == [wellknown.ROOT_PATH]


def test_the_url_of_a_pem_document_elsewhere_pins_the_root_it_holds(
    home: Path, server: FakeServer, ring: KeyRing
) -> None:
    server.documents["/downloads/root.pem"] = ring.root_pem()
    pinned = trust_system(server.url + "/downloads/root.pem", ring.root_fingerprint)
    assert pinned.issuer.fingerprint == ring.root_fingerprint
    assert server.requests == ["/downloads/root.pem"]
    assert configured_issuers() == (pinned.issuer,)


def test_over_http_a_root_answered_by_someone_on_the_path_is_refused(
    home: Path, server: FakeServer, ring: KeyRing, other_ring: KeyRing
) -> None:
    server.ring = other_ring  # whoever answers for the server, with a root of their own
    with pytest.raises(FingerprintMismatch) as refused:
        trust_system(server.url, ring.root_fingerprint)
    assert (
        f"holds the issuer root {other_ring.root_fingerprint}, not {ring.root_fingerprint}"
        in refused.value.message
    )
    assert not _config_file().exists()


def test_over_http_the_fingerprint_cannot_be_left_out(home: Path, server: FakeServer) -> None:
    with pytest.raises(TrustSourceError, match="give the issuer's fingerprint"):
        trust_system(server.url, None, confirm=lambda fingerprint: True)
    assert server.requests == []
    assert not _config_file().exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_without_administrator_rights_a_root_the_user_made_is_not_pinned(
    home: Path, server: FakeServer, other_ring: KeyRing, tmp_path: Path
) -> None:
    server.ring = other_ring  # the user's own keys, served from their own server
    protected = tmp_path / "etc"
    protected.mkdir(mode=0o555)
    config_dir = protected / "entitle"
    env = tool_environment(home, config_dir=config_dir)
    done = subprocess.run(
        [
            *without_administrator_rights(),
            TOOL,
            *("trust", "--system", server.url, "--fingerprint", other_ring.root_fingerprint),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"entitle-tool: Writing {config_dir / 'issuers.json'} needs administrator rights: run "
        "the command again as root (or from an administrator prompt on Windows)."
    ]
    assert not config_dir.exists()


def test_over_https_the_fingerprint_shown_is_pinned_once_confirmed(
    home: Path, https_server: FakeServer, ring: KeyRing
) -> None:
    shown: list[str] = []
    with pytest.raises(TrustSourceError, match="not confirmed"):
        trust_system(https_server.url, None, confirm=lambda f: shown.append(f) is not None)
    assert shown == [ring.root_fingerprint]
    assert not _config_file().exists()
    pinned = trust_system(https_server.url, None, confirm=lambda f: f == ring.root_fingerprint)
    assert pinned.issuer.fingerprint == ring.root_fingerprint
    assert pinned.issuer.url == https_server.url


def test_without_a_terminal_to_confirm_at_the_command_wants_the_fingerprint(
    home: Path, https_server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", "--system", https_server.url]) == 2
    assert "give --fingerprint" in capsys.readouterr().err
    assert not _config_file().exists()


def test_a_root_certificate_file_is_pinned_with_its_fingerprint(
    home: Path, published: tuple[Path, Path], ring: KeyRing, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["trust", "--system", str(published[0]), "--fingerprint", ring.root_fingerprint])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == [
        f"Pinned issuer {ring.root_fingerprint} ({published[0]}) for every user of this "
        f"machine in {_config_file()}.",
        "Each user now runs 'entitle-tool sync' to fetch its certificates and revocations.",
    ]
    assert [i.fingerprint for i in configured_issuers()] == [ring.root_fingerprint]


def test_pinning_again_replaces_the_entry_and_keeps_the_others(
    home: Path, server: FakeServer, ring: KeyRing, other_ring: KeyRing
) -> None:
    config_module.write_issuers([ConfiguredIssuer(other_ring.root_fingerprint)])
    trust_system(server.url, ring.root_fingerprint)
    again = trust_system(server.url + wellknown.ROOT_PATH, ring.root_fingerprint.upper())
    assert again.replaced
    assert [i.fingerprint for i in configured_issuers()] == [
        other_ring.root_fingerprint,
        ring.root_fingerprint,
    ]


def test_a_malformed_fingerprint_is_a_usage_error_in_one_line(
    home: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trust", "--system", server.url, "--fingerprint", "sha256:12"]) == 2
    err = capsys.readouterr().err
    assert "is not an issuer fingerprint" in err
    assert server.requests == []
