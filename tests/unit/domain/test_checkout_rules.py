from datetime import date

import pytest

from entitle.domain.checkouts import (
    CheckoutRequest,
    plan_checkout,
    require_check_in_allowed,
)
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from entitle.domain.model import (
    ActivationKey,
    ApplicationVersion,
    CheckoutPolicy,
    LicenseService,
    Organisation,
    Role,
    User,
)
from entitle.domain.versions import Version
from tests.unit.domain.test_listing import NOW, checkout

TODAY = date(2026, 11, 28)
SES, SS = LicenseService.SES, LicenseService.SELECTSERVER
ORG = Organisation(
    1,
    "Northwind",
    True,
    date(2027, 6, 30),
    (CheckoutPolicy("US"), CheckoutPolicy("GB", max_days=90), CheckoutPolicy("FR", False)),
)
ADMIN = User(1, 1, "admin@example.com", "Admin", "US", Role.ADMINISTRATOR)
RELEASES = {
    "atlas": [
        ApplicationVersion("Atlas", Version.parse("10.17.2.61"), SES),
        ApplicationVersion("Atlas", Version.parse("10.17.1.5"), SES),
        ApplicationVersion("Atlas", Version.parse("10.12.0.40"), SS),
    ],
    "bridge": [ApplicationVersion("Bridge", Version.parse("24.0.1.5"), SES)],
}
KEYS = [ActivationKey("US-KEY-1", "US"), ActivationKey("GB-KEY-1", "GB")]


def request(**changes: object) -> CheckoutRequest:
    fields: dict[str, object] = {
        "country": "US",
        "license_service": "SES",
        "user": "ana@example.com",
        "machine": "WS-1",
        "applications": [("Atlas", "10.17.2.61"), ("bridge", "24.0.1.5")],
    }
    fields.update(changes)
    return CheckoutRequest(**fields)  # type: ignore[arg-type]


def plan(req: CheckoutRequest, actor: User = ADMIN):  # type: ignore[no-untyped-def]
    return plan_checkout(req, ORG, actor, RELEASES, KEYS, TODAY)


def refusal_codes(req: CheckoutRequest) -> set[str]:
    with pytest.raises(DomainError) as refused:
        plan(req)
    return {e.code for e in refused.value.errors}


def test_valid_ses_checkout_uses_canonical_names_and_defaults_to_the_cap() -> None:
    planned = plan(request())
    assert [(line.application, str(line.version)) for line in planned.lines] == [
        ("Atlas", "10.17.2.61"),
        ("Bridge", "24.0.1.5"),
    ]
    assert planned.expires_on == date(2027, 6, 30)
    assert planned.activation_key is None


def test_selectserver_checkout_needs_a_key_of_the_chosen_country() -> None:
    req = request(license_service="SELECTserver", applications=[("Atlas", "10.12.0.40")])
    assert refusal_codes(req) == {"ACTIVATION_KEY_REQUIRED"}
    assert refusal_codes(
        request(
            license_service="SELECTserver",
            applications=[("Atlas", "10.12.0.40")],
            activation_key="GB-KEY-1",
        )
    ) == {"ACTIVATION_KEY_NOT_IN_COUNTRY"}
    planned = plan(
        request(
            license_service="selectserver",
            applications=[("Atlas", "10.12.0.40")],
            activation_key="us-key-1",
        )
    )
    assert planned.activation_key == "US-KEY-1"
    assert planned.license_service is SS


def test_ses_checkout_must_not_name_a_key() -> None:
    assert refusal_codes(request(activation_key="US-KEY-1")) == {"ACTIVATION_KEY_NOT_ALLOWED"}


def test_versions_of_another_license_service_are_refused_with_candidates() -> None:
    with pytest.raises(InvalidInput) as refused:
        plan(request(applications=[("Atlas", "10.12.0.40")]))
    assert refused.value.code == "VERSION_UNKNOWN"
    assert "10.17.2.61" in refused.value.message


def test_partial_version_is_refused_with_the_closest_full_versions() -> None:
    with pytest.raises(InvalidInput) as refused:
        plan(request(applications=[("Atlas", "10.17")]))
    assert "closest: 10.17.2.61, 10.17.1.5" in refused.value.message


def test_zero_padded_version_is_the_same_release() -> None:
    planned = plan(request(applications=[("Atlas", "10.17.02.61")]))
    assert str(planned.lines[0].version) == "10.17.2.61"


def test_application_only_in_other_service_is_refused() -> None:
    req = request(
        license_service="SELECTserver",
        activation_key="US-KEY-1",
        applications=[("Bridge", "24.0.1.5")],
    )
    assert refusal_codes(req) == {"APPLICATION_NOT_IN_SERVICE"}


def test_repeated_application_version_and_unknown_application_are_refused() -> None:
    assert refusal_codes(
        request(applications=[("Atlas", "10.17.2.61"), ("atlas", "10.17.02.61")])
    ) == {"APPLICATION_REPEATED"}
    assert refusal_codes(request(applications=[("Nope", "1.0")])) == {"APPLICATION_UNKNOWN"}
    assert refusal_codes(request(applications=[])) == {"APPLICATIONS_REQUIRED"}


def test_two_versions_of_one_application_are_allowed() -> None:
    planned = plan(request(applications=[("Atlas", "10.17.2.61"), ("Atlas", "10.17.1.5")]))
    assert len(planned.lines) == 2


def test_every_bad_field_is_reported_at_once() -> None:
    codes = refusal_codes(
        request(user="nobody", machine="bad name", country="GB", expires_on=date(2027, 5, 1))
    )
    assert codes == {"EMAIL_INVALID", "MACHINE_NAME_INVALID", "EXPIRY_AFTER_CAP"}


def test_country_must_be_entitled_and_enabled() -> None:
    assert refusal_codes(request(country="DE")) == {"COUNTRY_NOT_ENTITLED"}
    assert refusal_codes(request(country="FR")) == {"CHECKOUTS_DISABLED"}


def test_country_maximum_caps_the_expiry() -> None:
    assert plan(request(country="GB")).expires_on == date(2027, 2, 26)


def test_users_cannot_create_checkouts() -> None:
    user = User(2, 1, "ana@example.com", "Ana", "US", Role.USER)
    with pytest.raises(Forbidden):
        plan(request(), user)
    co_admin = User(3, 1, "co@example.com", "Co", "US", Role.CO_ADMINISTRATOR)
    assert plan(request(), co_admin).user_email == "ana@example.com"


def test_non_select_accounts_cannot_check_in_from_the_portal() -> None:
    studio = Organisation(2, "Studio", False, date(2027, 6, 30), (CheckoutPolicy("US"),))
    with pytest.raises(Forbidden) as refused:
        require_check_in_allowed(checkout(NOW.replace(year=2027)), studio, NOW)
    assert refused.value.code == "NON_SELECT_CHECK_IN"
    assert "licensing tool" in refused.value.message


def test_check_in_of_expired_or_checked_in_checkout_conflicts() -> None:
    from datetime import timedelta

    with pytest.raises(Conflict):
        require_check_in_allowed(checkout(NOW - timedelta(days=1)), ORG, NOW)
    with pytest.raises(Conflict):
        require_check_in_allowed(
            checkout(NOW + timedelta(days=1), checked_in_at=NOW - timedelta(hours=1)), ORG, NOW
        )
    require_check_in_allowed(checkout(NOW + timedelta(days=1)), ORG, NOW)
