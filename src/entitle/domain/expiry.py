"""How long a checkout may last: the one place the expiry cap is decided."""

from __future__ import annotations

from datetime import date, timedelta

from entitle.domain.calendar import add_years
from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.domain.policy import MAX_CHECKOUT_DAYS, CheckoutPolicy


def expiry_cap(
    today: date, contract_end: date, policy: CheckoutPolicy, *, self_service: bool = False
) -> date:
    """The latest expiry date a new checkout may have; also its default.

    The contract end when it is less than a year away, otherwise one year from today;
    never beyond the country's maximum duration, nor, for a checkout the user makes for
    themselves, beyond the country's longest self-service checkout.
    """
    year_from_today = add_years(today, 1)
    cap = contract_end if contract_end < year_from_today else year_from_today
    days = policy.longest_self_service if self_service else min(policy.max_days, MAX_CHECKOUT_DAYS)
    return min(cap, today + timedelta(days=days))


def choose_expiry(
    requested: date | None,
    today: date,
    contract_end: date,
    policy: CheckoutPolicy,
    *,
    self_service: bool = False,
    organisation: str = "the organisation",
    field: str = "expires_on",
) -> date:
    cap = expiry_cap(today, contract_end, policy, self_service=self_service)
    if cap <= today:
        raise InvalidInput(
            Code.CONTRACT_ENDED,
            f"The contract ended on {contract_end.isoformat()}: no checkout can be created.",
            field=field,
        )
    if requested is None:
        return cap
    if requested <= today:
        raise InvalidInput(
            Code.EXPIRY_TOO_SOON,
            f"Pick an expiry date from {(today + timedelta(days=1)).isoformat()} on.",
            field=field,
        )
    if requested > cap:
        if self_service and cap < expiry_cap(today, contract_end, policy):
            raise InvalidInput(
                Code.SELF_SERVICE_DAYS_OVER_MAX,
                f"Self-service checkouts in {policy.place} last at most "
                f"{policy.longest_self_service} days: the latest expiry date is "
                f"{cap.isoformat()}; pick that date or an earlier one, or ask an administrator "
                f"of {organisation} for a longer checkout.",
                field=field,
            )
        raise InvalidInput(
            Code.EXPIRY_AFTER_CAP,
            f"The latest expiry date allowed is {cap.isoformat()}; "
            "pick that date or an earlier one.",
            field=field,
        )
    return requested
