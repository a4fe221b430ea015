// The License Checkout page: the country picker scopes the list, the history and the new panel.

import { download } from "./api.js";
import { checkIn } from "./check-in.js";
import { checkoutsList } from "./checkouts-list.js";
import { history } from "./history.js";
import { newCheckout } from "./new-checkout.js";
import { plural } from "./format.js";

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

async function runCheckIn(checkouts) {
  const results = await checkIn(checkouts);
  if (!results.length) return;
  const done = results.filter((r) => r.ok).length;
  notify(`Checked in ${done} of ${plural(results.length, "checkout")}.`);
  list.refresh();
  past.refresh();
}

function onSelection(selected) {
  const bulkCheckIn = $("bulk-check-in");
  if (bulkCheckIn) bulkCheckIn.disabled = selected.length === 0;
  $("bulk-download").disabled = selected.length === 0;
  $("selection-count").textContent = selected.length ? `${plural(selected.length, "checkout")} selected` : "";
}

function start() {
  const onError = (error) => notify(`Not done: ${error.message}`);
  list = checkoutsList($("checkouts-table"), {
    state,
    hasSelect,
    onCheckIn: runCheckIn,
    onSelection,
    onError,
    notify,
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
  newCheckout({
    country,
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
      notify(`Downloaded ${plural(ids.length, "license file")}: ${file}.`);
    } catch (error) {
      onError(error);
    }
  });
}

// Tabulator is a classic deferred script; modules run after deferred scripts, so it is ready.
start();
