"""Files and stores from before issuer roots keep working until the files expire, once the
machine pins the upgraded server's root and ``sync`` has cached the certificates of the keys."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest

from entitle.licensefile import init_keys, license_digest
from entitle.tool import check, list_licenses, sync
from tests.claims import NOW, make_claims
from tests.keys_before_roots import keys_before_the_root
from tests.unit.tool.conftest import FakeServer, pin


def _store_of_the_first_format(home: Path, data: bytes, service: str, trusted: bytes) -> None:
    """``store.json`` as the tool wrote it before issuer roots: trusted keys, one license."""
    home.mkdir(parents=True)
    claims = make_claims(service)
    seen = (NOW - timedelta(hours=2)).isoformat()
    document = {
        "format": "entitle-tool-store/1",
        "last_seen": seen,
        "trusted_keys": json.loads(trusted),
        "licenses": {
            claims.checkout_id: {
                "file_name": "old" + claims.file_extension,
                "imported_at": seen,
                "digest": license_digest(data),
                "data": base64.b64encode(data).decode("ascii"),
                "claims": claims.to_dict(),
            }
        },
    }
    (home / "store.json").write_text(json.dumps(document))


@pytest.mark.parametrize("file_format", ["belic", "xml"])
def test_an_old_store_keeps_its_license_and_runs_it_once_sync_cached_the_certificates(
    home: Path, server: FakeServer, tmp_path: Path, file_format: str
) -> None:
    old = keys_before_the_root(tmp_path / "server")
    data, service = (old.belic, "SES") if file_format == "belic" else (old.xml, "SELECTserver")
    _store_of_the_first_format(home, data, service, old.trusted.to_json())
    application = "Designer"

    upgraded = init_keys(tmp_path / "server", now=NOW)  # entitle keys init, on the server
    pin(upgraded, url=server.url)  # sudo entitle-tool trust --system URL --fingerprint ...
    before = check(application, "2.1", home=home, now=NOW)
    assert before.reason == "UNTRUSTED_ISSUER"
    assert "not issued by a license server this workstation trusts" in before.message

    server.ring = upgraded
    [outcome] = sync(home=home, now=NOW)  # each user: entitle-tool sync
    assert outcome.dropped == ()
    assert check(application, "2.1", home=home, now=NOW).ok
    assert [e.checkout_id for e in list_licenses(home=home)] == ["chk-0001"]
    stored = json.loads((home / "store.json").read_text())
    assert stored["format"] == "entitle-tool-store/3"
    assert "trusted_keys" not in stored


def test_an_old_file_is_refused_where_the_machine_pins_another_root(
    home: Path, server: FakeServer, tmp_path: Path
) -> None:
    old = keys_before_the_root(tmp_path / "server")
    _store_of_the_first_format(home, old.belic, "SES", old.trusted.to_json())
    upgraded = init_keys(tmp_path / "server", now=NOW)
    other = init_keys(tmp_path / "other", now=NOW)
    pin(other)
    server.ring = upgraded
    sync(server.url, home=home, now=NOW)  # nothing of theirs chains to the pinned root
    assert check("Designer", "2.1", home=home, now=NOW).reason == "UNTRUSTED_ISSUER"
