"""The Usage page: booked usage per group, per day or month, and the peak, for administrators.

The page's script asks ``GET /api/v1/usage`` for its figures; the server only draws the form,
whose ranges are whole UTC days counted from the server's clock, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from entitle.api.auth import CSRF_FIELD, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.calendar import add_months
from entitle.domain.model import LicenseService
from entitle.service.account import account
from entitle.service.translations import N_
from entitle.store.usage import GROUPS
from entitle.web.pages import login_redirect, not_allowed
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
USAGE_PATH = "/usage"
DEFAULT_GROUP_BY = ("user",)
# Message ids, here and in the presets: the page translates them.
GROUP_LABELS = {
    "user": N_("User"),
    "machine": N_("Machine name"),
    "application": N_("Application"),
    "country": N_("Entitlement Country"),
    "day": N_("Day"),
    "month": N_("Month"),
}


@dataclass(frozen=True)
class RangePreset:
    """A named range of UTC days; ``last`` is included, unlike the API's ``to``. ``label`` is
    a message id."""

    key: str
    label: str
    first: date
    last: date


def range_presets(today: date) -> list[RangePreset]:
    """The ranges offered by name; the first is the page's default."""
    month_start = today.replace(day=1)
    previous_month = add_months(month_start, -1)
    return [
        RangePreset("last-30-days", N_("Last 30 days"), today - timedelta(days=29), today),
        RangePreset("this-month", N_("This month so far"), month_start, today),
        RangePreset(
            "last-month", N_("Last month"), previous_month, month_start - timedelta(days=1)
        ),
        RangePreset(
            "last-12-months",
            N_("Last 12 months"),
            add_months(today, -12) + timedelta(days=1),
            today,
        ),
        RangePreset("this-year", N_("This year so far"), today.replace(month=1, day=1), today),
    ]


@router.get(USAGE_PATH, response_class=HTMLResponse)
def usage_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    mine = account(services, actor.email)
    if not mine.manages_checkouts:
        return not_allowed(request, mine, actor.csrf_token)
    today = services.now().date()
    return templates.TemplateResponse(
        request,
        "usage.html",
        {
            "account": mine,
            "current_page": "usage",
            "today": today,
            "presets": range_presets(today),
            "groups": [(g, GROUP_LABELS[g]) for g in GROUPS],
            "default_group_by": DEFAULT_GROUP_BY,
            "countries": [c.country for c in mine.organisation.countries],
            "license_services": [s.value for s in LicenseService],
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
        },
    )
