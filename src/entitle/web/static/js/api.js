// Calls to /api/v1 with the session cookie and the CSRF header; errors carry problem+json.

import { problemMessage, t } from "./i18n.js";

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? "";

export class ApiError extends Error {
  constructor(status, problem) {
    // The message is what the portal shows: the refusal in the page's language.
    const code = problem.code ?? "";
    super(problemMessage(code, problem.detail) || problem.title || t("The server answered {status}.", { status }));
    this.status = status;
    this.code = code;
    this.detail = problem.detail ?? "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

/** A field error of a problem (`errors[]`), as the portal shows it at its field. */
export const fieldMessage = (item) => problemMessage(item?.code ?? "", item?.message ?? "");

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText };
  }
}

export async function request(path, { method = "GET", params, body, file, headers = {} } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const sent = { Accept: "application/json, application/problem+json", ...headers };
  if (method !== "GET") sent[meta("csrf-header") || "X-CSRF-Token"] = meta("csrf-token");
  if (body !== undefined) sent["Content-Type"] = "application/json";
  // A file goes as it is (a CSV to import), under its own type.
  if (file !== undefined) sent["Content-Type"] = file.type || "application/octet-stream";
  const response = await fetch(url, {
    method,
    headers: sent,
    credentials: "same-origin",
    body: file ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  if (response.status === 401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response;
}

export const getJson = async (path, params) => (await request(path, { params })).json();

export const postJson = async (path, body, headers) =>
  (await request(path, { method: "POST", body, headers })).json();

function fileName(disposition, fallback) {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? "");
  return match ? decodeURIComponent(match[1]) : fallback;
}

/** Fetch a file and hand it to the browser as a download. */
export async function download(path, { method = "GET", body, fallback = "license" } = {}) {
  const response = await request(path, { method, body });
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName(response.headers.get("Content-Disposition"), fallback);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return link.download;
}
