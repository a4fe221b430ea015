from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing
from entitle.tool.cli import main, parse_check
from entitle.tool.store import Store
from tests.claims import NOW
from tests.unit.tool.conftest import FakeServer, MakeLicense


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_trust_then_import_then_check_passes(
    trusted_home: Path,
    server: FakeServer,
    ring: KeyRing,
    make_license: MakeLicense,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "trust", server.url)
    assert code == 0
    assert out.splitlines() == [
        f"Cached {len(ring.certificates(NOW))} new certificate(s), each issued by an issuer this "
        "machine pins; this adds no issuer (administrators pin them: 'trust --system').",
        f"Remembered {server.url} for 'entitle-tool sync'.",
        f"Synced with {server.url}: {len(ring.certificates(NOW))} new certificate(s) cached; "
        "revocation lists: 0 new, 0 unchanged; 0 license(s) dropped.",
    ]
    license_file = make_license()
    code, out, _ = run(capsys, "import", str(license_file))
    assert code == 0
    assert out == f"{license_file}: imported checkout chk-0001.\n"
    code, out, _ = run(capsys, "check", "--app", "Designer", "--version", "2.1")
    assert code == 0
    assert "Designer 2.1 is licensed on WS-1" in out
    code, out, _ = run(
        capsys, "check", "--app=Designer", "--version=2.1", "--issuer", ring.root_fingerprint
    )
    assert code == 0


def test_check_with_another_issuer_pinned_refuses_the_file(
    trusted_home: Path,
    make_license: MakeLicense,
    other_ring: KeyRing,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "import", str(make_license()))
    args = ("check", "--app", "Designer", "--version", "2.1")
    code, _, err = run(capsys, *args, "--issuer", other_ring.root_fingerprint)
    assert code == 1
    assert err.startswith("Not licensed (UNTRUSTED_ISSUER):")
    assert "does not end at a pinned issuer root" in err


def test_a_malformed_issuer_is_a_usage_error_in_one_line(
    trusted_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", "--app", "Designer", "--version", "2.1", "--issuer", "ab")
    assert code == 2
    assert "is not an issuer fingerprint" in err


def test_reimporting_says_already_imported(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    license_file = make_license()
    run(capsys, "import", str(license_file))
    code, out, _ = run(capsys, "import", str(license_file))
    assert code == 0
    assert out == f"{license_file}: already imported.\n"


def test_each_refused_file_gets_one_line_and_a_failing_exit(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = make_license(checkout_id="chk-0002", machine_name="WS-2")
    good = make_license()
    code, out, _ = run(capsys, "import", str(wrong), str(good))
    assert code == 1
    assert out.splitlines() == [
        f"{wrong}: refused: This license is for machine WS-2, not WS-1.",
        f"{good}: imported checkout chk-0001.",
    ]


def test_check_fails_with_the_reason_and_the_covered_versions(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(make_license()))
    code, _, err = run(capsys, "check", "--app", "Designer", "--version", "3.0")
    assert code == 1
    assert err.startswith("Not licensed (WRONG_VERSION):")
    assert "cover 2.1" in err
    code, _, err = run(capsys, "check", "--app=Modeler", "--version=1")
    assert code == 1
    assert "NO_LICENSE" in err


def test_check_reports_a_clock_set_back(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(make_license()))
    with Store(trusted_home).update() as state:
        state.last_seen = NOW + timedelta(days=3)
    code, _, err = run(capsys, "check", "--app", "Designer", "--version", "2.1")
    assert code == 1
    assert "system clock looks wrong" in err


def test_check_without_its_options_is_a_usage_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", "--app", "Designer")
    assert code == 2
    assert "--version" in err


PIN = "sha256:" + "a1" * 32


@pytest.mark.parametrize(
    ("args", "parsed"),
    [
        (["check", "--app", "A", "--version", "1"], ("A", "1", ())),
        (["check", "--version=1", "--app=A"], ("A", "1", ())),
        (["check", "--app", "A", "--version", "1", "--issuer", PIN], ("A", "1", (PIN,))),
        (
            ["check", "--issuer=" + PIN, "--app=A", "--version=1", "--issuer", PIN],
            ("A", "1", (PIN, PIN)),
        ),
        (["check", "--app", "A", "--version", "1", "--issuer", "sha256:12"], None),
        (["check", "--app", "A"], None),
        (["check", "--app", "A", "--version", "1", "--help"], None),
        (["list"], None),
    ],
)
def test_only_a_plain_check_takes_the_quick_path(
    args: list[str], parsed: tuple[str, str, tuple[str, ...]] | None
) -> None:
    assert parse_check(args) == parsed


def test_list_shows_applications_expiry_days_left_and_marks_expired(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    expiring = make_license(expires_at=NOW + timedelta(days=1))
    run(capsys, "import", str(expiring), str(make_license(checkout_id="chk-0002")))
    with Store(trusted_home).update() as state:
        entry = state.licenses["chk-0001"]
        claims = entry.claims.replace(expires_at=NOW - timedelta(hours=1))
        state.licenses["chk-0001"] = entry.replace(claims=claims)
    code, out, _ = run(capsys, "list")
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines() if "chk-000" in line}
    assert "EXPIRED" in rows["chk-0001"]
    assert "Designer 2.1, Viewer 10.0.3" in rows["chk-0002"]
    assert "valid" in rows["chk-0002"]
    assert " 29 " in rows["chk-0002"]


def test_list_of_an_empty_store_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "list") == (0, "No licenses are imported for this user.\n", "")


def test_show_prints_every_claim(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(make_license()))
    code, out, _ = run(capsys, "show", "chk-0001")
    assert code == 0
    assert "Machine:             WS-1" in out
    assert "Entitlement country: DE" in out
    assert "Applications:        Designer 2.1, Viewer 10.0.3" in out


def test_show_of_an_unknown_checkout_fails_in_one_line(
    trusted_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "show", "nope")
    assert code == 1
    assert err == "entitle-tool: No license with checkout id nope is stored for this user.\n"


def test_clean_removes_expired_licenses(
    trusted_home: Path, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(make_license()))
    assert run(capsys, "clean") == (0, "No expired licenses.\n", "")
    with Store(trusted_home).update() as state:
        entry = state.licenses["chk-0001"]
        expired = entry.claims.replace(expires_at=NOW - timedelta(seconds=1))
        state.licenses["chk-0001"] = entry.replace(claims=expired)
    assert run(capsys, "clean") == (0, "Removed expired checkout chk-0001.\n", "")


def test_clear_prints_the_receipt_path_and_sends_it(
    trusted_home: Path,
    make_license: MakeLicense,
    server: FakeServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    license_file = make_license()
    server.knows(license_file)
    run(capsys, "import", str(license_file))
    code, out, _ = run(capsys, "clear", "chk-0001", "--send", server.url)
    receipt_path = trusted_home / "receipts" / "chk-0001.json"
    assert code == 0
    assert out.splitlines() == [
        "Cleared checkout chk-0001.",
        f"Check-in receipt: {receipt_path}",
        "Receipt accepted: the server recorded the check-in.",
        f"Synced with {server.url}: 4 new certificate(s) cached; revocation lists: "
        "0 new, 0 unchanged; 0 license(s) dropped.",
    ]
    assert server.receipts[0]["checkout_id"] == "chk-0001"


def test_clear_while_offline_keeps_the_receipt_for_send_receipts(
    trusted_home: Path,
    make_license: MakeLicense,
    server: FakeServer,
    offline_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    license_file = make_license()
    server.knows(license_file)
    run(capsys, "import", str(license_file))
    code, out, _ = run(capsys, "clear", "chk-0001", "--send", offline_url)
    assert code == 0
    assert (
        f"The receipt is kept; send it later with 'entitle-tool send-receipts {offline_url}'" in out
    )
    code, out, _ = run(capsys, "send-receipts", server.url)
    assert code == 0
    assert out.splitlines()[0] == "chk-0001: accepted: the server recorded the check-in."
    assert out.splitlines()[1].startswith(f"Synced with {server.url}: ")
    assert run(capsys, "send-receipts", server.url)[1].splitlines()[0] == (
        "No receipts are waiting to be sent."
    )


def test_a_damaged_store_is_reported_in_one_line(
    trusted_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trusted_home.mkdir()
    (trusted_home / "store.json").write_text("{")
    code, _, err = run(capsys, "list")
    assert code == 1
    assert err.startswith("entitle-tool: The license store")
    assert "damaged" in err
    assert "store.json.damaged-" in err
    assert len(err.splitlines()) == 1


def test_trust_of_a_bad_source_fails_in_one_line(
    trusted_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "keys.json"
    bad.write_text(json.dumps({"keys": "nope"}))
    code, _, err = run(capsys, "trust", str(bad))
    assert code == 1
    assert len(err.splitlines()) == 1
    assert str(bad) in err


@pytest.mark.parametrize("path", ["", "/.well-known/entitle-root.pem", "/.well-known/jwks.json"])
def test_trust_takes_the_servers_url_or_the_url_of_a_document_it_publishes(
    path: str, trusted_home: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "trust", server.url + path)
    assert code == 0
    assert f"Remembered {server.url} for 'entitle-tool sync'." in out.splitlines()


@pytest.mark.parametrize(
    "command",
    [
        ("return", "chk-0001"),
        ("renew", "chk-0001", "--days", "5"),
        ("checkout", "--app", "Designer", "--version", "2.1"),
        ("checkouts",),
    ],
)
def test_not_signed_in_the_self_service_commands_say_to_log_in_and_touch_nothing(
    trusted_home: Path,
    make_license: MakeLicense,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
) -> None:
    run(capsys, "import", str(make_license()))
    before = Store(trusted_home).read().to_bytes()
    code, out, err = run(capsys, *command)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "entitle-tool: This user's entitle-tool is not signed in: run "
        "'entitle-tool login SERVER_URL'."
    ]
    assert Store(trusted_home).read().to_bytes() == before
    assert not (trusted_home / "receipts").exists()
