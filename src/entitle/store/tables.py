"""The schema. Alembic migrations create it; this module is what queries are written against."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both stores (SQLite keeps no zone, so it is restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("has_select", Boolean, nullable=False),
    Column("contract_end", Date, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Its Administrators may import the catalog, which every organisation shares.
    Column("maintains_catalog", Boolean, nullable=False, server_default=false()),
)

organisation_countries = Table(
    "organisation_countries",
    metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("checkouts_enabled", Boolean, nullable=False, default=True),
    Column("max_days", Integer, nullable=False, default=365),
    # The rest of the country's checkout policy (entitle.domain.policy), set by administrators.
    Column("self_service", Boolean, nullable=False, server_default=false()),
    Column("self_service_max_days", Integer, nullable=False, server_default=text("30")),
    Column("application_rule", String(8), nullable=False, server_default="all"),
    Column("applications", JSON(none_as_null=True), nullable=False, server_default="[]"),
    # NULL: every user of the organisation may self-serve; else a list of emails.
    Column("self_service_users", JSON(none_as_null=True)),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("usage_country", String(2), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    # Set while an Administrator has deactivated the user: no login, no session, no token.
    Column("deactivated_at", UTCDateTime),
    Column("last_login_at", UTCDateTime),
    # The subject ("sub") of the user at the organisation's identity provider, once they
    # signed in through it.
    Column("identity_subject", String(255)),
    # The provider's latest refresh token for the user, if it gives them: entitle-tool's token
    # refresh uses it to learn whether the provider still signs the user in.
    Column("identity_refresh_token", Text),
    # The user's own language for the portal and their e-mails (entitle.domain.languages);
    # NULL: the portal follows the browser, e-mails are in English.
    Column("language", String(8)),
)
# Users are found by email without regard to case (store.organisations.user_by_email).
Index("ix_users_email_lower", func.lower(users.c.email))

# An organisation's OpenID Connect provider (entitle.domain.identity_provider): one each.
identity_providers = Table(
    "identity_providers",
    metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("client_secret", String(500), nullable=False),
    Column("email_domains", JSON(none_as_null=True), nullable=False),
    Column("passwords_allowed", Boolean, nullable=False),
    Column("jit", Boolean, nullable=False),
    Column("default_role", String(32), nullable=False),
    Column("name_claim", String(100), nullable=False),
    Column("email_claim", String(100), nullable=False),
    Column("country_claim", String(100), nullable=False),
    Column("groups_claim", String(100), nullable=False),
    Column("group_roles", JSON(none_as_null=True), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False, unique=True),
)

application_versions = Table(
    "application_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("application_id", ForeignKey("applications.id"), nullable=False),
    Column("version", String(64), nullable=False),
    Column("version_key", String(64), nullable=False),
    Column("license_service", String(16), nullable=False),
    UniqueConstraint("application_id", "version_key"),
)

activation_keys = Table(
    "activation_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("key", String(64), nullable=False, unique=True),
    # A retired key is neither offered nor accepted for new checkouts.
    Column("retired_at", UTCDateTime),
    Index(None, "organisation_id", "country"),
)

checkouts = Table(
    "checkouts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("country", String(2), nullable=False),
    Column("license_service", String(16), nullable=False),
    Column("user_email", String(254), nullable=False),
    Column("user_display_name", String(200)),
    Column("machine", String(63), nullable=False),
    Column("machine_key", String(63), nullable=False),
    Column("activation_key", String(64)),
    # One line of text, "App 1.2.3.4, Other 5.6", so the list sorts and shows without a join.
    Column("applications_summary", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("checked_in_at", UTCDateTime),
    Column("checked_in_by", String(254)),
    Column("check_in_method", String(16)),
    # A client check-in: the clear time the workstation's receipt states, by its own clock.
    # The check-in itself (checked_in_at) is when the server received the receipt.
    Column("client_cleared_at", UTCDateTime),
    Column("license_file", LargeBinary, nullable=False),
    Column("license_digest", String(64), nullable=False),
    # How the checkout was made (entitle.domain.model.CreatedVia), and the workstation's
    # fingerprint its license file is bound to, when it is.
    Column("created_via", String(16), nullable=False, server_default="admin"),
    Column("machine_fingerprint", String(64)),
    Column("notes", String(2000)),
    Index(None, "organisation_id", "checked_in_at", "expires_at"),
    Index(None, "organisation_id", "created_at"),
    Index(None, "organisation_id", "user_email"),
    Index(None, "organisation_id", "machine_key"),
    Index(None, "organisation_id", "country", "license_service"),
    Index(None, "organisation_id", "created_via"),
)

# License files a renewal replaced: the revocation list names them while they would verify.
superseded_license_files = Table(
    "superseded_license_files",
    metadata,
    Column("license_digest", String(64), primary_key=True),
    Column("checkout_id", ForeignKey("checkouts.id"), nullable=False, index=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("superseded_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "organisation_id", "expires_at"),
)

checkout_applications = Table(
    "checkout_applications",
    metadata,
    Column("checkout_id", ForeignKey("checkouts.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("application", String(200), nullable=False),
    Column("version", String(64), nullable=False),
    Column("version_key", String(64), nullable=False),
    # Each application of a checkout is one booking: its organisation and its booked 10-minute
    # intervals [start_interval, stop_interval), with the UTC months of the first and the last
    # (entitle.store.usage.booking_columns), copied here so usage reports read one table.
    Column("organisation_id", Integer, nullable=False),
    Column("start_interval", BigInteger, nullable=False),
    Column("stop_interval", BigInteger, nullable=False),
    Column("first_month", Integer, nullable=False),
    Column("last_month", Integer, nullable=False),
    Index(None, "application", "version_key"),
    Index(
        "ix_checkout_applications_usage",
        "organisation_id",
        "stop_interval",
        "start_interval",
        "first_month",
        "last_month",
        "application",
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_digest", String(64), nullable=False),
    Column("checkout_id", ForeignKey("checkouts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# A CSV import of checkouts (entitle.service.import_checkouts): who sent which file, under which
# Idempotency-Key, and each row's outcome (its checkout id, or its problems), from which its
# result sheet and the zip of its license files are made again on request.
checkout_imports = Table(
    "checkout_imports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("idempotency_key", String(200)),
    Column("request_digest", String(64), nullable=False),
    Column("file_digest", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("rows", JSON(none_as_null=True), nullable=False),
    UniqueConstraint("organisation_id", "idempotency_key"),
)

# A user's credential for the API: an API token (kind "api", its SHA-256 in token_hash), or
# a device credential (kind "device") that entitle-tool got by signing in (RFC 8628), whose
# access and refresh tokens are device_tokens rows. Revoking the row ends either at once.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), unique=True),
    Column("label", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("kind", String(16), nullable=False, default="api", server_default="api"),
    Column("machine", String(255)),
    Column("tool_version", String(64)),
    Column("last_used_at", UTCDateTime),
)

# A sign-in that entitle-tool started (RFC 8628): the device code is kept as its SHA-256, the
# user code without its dash. The user who answers it in the portal approves or denies it;
# the device code is then exchanged once (used_at) for the credential it made (token_id).
device_authorizations = Table(
    "device_authorizations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device_code_hash", String(64), nullable=False, unique=True),
    Column("user_code", String(16), nullable=False, unique=True),
    Column("client_id", String(64), nullable=False),
    Column("scope", String(200), nullable=False),
    Column("machine", String(255), nullable=False),
    Column("tool_version", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("interval", Integer, nullable=False),
    Column("last_polled_at", UTCDateTime),
    Column("user_id", ForeignKey("users.id")),
    Column("answered_at", UTCDateTime),
    Column("approved", Boolean),
    Column("used_at", UTCDateTime),
    Column("token_id", ForeignKey("api_tokens.id")),
)

# The access and refresh tokens of a device credential, each as its SHA-256. A refresh token
# is used once: refreshing replaces it (replaced_at) with a new one.
device_tokens = Table(
    "device_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_id", ForeignKey("api_tokens.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("replaced_at", UTCDateTime),
)

# User codes entered in the portal that matched no sign-in: a few a minute per user.
user_code_attempts = Table(
    "user_code_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "user_id", "at"),
)

# A portal session: the cookie carries a random id, and only its SHA-256 is kept here.
sessions = Table(
    "sessions",
    metadata,
    Column("id_digest", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("revoked_at", UTCDateTime),
)

# A one-time link to set a password (an invited user's first): only its SHA-256 is kept.
set_password_links = Table(
    "set_password_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_by", String(254), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "email", "at"),
    Index(None, "address", "at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(254), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("address", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)

settings = Table(
    "settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# The outbox: each event that leaves entitle (entitle.domain.events), written in the
# transaction of the change it tells of. ``event_id`` is the webhook-id of every delivery of
# it, so a receiver drops duplicates by it.
outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(40), nullable=False, unique=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("type", String(64), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("data", JSON(none_as_null=True), nullable=False),
    Index(None, "organisation_id", "id"),
)

# The time-driven events of a checkout: one row per checkout and threshold (days before its
# expiry; 0 for its expiry), so each is produced once however many servers look.
checkout_time_events = Table(
    "checkout_time_events",
    metadata,
    Column("checkout_id", ForeignKey("checkouts.id"), primary_key=True),
    Column("threshold", Integer, primary_key=True),
    Column("event_id", String(40), nullable=False),
)

# What an organisation chose to be told: the reminder days before a checkout's expiry, and
# who receives e-mail (the checkout's user; the active Administrators).
notification_settings = Table(
    "notification_settings",
    metadata,
    Column("organisation_id", ForeignKey("organisations.id"), primary_key=True),
    Column("reminder_days", JSON(none_as_null=True), nullable=False),
    Column("email_users", Boolean, nullable=False, server_default=true()),
    Column("email_administrators", Boolean, nullable=False, server_default=true()),
)

# Usage alerts: active checkouts above ``threshold`` (kind "active_checkouts"), or booked hours
# in a calendar month above it ("monthly_hours"), for the organisation or one application or
# country. ``above`` is set while the count is over (a crossing is told once, then re-armed
# when it falls back); ``fired_month`` is the month (year * 12 + month - 1) last told.
usage_alerts = Table(
    "usage_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("application", String(200)),
    Column("country", String(2)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("above", Boolean, nullable=False, server_default=false()),
    Column("fired_month", Integer),
)

# E-mails an event asked for, written with the event (when the server sends e-mail at all):
# pending until sent or given up, taken by a worker as webhook deliveries are.
email_messages = Table(
    "email_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", ForeignKey("outbox_events.event_id"), nullable=False, index=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime),
    Column("last_error", String(500)),
    Column("sent_at", UTCDateTime),
    Index(None, "next_attempt_at"),
)

# An organisation's webhook endpoints: the URL, the event types it wants (empty: all) and
# the secret deliveries are signed with (Standard Webhooks). A disabled one gets nothing.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id"), nullable=False, index=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(200), nullable=False, server_default=""),
    Column("event_types", JSON(none_as_null=True), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(254), nullable=False),
    Column("disabled_at", UTCDateTime),
    Column("disabled_reason", String(500)),
)

# One event to one endpoint: pending until delivered or given up. ``next_attempt_at`` is when
# a worker may take it next (NULL once it is done); a worker that takes it moves it ahead by
# its lease, so a worker that dies leaves it to another after the lease.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", ForeignKey("outbox_events.id"), nullable=False),
    Column("endpoint_id", ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime),
    Column("last_attempt_at", UTCDateTime),
    Column("last_status_code", Integer),
    Column("last_response_ms", Integer),
    Column("last_error", String(500)),
    Column("delivered_at", UTCDateTime),
    UniqueConstraint("event_id", "endpoint_id"),
    Index(None, "next_attempt_at"),
    Index(None, "endpoint_id", "id"),
)

# Every attempt of a delivery: the delivery log.
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("delivery_id", ForeignKey("webhook_deliveries.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer),
    Column("response_ms", Integer),
    Column("error", String(500)),
)
