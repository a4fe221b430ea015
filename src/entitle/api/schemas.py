"""The JSON the API reads and writes: the contract clients rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.domain.listing import Listing, effective_check_in, status_of
from entitle.domain.model import (
    CheckInMethod,
    Checkout,
    CreatedVia,
    LicenseService,
    Role,
    Status,
    User,
)
from entitle.domain.names import country_name
from entitle.domain.policy import CheckoutPolicy

NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)]
CheckoutId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{64}$")]
StatusFilter = Listing
ApplicationRuleName = Literal["all", "allow", "exclude"]
T = TypeVar("T")

if TYPE_CHECKING:
    from entitle.store.checkouts import CheckoutPage


class Items(BaseModel, Generic[T]):
    items: list[T]


class ApplicationLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    version: ShortText


class CheckoutCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "country": "US",
                    "license_service": "SES",
                    "user": "ana@example.com",
                    "machine": "WS-0042",
                    "applications": [{"name": "Atlas Designer", "version": "10.17.2.61"}],
                    "expires_on": "2027-06-30",
                }
            ]
        },
    )
    country: ShortText = Field(examples=["US"])
    license_service: ShortText = Field(description="SES or SELECTserver", examples=["SES"])
    user: Text = Field(description="Email of the user the checkout is for")
    machine: ShortText = Field(description="Computer name", examples=["WS-0042"])
    activation_key: ShortText | None = Field(None, description="SELECTserver only")
    expires_on: date | None = Field(None, description="Defaults to the latest date allowed")
    applications: list[ApplicationLine] = Field(max_length=200)
    machine_fingerprint: ShortText | None = Field(
        None,
        description="The workstation's fingerprint from its request file: binds the license "
        "file to that machine beside its name; the checkout is shown as made from a request file",
    )


class CheckoutOut(BaseModel):
    id: str
    status: Status
    user: str
    user_display_name: str | None
    machine: str
    country: str
    license_service: LicenseService
    activation_key: str | None
    applications: list[ApplicationLine]
    created_at: datetime
    created_by: str
    created_via: CreatedVia = Field(
        description="admin: by an administrator (portal or API); request_file: by an "
        "administrator from a workstation's request file; self_service: by the user for "
        "themselves from the workstation"
    )
    machine_fingerprint: str | None = Field(
        description="The workstation fingerprint the license file is bound to, beside the name"
    )
    expires_at: datetime
    expires_on: date
    checked_in_at: datetime | None = Field(
        description="When the check-in took effect: the administrator's check-in, the server's "
        "receipt of the licensing tool's receipt, or the expiry; booking ends here"
    )
    checked_in_by: str | None
    check_in_method: CheckInMethod | None
    client_cleared_at: datetime | None = Field(
        description="A client check-in: when the licensing tool cleared the license, by the "
        "workstation's clock (shown, not booked)"
    )
    notes: str | None = Field(None, description="What administrators keep with the checkout")

    @classmethod
    def of(cls, checkout: Checkout, now: datetime) -> CheckoutOut:
        return cls.model_validate(cls.fields_of(checkout, now))

    @staticmethod
    def fields_of(checkout: Checkout, now: datetime) -> dict[str, Any]:
        """What the API shows of a checkout, as this model's fields: a page validates its 50
        at once (:meth:`CheckoutPageOut.of`), quicker than making 50 models one by one."""
        checked_in_at, checked_in_by, method = effective_check_in(checkout, now)
        return {
            "id": checkout.id,
            "status": status_of(checkout, now),
            "user": checkout.user_email,
            "user_display_name": checkout.user_display_name,
            "machine": checkout.machine,
            "country": checkout.country,
            "license_service": checkout.license_service,
            "activation_key": checkout.activation_key,
            "applications": [
                {"name": line.application, "version": str(line.version)} for line in checkout.lines
            ],
            "created_at": checkout.created_at,
            "created_by": checkout.created_by,
            "created_via": checkout.created_via,
            "machine_fingerprint": checkout.machine_fingerprint,
            "expires_at": checkout.expires_at,
            "expires_on": (checkout.expires_at - timedelta(microseconds=1)).date(),
            "checked_in_at": checked_in_at,
            "checked_in_by": checked_in_by,
            "check_in_method": method,
            "client_cleared_at": checkout.client_cleared_at,
            "notes": checkout.notes,
        }


class CheckoutPageOut(BaseModel):
    items: list[CheckoutOut]
    total: int
    page: int
    page_size: int
    last_page: int

    @classmethod
    def of(cls, page: CheckoutPage, now: datetime) -> CheckoutPageOut:
        return cls.model_validate(
            {
                "items": [CheckoutOut.fields_of(c, now) for c in page.items],
                "total": page.total,
                "page": page.page,
                "page_size": page.page_size,
                "last_page": page.last_page,
            }
        )


class Ids(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "ids": [
                        "3f2b8c4e-8d1a-4c3b-9e57-0a6f1d2c3b4a",
                        "9a0e1f2d-3c4b-4a59-8e7f-6d5c4b3a2f10",
                    ]
                }
            ]
        },
    )
    ids: list[CheckoutId] = Field(min_length=1, max_length=1000)


class CheckInError(BaseModel):
    status: int
    code: str
    message: str


class CheckInResultOut(BaseModel):
    id: str
    ok: bool
    checkout: CheckoutOut | None
    error: CheckInError | None


class ClientReceiptIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "checkout_id": "3f2b8c4e-8d1a-4c3b-9e57-0a6f1d2c3b4a",
                    "machine": "WS-0042",
                    "user_profile": "ana",
                    "cleared_at": "2027-03-14T09:30:00Z",
                    "license_digest": "9f86d081884c7d659a2feaa0c55ad015"
                    "a3bf4f1b2b0b822cd15d6c15b0f00a08",
                }
            ]
        },
    )
    checkout_id: CheckoutId
    machine: ShortText
    user_profile: Text
    cleared_at: datetime
    license_digest: Digest


class ReceiptOut(BaseModel):
    checkout_id: str
    status: Status
    checked_in_at: datetime | None
    check_in_method: CheckInMethod | None
    client_cleared_at: datetime | None


class CountryOut(BaseModel):
    country: str
    checkouts_enabled: bool
    max_days: int
    latest_expires_on: date | None


class LicenseServiceOut(BaseModel):
    name: LicenseService
    file_extension: str
    needs_activation_key: bool


class ApplicationOut(BaseModel):
    name: str


class VersionOut(BaseModel):
    version: str
    license_service: LicenseService


class CatalogApplicationOut(BaseModel):
    name: str
    versions: list[VersionOut] = Field(description="Newest first, each with its license service")


class CatalogPageOut(BaseModel):
    items: list[CatalogApplicationOut]
    total: int
    page: int
    page_size: int
    may_import: bool = Field(description="Whether the caller may import a catalog file")


class CatalogRowOut(BaseModel):
    line: int = Field(description="The row's line in the file (the header is line 1)")
    application: str
    version: str
    license_service: LicenseService
    new_application: bool = Field(description="The catalog has no version of it yet")


class CatalogProblemOut(BaseModel):
    line: int
    code: str = Field(description="A stable code, as problem+json's")
    message: str


class CatalogImportOut(BaseModel):
    sha256: str = Field(description="SHA-256 of the file as sent, in hex")
    applied: bool = Field(description="False: a preview (dry run), nothing was stored")
    added: int = Field(description="Versions this call added (0 in a preview)")
    new_applications: list[str]
    new_versions: list[CatalogRowOut]
    unchanged: list[CatalogRowOut] = Field(description="Rows the catalog holds already")
    problems: list[CatalogProblemOut] = Field(description="Every bad row; any stops the apply")


class UserOut(BaseModel):
    email: str
    display_name: str
    usage_country: str
    role: Role


class OrganisationUserOut(BaseModel):
    """A user as the organisation's Administrators see them."""

    id: int
    email: str
    display_name: str
    usage_country: str
    role: Role
    active: bool = Field(description="False once an Administrator deactivated the user")
    last_login_at: datetime | None = Field(
        None, description="The user's last portal login, if any since it was recorded"
    )

    @classmethod
    def of(cls, user: User) -> OrganisationUserOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            usage_country=user.usage_country,
            role=user.role,
            active=user.active,
            last_login_at=user.last_login_at,
        )


RoleName = Literal["Administrator", "Co-Administrator", "User"]


class UserInvite(BaseModel):
    """A user to add; they set their own password with the link in the answer."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "li.wei@example.com",
                    "display_name": "Li Wei",
                    "usage_country": "US",
                    "role": "User",
                }
            ]
        },
    )
    email: Text
    display_name: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""
    usage_country: ShortText
    role: RoleName = "User"


class UserChange(BaseModel):
    """What changes; a field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "Co-Administrator"}, {"active": False}]},
    )
    role: RoleName | None = None
    usage_country: ShortText | None = None
    active: bool | None = Field(
        None, description="false deactivates: the user's sessions and tokens end at once"
    )


class SetPasswordLinkOut(BaseModel):
    user: OrganisationUserOut
    url: str = Field(description="The one-time link, shown once; only its SHA-256 is stored")
    expires_at: datetime


ClaimName = Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]


class IdentityProviderIn(BaseModel):
    """The organisation's OpenID provider; ``client_secret`` left out keeps the stored one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Acme ID",
                    "issuer": "https://login.acme.example",
                    "client_id": "entitle",
                    "client_secret": "s3cr3t-from-the-provider",
                    "email_domains": ["acme.example"],
                    "passwords_allowed": False,
                    "jit": True,
                    "default_role": "User",
                    "country_claim": "country",
                    "groups_claim": "groups",
                    "group_roles": {"licensing-admins": "Administrator"},
                }
            ]
        },
    )
    name: Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)]
    issuer: Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)]
    client_id: Annotated[str, StringConstraints(max_length=255, pattern=NO_NUL)]
    client_secret: Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)] | None = None
    email_domains: list[Text] = Field(min_length=1, max_length=50)
    passwords_allowed: bool = Field(True, description="false: members sign in through it only")
    jit: bool = Field(True, description="Create a user at their first sign-in")
    default_role: RoleName = "User"
    name_claim: ClaimName = "name"
    email_claim: ClaimName = "email"
    country_claim: ClaimName = Field("country", description="The claim giving the usage country")
    groups_claim: ClaimName = Field(
        "", description="Empty: roles are kept as set in entitle, not taken from groups"
    )
    group_roles: dict[
        Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)], RoleName
    ] = Field(default_factory=dict, max_length=100, description="Group name to role")


class IdentityProviderOut(BaseModel):
    name: str
    issuer: str
    client_id: str
    client_secret_set: bool = Field(description="The secret itself is never answered")
    email_domains: list[str]
    passwords_allowed: bool
    jit: bool
    default_role: Role
    name_claim: str
    email_claim: str
    country_claim: str
    groups_claim: str
    group_roles: dict[str, Role]
    redirect_uri: str = Field(description="The redirect URI to register at the provider")


class ConnectionTestOut(BaseModel):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str | None = Field(
        description="Offered: logging out of entitle signs out at the provider too"
    )
    keys: int = Field(description="How many keys the provider publishes")


class ActivationKeyOut(BaseModel):
    key: str
    country: str


class AdminActivationKeyOut(ActivationKeyOut):
    retired: bool = Field(description="A retired key is neither offered nor accepted")


class ActivationKeysIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"keys": ["US-9QX4-TT71-AB20"]}]}
    )
    keys: list[ShortText] = Field(min_length=1, max_length=100)


class ActivationKeyChange(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"retired": True}]})
    retired: bool


class AuditEventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    subject: str
    address: str
    detail: str


class AuditPageOut(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    page_size: int


class LoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "admin@example.com", "password": "correct horse battery"}]
        },
    )
    email: Text
    password: Annotated[str, StringConstraints(max_length=1024)]


class ProfileOut(UserOut):
    """The caller's own profile."""

    language: str | None = Field(
        description="The portal's and the e-mails' language (en, de, ja); null: the browser's"
    )


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"language": "de"}]})

    language: str | None = Field(
        None,
        max_length=35,
        description="en, de or ja; null to follow the browser's Accept-Language",
    )


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str | None


class TokenCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"label": "nightly usage export"}]}
    )
    label: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class TokenOut(BaseModel):
    id: int
    kind: Literal["api", "device"] = Field(
        "api",
        description="`api`: an API token; `device`: entitle-tool signed in on a workstation "
        "(`entitle-tool login`)",
    )
    label: str
    created_at: datetime
    revoked_at: datetime | None
    machine: str | None = Field(None, description="The machine that signed in (device only)")
    tool_version: str | None = Field(
        None, description="The version of entitle-tool that signed in (device only)"
    )
    last_used_at: datetime | None = Field(
        None, description="When the device credential was last used, to the minute"
    )


class TokenCreatedOut(TokenOut):
    token: str = Field(description="Shown once; only its SHA-256 is stored")


class OAuthError(BaseModel):
    """An OAuth 2.0 error (RFC 6749 §5.2, RFC 8628 §3.5), not problem+json: OAuth clients
    read `error`."""

    error: str = Field(description="The error code, one of those the operation lists")
    error_description: str | None = Field(None, description="What went wrong, for people")
    error_uri: str | None = None


class DeviceAuthorizationForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"client_id": "entitle-tool", "machine": "WS-0042", "tool_version": "0.2.0"}
            ]
        }
    )
    client_id: Literal["entitle-tool"]
    scope: Literal["api"] | None = Field(
        None, description="`api`, the only scope (act as the user in this API); the default"
    )
    machine: str = Field(
        max_length=255, description="This machine's name, shown to the user who approves"
    )
    tool_version: str = Field(max_length=64, description="The version of entitle-tool asking")


class DeviceAuthorizationOut(BaseModel):
    device_code: str = Field(description="What the tool polls the token endpoint with")
    user_code: str = Field(
        description="What the user enters at verification_uri", examples=["BCDF-GHJK"]
    )
    verification_uri: str = Field(description="The portal's /device page")
    verification_uri_complete: str = Field(description="The /device page with the code filled in")
    expires_in: int = Field(description="Seconds until the codes expire")
    interval: int = Field(description="Seconds to wait between polls")


class TokenForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                    "client_id": "entitle-tool",
                    "device_code": "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
                }
            ]
        }
    )
    grant_type: Literal["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]
    client_id: Literal["entitle-tool"]
    device_code: str | None = Field(None, description="With the device code grant")
    refresh_token: str | None = Field(None, description="With the refresh token grant")
    scope: Literal["api"] | None = None


class AccessTokenOut(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <token>`")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token is good for")
    refresh_token: str = Field(description="Good once, for the next access token")
    scope: str


class RevocationForm(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "entitle-tool",
                    "token": "entr_9Yy1c0mZ5h6T2b8Q4sXwGk3r",
                    "token_type_hint": "refresh_token",
                }
            ]
        }
    )
    client_id: Literal["entitle-tool"]
    token: str = Field(description="An access or refresh token of the credential")
    token_type_hint: Literal["access_token", "refresh_token"] | None = None


class RevocationOut(BaseModel):
    """Empty: revocation answers 200 whether or not the token was known (RFC 7009 §2.2)."""


class HealthOut(BaseModel):
    status: str


class ReadinessOut(BaseModel):
    """What /readyz found, ready (200) or not (503)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ready", "database": "ok", "schema": "at head 0011_checkout_imports"},
                {
                    "status": "not ready",
                    "database": "ok",
                    "schema": "behind: at 0001, head 0011_checkout_imports",
                },
            ]
        }
    )
    status: Literal["ready", "not ready"]
    database: Literal["ok", "unreachable"] = Field(description="Whether the database answers")
    schema_: str = Field(
        alias="schema",
        description="`at head REV`, `behind: at REV, head REV`, `none: no schema, head REV`, "
        "`ahead/unknown revision: at REV, head REV`, or `unknown: head REV` when the database "
        "does not answer",
    )


def as_utc(moment: datetime | None, field: str) -> datetime | None:
    """A timestamp without a zone is UTC; one too far out to convert is refused."""
    if moment is None:
        return None
    try:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(
            Code.TIMESTAMP_OUT_OF_RANGE, f"{field} is out of range.", field=field
        ) from None


class PolicyOut(BaseModel):
    """An entitlement country's checkout policy (entitle.domain.policy)."""

    country: str
    country_name: str | None = Field(description="The country's English short name")
    checkouts_enabled: bool = Field(description="Set by the account manager")
    max_days: int = Field(description="The longest checkout in days; set by the account manager")
    self_service: bool = Field(description="Users may check out for themselves (workstation)")
    self_service_max_days: int = Field(
        description="The longest self-service checkout in days, never beyond max_days"
    )
    application_rule: ApplicationRuleName = Field(
        description="all: every application; allow: only `applications`; exclude: all but them"
    )
    applications: list[str]
    self_service_users: Literal["all"] | list[str] = Field(
        description="'all': every user of the organisation; else the emails of those who may"
    )

    @classmethod
    def of(cls, policy: CheckoutPolicy) -> PolicyOut:
        users = policy.self_service_users
        return cls(
            country=policy.country,
            country_name=country_name(policy.country),
            checkouts_enabled=policy.checkouts_enabled,
            max_days=policy.max_days,
            self_service=policy.self_service,
            self_service_max_days=policy.self_service_max_days,
            application_rule=policy.application_rule.value,
            applications=list(policy.applications),
            self_service_users="all" if users is None else list(users),
        )


class PolicyIn(BaseModel):
    """What an administrator changes; a field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "self_service": True,
                    "self_service_max_days": 14,
                    "application_rule": "exclude",
                    "applications": ["Road Planner"],
                    "self_service_users": "all",
                }
            ]
        },
    )
    self_service: bool | None = None
    self_service_max_days: int | None = Field(None, ge=1, le=365)
    application_rule: ApplicationRuleName | None = None
    applications: list[Text] | None = Field(None, max_length=500)
    self_service_users: Literal["all"] | list[Text] | None = Field(
        None,
        description="'all' for every user of the organisation, or a list of emails",
        max_length=500,
    )


class OwnApplication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application: Text
    version: ShortText


class OwnCheckoutCreate(BaseModel):
    """A user's checkout for themselves, as the licensing tool asks for it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "country": "DE",
                    "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
                    "days": 14,
                    "machine_name": "WS-0042",
                    "machine_fingerprint": "e3b0c44298fc1c149afbf4c8996fb924"
                    "27ae41e4649b934ca495991b7852b855",
                    "tool_version": "0.2.0",
                }
            ]
        },
    )
    country: ShortText | None = Field(
        None,
        description="Optional when the organisation has one country open to the user for "
        "self-service",
    )
    applications: list[OwnApplication] = Field(max_length=200)
    expires_on: date | None = Field(
        None, description="The last day; defaults to the latest the policy allows"
    )
    days: int | None = Field(None, ge=1, le=365, description="Instead of expires_on: from today")
    machine_name: ShortText = Field(description="This workstation's name", examples=["WS-0042"])
    machine_fingerprint: ShortText | None = Field(
        None, description="This workstation's fingerprint (entitle-tool machine): binds the file"
    )
    tool_version: ShortText | None = Field(None, description="The licensing tool's version")
    activation_key: ShortText | None = Field(
        None, description="SELECTserver only; defaults to the country's only key"
    )


class LicenseFileOut(BaseModel):
    name: str = Field(description="The file's name, .belic (SES) or .xml (SELECTserver)")
    media_type: str
    digest: str = Field(description="SHA-256 (hex) of the file's bytes")
    data: str = Field(description="The file's bytes, in base64")
    url: str = Field(description="Where to download the same file again")


class OwnCheckoutOut(BaseModel):
    checkout: CheckoutOut
    license_file: LicenseFileOut


class RenewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"days": 14, "machine_name": "WS-0042", "tool_version": "0.2.0"}]
        },
    )
    expires_on: date | None = Field(None, description="The new last day")
    days: int | None = Field(None, ge=1, le=365, description="Instead of expires_on: from today")
    machine_name: ShortText | None = Field(None, description="For the audit trail")
    tool_version: ShortText | None = Field(None, description="For the audit trail")


class ReturnIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"machine_name": "WS-0042", "tool_version": "0.2.0"}]},
    )
    machine_name: ShortText | None = Field(None, description="For the audit trail")
    tool_version: ShortText | None = Field(None, description="For the audit trail")


class OwnCountryOut(BaseModel):
    country: str
    country_name: str | None
    self_service: bool = Field(description="Whether the user may check out for themselves here")
    longest_days: int = Field(description="The longest self-service checkout, in days")
    latest_expires_on: date | None = Field(
        description="The latest expiry a self-service checkout made today may have"
    )
    refusal: str | None = Field(description="Why not, when the user may not, for people")


class CheckoutDraftOut(BaseModel):
    """A request file, read: what the new-checkout form is filled with."""

    machine: str
    machine_fingerprint: str
    os_user: str | None
    tool_version: str | None
    created_at: datetime | None
    country: str | None
    expires_on: date | None
    license_service: LicenseService | None = Field(
        description="The one the versions use, when the catalog knows them all and they agree"
    )
    applications: list[ApplicationLine]


REQUEST_FILE_EXAMPLE = {
    "format": "entitle-checkout-request/1",
    "machine_name": "LAB-AIRGAP-01",
    "machine_fingerprint": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "os_user": "ana",
    "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
    "expires_on": "2027-03-31",
    "country": "US",
    "created_at": "2027-01-15T09:30:00Z",
    "tool_version": "0.2.0",
}


WebhookEventType = Literal[
    "checkout.created",
    "checkout.renewed",
    "checkout.checked_in",
    "checkout.expiring",
    "checkout.expired",
    "policy.changed",
    "user.added",
    "user.deactivated",
    "signing_key.rotated",
    "webhook.disabled",
    "usage.alert",
]
WebhookUrl = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NO_NUL)]
WebhookDescription = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]


class WebhookEndpointIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://tickets.example.com/hooks/entitle",
                    "event_types": ["checkout.expiring", "checkout.expired"],
                    "description": "Ticketing",
                }
            ]
        },
    )
    url: WebhookUrl = Field(description="https://, outside loopback and private ranges")
    event_types: list[WebhookEventType] = Field(
        default_factory=list, max_length=20, description="The types to send; none: all of them"
    )
    description: WebhookDescription = ""


class WebhookEndpointChange(BaseModel):
    """What changes; a field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"enabled": True}, {"event_types": []}]}
    )
    url: WebhookUrl | None = None
    event_types: list[WebhookEventType] | None = Field(None, max_length=20)
    description: WebhookDescription | None = None
    enabled: bool | None = Field(
        None, description="true resumes a disabled endpoint's pending deliveries"
    )


class WebhookEndpointOut(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str] = Field(description="The types sent; empty: all of them")
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    created_by: str


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(
        description="The Standard Webhooks secret (whsec_…) that signs every delivery: shown "
        "only here; keep it where the receiver verifies signatures"
    )


class WebhookDeliveryOut(BaseModel):
    id: int
    event_id: str = Field(description="The webhook-id header of every attempt of it")
    event_type: str
    occurred_at: datetime
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_response_ms: int | None
    last_error: str | None
    delivered_at: datetime | None


class WebhookAttemptOut(BaseModel):
    at: datetime
    status_code: int | None
    response_ms: int | None
    error: str | None


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    attempts_log: list[WebhookAttemptOut]


class NotificationsOut(BaseModel):
    reminder_days: list[int] = Field(
        description="Days before a checkout's expiry when checkout.expiring is told (and "
        "e-mailed), longest first"
    )
    email_users: bool = Field(description="The checkout's user receives reminders and check-ins")
    email_administrators: bool = Field(description="The active Administrators receive reminders")


class NotificationsChange(BaseModel):
    """What changes; a field left out keeps its value."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reminder_days": [14, 3, 1]}]}
    )
    reminder_days: list[Annotated[int, Field(ge=1, le=90)]] | None = Field(None, max_length=5)
    email_users: bool | None = None
    email_administrators: bool | None = None


class UsageAlertIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "active_checkouts", "threshold": 40, "country": "US"}]
        },
    )
    kind: Literal["active_checkouts", "monthly_hours"] = Field(
        description="active_checkouts: checkouts out at once; monthly_hours: booked hours in a "
        "UTC calendar month"
    )
    threshold: int = Field(ge=1, le=1_000_000, description="Told when the usage goes above it")
    application: Text | None = Field(None, description="Only this application's usage")
    country: ShortText | None = Field(None, description="Only this entitlement country's usage")


class UsageAlertOut(BaseModel):
    id: int
    kind: str
    threshold: int
    application: str | None
    country: str | None
    above: bool = Field(description="active_checkouts: the usage is above now (told once)")
