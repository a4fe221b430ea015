// The License Checkout page: the country picker scopes the list, the history and the new panel.

import { ApiError, download, postJson } from "./api.js";
import { checkIn } from "./check-in.js";
import { checkoutsList } from "./checkouts-list.js";
import { history } from "./history.js";
import { importCheckouts } from "./import-checkouts.js";
import { newCheckout } from "./new-checkout.js";
import { formatDay } from "./format.js";
import { problemMessage, t, tn } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
const country = $("country");
const hasSelect = main.dataset.hasSelect === "true";
const showExpired = $("show-expired");
// The Expired toggle is kept in the address, as the grids keep their views.
showExpired.checked = new URLSearchParams(window.location.search).get("expired") === "1";
const state = { country: country.value, showExpired: showExpired.checked };

function notify(message) {
  const toast = $("toast");
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => (toast.hidden = true), 6000);
}

let list;
let past;
let panel;

async function runCheckIn(checkouts) {
  const results = await checkIn(checkouts);
  if (!results.length) return;
  const done = results.filter((r) => r.ok).length;
  notify(tn("Checked in {done} of {count} checkout.", "Checked in {done} of {count} checkouts.", results.length, { done }));
  list.refresh();
  past.refresh();
}

function onSelection(selected) {
  const bulkCheckIn = $("bulk-check-in");
  if (bulkCheckIn) bulkCheckIn.disabled = selected.length === 0;
  $("bulk-download").disabled = selected.length === 0;
  $("selection-count").textContent = selected.length
    ? tn("{count} checkout selected", "{count} checkouts selected", selected.length)
    : "";
}

const nextDay = (isoDay) => {
  const day = new Date(`${isoDay}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
};

/** Extend: a later expiry for the same checkout, then its new license file. */
function extendDialog(checkout) {
  const dialog = $("extend-dialog");
  const input = $("extend-expires");
  const latest = country.selectedOptions[0]?.dataset.latestExpiresOn ?? "";
  $("extend-text").textContent = t(
    "{user} on {machine} runs until {day}. The new license file replaces the current one, which stops being valid on workstations that sync.",
    { user: checkout.user_display_name || checkout.user, machine: checkout.machine, day: formatDay(checkout.expires_on) },
  );
  input.min = nextDay(checkout.expires_on);
  input.max = latest;
  input.value = latest > checkout.expires_on ? latest : "";
  $("extend-error").hidden = true;
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      try {
        const extended = await postJson(`/checkouts/${checkout.id}/extend`, { expires_on: input.value || null });
        const file = await download(`/checkouts/${checkout.id}/license-file`);
        dialog.close();
        notify(t("Extended to {day}: {file} downloaded.", { day: formatDay(extended.expires_on), file }));
        resolve(true);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const [first] = error.errors;
        $("extend-error").textContent = first ? problemMessage(first.code, first.message) : problemMessage(error.code, error.message);
        $("extend-error").hidden = false;
        input.setAttribute("aria-invalid", "true");
        return;
      }
      $("extend-form").removeEventListener("submit", submit);
    };
    $("extend-form").addEventListener("submit", submit);
    dialog.addEventListener(
      "close",
      () => {
        $("extend-form").removeEventListener("submit", submit);
        input.removeAttribute("aria-invalid");
        resolve(false);
      },
      { once: true },
    );
  });
}

function start() {
  $("extend-cancel").addEventListener("click", () => $("extend-dialog").close());
  const onError = (error) => notify(t("Not done: {reason}", { reason: problemMessage(error.code, error.message) }));
  list = checkoutsList($("checkouts-table"), {
    state,
    hasSelect,
    onCheckIn: runCheckIn,
    onSelection,
    onError,
    notify,
    onExtend: async (checkout) => {
      if (await extendDialog(checkout)) {
        list.refresh();
        past.refresh();
      }
    },
    onClone: (checkout) => panel.clone(checkout),
    controls: {
      search: $("list-search"),
      size: $("list-size"),
      selectMatching: $("select-matching"),
      selectionNote: $("selection-note"),
    },
  });
  past = history($("history-table"), $("sort-bar"), {
    state,
    hasSelect,
    onCheckIn: runCheckIn,
    onError,
    notify,
    countries: [...country.options].map((o) => o.value).filter(Boolean),
  });
  panel = newCheckout({
    country,
    notify,
    onCreated: () => {
      list.reload();
      past.refresh();
    },
  });

  importCheckouts({
    opener: $("import-checkouts"),
    dropTargets: [$("new-panel")],
    notify,
    onCreated: () => {
      list.reload();
      past.refresh();
    },
  });

  country.addEventListener("change", () => {
    state.country = country.value;
    const url = new URL(window.location.href);
    url.searchParams.set("country", state.country);
    window.history.replaceState(null, "", url);
    list.reload();
    past.setCountry(state.country);
  });
  showExpired.addEventListener("change", (event) => {
    state.showExpired = event.target.checked;
    const url = new URL(window.location.href);
    if (state.showExpired) url.searchParams.set("expired", "1");
    else url.searchParams.delete("expired");
    window.history.replaceState(null, "", url);
    list.reload();
  });
  $("bulk-check-in")?.addEventListener("click", () => runCheckIn(list.selected()));
  $("bulk-download").addEventListener("click", async () => {
    const ids = list.selected().map((c) => c.id);
    try {
      const file =
        ids.length === 1
          ? await download(`/checkouts/${ids[0]}/license-file`)
          : await download("/checkouts/license-files", { method: "POST", body: { ids }, fallback: "license-files.zip" });
      notify(tn("Downloaded {count} license file: {file}.", "Downloaded {count} license files: {file}.", ids.length, { file }));
    } catch (error) {
      onError(error);
    }
  });
}

// Tabulator is a classic deferred script; modules run after deferred scripts, so it is ready.
start();
