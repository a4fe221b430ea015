"""Every stable code a refusal carries: its HTTP status and what it means.

Clients switch on the ``code`` of a problem+json answer (and the CLI's refusals carry the same
codes); each refusal's own message says what was wrong that time, the sentence here what the
code means in general. The OpenAPI document lists, for each operation, the codes it can answer
with these statuses and sentences.
"""

from __future__ import annotations

from enum import Enum, unique


@unique
class Code(Enum):
    status: int
    sentence: str

    def __init__(self, status: int, sentence: str) -> None:
        self.status = status
        self.sentence = sentence

    # Requests that the API or its middleware refuse before any use case runs.
    INVALID_INPUT = 422, "A field is missing or malformed; `errors` names each one."
    BAD_REQUEST = 400, "The request cannot be read (a malformed form or body)."
    NOT_FOUND = 404, "No route answers this path."
    METHOD_NOT_ALLOWED = 405, "The path does not answer this method."
    BODY_TOO_LARGE = (
        413,
        "The request body is over the server's limit: 1 MiB, an import file 4 MiB.",
    )
    CROSS_SITE_REQUEST = 403, "An unsafe request whose Origin is another site than the server."
    NOT_AUTHENTICATED = 401, "No valid API token or session cookie came with the request."
    CSRF_TOKEN_MISSING = 403, "A request made with the session cookie lacks its CSRF token."
    INTERNAL_ERROR = 500, "Something failed on the server; the server's log has the details."
    DATABASE_UNAVAILABLE = 503, "The database does not answer; retry after Retry-After seconds."
    STORAGE_FULL = 503, "The server's storage is full; retry after Retry-After seconds."

    # Logins and tokens.
    LOGIN_FAILED = 401, "The email or password is not right."
    TOO_MANY_LOGIN_ATTEMPTS = 429, "Too many failed logins a minute for the account or address."
    TOKEN_NOT_FOUND = 404, "The caller has no API token with this id."
    LABEL_TOO_LONG = 422, "An API token's label is over 200 characters."
    PASSWORDS_NOT_ALLOWED = 401, "The organisation signs in through its identity provider only."
    SSO_LOGIN_FAILED = 401, "Signing in through the identity provider failed; see the message."
    LANGUAGE_NOT_SUPPORTED = 422, "The language is not one of the portal's: en, de or ja."

    # The organisation's identity provider (OpenID Connect single sign-on).
    IDENTITY_PROVIDER_NOT_FOUND = 404, "The organisation has no identity provider registered."
    IDENTITY_PROVIDER_INVALID = 422, "A setting of the identity provider is missing or malformed."
    EMAIL_DOMAIN_TAKEN = 409, "Another organisation's identity provider signs in this domain."
    IDENTITY_PROVIDER_UNREACHABLE = (
        422,
        "The identity provider's discovery document or keys cannot be fetched or are wrong.",
    )

    # Signing in entitle-tool from the portal's /device page (RFC 8628).
    USER_CODE_UNKNOWN = 422, "No sign-in of entitle-tool waits with this code."
    USER_CODE_EXPIRED = 422, "The sign-in code has expired; run entitle-tool login again."
    USER_CODE_ANSWERED = 409, "The sign-in was approved or denied already."
    TOO_MANY_USER_CODES = 429, "Too many wrong sign-in codes a minute for the user."

    # Who may do what.
    ROLE_CANNOT_MANAGE_CHECKOUTS = (
        403,
        "Only Administrators and Co-Administrators do this.",
    )
    ROLE_CANNOT_READ_AUDIT = 403, "Only Administrators read the audit trail."
    ROLE_CANNOT_MANAGE_USERS = (
        403,
        "Only Administrators invite users or change their role, usage country or access.",
    )
    UNKNOWN_USER = 403, "The acting user is not registered."

    # Names and values a checkout is made of.
    COUNTRY_INVALID = 422, "A country is two letters (ISO 3166-1 alpha-2)."
    COUNTRY_NOT_ENTITLED = (
        422,
        "The country is none of the organisation's entitlement countries.",
    )
    CHECKOUTS_DISABLED = 422, "Checkouts are turned off for this entitlement country."
    COUNTRY_REQUIRED = 422, "The organisation has several entitlement countries: name one."
    LICENSE_SERVICE_UNKNOWN = 422, "The license service is neither SES nor SELECTserver."
    EMAIL_INVALID = 422, "The user is not an email address."
    MACHINE_NAME_INVALID = (
        422,
        "A machine name is 1 to 63 letters, digits and hyphens.",
    )
    ACTIVATION_KEY_NOT_ALLOWED = 422, "An SES checkout takes no activation key."
    ACTIVATION_KEY_REQUIRED = 422, "A SELECTserver checkout needs an activation key."
    ACTIVATION_KEY_NOT_IN_COUNTRY = 422, "The activation key is not one of the country's keys."
    APPLICATIONS_REQUIRED = 422, "A checkout holds at least one application."
    TOO_MANY_APPLICATIONS = 422, "A checkout holds at most 50 applications."
    APPLICATION_UNKNOWN = 422, "The application is not in the catalog."
    APPLICATION_NOT_IN_SERVICE = 422, "No version of the application uses this license service."
    APPLICATION_REPEATED = 422, "The same application and version is listed twice."
    LICENSE_SERVICES_MIXED = 422, "The versions use both license services: check out each apart."
    MACHINE_FINGERPRINT_INVALID = 422, "A machine fingerprint is 64 hexadecimal digits."
    EXPIRY_OR_DAYS = 422, "Give an expiry date or a number of days, not both."
    APPLICATION_REQUIRED = 422, "A catalog row names no application."
    VERSION_MALFORMED = 422, "A version is dotted numbers, such as 10.17.2.61."
    VERSION_UNKNOWN = 422, "The application has no such released version for the license service."
    CONTRACT_ENDED = 422, "The organisation's contract has ended."
    EXPIRY_TOO_SOON = 422, "The expiry date is before tomorrow."
    EXPIRY_AFTER_CAP = 422, "The expiry date is after the latest the country and contract allow."
    NOTES_TOO_LONG = 422, "A checkout's notes are over 2,000 characters."
    NOTES_NOT_TEXT = 422, "A checkout's notes hold a control character (not a line break or tab)."
    EXTENSION_NOT_LATER = 422, "An extension's expiry date is not after the checkout's current one."
    TIMESTAMP_OUT_OF_RANGE = 422, "A timestamp is too far in the past or future to convert to UTC."

    # Checkout policies (entitle.domain.policy): each refusal names the policy and who can
    # change it.
    APPLICATION_EXCLUDED = 422, "The country's policy excludes the application from checkout."
    APPLICATION_NOT_ALLOWED = 422, "The application is not on the country's allow-list."
    SELF_SERVICE_OFF = 403, "Self-service checkout is turned off for the entitlement country."
    SELF_SERVICE_NOT_ALLOWED_FOR_USER = (
        403,
        "Self-service checkout in the country is open to listed users only, not this one.",
    )
    SELF_SERVICE_DAYS_OVER_MAX = 422, "The expiry is beyond the longest self-service checkout."
    SELF_SERVICE_MAX_DAYS_RANGE = (
        422,
        "A longest self-service checkout is 1 day to the country's longest checkout.",
    )
    ALLOW_LIST_EMPTY = 422, "An allow-list of applications names at least one application."
    APPLICATION_RULES_BOTH = 422, "Applications are allowed or excluded by one list, not both."
    POLICY_LIST_TOO_LONG = 422, "A policy lists at most 500 applications and 500 users."
    SELF_SERVICE_USER_UNKNOWN = 422, "A listed self-service user is not a user of the organisation."

    # Request files (entitle.domain.request_file).
    REQUEST_FILE_INVALID = 422, "The file is not a checkout request (entitle-checkout-request/1)."

    # Checkouts imported from a CSV file (entitle.domain.checkout_import).
    IMPORT_FILE_TOO_LARGE = 413, "An import file is over 4 MiB; split it."
    IMPORT_TOO_MANY_ROWS = 422, "An import file holds over 10,000 rows; split it."
    IMPORT_NOT_TEXT = 422, "An import file is not UTF-8 text (or holds a NUL character)."
    IMPORT_FILE_EMPTY = 422, "An import file has no header row, or no row after it."
    IMPORT_COLUMN_UNKNOWN = 422, "An import file's header names a column the import does not know."
    IMPORT_COLUMN_MISSING = 422, "An import file's header lacks a required column."
    IMPORT_COLUMN_REPEATED = 422, "An import file's header names a column twice."
    IMPORT_ROW_MALFORMED = 422, "An import row has more cells than the header has columns."
    IMPORT_DUPLICATE = 422, "Two import rows check out one application for one user and machine."
    IMPORT_ROWS_INVALID = 422, "Rows of the import broke a rule, so nothing was created."
    IMPORT_NOT_FOUND = 404, "The organisation has no import with this id."

    # Checkouts and their check-in.
    CHECKOUT_NOT_FOUND = 404, "The organisation has no checkout with this id."
    ALREADY_CHECKED_IN = 409, "The checkout is checked in already."
    ALREADY_EXPIRED = 409, "The checkout has expired: it was checked in at its expiry."
    NON_SELECT_CHECK_IN = 403, "Organisations without SELECT check in from the workstation only."
    IDS_COUNT = 422, "A bulk request names between 1 and 1000 checkout ids."
    IDEMPOTENCY_KEY_INVALID = 422, "An Idempotency-Key has 1 to 200 printable ASCII characters."
    IDEMPOTENCY_KEY_REUSED = 409, "The Idempotency-Key was used before for another request."
    IDEMPOTENCY_RACE = 409, "A concurrent request with the same Idempotency-Key won; retry."
    SIGNING_CERTIFICATE_ENDS = 409, "The signing certificate ends before the expiry; rotate keys."
    CHECKOUT_ID_MISMATCH = 422, "The receipt's checkout_id is not the checkout in the path."
    RECEIPT_NOT_RECOGNISED = 404, "No checkout matches the receipt's checkout and file digest."
    CLEARED_BEFORE_CHECKOUT = 422, "The receipt's clear time is before the checkout was made."
    CLEARED_AFTER_RECEIPT = 422, "The receipt's clear time is after the server received it."

    # Listing, the catalog and the trust documents.
    SORT_FIELD_UNKNOWN = 422, "The list cannot be sorted by this field."
    STATUS_UNKNOWN = 422, "The status filter is not a checkout status."
    PAGE = 422, "Pages start at 1."
    PAGE_SIZE = 422, "A page holds between 1 and 500 items."
    APPLICATION_NOT_FOUND = 404, "The catalog has no application of this name."
    KEYS_NOT_PUBLISHED = 404, "This server publishes no keys."
    ORGANISATION_NOT_FOUND = 404, "No organisation of this name or id exists here."

    # Usage reports.
    GROUP_BY_UNKNOWN = 422, "A report groups by user, machine, application, country, day or month."
    GROUP_BY_DAY_AND_MONTH = 422, "A report groups by day or by month, not both."
    DAILY_BY_UNKNOWN = 422, "Daily usage is by user or by machine."
    DATE_OUT_OF_RANGE = 422, "A report's days lie between 2000-01-01 and 2999-12-31."
    RANGE_EMPTY = 422, "A report's 'from' is before its 'to' (which it excludes)."
    RANGE_TOO_LONG = 422, "A report covers at most three years."

    # Webhooks and notifications (entitle.domain.webhooks, entitle.domain.events).
    ROLE_CANNOT_MANAGE_WEBHOOKS = (
        403,
        "Only the organisation's Administrators keep its webhooks and notifications.",
    )
    WEBHOOK_URL_INVALID = 422, "The webhook URL is not a full URL without credentials."
    WEBHOOK_URL_NOT_HTTPS = 422, "Webhooks are sent over https only."
    WEBHOOK_URL_INTERNAL = 422, "The webhook URL names a loopback, private or internal address."
    WEBHOOK_EVENT_TYPE_UNKNOWN = 422, "An event type is not one entitle sends."
    WEBHOOK_NOT_FOUND = 404, "The organisation has no webhook endpoint with this id."
    WEBHOOK_DELIVERY_NOT_FOUND = 404, "The endpoint has no delivery with this id."
    WEBHOOK_DISABLED = 409, "The endpoint is disabled: enable it first."
    USAGE_ALERT_THRESHOLD = 422, "A usage alert's threshold is a whole number from 1 to 1,000,000."
    USAGE_ALERT_NOT_FOUND = 404, "The organisation has no usage alert with this id."
    REMINDER_DAYS_INVALID = 422, "Reminder days are whole days from 1 to 90, at most five."
    WEBHOOK_DESCRIPTION_NOT_TEXT = 422, "A webhook description holds a control character."

    # Administration from the `entitle` command.
    NAME_REQUIRED = 422, "The organisation needs a name."
    ORGANISATION_EXISTS = 409, "An organisation of this name exists already."
    USER_EXISTS = 409, "A user with this email exists already."
    USER_NOT_FOUND = 404, "No user has this email."
    USER_ID_NOT_FOUND = 404, "The organisation has no user with this id."
    LAST_ADMINISTRATOR = (
        409,
        "The organisation's last active Administrator cannot be demoted or deactivated.",
    )
    USER_DEACTIVATED = 409, "The user is deactivated: reactivate them first."
    SET_PASSWORD_LINK_INVALID = (
        422,
        "The set-password link is unknown, used already or expired: ask for a new one.",
    )
    ROLE_UNKNOWN = 422, "The role is not one of the known roles."
    PASSWORD_TOO_SHORT = 422, "A password has at least 8 characters."
    PASSWORDS_DIFFER = 422, "The password and its confirmation differ."
    MAX_DAYS_RANGE = 422, "A country's longest checkout is 1 to 365 days."
    KEYS_REQUIRED = 422, "Give at least one activation key."
    ACTIVATION_KEY_INVALID = 422, "An activation key is 1 to 64 letters, digits and hyphens."
    ACTIVATION_KEY_TAKEN = 409, "The activation key belongs to another country or organisation."
    ACTIVATION_KEY_NOT_FOUND = 404, "The organisation has no such activation key."
    CATALOG_HEADER = 422, "The catalog file's header is not application,version,license_service."
    CATALOG_ROW = 422, "A catalog row is malformed."
    CATALOG_EMPTY = 422, "The catalog file lists no versions."
    CATALOG_TOO_LARGE = 422, "A catalog file is at most 512 KiB."
    CATALOG_SERVICE_CHANGE = (
        422,
        "A catalog row gives a known version another license service; imports only add.",
    )
    ROLE_CANNOT_CHANGE_CATALOG = (
        403,
        "Only Administrators of an organisation that maintains the catalog import it.",
    )
    DATE_INVALID = 422, "A date is written as YYYY-MM-DD."
    DATE_RANGE_REVERSED = 422, "The range's first day is after its last."
    FILE_UNREADABLE = 422, "The file cannot be read."
    NO_DATABASE = 422, "There is no database yet; 'entitle db upgrade' creates it."
    BACKUP_EXISTS = 422, "The backup's destination exists already."
    BACKUP_NEEDS_PG_DUMP = 422, "PostgreSQL is backed up with pg_dump, not by entitle."
    BACKUP_DAMAGED = 422, "The backup copy failed its integrity check."


DATABASE = (Code.DATABASE_UNAVAILABLE, Code.STORAGE_FULL)
"""What any request that reads or writes the database can meet."""
