"""What the portal says for each refusal code, for people, in the page's language.

A refusal's own message says precisely what was wrong that time, in English (the API's
``detail``); an English page shows it unchanged. A page in another language shows the code's
sentence here instead, translated where it is shown. The codes of ``API_ONLY`` reach no
portal user (the command line's administration, what only entitle-tool sends); the field codes
are those of the API's request validation (``errors[].code`` of INVALID_INPUT).
"""

from __future__ import annotations

from typing import Final

from entitle.domain.codes import Code
from entitle.service.translations import N_

SENTENCES: Final[dict[str, str]] = {
    # Requests refused before anything is done.
    Code.INVALID_INPUT.name: N_("Some of the information is missing or not valid."),
    Code.BAD_REQUEST.name: N_("The request could not be read. Reload the page and try again."),
    Code.NOT_FOUND.name: N_("This page or item does not exist."),
    Code.BODY_TOO_LARGE.name: N_("What you sent is too large."),
    Code.CROSS_SITE_REQUEST.name: N_("The request came from another site and was refused."),
    Code.NOT_AUTHENTICATED.name: N_("You are signed out. Sign in again."),
    Code.CSRF_TOKEN_MISSING.name: N_("Your session has changed. Reload the page and try again."),
    Code.INTERNAL_ERROR.name: N_("Something went wrong on the server. Please try again later."),
    Code.DATABASE_UNAVAILABLE.name: N_(
        "The service is briefly unavailable. Please try again in a moment."
    ),
    Code.STORAGE_FULL.name: N_("The server's storage is full. Please try again later."),
    # Signing in and tokens.
    Code.LOGIN_FAILED.name: N_("The email or password is not right."),
    Code.TOO_MANY_LOGIN_ATTEMPTS.name: N_(
        "Too many failed sign-ins. Wait a minute, then try again."
    ),
    Code.TOKEN_NOT_FOUND.name: N_("This API token does not exist."),
    Code.LABEL_TOO_LONG.name: N_("The label is too long: at most 200 characters."),
    Code.PASSWORDS_NOT_ALLOWED.name: N_(
        "Your organisation signs in through its identity provider only."
    ),
    Code.SSO_LOGIN_FAILED.name: N_("Signing in through your identity provider failed."),
    Code.LANGUAGE_NOT_SUPPORTED.name: N_("Choose English, Deutsch or 日本語."),
    # The organisation's identity provider.
    Code.IDENTITY_PROVIDER_NOT_FOUND.name: N_("No identity provider is set up yet."),
    Code.IDENTITY_PROVIDER_INVALID.name: N_(
        "A setting of the identity provider is missing or not valid."
    ),
    Code.EMAIL_DOMAIN_TAKEN.name: N_(
        "Another organisation's identity provider already signs in this email domain."
    ),
    Code.IDENTITY_PROVIDER_UNREACHABLE.name: N_(
        "The identity provider could not be reached, or its answer was not valid."
    ),
    # Signing in entitle-tool.
    Code.USER_CODE_UNKNOWN.name: N_("No sign-in waits with this code. Check the code."),
    Code.USER_CODE_EXPIRED.name: N_(
        "The code has expired. Run entitle-tool login again for a new one."
    ),
    Code.USER_CODE_ANSWERED.name: N_("This sign-in was approved or denied already."),
    Code.TOO_MANY_USER_CODES.name: N_("Too many wrong codes. Wait a minute, then try again."),
    # Who may do what.
    Code.ROLE_CANNOT_MANAGE_CHECKOUTS.name: N_(
        "Only Administrators and Co-Administrators can do this."
    ),
    Code.ROLE_CANNOT_READ_AUDIT.name: N_("Only Administrators can read the audit log."),
    Code.ROLE_CANNOT_MANAGE_USERS.name: N_("Only Administrators can manage users."),
    Code.UNKNOWN_USER.name: N_("Your account is not registered."),
    # A checkout's names and values.
    Code.COUNTRY_INVALID.name: N_("A country is a two-letter code, such as DE."),
    Code.COUNTRY_NOT_ENTITLED.name: N_(
        "This country is not one of your organisation's entitlement countries."
    ),
    Code.CHECKOUTS_DISABLED.name: N_("Checkouts are turned off for this country."),
    Code.COUNTRY_REQUIRED.name: N_("Choose a country."),
    Code.LICENSE_SERVICE_UNKNOWN.name: N_("Choose SES or SELECTserver as the license service."),
    Code.EMAIL_INVALID.name: N_("Enter a valid email address."),
    Code.MACHINE_NAME_INVALID.name: N_("A machine name has 1 to 63 letters, digits and hyphens."),
    Code.ACTIVATION_KEY_NOT_ALLOWED.name: N_("An SES checkout takes no activation key."),
    Code.ACTIVATION_KEY_REQUIRED.name: N_("A SELECTserver checkout needs an activation key."),
    Code.ACTIVATION_KEY_NOT_IN_COUNTRY.name: N_(
        "This activation key does not belong to the country."
    ),
    Code.APPLICATIONS_REQUIRED.name: N_("Choose at least one application."),
    Code.TOO_MANY_APPLICATIONS.name: N_("A checkout holds at most 50 applications."),
    Code.APPLICATION_UNKNOWN.name: N_("This application is not in the catalog."),
    Code.APPLICATION_NOT_IN_SERVICE.name: N_(
        "No version of this application uses the license service."
    ),
    Code.APPLICATION_REPEATED.name: N_("The same application and version is listed twice."),
    Code.LICENSE_SERVICES_MIXED.name: N_(
        "These versions use different license services: check out each one separately."
    ),
    Code.MACHINE_FINGERPRINT_INVALID.name: N_("A machine fingerprint has 64 hexadecimal digits."),
    Code.EXPIRY_OR_DAYS.name: N_("Give an expiry date or a number of days, not both."),
    Code.APPLICATION_REQUIRED.name: N_("A row names no application."),
    Code.VERSION_MALFORMED.name: N_("A version is dotted numbers, such as 10.17.2.61."),
    Code.VERSION_UNKNOWN.name: N_(
        "This version of the application is not released for the license service."
    ),
    Code.CONTRACT_ENDED.name: N_("Your organisation's contract has ended."),
    Code.EXPIRY_TOO_SOON.name: N_("The expiry date must be tomorrow or later."),
    Code.EXPIRY_AFTER_CAP.name: N_(
        "The expiry date is later than the country and the contract allow."
    ),
    Code.NOTES_TOO_LONG.name: N_("The notes are too long: at most 2,000 characters."),
    Code.NOTES_NOT_TEXT.name: N_("The notes contain a character that is not allowed."),
    Code.EXTENSION_NOT_LATER.name: N_("The new expiry date must be later than the current one."),
    Code.TIMESTAMP_OUT_OF_RANGE.name: N_("A date or time is too far in the past or future."),
    # Checkout policies.
    Code.APPLICATION_EXCLUDED.name: N_(
        "The country's policy excludes this application from checkout."
    ),
    Code.APPLICATION_NOT_ALLOWED.name: N_(
        "This application is not on the country's list of allowed applications."
    ),
    Code.SELF_SERVICE_OFF.name: N_("Self-service checkout is turned off for this country."),
    Code.SELF_SERVICE_NOT_ALLOWED_FOR_USER.name: N_(
        "Self-service checkout in this country is open to listed users only."
    ),
    Code.SELF_SERVICE_DAYS_OVER_MAX.name: N_(
        "The expiry is later than the longest self-service checkout allows."
    ),
    Code.SELF_SERVICE_MAX_DAYS_RANGE.name: N_(
        "The longest self-service checkout is 1 day up to the country's longest checkout."
    ),
    Code.ALLOW_LIST_EMPTY.name: N_("A list of allowed applications names at least one."),
    Code.APPLICATION_RULES_BOTH.name: N_("Allow or exclude applications with one list, not both."),
    Code.POLICY_LIST_TOO_LONG.name: N_("A policy lists at most 500 applications and 500 users."),
    Code.SELF_SERVICE_USER_UNKNOWN.name: N_("A listed user is not a user of your organisation."),
    # Request files and imports.
    Code.REQUEST_FILE_INVALID.name: N_("This file is not a checkout request."),
    Code.IMPORT_FILE_TOO_LARGE.name: N_("The file is larger than 4 MiB: split it."),
    Code.IMPORT_TOO_MANY_ROWS.name: N_("The file has more than 10,000 rows: split it."),
    Code.IMPORT_NOT_TEXT.name: N_("The file is not UTF-8 text."),
    Code.IMPORT_FILE_EMPTY.name: N_("The file has no header row, or no rows after it."),
    Code.IMPORT_COLUMN_UNKNOWN.name: N_("The header names a column the import does not know."),
    Code.IMPORT_COLUMN_MISSING.name: N_("The header lacks a required column."),
    Code.IMPORT_COLUMN_REPEATED.name: N_("The header names a column twice."),
    Code.IMPORT_ROW_MALFORMED.name: N_("A row has more cells than the header has columns."),
    Code.IMPORT_DUPLICATE.name: N_(
        "Two rows check out the same application for the same user and machine."
    ),
    Code.IMPORT_ROWS_INVALID.name: N_("Some rows are not valid, so nothing was created."),
    Code.IMPORT_NOT_FOUND.name: N_("This import does not exist."),
    # Checkouts and their check-in.
    Code.CHECKOUT_NOT_FOUND.name: N_("This checkout does not exist."),
    Code.ALREADY_CHECKED_IN.name: N_("This checkout is checked in already."),
    Code.ALREADY_EXPIRED.name: N_("This checkout has expired."),
    Code.NON_SELECT_CHECK_IN.name: N_(
        "Without SELECT, licenses are checked in on the workstation only."
    ),
    Code.IDS_COUNT.name: N_("Choose between 1 and 1,000 checkouts."),
    Code.IDEMPOTENCY_KEY_INVALID.name: N_("The request could not be read. Please try again."),
    Code.IDEMPOTENCY_KEY_REUSED.name: N_(
        "This request was sent before with other values. Reload the page and try again."
    ),
    Code.IDEMPOTENCY_RACE.name: N_("The same request is being handled already. Try again."),
    Code.SIGNING_CERTIFICATE_ENDS.name: N_(
        "The server's signing certificate ends before this expiry date. Ask your "
        "administrator to renew the keys."
    ),
    # Lists, the catalog.
    Code.SORT_FIELD_UNKNOWN.name: N_("The list cannot be sorted this way."),
    Code.STATUS_UNKNOWN.name: N_("This is not a checkout status."),
    Code.PAGE.name: N_("Pages start at 1."),
    Code.PAGE_SIZE.name: N_("A page shows between 1 and 500 items."),
    Code.APPLICATION_NOT_FOUND.name: N_("The catalog has no application of this name."),
    Code.ORGANISATION_NOT_FOUND.name: N_("This organisation does not exist."),
    # Usage reports.
    Code.GROUP_BY_UNKNOWN.name: N_(
        "A report groups by user, machine, application, country, day or month."
    ),
    Code.GROUP_BY_DAY_AND_MONTH.name: N_("Group by day or by month, not both."),
    Code.DAILY_BY_UNKNOWN.name: N_("Daily usage is shown by user or by machine."),
    Code.DATE_OUT_OF_RANGE.name: N_("Choose days between 2000-01-01 and 2999-12-31."),
    Code.RANGE_EMPTY.name: N_("The first day must be before the last."),
    Code.RANGE_TOO_LONG.name: N_("A report covers at most three years."),
    # Webhooks and notifications.
    Code.ROLE_CANNOT_MANAGE_WEBHOOKS.name: N_(
        "Only Administrators can manage webhooks and notifications."
    ),
    Code.WEBHOOK_URL_INVALID.name: N_("Enter a full URL, without a user name or password."),
    Code.WEBHOOK_URL_NOT_HTTPS.name: N_("Webhooks are sent over https only."),
    Code.WEBHOOK_URL_INTERNAL.name: N_("The URL names a loopback, private or internal address."),
    Code.WEBHOOK_EVENT_TYPE_UNKNOWN.name: N_("Choose event types that entitle sends."),
    Code.WEBHOOK_NOT_FOUND.name: N_("This webhook endpoint does not exist."),
    Code.WEBHOOK_DELIVERY_NOT_FOUND.name: N_("This delivery does not exist."),
    Code.WEBHOOK_DISABLED.name: N_("The endpoint is disabled: enable it first."),
    Code.USAGE_ALERT_THRESHOLD.name: N_("The threshold is a whole number from 1 to 1,000,000."),
    Code.USAGE_ALERT_NOT_FOUND.name: N_("This usage alert does not exist."),
    Code.REMINDER_DAYS_INVALID.name: N_("Reminder days are whole days from 1 to 90, at most five."),
    Code.WEBHOOK_DESCRIPTION_NOT_TEXT.name: N_(
        "The description contains a character that is not allowed."
    ),
    # Users, countries, keys and the catalog.
    Code.USER_EXISTS.name: N_("A user with this email exists already."),
    Code.USER_NOT_FOUND.name: N_("No user has this email."),
    Code.USER_ID_NOT_FOUND.name: N_("This user does not exist."),
    Code.LAST_ADMINISTRATOR.name: N_(
        "The last active Administrator cannot be demoted or deactivated."
    ),
    Code.USER_DEACTIVATED.name: N_("This user is deactivated: reactivate them first."),
    Code.SET_PASSWORD_LINK_INVALID.name: N_(
        "This link is unknown, used already or expired. Ask your administrator for a new one."
    ),
    Code.ROLE_UNKNOWN.name: N_("Choose one of the roles."),
    Code.PASSWORD_TOO_SHORT.name: N_("A password has at least 8 characters."),
    Code.PASSWORDS_DIFFER.name: N_("The two passwords differ: type the same one twice."),
    Code.MAX_DAYS_RANGE.name: N_("The longest checkout is 1 to 365 days."),
    Code.KEYS_REQUIRED.name: N_("Enter at least one activation key."),
    Code.ACTIVATION_KEY_INVALID.name: N_(
        "An activation key has 1 to 64 letters, digits and hyphens."
    ),
    Code.ACTIVATION_KEY_TAKEN.name: N_(
        "This activation key belongs to another country or organisation."
    ),
    Code.ACTIVATION_KEY_NOT_FOUND.name: N_("This activation key does not exist."),
    Code.CATALOG_HEADER.name: N_("The file's header must be application,version,license_service."),
    Code.CATALOG_ROW.name: N_("A row of the file is not valid."),
    Code.CATALOG_EMPTY.name: N_("The file lists no versions."),
    Code.CATALOG_TOO_LARGE.name: N_("The file is larger than 512 KiB."),
    Code.CATALOG_SERVICE_CHANGE.name: N_(
        "A row gives a known version another license service; an import only adds versions."
    ),
    Code.ROLE_CANNOT_CHANGE_CATALOG.name: N_(
        "Only Administrators of the organisation that maintains the catalog can import it."
    ),
    Code.DATE_INVALID.name: N_("Enter a date as YYYY-MM-DD."),
    Code.DATE_RANGE_REVERSED.name: N_("The first day is after the last."),
    # What the API's request validation names for a field (INVALID_INPUT's errors).
    "MISSING": N_("This field is required."),
    "STRING_TOO_SHORT": N_("This is too short."),
    "STRING_TOO_LONG": N_("This is too long."),
    "STRING_TYPE": N_("Enter text here."),
    "STRING_PATTERN_MISMATCH": N_("This is not in the expected form."),
    "INT_PARSING": N_("Enter a whole number."),
    "INT_TYPE": N_("Enter a whole number."),
    "INT_FROM_FLOAT": N_("Enter a whole number."),
    "FLOAT_PARSING": N_("Enter a number."),
    "BOOL_PARSING": N_("Choose yes or no."),
    "GREATER_THAN": N_("This number is too small."),
    "GREATER_THAN_EQUAL": N_("This number is too small."),
    "LESS_THAN": N_("This number is too large."),
    "LESS_THAN_EQUAL": N_("This number is too large."),
    "DATE_PARSING": N_("Enter a date as YYYY-MM-DD."),
    "DATE_FROM_DATETIME_PARSING": N_("Enter a date as YYYY-MM-DD."),
    "DATE_TYPE": N_("Enter a date as YYYY-MM-DD."),
    "DATETIME_PARSING": N_("Enter a date and time."),
    "DATETIME_FROM_DATE_PARSING": N_("Enter a date and time."),
    "ENUM": N_("Choose one of the listed values."),
    "LITERAL_ERROR": N_("Choose one of the listed values."),
    "TOO_SHORT": N_("Choose at least one."),
    "TOO_LONG": N_("Too many are chosen."),
    "LIST_TYPE": N_("This is not a list."),
    "JSON_INVALID": N_("The request could not be read. Reload the page and try again."),
    "MODEL_ATTRIBUTES_TYPE": N_("The request could not be read. Reload the page and try again."),
    "DICT_TYPE": N_("The request could not be read. Reload the page and try again."),
    "EXTRA_FORBIDDEN": N_("This field is not expected here."),
    "VALUE_ERROR": N_("This value is not valid."),
    "URL_PARSING": N_("Enter a full URL."),
}
"""Each code's sentence in English: translate it where it is shown (gettext)."""

API_ONLY: Final[frozenset[Code]] = frozenset(
    {
        # A portal page is never asked for with another method; its missing page is a page.
        Code.METHOD_NOT_ALLOWED,
        # Only entitle-tool sends receipts of a cleared license file.
        Code.CHECKOUT_ID_MISMATCH,
        Code.RECEIPT_NOT_RECOGNISED,
        Code.CLEARED_BEFORE_CHECKOUT,
        Code.CLEARED_AFTER_RECEIPT,
        Code.KEYS_NOT_PUBLISHED,
        # The `entitle` command's administration.
        Code.NAME_REQUIRED,
        Code.ORGANISATION_EXISTS,
        Code.FILE_UNREADABLE,
        Code.NO_DATABASE,
        Code.BACKUP_EXISTS,
        Code.BACKUP_NEEDS_PG_DUMP,
        Code.BACKUP_DAMAGED,
    }
)
"""Codes no portal user meets: they have no sentence of the portal."""
