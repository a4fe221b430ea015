"""Checkout policies: every way of making a checkout meets the same guards, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from entitle.domain.checkouts import CheckoutRequest, plan_checkout
from entitle.domain.errors import DomainError, Forbidden, InvalidInput
from entitle.domain.expiry import expiry_cap
from entitle.domain.model import CreatedVia, Organisation, Role, User
from entitle.domain.policy import ApplicationRule, CheckoutPolicy, validated
from tests.unit.domain.test_checkout_rules import ADMIN, KEYS, RELEASES, TODAY

DE = CheckoutPolicy("DE", self_service=True, self_service_max_days=14)
ACME = Organisation(1, "ACME", True, date(2027, 6, 30), (DE,))
ANA = User(3, 1, "ana@example.com", "Ana", "DE", Role.USER)


def own(**changes: object) -> CheckoutRequest:
    fields: dict[str, object] = {
        "country": "",
        "license_service": None,
        "user": ANA.email,
        "machine": "WS-1",
        "applications": [("Atlas", "10.17.2.61")],
        "via": CreatedVia.SELF_SERVICE,
    }
    fields.update(changes)
    return CheckoutRequest(**fields)  # type: ignore[arg-type]


def plan(request: CheckoutRequest, policy: CheckoutPolicy = DE, actor: User = ANA):  # type: ignore[no-untyped-def]
    organisation = replace(ACME, countries=(policy,))
    return plan_checkout(request, organisation, actor, RELEASES, KEYS, TODAY)


def refusal(
    request: CheckoutRequest, policy: CheckoutPolicy = DE, actor: User = ANA
) -> DomainError:
    with pytest.raises(DomainError) as refused:
        plan(request, policy, actor)
    return refused.value


def test_a_plain_user_checks_out_for_themselves_with_the_service_of_the_versions() -> None:
    made = plan(own(days=10))
    assert made.country == "DE"
    assert made.user_email == "ana@example.com"
    assert made.license_service.value == "SES"
    assert made.expires_on == TODAY + timedelta(days=10)
    assert made.via is CreatedVia.SELF_SERVICE


def test_self_service_off_refuses_naming_the_country_and_who_can_turn_it_on() -> None:
    refused = refusal(own(), replace(DE, self_service=False))
    assert isinstance(refused, Forbidden)
    assert refused.code == "SELF_SERVICE_OFF"
    assert refused.message == (
        "Self-service checkout is turned off for Germany (DE); "
        "an administrator of ACME can turn it on."
    )


def test_a_day_over_the_self_service_maximum_is_refused_with_the_latest_date() -> None:
    assert plan(own(days=14)).expires_on == TODAY + timedelta(days=14)
    refused = refusal(own(days=15))
    assert refused.code == "SELF_SERVICE_DAYS_OVER_MAX"
    assert refused.field == "days"
    assert "at most 14 days" in refused.message
    assert (TODAY + timedelta(days=14)).isoformat() in refused.message
    assert refusal(own(expires_on=TODAY + timedelta(days=15))).field == "expires_on"


def test_the_self_service_maximum_never_goes_beyond_the_country_maximum() -> None:
    policy = CheckoutPolicy("DE", max_days=10, self_service=True, self_service_max_days=60)
    cap = expiry_cap(TODAY, date(2030, 1, 1), policy, self_service=True)
    assert cap == TODAY + timedelta(days=10)
    # Beyond the country's own maximum, the refusal is the country's, not self-service's.
    assert refusal(own(days=11), policy).code == "EXPIRY_AFTER_CAP"


def test_an_excluded_application_is_refused_for_administrators_too() -> None:
    policy = replace(DE, application_rule=ApplicationRule.EXCLUDE, applications=("atlas",))
    refused = refusal(own(), policy)
    assert refused.code == "APPLICATION_EXCLUDED"
    assert refused.field == "applications"
    assert refused.message == (
        "Atlas is excluded from checkout in Germany (DE); an administrator of ACME can allow it."
    )
    admin_request = own(
        via=CreatedVia.ADMIN, country="DE", license_service="SES", user="bo@example.com"
    )
    assert refusal(admin_request, policy, ADMIN).code == "APPLICATION_EXCLUDED"
    assert plan(own(applications=[("bridge", "24.0.1.5")]), policy).lines


def test_an_allow_list_admits_only_its_applications() -> None:
    policy = replace(DE, application_rule=ApplicationRule.ALLOW, applications=("Bridge",))
    assert refusal(own(), policy).code == "APPLICATION_NOT_ALLOWED"
    assert plan(own(applications=[("bridge", "24.0.1.5")]), policy).lines


def test_a_user_not_listed_for_self_service_is_refused() -> None:
    policy = replace(DE, self_service_users=("bo@example.com",))
    refused = refusal(own(), policy)
    assert refused.code == "SELF_SERVICE_NOT_ALLOWED_FOR_USER"
    assert "ana@example.com is not listed" in refused.message
    assert plan(own(), replace(policy, self_service_users=("ANA@example.com",)))


def test_checkouts_off_is_the_first_refusal_even_for_self_service() -> None:
    assert refusal(own(), replace(DE, checkouts_enabled=False)).code == "CHECKOUTS_DISABLED"


def test_without_a_country_the_only_one_open_to_the_user_is_chosen() -> None:
    closed = CheckoutPolicy("FR")
    organisation = replace(ACME, countries=(closed, DE))
    made = plan_checkout(own(), organisation, ANA, RELEASES, KEYS, TODAY)
    assert made.country == "DE"
    both = replace(ACME, countries=(replace(closed, self_service=True), DE))
    with pytest.raises(InvalidInput) as refused:
        plan_checkout(own(), both, ANA, RELEASES, KEYS, TODAY)
    assert refused.value.code == "COUNTRY_REQUIRED"
    assert "DE, FR" in refused.value.message or "FR, DE" in refused.value.message


def test_versions_of_both_license_services_are_refused_together() -> None:
    mixed = own(applications=[("Atlas", "10.12.0.40"), ("bridge", "24.0.1.5")])
    assert refusal(mixed).code == "LICENSE_SERVICES_MIXED"


def test_a_bad_fingerprint_and_days_with_a_date_are_both_named() -> None:
    refused = refusal(own(machine_fingerprint="xyz", days=3, expires_on=TODAY))
    assert {e.code for e in refused.errors} == {"MACHINE_FINGERPRINT_INVALID", "EXPIRY_OR_DAYS"}


def test_a_policy_is_validated_field_by_field() -> None:
    with pytest.raises(DomainError) as refused:
        validated(
            CheckoutPolicy(
                "DE",
                max_days=30,
                self_service_max_days=31,
                application_rule=ApplicationRule.ALLOW,
                self_service_users=("ana@example.com", "not an email"),
            )
        )
    assert {(e.code, e.field) for e in refused.value.errors} == {
        ("SELF_SERVICE_MAX_DAYS_RANGE", "self_service_max_days"),
        ("ALLOW_LIST_EMPTY", "applications"),
        ("EMAIL_INVALID", "self_service_users[1]"),
    }
    kept = validated(CheckoutPolicy("DE", applications=("Atlas",)))
    assert kept.applications == ()  # every application: no list is kept
