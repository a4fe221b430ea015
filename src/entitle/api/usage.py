"""Usage reports: booked minutes per group as JSON or CSV, and peak concurrent machines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.domain.codes import Code
from entitle.service.usage import (
    GROUP_BY_REFUSALS,
    RANGE_AND_FILTER_REFUSALS,
    peak_usage,
    report_csv,
    usage_report,
)
from entitle.store.usage import UsageFilters

router = APIRouter(tags=["usage"])
CSV = "text/csv"


class UsageParams(BaseModel):
    """The range is the UTC days ``[from, to)``; filters are exact matches."""

    from_: date = Field(alias="from", description="First UTC day of the range")
    to: date = Field(description="The day after the last one: the range excludes it")
    user: str | None = Field(None, max_length=254)
    machine: str | None = Field(None, max_length=63)
    application: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=2)
    license_service: str | None = Field(None, max_length=16)

    def filters(self) -> UsageFilters:
        return UsageFilters(
            self.user, self.machine, self.application, self.country, self.license_service
        )


class UsageOut(BaseModel):
    organisation: str
    from_: date = Field(serialization_alias="from")
    to: date
    group_by: list[str]
    generated_at: datetime
    total_minutes: int
    items: list[dict[str, str | int]] = Field(
        description="Per group: its keys (user, machine, application, country, day or month), "
        "minutes (whole 10-minute intervals booked) and duration as 'D HH:MM'"
    )


class PeakOut(BaseModel):
    machines: int = Field(description="Most distinct machines in one 10-minute interval")
    first_at: datetime | None = Field(description="Start of the first interval with that many")


@router.get(
    "/usage",
    summary="Booked usage per group over a range of UTC days (Administrators, Co-Administrators)",
    response_model=UsageOut,
    response_model_by_alias=True,
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}}},
    operation_id="getUsageReport",
    openapi_extra=refuses(
        Code.ROLE_CANNOT_MANAGE_CHECKOUTS, *RANGE_AND_FILTER_REFUSALS, *GROUP_BY_REFUSALS
    ),
)
def usage(
    params: Annotated[UsageParams, Query()],
    actor: Actor,
    services: ServicesDep,
    group_by: Annotated[
        list[str] | None,
        Query(description="user, machine, application, country, day or month; repeatable"),
    ] = None,
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    accept: Annotated[str | None, Header()] = None,
) -> UsageOut | Response:
    """Booked minutes per group over the UTC days `[from, to)`: a checkout books every whole
    10-minute interval from its creation to its check-in or expiry. Group by user, machine,
    application, country, and day or month; `format=csv` or `Accept: text/csv` answers CSV."""
    report = usage_report(
        services, actor.email, params.from_, params.to, group_by or [], params.filters()
    )
    if format == "csv" or (format is None and CSV in (accept or "")):
        name = f"usage-{report.from_}-{report.to}.csv"
        return Response(
            report_csv(report),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return UsageOut(
        organisation=report.organisation,
        from_=report.from_,
        to=report.to,
        group_by=list(report.group_by),
        generated_at=report.generated_at,
        total_minutes=report.total_minutes,
        items=report.items(),
    )


@router.get(
    "/usage/peak",
    summary="Most distinct machines checked out at once in a range",
    operation_id="getPeakUsage",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, *RANGE_AND_FILTER_REFUSALS),
)
def peak(params: Annotated[UsageParams, Query()], actor: Actor, services: ServicesDep) -> PeakOut:
    """The most distinct machines booked in one 10-minute interval of the range, and the
    first interval that had that many."""
    found = peak_usage(services, actor.email, params.from_, params.to, params.filters())
    return PeakOut(machines=found.machines, first_at=found.first_at)
