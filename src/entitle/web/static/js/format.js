// Dates in the browser's locale. Expiry is a whole day: the last day the license is valid.

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const formatDay = (isoDay) => (isoDay ? dateOnly.format(new Date(`${isoDay}T00:00:00Z`)) : "");

export const formatMoment = (iso) => (iso ? dateTime.format(new Date(iso)) : "");

export const STATUS_LABELS = { active: "Active", expired: "Expired", checked_in: "Checked in" };

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

export const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** How a checkout was made, and how it was checked in, in the portal's words. */
export const CREATED_VIA_LABELS = {
  admin: "Administrator",
  request_file: "Request file",
  self_service: "Self-service",
};

export const CHECK_IN_LABELS = {
  portal: "By an administrator",
  client: "From the workstation",
  expiry: "At expiry",
};

export function createdVia(checkout) {
  return CREATED_VIA_LABELS[checkout.created_via] ?? checkout.created_via ?? "";
}
