"""Which issuers a check trusts: the product's pin, else the machine's; never the user's store.

Each attack is tried as the workstation user would: with their own keys and root (made with
the ``entitle`` package they have installed), the tool and a text editor.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from entitle.licensefile import KeyRing
from entitle.tool import check, import_license_files
from entitle.tool.store import Store
from tests.claims import MACHINE, NOW
from tests.minted import Minted, any_application_until_2047, mint
from tests.unit.tool.conftest import MakeLicense, pin


def _edit_store(home: Path, edit: Any) -> None:
    path = home / "store.json"
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))


def _smuggle(home: Path, minted: Minted) -> None:
    """Put a minted file into the store by hand, as a stored license's entry."""
    claims = any_application_until_2047().to_dict()

    def add(document: dict[str, Any]) -> None:
        entry = dict(document["licenses"]["chk-0001"])
        entry["data"] = base64.b64encode(minted.data).decode()
        entry["claims"] = claims
        document["licenses"]["minted-0001"] = entry

    _edit_store(home, add)


@pytest.fixture
def stored(trusted_home: Path, make_license: MakeLicense) -> Path:
    """A machine that pins the license server's issuer, and a genuine license stored."""
    [outcome] = import_license_files([make_license()], home=trusted_home, now=NOW)
    assert outcome.status == "imported"
    return trusted_home


@pytest.mark.parametrize("self_signed", [False, True], ids=["own root", "self-signed"])
def test_a_license_a_user_minted_for_any_application_until_2047_is_refused(
    stored: Path, tmp_path: Path, self_signed: bool
) -> None:
    minted = mint(any_application_until_2047(), self_signed=self_signed)
    minted_file = tmp_path / "minted.belic"
    minted_file.write_bytes(minted.data)
    [outcome] = import_license_files([minted_file], home=stored, now=NOW)
    assert outcome.refused
    assert "not issued by a license server this workstation trusts" in outcome.message
    _smuggle(stored, minted)
    for application in ("Modeler", "Designer"):
        result = check(application, "1.0", home=stored, now=NOW)
        assert not result.ok
        assert result.reason == "UNTRUSTED_ISSUER"


def test_a_key_appended_to_the_store_file_grants_nothing(
    stored: Path, other_ring: KeyRing, make_license: MakeLicense
) -> None:
    forged = make_license(signer=other_ring, checkout_id="chk-0009", machine_name=MACHINE)

    def append_key(document: dict[str, Any]) -> None:
        document["trusted_keys"] = json.loads(other_ring.trusted().to_json())
        document["issuers"] = [{"fingerprint": other_ring.root_fingerprint}]
        entry = dict(document["licenses"]["chk-0001"])
        entry["data"] = base64.b64encode(forged.read_bytes()).decode()
        document["licenses"]["chk-0009"] = entry

    _edit_store(stored, append_key)
    assert check("Viewer", "10.0.3", home=stored, now=NOW).ok  # the genuine one still runs
    with Store(stored).update() as state:
        del state.licenses["chk-0001"]
    assert check("Viewer", "10.0.3", home=stored, now=NOW).reason == "UNTRUSTED_ISSUER"
    [outcome] = import_license_files([forged], home=stored, now=NOW)
    assert outcome.refused


def test_a_store_from_before_issuer_roots_with_trusted_keys_added_grants_nothing(
    stored: Path, other_ring: KeyRing, make_license: MakeLicense
) -> None:
    forged = make_license(signer=other_ring, checkout_id="chk-0009")

    def first_format_with_their_keys(document: dict[str, Any]) -> None:
        document["format"] = "entitle-tool-store/1"
        document["trusted_keys"] = json.loads(other_ring.trusted().to_json())
        entry = document["licenses"]["chk-0001"]
        entry["data"] = base64.b64encode(forged.read_bytes()).decode()

    _edit_store(stored, first_format_with_their_keys)
    assert check("Designer", "2.1", home=stored, now=NOW).reason == "UNTRUSTED_ISSUER"


def test_certificates_of_the_users_own_root_cached_in_the_store_grant_nothing(
    stored: Path,
) -> None:
    minted = mint(any_application_until_2047())
    _smuggle(stored, minted)

    def cache_their_root(document: dict[str, Any]) -> None:
        document["certificates"] += [
            base64.b64encode(minted.root).decode(),
            base64.b64encode(minted.certificate).decode(),
        ]

    _edit_store(stored, cache_their_root)
    assert len(Store(stored).read().certificates) == 2
    assert check("Modeler", "1.0", home=stored, now=NOW).reason == "UNTRUSTED_ISSUER"
    pinned_by_product = check(
        "Modeler", "1.0", issuer=minted.root_fingerprint, home=stored, now=NOW
    )
    assert pinned_by_product.ok  # only a product pinning the user's own root would run it


def test_with_an_issuer_pinned_a_file_of_another_root_is_refused_whatever_the_machine_trusts(
    home: Path, ring: KeyRing, other_ring: KeyRing, make_license: MakeLicense
) -> None:
    pin(ring, other_ring)
    theirs = make_license(signer=other_ring, checkout_id="chk-0009", machine_name=MACHINE)
    import_license_files([make_license(), theirs], home=home, now=NOW)
    assert check("Designer", "2.1", home=home, now=NOW).ok
    with Store(home).update() as state:
        del state.licenses["chk-0001"]
    assert check("Designer", "2.1", home=home, now=NOW).ok  # the machine pins their root too
    pinned = check("Designer", "2.1", issuer=ring.root_fingerprint, home=home, now=NOW)
    assert pinned.reason == "UNTRUSTED_ISSUER"
    assert "does not end at a pinned issuer root" in pinned.message
    assert check(
        "Designer", "2.1", issuer=[ring.root_fingerprint, other_ring.root_fingerprint], home=home
    ).ok


def test_a_product_that_pins_its_issuer_runs_on_a_machine_that_pins_none(
    home: Path, ring: KeyRing, make_license: MakeLicense
) -> None:
    [outcome] = import_license_files(
        [make_license()], issuer=ring.root_fingerprint, home=home, now=NOW
    )
    assert outcome.status == "imported"
    assert check("Designer", "2.1", issuer=ring.root_fingerprint, home=home, now=NOW).ok
    assert check("Designer", "2.1", home=home, now=NOW).reason == "NOT_TRUSTED"


def test_without_any_configured_issuer_the_check_says_plainly_that_nothing_is_trusted(
    home: Path,
) -> None:
    result = check("Designer", "2.1", home=home, now=NOW)
    assert result.reason == "NOT_TRUSTED"
    assert result.message.startswith("Nothing is trusted on this machine")
    assert "entitle-tool trust --system" in result.message
    assert result.message.count(". ") == 0  # one sentence
    assert result.message.endswith(".")


@pytest.mark.parametrize("issuer", ["ab" * 32, "sha256:12", "sha1:" + "ab" * 20, []])
def test_an_issuer_that_is_not_a_fingerprint_is_a_value_error(
    trusted_home: Path, issuer: Any
) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        check("Designer", "2.1", issuer=issuer, home=trusted_home)


def test_an_unusable_machine_configuration_refuses_with_its_reason(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    import_license_files([make_license()], home=trusted_home, now=NOW)
    from entitle.tool import config

    Path(config.issuers_path()).write_text("{broken")
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert result.reason == "CONFIGURATION"
    assert config.issuers_path() in result.message
