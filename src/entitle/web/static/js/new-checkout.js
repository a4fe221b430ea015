// The "New" panel: every field of a checkout, validated as you go, then the license download.

import { ApiError, download, fieldMessage, getJson, postJson } from "./api.js";
import { applicationLines } from "./application-lines.js";
import { combobox } from "./combobox.js";
import { formatDay } from "./format.js";
import { t } from "./i18n.js";
import { slidePanel } from "./panel.js";

const EMAIL = /^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$/;
const MACHINE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const FIELDS = [
  "license_service",
  "user",
  "machine",
  "machine_fingerprint",
  "activation_key",
  "expires_on",
  "applications",
];
const $ = (id) => document.getElementById(id);

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** What an imported request file said about where it came from, as one sentence. */
function importedHint(draft) {
  const values = { machine: draft.machine, user: draft.os_user, version: draft.tool_version };
  if (draft.os_user && draft.tool_version) {
    return t("Imported the request of {machine} (user {user}, entitle-tool {version}).", values);
  }
  if (draft.os_user) return t("Imported the request of {machine} (user {user}).", values);
  if (draft.tool_version) return t("Imported the request of {machine} (entitle-tool {version}).", values);
  return t("Imported the request of {machine}.", values);
}

export function idempotencyKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

export function newCheckout({ country, onCreated, notify }) {
  const form = $("new-form");
  const submit = $("submit-checkout");
  const inputs = { user: $("new-user"), machine: $("new-machine"), key: $("new-key") };
  const expires = $("new-expires");
  const appInput = $("new-application");
  const addButton = $("add-application");
  const controls = {
    user: inputs.user,
    machine: inputs.machine,
    activation_key: inputs.key,
    expires_on: expires,
  };
  const touched = new Set();
  const refused = {};
  // A workstation's request file, once imported: its fingerprint goes with the create.
  let bound = null;
  let knownApplications = new Map();
  const service = () => form.elements.license_service.value;
  const lines = applicationLines($("application-list"), {
    onChange: () => {
      delete refused.applications;
      refresh();
    },
  });

  const setError = (field, message) => {
    const target = $(`error-${field}`);
    if (!target) return false;
    target.textContent = message ?? "";
    target.hidden = !message;
    controls[field]?.setAttribute("aria-invalid", String(Boolean(message)));
    return true;
  };

  const countryOff = () => country.selectedOptions[0]?.dataset.checkoutsEnabled === "false";
  const offMessage = () =>
    t("Checkouts are turned off for {country}; ask your account manager to enable them.", { country: country.value });

  const problems = () => {
    const found = {};
    if (countryOff()) found.country = offMessage();
    if (!service()) found.license_service = t("Choose the license service.");
    if (!EMAIL.test(inputs.user.value.trim())) {
      found.user = t("Pick a user or type an email such as ana@example.com.");
    }
    const machine = inputs.machine.value.trim();
    if (!MACHINE.test(machine) || /^\d+$/.test(machine))
      found.machine = t("1 to 63 letters, digits and hyphens, not only digits (e.g. WS-0042).");
    if (service() === "SELECTserver" && !inputs.key.value) {
      found.activation_key =
        inputs.key.options.length > 1 ? t("Choose an activation key.") : t("This country has no activation keys.");
    }
    if (!expires.value) found.expires_on = t("Choose the expiration date.");
    else if (expires.max && expires.value > expires.max) {
      found.expires_on = t("The latest date allowed is {day}.", { day: formatDay(expires.max) });
    } else if (expires.value < expires.min) {
      found.expires_on = t("Pick a date from {day} on.", { day: formatDay(expires.min) });
    }
    if (!lines.valid()) found.applications = lines.count() ? "" : t("Add at least one application.");
    return found;
  };

  function refresh() {
    const found = problems();
    for (const field of FIELDS) {
      if (touched.has(field) || refused[field]) setError(field, found[field] || refused[field]);
    }
    const ready = Object.keys(found).length === 0 && Object.keys(refused).length === 0;
    submit.disabled = !ready;
    const policy = refused.country || found.country;
    let hint = t("Fill in every field to check out.");
    if (ready) hint = t("Ready: the license file downloads when you check out.");
    else if (policy) hint = policy;
    $("submit-hint").textContent = hint;
    $("submit-hint").classList.toggle("refused", Boolean(policy));
  }

  const touch = (field) => {
    touched.add(field);
    delete refused[field];
    refresh();
  };

  const loadCountry = async () => {
    const option = country.selectedOptions[0];
    $("new-country-label").textContent = t("Entitlement country {country}", { country: country.value });
    const latest = option?.dataset.latestExpiresOn ?? "";
    const off = countryOff();
    delete refused.country;
    $("form-error").textContent = off ? offMessage() : "";
    $("form-error").hidden = !off;
    expires.min = tomorrow();
    expires.max = latest;
    expires.value = latest;
    $("hint-expires").textContent = latest
      ? t("Prefilled with the latest date allowed, {day}; an earlier date is fine.", { day: formatDay(latest) })
      : t("The contract has ended: no checkout can be created.");
    const keys = await getJson("/activation-keys", { country: country.value }).catch(() => ({
      items: [],
    }));
    const options = keys.items.map((k) => new Option(k.key, k.key));
    inputs.key.replaceChildren(new Option(t("Choose a key…"), ""), ...options);
    refresh();
  };

  const setService = () => {
    delete refused.applications;
    delete refused.activation_key;
    $("field-activation_key").hidden = service() !== "SELECTserver";
    $("hint-application").textContent = t("Applications that use {service}.", { service: service() });
    lines.setService(service());
    updateAdd();
    touch("license_service");
  };

  // Why Add is disabled, said at the field once there is something to say.
  const addProblem = (answered) => {
    const typed = appInput.value.trim();
    if (!typed) return "";
    if (!service()) return t("Choose the license service first.");
    const name = knownApplications.get(typed.toLowerCase());
    if (name && lines.has(name)) return t("{application} is already in this checkout.", { application: name });
    if (!name && answered) {
      return t("No {service} application is called “{typed}”; pick one from the list.", { service: service(), typed });
    }
    return "";
  };

  const updateAdd = (answered = false) => {
    const name = knownApplications.get(appInput.value.trim().toLowerCase());
    addButton.disabled = !service() || !name || lines.has(name);
    const message = addProblem(answered);
    $("error-application-name").textContent = message;
    $("error-application-name").hidden = !message;
    appInput.setAttribute("aria-invalid", String(Boolean(message)));
  };

  const addApplication = () => {
    const name = knownApplications.get(appInput.value.trim().toLowerCase());
    if (!name || addButton.disabled) {
      updateAdd(true);
      return;
    }
    const line = lines.add(name);
    appInput.value = "";
    updateAdd();
    touch("applications");
    line?.input.focus();
  };

  combobox(inputs.user, {
    source: async (q) =>
      (await getJson("/users", { q })).items.map((u) => ({
        value: u.email,
        label: u.display_name,
        detail: u.email,
      })),
  });
  combobox(appInput, {
    source: async (q) => {
      if (!service()) return [];
      const found = await getJson("/applications", { license_service: service(), q });
      knownApplications = new Map(found.items.map((a) => [a.name.toLowerCase(), a.name]));
      updateAdd(q.trim() === appInput.value.trim() && found.items.length === 0);
      return found.items.map((a) => ({ value: a.name, label: a.name }));
    },
  });
  appInput.addEventListener("input", () => updateAdd());
  appInput.addEventListener("change", () => updateAdd(true));
  appInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.defaultPrevented) {
      event.preventDefault();
      addApplication();
    }
  });
  addButton.addEventListener("click", addApplication);
  form.addEventListener("change", (event) => {
    if (event.target.name === "license_service") setService();
  });
  for (const [field, element] of Object.entries(controls)) {
    element.addEventListener("input", () => {
      delete refused[field];
      refresh();
    });
    element.addEventListener("change", () => touch(field));
    element.addEventListener("blur", () => touch(field));
  }

  const unbind = () => {
    bound = null;
    $("request-file").value = "";
    $("new-fingerprint").value = "";
    $("field-machine_fingerprint").hidden = true;
    $("request-clear").hidden = true;
    inputs.machine.readOnly = false;
    $("hint-request").textContent = t(
      "From a workstation without a network (entitle-tool request): fills the form and binds the license file to that machine.",
    );
    setError("request", "");
  };

  const importRequest = async (file) => {
    setError("request", "");
    let parsed;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      setError("request", t("{file} is not a request file: it is not JSON.", { file: file.name }));
      return;
    }
    let draft;
    try {
      draft = await postJson("/checkout-requests", parsed);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const first = error.errors[0];
      setError(
        "request",
        first ? t("{field}: {problem}", { field: first.field, problem: fieldMessage(first) }) : error.message,
      );
      return;
    }
    if (draft.country && draft.country !== country.value && [...country.options].some((o) => o.value === draft.country)) {
      country.value = draft.country;
      country.dispatchEvent(new Event("change"));
      await loadCountry();
    }
    if (draft.license_service) {
      form.elements.license_service.value = draft.license_service;
      setService();
    }
    bound = draft.machine_fingerprint;
    inputs.machine.value = draft.machine;
    inputs.machine.readOnly = true;
    $("new-fingerprint").value = bound;
    $("field-machine_fingerprint").hidden = false;
    $("request-clear").hidden = false;
    lines.clear();
    for (const application of draft.applications) {
      const line = lines.add(application.name);
      if (line) line.input.value = application.version;
    }
    if (draft.expires_on) expires.value = draft.expires_on;
    $("hint-request").textContent = importedHint(draft);
    ["machine", "expires_on", "applications", "license_service"].forEach((f) => touched.add(f));
    refresh();
  };

  $("request-file").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) importRequest(file);
  });
  $("request-clear").addEventListener("click", () => {
    unbind();
    refresh();
  });

  const reset = () => {
    form.reset();
    unbind();
    lines.clear();
    touched.clear();
    Object.keys(refused).forEach((field) => delete refused[field]);
    FIELDS.forEach((f) => setError(f, ""));
    $("form-error").hidden = true;
    $("field-activation_key").hidden = true;
    loadCountry();
  };

  const panel = slidePanel($("new-panel"), $("new-checkout"), $("panel-backdrop"), $("panel-close"));

  const showProblem = (error) => {
    let placed = false;
    for (const item of error.errors ?? []) {
      const field = String(item.field ?? "").split(".")[0];
      if (field === "country" && item.code === "CHECKOUTS_DISABLED") {
        // Turned off since the page loaded: the country stays refused until it is reloaded.
        country.selectedOptions[0].dataset.checkoutsEnabled = "false";
        refused.country = fieldMessage(item);
      }
      if (FIELDS.includes(field)) {
        refused[field] = fieldMessage(item);
        placed = setError(field, refused[field]) || placed;
      }
    }
    $("form-error").textContent = placed ? t("Some fields need attention.") : error.message;
    $("form-error").hidden = false;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    submit.classList.add("busy");
    $("form-error").hidden = true;
    const body = {
      country: country.value,
      license_service: service(),
      user: inputs.user.value.trim(),
      machine: inputs.machine.value.trim(),
      activation_key: service() === "SELECTserver" ? inputs.key.value : null,
      expires_on: expires.value,
      applications: lines.values(),
      machine_fingerprint: bound,
    };
    try {
      const checkout = await postJson("/checkouts", body, { "Idempotency-Key": idempotencyKey() });
      const file = await download(`/checkouts/${checkout.id}/license-file`);
      panel.close();
      reset();
      notify(
        t("Checked out for {user} on {machine}: {file} downloaded.", { user: checkout.user, machine: checkout.machine, file }),
      );
      onCreated(checkout);
    } catch (error) {
      if (error instanceof ApiError) showProblem(error);
      else throw error;
      refresh();
    } finally {
      submit.classList.remove("busy");
    }
  });

  country.addEventListener("change", loadCountry);
  $("new-checkout").addEventListener("click", () => panel.open(form.elements.license_service[0]));
  loadCountry();

  /** The New panel pre-filled from a checkout: same license service, user, machine, key and
   * applications; the expiry is today's latest allowed. Nothing is sent until checked out. */
  const clone = async (checkout) => {
    reset();
    if (checkout.country !== country.value && [...country.options].some((o) => o.value === checkout.country)) {
      country.value = checkout.country;
      country.dispatchEvent(new Event("change"));
    }
    await loadCountry();
    form.elements.license_service.value = checkout.license_service;
    setService();
    inputs.user.value = checkout.user;
    inputs.machine.value = checkout.machine;
    if (checkout.activation_key) inputs.key.value = checkout.activation_key;
    for (const application of checkout.applications) {
      const line = lines.add(application.name);
      if (line) line.input.value = application.version;
    }
    ["user", "machine", "activation_key", "applications"].forEach((f) => touched.add(f));
    $("hint-request").textContent = t("Cloned from the checkout of {user} on {machine}: change what differs.", {
      user: checkout.user,
      machine: checkout.machine,
    });
    panel.open(inputs.machine);
    refresh();
  };
  return { clone };
}
