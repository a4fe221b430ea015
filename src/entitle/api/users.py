"""The organisation's users, as its Administrators run them (Co-Administrators read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    Items,
    OrganisationUserOut,
    SetPasswordLinkOut,
    UserChange,
    UserInvite,
)
from entitle.domain.codes import Code
from entitle.service import users
from entitle.service.users import CHANGE_REFUSALS, INVITE_REFUSALS, LINK_REFUSALS

router = APIRouter(prefix="/admin", tags=["administration"])
UserId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The user's id")]


def link_out(request: Request, link: users.SetPasswordLink) -> SetPasswordLinkOut:
    return SetPasswordLinkOut(
        user=OrganisationUserOut.of(link.user),
        url=str(request.base_url).rstrip("/") + link.path,
        expires_at=link.expires_at,
    )


@router.get(
    "/users",
    summary="Every user of the organisation (Administrators, Co-Administrators)",
    operation_id="listOrganisationUsers",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def list_users(actor: Actor, services: ServicesDep) -> Items[OrganisationUserOut]:
    """The caller's organisation's users, deactivated ones included, by email: role, usage
    country, whether active, and the last portal login."""
    return Items(items=[OrganisationUserOut.of(u) for u in users.list_users(services, actor.user)])


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a user; answers their one-time set-password link (Administrators)",
    operation_id="inviteUser",
    openapi_extra=refuses(*INVITE_REFUSALS),
)
def invite_user(
    body: UserInvite, request: Request, actor: Actor, services: ServicesDep
) -> SetPasswordLinkOut:
    """Add a user to the caller's organisation with a role and a usage country (one of the
    entitlement countries). The user has no password yet: the answer's `url` lets them set
    one, once, within 7 days, and signs them in. It is shown only here: give it to the user."""
    link = users.invite_user(
        services,
        actor.user,
        body.email,
        body.display_name,
        body.usage_country,
        body.role,
        actor.address,
    )
    return link_out(request, link)


@router.patch(
    "/users/{user_id}",
    summary="Change a user's role, usage country or access (Administrators)",
    operation_id="changeUser",
    openapi_extra=refuses(*CHANGE_REFUSALS),
)
def change_user(
    user_id: UserId, body: UserChange, actor: Actor, services: ServicesDep
) -> OrganisationUserOut:
    """A field left out keeps its value. `active: false` deactivates the user: they cannot log
    in, and their portal sessions, API tokens and device credentials end at once (reactivating
    gives none of them back). The last active Administrator can be neither demoted nor
    deactivated. Audited."""
    changed = users.change_user(
        services,
        actor.user,
        user_id,
        role=body.role,
        usage_country=body.usage_country,
        active=body.active,
        address=actor.address,
    )
    return OrganisationUserOut.of(changed)


@router.post(
    "/users/{user_id}/set-password-link",
    status_code=status.HTTP_201_CREATED,
    summary="A new one-time set-password link for a user (Administrators)",
    operation_id="issueSetPasswordLink",
    openapi_extra=refuses(*LINK_REFUSALS),
)
def issue_link(
    user_id: UserId, request: Request, actor: Actor, services: ServicesDep
) -> SetPasswordLinkOut:
    """For a lost invitation or a forgotten password: the user's earlier unused links end, and
    the new one is shown only here."""
    return link_out(
        request, users.issue_set_password_link(services, actor.user, user_id, actor.address)
    )
