// Check-in asks first, then shows what happened to each checkout.

import { postJson } from "./api.js";
import { formatNumber, userLabel } from "./format.js";
import { problemMessage, t, tn } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function item(text, outcome) {
  const li = document.createElement("li");
  li.textContent = text;
  if (outcome) li.className = outcome;
  return li;
}

const label = (c) => t("{user} on {machine}", { user: userLabel(c), machine: c.machine });

function ask(checkouts) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = tn("Check in {count} checkout?", "Check in {count} checkouts?", checkouts.length);
  $("confirm-text").textContent = t(
    "Checked-in licenses stop working on their workstations. Clear them in the licensing tool there too.",
  );
  $("confirm-list").replaceChildren(...checkouts.map((c) => item(label(c))));
  $("confirm-ok").hidden = false;
  $("confirm-cancel").textContent = t("Cancel");
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

/** One checkout's line of the report: checked in, or why not. */
function outcome(checkout, result) {
  if (result.ok) return t("{checkout}: checked in", { checkout });
  if (!result.error?.message) return t("{checkout}: not checked in", { checkout });
  return t("{checkout}: {problem}", { checkout, problem: problemMessage(result.error.code ?? "", result.error.message) });
}

function report(checkouts, results) {
  const byId = new Map(checkouts.map((c) => [c.id, c]));
  const done = results.filter((r) => r.ok).length;
  $("confirm-title").textContent =
    done === results.length
      ? tn("Checked in {count} checkout", "Checked in {count} checkouts", done)
      : t("Checked in {done} of {total}", { done: formatNumber(done), total: formatNumber(results.length) });
  $("confirm-text").textContent = t("The result for each checkout:");
  $("confirm-list").replaceChildren(...results.map((r) => item(outcome(label(byId.get(r.id)), r), r.ok ? "ok" : "failed")));
  $("confirm-ok").hidden = true;
  $("confirm-cancel").textContent = t("Close");
  $("confirm-dialog").showModal();
  $("confirm-cancel").focus();
}

/** Confirm, check in, and report per checkout; resolves to the results (none when cancelled). */
export async function checkIn(checkouts) {
  if (!checkouts.length || !(await ask(checkouts))) return [];
  let results;
  try {
    if (checkouts.length === 1) {
      await postJson(`/checkouts/${encodeURIComponent(checkouts[0].id)}/check-in`, {});
      results = [{ id: checkouts[0].id, ok: true }];
    } else {
      results = (await postJson("/checkouts/check-in", { ids: checkouts.map((c) => c.id) })).items;
    }
  } catch (error) {
    // An ApiError's message is already in the page's language (no code: shown as it is).
    results = checkouts.map((c) => ({ id: c.id, ok: false, error: { message: error.message } }));
  }
  report(checkouts, results);
  return results;
}
