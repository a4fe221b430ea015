// The applications of a new checkout: one line each, with a version typeahead and a trash can.

import { getJson } from "./api.js";
import { combobox } from "./combobox.js";
import { t } from "./i18n.js";

const TRASH =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/** "10.17.02.61" and "10.17.2.61" are the same version; anything else is not a version. */
export function normalVersion(text) {
  const trimmed = text.trim();
  return /^\d{1,9}(\.\d{1,9}){0,5}$/.test(trimmed) ? trimmed.split(".").map(Number).join(".") : "";
}

async function versionsOf(name, service) {
  const path = `/applications/${encodeURIComponent(name)}/versions`;
  const found = await getJson(path, { license_service: service });
  return found.items.map((item) => item.version);
}

export function applicationLines(list, { onChange }) {
  let lines = [];
  let service = "";

  const lineError = (line) => {
    if (line.versions === null) return "";
    if (line.versions.length === 0) return t("{application} has no {service} version; remove it.", { application: line.name, service });
    if (!line.input.value.trim()) return "";
    const wanted = normalVersion(line.input.value);
    return line.versions.some((v) => normalVersion(v) === wanted)
      ? ""
      : t("Pick a released version of {application}, or type it in full (e.g. {example}).", {
          application: line.name,
          example: line.versions[0],
        });
  };

  const show = (line, message = lineError(line)) => {
    line.error.textContent = message;
    line.error.hidden = !message;
    line.input.setAttribute("aria-invalid", String(Boolean(message)));
  };

  const loadVersions = async (line) => {
    line.versions = null;
    line.versions = await versionsOf(line.name, service).catch(() => []);
    show(line);
    onChange();
  };

  const remove = (line) => {
    lines = lines.filter((l) => l !== line);
    line.element.remove();
    onChange();
  };

  const build = (name) => {
    const element = document.createElement("li");
    element.className = "application-line";
    const label = document.createElement("span");
    label.className = "application-name";
    label.textContent = name;
    const combo = document.createElement("div");
    combo.className = "combo";
    const input = document.createElement("input");
    input.type = "text";
    input.id = `version-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
    input.placeholder = t("Version");
    input.setAttribute("aria-label", t("Version of {application}", { application: name }));
    const trash = document.createElement("button");
    trash.type = "button";
    trash.className = "icon-button danger";
    trash.setAttribute("aria-label", t("Remove {application}", { application: name }));
    trash.innerHTML = TRASH;
    const error = document.createElement("p");
    error.className = "field-error";
    error.id = `${input.id}-error`;
    error.hidden = true;
    input.setAttribute("aria-describedby", error.id);
    combo.append(input);
    element.append(label, combo, trash, error);
    return { name, element, input, error, versions: null };
  };

  const add = (name) => {
    if (lines.some((l) => l.name.toLowerCase() === name.toLowerCase())) return null;
    const line = build(name);
    combobox(line.input, {
      source: async (typed) =>
        (line.versions ?? [])
          .filter((v) => v.startsWith(typed) || normalVersion(v).startsWith(normalVersion(typed)))
          .map((v) => ({ value: v, label: v })),
    });
    line.input.addEventListener("input", () => {
      show(line, "");
      onChange();
    });
    line.input.addEventListener("change", () => {
      show(line);
      onChange();
    });
    line.element.querySelector("button").addEventListener("click", () => remove(line));
    lines.push(line);
    list.append(line.element);
    loadVersions(line);
    onChange();
    return line;
  };

  return {
    add,
    has: (name) => lines.some((l) => l.name.toLowerCase() === name.toLowerCase()),
    setService(next) {
      service = next;
      lines.forEach(loadVersions);
    },
    valid: () =>
      lines.length > 0 &&
      lines.every((l) => l.versions?.length && l.input.value.trim() && !lineError(l)),
    values: () => lines.map((l) => ({ name: l.name, version: normalVersion(l.input.value) })),
    clear() {
      lines.forEach((l) => l.element.remove());
      lines = [];
    },
    count: () => lines.length,
  };
}
