// Check-in asks first, then shows what happened to each checkout.

import { postJson } from "./api.js";
import { plural, userLabel } from "./format.js";

const $ = (id) => document.getElementById(id);

function item(text, outcome) {
  const li = document.createElement("li");
  li.textContent = text;
  if (outcome) li.className = outcome;
  return li;
}

const label = (c) => `${userLabel(c)} on ${c.machine}`;

function ask(checkouts) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = `Check in ${plural(checkouts.length, "checkout")}?`;
  $("confirm-text").textContent =
    "Checked-in licenses stop working on their workstations. Clear them in the licensing tool there too.";
  $("confirm-list").replaceChildren(...checkouts.map((c) => item(label(c))));
  $("confirm-ok").hidden = false;
  $("confirm-cancel").textContent = "Cancel";
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

function report(checkouts, results) {
  const byId = new Map(checkouts.map((c) => [c.id, c]));
  const done = results.filter((r) => r.ok).length;
  $("confirm-title").textContent =
    done === results.length ? `Checked in ${plural(done, "checkout")}` : `Checked in ${done} of ${results.length}`;
  $("confirm-text").textContent = "The result for each checkout:";
  $("confirm-list").replaceChildren(
    ...results.map((r) =>
      item(`${label(byId.get(r.id))}: ${r.ok ? "checked in" : r.error?.message ?? "not checked in"}`, r.ok ? "ok" : "failed"),
    ),
  );
  $("confirm-ok").hidden = true;
  $("confirm-cancel").textContent = "Close";
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
    results = checkouts.map((c) => ({ id: c.id, ok: false, error: { message: error.message } }));
  }
  report(checkouts, results);
  return results;
}
