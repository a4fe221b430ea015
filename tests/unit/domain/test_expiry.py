from datetime import date, timedelta

import pytest

from entitle.domain.errors import InvalidInput
from entitle.domain.expiry import choose_expiry, expiry_cap
from entitle.domain.model import CheckoutPolicy

TODAY = date(2026, 11, 28)
ANY_COUNTRY = CheckoutPolicy("US")


def test_expiry_is_capped_at_contract_end_when_under_a_year() -> None:
    contract_end = TODAY + timedelta(days=364)
    assert expiry_cap(TODAY, contract_end, ANY_COUNTRY) == contract_end


def test_contract_ending_exactly_a_year_away_caps_at_that_day() -> None:
    contract_end = TODAY + timedelta(days=365)
    assert contract_end == date(2027, 11, 28)
    assert expiry_cap(TODAY, contract_end, ANY_COUNTRY) == date(2027, 11, 28)


def test_expiry_is_one_year_when_contract_runs_longer() -> None:
    contract_end = TODAY + timedelta(days=366)
    assert expiry_cap(TODAY, contract_end, ANY_COUNTRY) == date(2027, 11, 28)


def test_a_year_from_a_leap_day_ends_on_the_last_day_of_february() -> None:
    leap_day = date(2028, 2, 29)
    assert expiry_cap(leap_day, date(2030, 1, 1), CheckoutPolicy("US")) == date(2029, 2, 28)


def test_a_year_spanning_a_leap_day_lasts_366_days() -> None:
    today = date(2027, 6, 1)
    cap = expiry_cap(today, date(2030, 1, 1), CheckoutPolicy("US", max_days=365))
    # One calendar year is 366 days here, but no country allows more than 365.
    assert cap == date(2028, 5, 31)


def test_country_maximum_shorter_than_contract_and_year_wins() -> None:
    settings = CheckoutPolicy("GB", max_days=90)
    assert expiry_cap(TODAY, TODAY + timedelta(days=200), settings) == TODAY + timedelta(days=90)
    assert expiry_cap(TODAY, TODAY + timedelta(days=800), settings) == TODAY + timedelta(days=90)


def test_no_date_given_defaults_to_the_cap() -> None:
    contract_end = TODAY + timedelta(days=100)
    assert choose_expiry(None, TODAY, contract_end, ANY_COUNTRY) == contract_end


def test_an_earlier_date_from_tomorrow_is_kept() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert choose_expiry(tomorrow, TODAY, TODAY + timedelta(days=100), ANY_COUNTRY) == tomorrow


@pytest.mark.parametrize("days", [0, -1])
def test_today_or_the_past_is_refused(days: int) -> None:
    with pytest.raises(InvalidInput) as refusal:
        choose_expiry(TODAY + timedelta(days=days), TODAY, TODAY + timedelta(days=100), ANY_COUNTRY)
    assert refusal.value.code == "EXPIRY_TOO_SOON"
    assert "2026-11-29" in refusal.value.message


def test_a_date_after_the_cap_is_refused_naming_the_cap() -> None:
    contract_end = TODAY + timedelta(days=100)
    with pytest.raises(InvalidInput) as refusal:
        choose_expiry(contract_end + timedelta(days=1), TODAY, contract_end, ANY_COUNTRY)
    assert refusal.value.code == "EXPIRY_AFTER_CAP"
    assert contract_end.isoformat() in refusal.value.message
    assert refusal.value.field == "expires_on"


def test_no_checkout_once_the_contract_has_ended() -> None:
    with pytest.raises(InvalidInput) as refusal:
        choose_expiry(None, TODAY, TODAY, ANY_COUNTRY)
    assert refusal.value.code == "CONTRACT_ENDED"
