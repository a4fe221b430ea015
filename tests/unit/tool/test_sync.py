"""``entitle-tool sync``: revocation lists from the license server reach the workstation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing, license_digest, wellknown
from entitle.tool import (
    NoServer,
    NotTrusted,
    check,
    clear,
    import_license_files,
    list_licenses,
    sync,
    trust,
)
from entitle.tool.cli import main
from entitle.tool.store import Store
from tests.claims import NOW
from tests.unit.tool.conftest import FakeServer, MakeLicense, pin


@pytest.fixture
def synced(trusted_home: Path, server: FakeServer, make_license: MakeLicense) -> Path:
    """A workstation that trusted the server and holds two of its licenses."""
    for checkout_id in ("chk-0001", "chk-0002"):
        license_file = make_license(checkout_id=checkout_id)
        server.knows(license_file)
        import_license_files([license_file], home=trusted_home, now=NOW)
    trust([server.url], home=trusted_home, now=NOW)
    return trusted_home


def test_a_checkout_checked_in_on_the_server_is_dropped_and_refused_when_imported_again(
    synced: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    license_file = make_license()
    server.check_in(license_file)
    [outcome] = sync(home=synced, now=NOW)
    assert outcome.online
    assert [r.checkout_id for r in outcome.dropped] == ["chk-0001"]
    assert outcome.lists_new == 1
    assert "was checked in on the license server" in outcome.lines()[1]
    assert [e.checkout_id for e in list_licenses(home=synced)] == ["chk-0002"]
    assert check("Designer", "2.1", home=synced, now=NOW).claims.checkout_id == "chk-0002"  # type: ignore[union-attr]
    [again] = import_license_files([license_file], home=synced, now=NOW)
    assert again.refused
    assert again.message.startswith("Checkout chk-0001 was checked in on the license server")


def test_a_list_replayed_from_before_the_check_in_brings_nothing_back(
    synced: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    license_file = make_license()
    server.check_in(license_file)
    sync(home=synced, now=NOW)
    server.checked_in[server.organisations["chk-0001"]].clear()  # an older list, replayed
    sync(home=synced, now=NOW)
    (synced / "store.json").unlink()  # and the store forgotten: the revocation file remembers
    [again] = import_license_files([license_file], home=synced, now=NOW)
    assert again.refused


def test_an_unchanged_list_is_not_downloaded_again(synced: Path, server: FakeServer) -> None:
    [first] = sync(home=synced, now=NOW)
    [second] = sync(home=synced, now=NOW)
    assert (first.lists_new, first.lists_unchanged, second.lists_unchanged) == (0, 1, 1)
    lists = [p for p in server.requests if p.startswith(wellknown.REVOCATIONS_PREFIX)]
    assert len(lists) == 3  # trust's, then the two syncs', answered 304


def test_a_superseded_file_is_dropped_but_its_checkout_may_come_back(
    synced: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    old = make_license()
    organisation = server.organisations["chk-0001"]
    server.superseded[organisation] = {license_digest(old.read_bytes())}
    [outcome] = sync(home=synced, now=NOW)
    assert [r.reason for r in outcome.dropped] == ["SUPERSEDED"]
    [again] = import_license_files([old], home=synced, now=NOW)
    assert again.refused
    assert "was replaced by a newer one" in again.message
    newer = make_license(expires_at=NOW + timedelta(days=40))
    assert import_license_files([newer], home=synced, now=NOW)[0].status == "imported"


def test_a_store_edited_to_move_a_license_to_another_organisation_is_still_dropped(
    synced: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    server.check_in(make_license())
    path = synced / "store.json"
    document = json.loads(path.read_text())
    document["licenses"]["chk-0001"]["claims"]["org"]["id"] = "elsewhere"
    path.write_text(json.dumps(document))
    [outcome] = sync(home=synced, now=NOW)
    assert [r.checkout_id for r in outcome.dropped] == ["chk-0001"]


def test_the_lists_signed_time_is_a_floor_for_the_clock(
    trusted_home: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    back = NOW - timedelta(days=9)
    license_file = make_license(issued_at=NOW - timedelta(days=10))
    server.knows(license_file)
    import_license_files([license_file], home=trusted_home, now=back)
    assert check("Designer", "2.1", home=trusted_home, now=back).ok
    [outcome] = trust([server.url], home=trusted_home, now=back).synced
    assert any("system clock looks wrong" in line for line in outcome.lines())
    result = check("Designer", "2.1", home=trusted_home, now=back)
    assert result.reason == "CLOCK_WRONG"
    assert Store(trusted_home).read().last_seen >= datetime.now(UTC) - timedelta(minutes=5)  # type: ignore[operator]


def test_offline_sync_says_so_in_one_line_and_changes_nothing(
    synced: Path, offline_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in synced.iterdir() if p.is_file()}
    assert main(["sync", offline_url]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"Cannot reach {offline_url}{wellknown.CERTIFICATES_PATH}: ")
    assert line.endswith(" Nothing changed.")
    assert {p.name: p.read_bytes() for p in synced.iterdir() if p.is_file()} == before


def test_sync_without_a_url_uses_the_servers_trusted_and_those_the_configuration_names(
    trusted_home: Path, server: FakeServer, ring: KeyRing
) -> None:
    with pytest.raises(NoServer, match="entitle-tool sync SERVER_URL"):
        sync(home=trusted_home, now=NOW)
    pin(ring, url=server.url)
    [outcome] = sync(home=trusted_home, now=NOW)
    assert outcome.server == server.url
    assert outcome.certificates_added == len(ring.certificates(NOW))


def test_sync_needs_a_pinned_issuer(home: Path, server: FakeServer) -> None:
    with pytest.raises(NotTrusted):
        sync(server.url, home=home, now=NOW)
    assert server.requests == []


def test_clear_with_send_syncs_and_drops_what_the_server_checked_in_meanwhile(
    synced: Path,
    server: FakeServer,
    make_license: MakeLicense,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.check_in(make_license(checkout_id="chk-0002"))
    assert main(["clear", "chk-0001", "--send", server.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "Receipt accepted: the server recorded the check-in."
    assert lines[3].startswith(f"Synced with {server.url}: ")
    assert lines[4].startswith("Dropped checkout chk-0002: Checkout chk-0002 was checked in")
    assert list_licenses(home=synced) == []


def test_send_receipts_syncs_too(
    synced: Path, server: FakeServer, make_license: MakeLicense, capsys: pytest.CaptureFixture[str]
) -> None:
    clear("chk-0001", home=synced, now=NOW)
    server.check_in(make_license(checkout_id="chk-0002"))
    assert main(["send-receipts", server.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "chk-0001: accepted: the server recorded the check-in."
    assert any(line.startswith("Dropped checkout chk-0002") for line in lines)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        wellknown.CERTIFICATES_PATH,
        wellknown.ROOT_PATH,
        wellknown.JWKS_PATH + "#keys",
    ],
)
def test_sync_takes_the_url_of_a_document_the_server_publishes_as_trust_does(
    synced: Path, server: FakeServer, make_license: MakeLicense, path: str
) -> None:
    server.check_in(make_license(checkout_id="chk-0001"))
    [outcome] = sync(server.url + path, home=synced, now=NOW)
    assert outcome.online
    assert outcome.server == server.url
    assert [r.checkout_id for r in outcome.dropped] == ["chk-0001"]
    assert Store(synced).read().servers == (server.url,)


def test_sync_refuses_a_document_elsewhere_and_a_text_that_is_no_url_in_one_line(
    synced: Path, server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    asked = len(server.requests)
    assert main(["sync", f"{server.url}/downloads/root.pem"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"entitle-tool: {server.url}/downloads/root.pem is a document of its own, not a license "
        "server: give the server's URL (https://licenses.example.com) or that of a document it "
        "publishes under /.well-known/."
    )
    assert main(["sync", "licenses.example.com"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("entitle-tool: licenses.example.com is not an http:// or https:// URL")
    assert len(server.requests) == asked
