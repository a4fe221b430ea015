"""How long a checkout may last: the one place the expiry cap is decided."""

from __future__ import annotations

from datetime import date, timedelta

from entitle.domain.calendar import add_years
from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.domain.model import MAX_CHECKOUT_DAYS, CountrySettings


def expiry_cap(today: date, contract_end: date, settings: CountrySettings) -> date:
    """The latest expiry date a new checkout may have; also its default.

    The contract end when it is less than a year away, otherwise one year from today;
    never beyond the country's maximum duration.
    """
    year_from_today = add_years(today, 1)
    cap = contract_end if contract_end < year_from_today else year_from_today
    country_limit = today + timedelta(days=min(settings.max_days, MAX_CHECKOUT_DAYS))
    return min(cap, country_limit)


def choose_expiry(
    requested: date | None, today: date, contract_end: date, settings: CountrySettings
) -> date:
    cap = expiry_cap(today, contract_end, settings)
    if cap <= today:
        raise InvalidInput(
            Code.CONTRACT_ENDED,
            f"The contract ended on {contract_end.isoformat()}: no checkout can be created.",
            field="expires_on",
        )
    if requested is None:
        return cap
    if requested <= today:
        raise InvalidInput(
            Code.EXPIRY_TOO_SOON,
            f"Pick an expiry date from {(today + timedelta(days=1)).isoformat()} on.",
            field="expires_on",
        )
    if requested > cap:
        raise InvalidInput(
            Code.EXPIRY_AFTER_CAP,
            f"The latest expiry date allowed is {cap.isoformat()}; "
            "pick that date or an earlier one.",
            field="expires_on",
        )
    return requested
