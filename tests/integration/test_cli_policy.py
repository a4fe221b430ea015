"""``entitle country set`` sets a country's whole checkout policy; the rules then hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from entitle.domain.checkouts import CheckoutRequest
from entitle.domain.errors import DomainError
from entitle.service.bootstrap import open_services
from entitle.service.create_checkout import create_checkout
from tests.integration.test_cli import data_dir, refused

__all__ = ["data_dir"]


@pytest.fixture
def acme(data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    from entitle.cli import main

    main(["org", "create", "ACME", "--contract-end", "2099-12-31"])
    main(["country", "set", "ACME", "DE", "--max-days", "60"])
    for email, role in (("boss@acme.example", "Administrator"), ("ana@acme.example", "User")):
        main(["user", "add", "ACME", email, "--role", role, "--country", "DE"])
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "application,version,license_service\nAtlas,1.2.3,SES\nRoad Planner,10.14,SES\n"
    )
    main(["catalog", "import", str(catalog)])
    capsys.readouterr()
    return data_dir


def test_country_set_grows_the_policy_and_keeps_what_it_is_not_told(
    acme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from entitle.cli import main

    main(["country", "set", "ACME", "de", "--self-service", "--self-service-max-days", "14"])
    assert capsys.readouterr().out.strip() == (
        "ACME: DE: checkouts on; max 60 d; self-service on (max 14 d, every user); "
        "every application"
    )
    main(["country", "set", "ACME", "DE", "--exclude-application", "road planner"])
    main(["country", "set", "ACME", "DE", "--self-service-users", "ana@acme.example"])
    assert capsys.readouterr().out.splitlines()[-1] == (
        "ACME: DE: checkouts on; max 60 d; self-service on (max 14 d, ana@acme.example); "
        "excluding Road Planner"
    )
    main(["country", "set", "ACME", "DE", "--all-applications", "--self-service-users", "all"])
    assert capsys.readouterr().out.strip().endswith("(max 14 d, every user); every application")


def test_an_excluded_application_set_from_the_command_line_refuses_an_administrators_create(
    acme: Path,
) -> None:
    from entitle.cli import main

    main(["country", "set", "ACME", "DE", "--exclude-application", "Road Planner"])
    request = CheckoutRequest("DE", "SES", "ana@acme.example", "WS-1", [("Road Planner", "10.14")])
    with pytest.raises(DomainError) as refusal:
        create_checkout(open_services(acme), "boss@acme.example", request)
    assert refusal.value.code == "APPLICATION_EXCLUDED"
    assert "an administrator of ACME can allow it" in refusal.value.message


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--self-service-max-days", "61"], "is 1 to 60 days"),
        (["--exclude-application", "Atlas", "--allow-application", "Atlas"], "one of them"),
        (["--allow-application", "Nothing Here"], "'Nothing Here' is not an application"),
        (["--self-service-users", "bo@elsewhere.example"], "is not a user of ACME"),
        (["--self-service-users", "not-an-email"], "is not an email address"),
    ],
)
def test_a_bad_policy_is_one_clear_line_and_changes_nothing(
    acme: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    from entitle.cli import main

    assert says in refused(["country", "set", "ACME", "DE", *argv], capsys)
    main(["org", "list"])
    assert "DE (60 d)" in capsys.readouterr().out
    [policy] = _policies(acme)
    assert (policy.self_service_users, policy.applications) == (None, ())


def _policies(data_dir: Path):  # type: ignore[no-untyped-def]
    from entitle.service.admin import find_organisation

    return find_organisation(open_services(data_dir), "ACME").countries
