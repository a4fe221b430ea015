// Dates and numbers in the page's language (in the reader's own variant of it, such as en-GB,
// when the browser prefers one). Expiry is a whole day: the last day the license is valid.

import { locale, t } from "./i18n.js";

export { locale };

const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
const numbers = new Intl.NumberFormat(locale);

export const formatDay = (isoDay) => (isoDay ? dateOnly.format(new Date(`${isoDay}T00:00:00Z`)) : "");

export const formatMoment = (iso) => (iso ? dateTime.format(new Date(iso)) : "");

export const formatNumber = (value) => numbers.format(value);

// The catalog is in place before any module runs, so these are in the page's language.
export const STATUS_LABELS = { active: t("Active"), expired: t("Expired"), checked_in: t("Checked in") };

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text that may be cut: one line ending in an ellipsis, the full text as its tooltip. */
export function clipped(text, className = "") {
  const safe = escapeHtml(text);
  return `<span class="clip${className ? ` ${className}` : ""}" title="${safe}">${safe}</span>`;
}

export function userLabel(checkout) {
  return checkout.user_display_name || checkout.user;
}

/** English only: counts in text shown to people go through tn() from ./i18n.js instead. */
export const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** How a checkout was made, and how it was checked in, in the portal's words. */
export const CREATED_VIA_LABELS = {
  admin: t("Administrator"),
  request_file: t("Request file"),
  self_service: t("Self-service"),
};

export const CHECK_IN_LABELS = {
  portal: t("By an administrator"),
  client: t("From the workstation"),
  expiry: t("At expiry"),
};

export function createdVia(checkout) {
  return CREATED_VIA_LABELS[checkout.created_via] ?? checkout.created_via ?? "";
}
