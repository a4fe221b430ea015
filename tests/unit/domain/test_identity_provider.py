"""What an identity provider's claims make of a user (entitle.domain.identity_provider)."""

from __future__ import annotations

from typing import Any

import pytest

from entitle.domain import identity_provider as rules
from entitle.domain.errors import DomainError
from entitle.domain.identity_provider import IdentityProvider
from entitle.domain.model import Role

PROVIDER = IdentityProvider(
    organisation_id=1,
    name="Northwind ID",
    issuer="https://sso.northwind.example/realms/northwind",
    client_id="entitle",
    client_secret="secret",
    email_domains=("northwind.example",),
    groups_claim="groups",
    group_roles={"leads": Role.CO_ADMINISTRATOR, "admins": Role.ADMINISTRATOR},
)
CLAIMS: dict[str, Any] = {
    "sub": "248289761001",
    "email": "Kai@Northwind.Example",
    "name": " Kai Moreno ",
    "country": "gb",
    "groups": ["engineering", "leads"],
}


def test_the_profile_comes_from_the_chosen_claims() -> None:
    found = rules.profile(PROVIDER, CLAIMS)
    assert (found.subject, found.email, found.display_name, found.usage_country) == (
        "248289761001",
        "kai@northwind.example",
        "Kai Moreno",
        "GB",
    )


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["leads", "admins"], Role.ADMINISTRATOR),
        (["leads"], Role.CO_ADMINISTRATOR),
        ("admins", Role.ADMINISTRATOR),
        (["sales"], Role.USER),
        (None, Role.USER),
    ],
)
def test_the_role_is_the_highest_any_group_maps_to_else_the_default(
    groups: Any, role: Role
) -> None:
    assert rules.profile(PROVIDER, {**CLAIMS, "groups": groups}).role is role


def test_without_a_groups_claim_the_role_stays_as_set_in_entitle() -> None:
    from dataclasses import replace

    assert rules.profile(replace(PROVIDER, groups_claim=""), CLAIMS).role is None


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"email": None}, "gave no 'email' claim"),
        ({"email": "kai@elsewhere.example"}, "whose domain it does not sign in here"),
        ({"email": "not an address"}, "which is no email address"),
        ({"country": "Great Britain"}, "not two letters"),
    ],
)
def test_claims_that_cannot_make_a_user_are_refused_saying_which(
    changes: dict[str, Any], said: str
) -> None:
    with pytest.raises(DomainError) as refused:
        rules.profile(PROVIDER, {**CLAIMS, **changes})
    assert refused.value.code == "SSO_LOGIN_FAILED"
    assert said in refused.value.message


@pytest.mark.parametrize("issuer", ["login.example.com", "ftp://x.example", "https://a b"])
def test_an_issuer_is_an_http_url(issuer: str) -> None:
    with pytest.raises(DomainError) as refused:
        rules.issuer(issuer)
    assert refused.value.field == "issuer"


def test_email_domains_are_lower_case_without_repeats() -> None:
    assert rules.email_domains(["Northwind.example", "@northwind.example", "b.example"]) == (
        "northwind.example",
        "b.example",
    )
