// The Checkouts list: active checkouts (and, with "Expired", the last three months' expired
// ones in red); a caret shows product, version and expiry; per-row check-in and download.

import { parseSort, readView, sortText, writeView } from "./address.js";
import { ApiError, fieldMessage, getJson, request } from "./api.js";
import { filterTitle } from "./column-filters.js";
import {
  CHECK_IN_LABELS,
  clipped,
  createdVia,
  escapeHtml,
  formatDay,
  formatMoment,
  formatNumber,
  STATUS_LABELS,
  userLabel,
} from "./format.js";
import { button, keyboardHeaders, remoteGrid } from "./grid.js";
import { t, tn } from "./i18n.js";
import { CARET } from "./icons.js";
import { rowActions } from "./row-actions.js";

const VIEW = "list.";
const DEFAULT_ORDER = "expires_at";
export const PAGE_SIZES = [10, 25, 50, 100];
/** The most checkouts one selection holds: what one check-in or download request takes. */
export const SELECTION_CAP = 1000;
const FETCH_SIZE = 500;
const FILTERS = {
  user: [{ name: "user", label: t("Name or email contains") }],
  machine: [{ name: "machine", label: t("Machine name contains") }],
  license_service: [
    {
      name: "license_service",
      label: t("License service"),
      options: [["", t("Any")], ["SES", "SES"], ["SELECTserver", "SELECTserver"]],
    },
  ],
};
const FILTER_NAMES = ["q", ...Object.values(FILTERS).flat().map((i) => i.name)];

/** A checkout as the list names it: whose, on which machine. */
const describe = (c) => t("{user} on {machine}", { user: userLabel(c), machine: c.machine });

function detail(checkout, { onExtend, onClone }) {
  const holder = document.createElement("div");
  holder.className = "row-detail";
  const rows = checkout.applications
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.version)}</td><td>${formatDay(checkout.expires_on)}</td></tr>`,
    )
    .join("");
  const facts = [
    [t("Created"), t("{moment} by {person}", { moment: formatMoment(checkout.created_at), person: checkout.created_by })],
    [t("Created via"), createdVia(checkout)],
  ];
  if (checkout.machine_fingerprint) facts.push([t("Machine fingerprint"), checkout.machine_fingerprint]);
  if (checkout.checked_in_at) {
    const values = {
      moment: formatMoment(checkout.checked_in_at),
      method: CHECK_IN_LABELS[checkout.check_in_method] ?? checkout.check_in_method ?? "",
      person: checkout.checked_in_by,
    };
    const when = checkout.checked_in_by ? t("{moment}: {method} ({person})", values) : t("{moment}: {method}", values);
    facts.push([STATUS_LABELS.checked_in, when]);
  }
  const list = facts
    .map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`)
    .join("");
  // t() outside the template literal: extraction does not read inside one.
  const words = {
    caption: t("Applications of this checkout"),
    product: t("Product"),
    version: t("Version"),
    expires: t("Expires"),
  };
  holder.innerHTML = `<table class="detail-table"><caption class="visually-hidden">${words.caption}</caption>
    <thead><tr><th scope="col">${words.product}</th><th scope="col">${words.version}</th><th scope="col">${words.expires}</th></tr></thead>
    <tbody>${rows}</tbody></table><dl class="detail-facts" data-checkout-id="${escapeHtml(checkout.id)}">${list}</dl>`;
  holder.append(notesEditor(checkout));
  const actions = document.createElement("div");
  actions.className = "detail-actions";
  const who = describe(checkout);
  if (checkout.status === "active") {
    actions.append(textButton(t("Extend…"), t("Extend the checkout of {checkout}", { checkout: who }), () => onExtend(checkout)));
  }
  actions.append(
    textButton(t("Clone"), t("Clone the checkout of {checkout} into a new one", { checkout: who }), () => onClone(checkout)),
  );
  holder.append(actions);
  return holder;
}

const NOTES_MAX = 2000;
const EMPTY = () => t("No checkouts to show. Clear the search or a filter, or use “New” to check out a license.");

/** The checkout's notes, kept by administrators: saved with PUT /checkouts/{id}/notes. */
function notesEditor(checkout) {
  const form = document.createElement("form");
  form.className = "notes-form";
  const id = `notes-${checkout.id}`;
  const [notes, save] = [t("Notes"), t("Save notes")];
  form.innerHTML = `<label for="${id}">${notes}</label>
    <textarea id="${id}" rows="2" maxlength="${NOTES_MAX}" aria-describedby="${id}-error"></textarea>
    <p class="field-error" id="${id}-error" hidden></p>
    <div class="notes-actions"><button type="submit" class="button compact">${save}</button>
    <span class="muted notes-status" role="status"></span></div>`;
  const area = form.querySelector("textarea");
  area.value = checkout.notes ?? "";
  for (const type of ["click", "keydown", "mousedown"]) form.addEventListener(type, (event) => event.stopPropagation());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".field-error");
    try {
      const saved = await (await request(`/checkouts/${checkout.id}/notes`, { method: "PUT", body: { notes: area.value } })).json();
      checkout.notes = saved.notes;
      error.hidden = true;
      area.removeAttribute("aria-invalid");
      form.querySelector(".notes-status").textContent = saved.notes ? t("Notes saved.") : t("Notes cleared.");
    } catch (problem) {
      if (!(problem instanceof ApiError)) throw problem;
      error.textContent = problem.errors[0] ? fieldMessage(problem.errors[0]) : problem.message;
      error.hidden = false;
      area.setAttribute("aria-invalid", "true");
    }
  });
  return form;
}

function textButton(text, label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button compact";
  element.textContent = text;
  element.setAttribute("aria-label", label);
  element.addEventListener("click", (event) => {
    event.stopPropagation();
    onClick();
  });
  return element;
}

export function checkoutsList(element, { state, hasSelect, onCheckIn, onSelection, onError, notify, controls, onExtend, onClone }) {
  const expanded = new Set();
  // The selection, by id, across pages: what bulk check-in and download act on.
  const chosen = new Map();
  let table;
  let syncing = false;
  let shownSort = [];
  const saved = readView(VIEW);
  const filters = {};
  for (const name of FILTER_NAMES) if (saved[name]) filters[name] = saved[name];
  const savedSize = Number.parseInt(saved.size ?? "", 10);
  const pageSize = PAGE_SIZES.includes(savedSize) ? savedSize : PAGE_SIZES[0];
  const query = () => ({ country: state.country, status: state.showExpired ? "listed" : "active", ...filters });

  const changed = () => {
    const all = element.querySelector(".select-all");
    const selectable = table.getRows().filter((row) => row.getData().status === "active");
    const onPage = selectable.filter((row) => chosen.has(row.getData().id)).length;
    if (all) {
      all.checked = selectable.length > 0 && onPage === selectable.length;
      all.indeterminate = onPage > 0 && onPage < selectable.length;
    }
    for (const row of table.getRows()) {
      const box = row.getElement().querySelector(".row-check");
      if (box) box.checked = chosen.has(row.getData().id);
    }
    // Every row of this page is selected and there are more pages: offer the rest.
    const offer = controls.selectMatching;
    offer.hidden = !(all?.checked && table.getPageMax() > 1 && controls.selectionNote.hidden);
    offer.textContent = tn(
      "Select every active checkout that matches, on all {count} page",
      "Select every active checkout that matches, on all {count} pages",
      table.getPageMax(),
    );
    onSelection([...chosen.values()]);
  };

  const choose = (checkout, on) => {
    if (on && checkout.status === "active") chosen.set(checkout.id, checkout);
    else chosen.delete(checkout.id);
  };

  /** Every active checkout the list's search and filters match, up to the cap. */
  const selectMatching = async () => {
    const found = [];
    let page = 1;
    let matching = 0;
    do {
      const answer = await getJson("/checkouts", {
        ...query(),
        status: "active",
        sort: sortText(shownSort.length ? shownSort : parseSort(DEFAULT_ORDER)),
        page,
        page_size: FETCH_SIZE,
      });
      matching = answer.total;
      found.push(...answer.items);
      page += 1;
    } while (found.length < Math.min(matching, SELECTION_CAP) && page <= pagesFor(matching));
    // In the list's order, so the first of them are the rows in view.
    chosen.clear();
    for (const checkout of found.slice(0, SELECTION_CAP)) chosen.set(checkout.id, checkout);
    syncSelection();
    const note = controls.selectionNote;
    note.textContent =
      matching > SELECTION_CAP
        ? t(
            "Selected the first {cap} of {matching} matching checkouts: one check-in or download takes at most {cap}. Narrow the search to act on the rest.",
            { cap: formatNumber(SELECTION_CAP), matching: formatNumber(matching) },
          )
        : tn("Selected the {count} matching checkout.", "Selected all {count} matching checkouts.", chosen.size);
    note.hidden = false;
    changed();
  };
  const pagesFor = (matching) => Math.ceil(Math.min(matching, SELECTION_CAP) / FETCH_SIZE);

  const clearSelection = () => {
    chosen.clear();
    controls.selectionNote.hidden = true;
    syncSelection();
    changed();
  };

  /** Tabulator's row highlight follows the selection, page by page. */
  const syncSelection = () => {
    syncing = true;
    for (const row of table.getRows()) {
      if (chosen.has(row.getData().id)) row.select();
      else row.deselect();
    }
    syncing = false;
  };

  const selectCell = (cell) => {
    const row = cell.getRow();
    const checkout = row.getData();
    if (checkout.status !== "active") return "";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "row-check";
    box.checked = chosen.has(checkout.id);
    box.setAttribute("aria-label", t("Select the checkout of {checkout}", { checkout: describe(checkout) }));
    box.addEventListener("click", (event) => event.stopPropagation());
    box.addEventListener("change", () => (box.checked ? row.select() : row.deselect()));
    return box;
  };

  const selectAllTitle = () => {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "select-all";
    box.setAttribute("aria-label", t("Select every active checkout on this page"));
    box.addEventListener("click", (event) => event.stopPropagation());
    box.addEventListener("change", () => {
      const active = table.getRows().filter((row) => row.getData().status === "active");
      if (box.checked) table.selectRow(active);
      else clearSelection();
    });
    return box;
  };

  const caretCell = (cell) => {
    const row = cell.getRow();
    const checkout = row.getData();
    const open = expanded.has(checkout.id);
    const label = t("Show the applications of {checkout}", { checkout: describe(checkout) });
    const toggle = button("icon-button caret", label, CARET, () => {
      open ? expanded.delete(checkout.id) : expanded.add(checkout.id);
      row.reformat();
      requestAnimationFrame(() => row.getElement().querySelector(".caret")?.focus());
    });
    toggle.setAttribute("aria-expanded", String(open));
    return toggle;
  };

  const actionsCell = rowActions({ describe, hasSelect, onCheckIn, onError, notify });

  const userCell = (cell) => {
    const c = cell.getRow().getData();
    const email = c.user_display_name ? clipped(c.user, "cell-sub") : "";
    const via = c.created_via && c.created_via !== "admin" ? `<span class="badge via">${escapeHtml(createdVia(c))}</span>` : "";
    return `<div class="cell-stack"><span class="cell-line">${clipped(userLabel(c), "cell-main")}${via}</span>${email}</div>`;
  };

  const sortable = new Set(["user", "machine", "license_service", "expires_at"]);
  const savedSort = parseSort(saved.order).filter((s) => sortable.has(s.field));
  const remember = ({ page, sort, size }) => {
    shownSort = sort;
    const view = {};
    for (const name of FILTER_NAMES) if (filters[name]) view[name] = filters[name];
    if (size !== PAGE_SIZES[0]) view.size = String(size);
    if (sort.length && sortText(sort) !== DEFAULT_ORDER) view.order = sortText(sort);
    if (page > 1) view.page = String(page);
    writeView(VIEW, view);
  };

  table = new Tabulator(element, {
    ...remoteGrid({
      pageSize,
      empty: `<span class="grid-empty">${escapeHtml(EMPTY())}</span>`,
      query,
      onRequest: remember,
    }),
    paginationInitialPage: Math.max(1, Number.parseInt(saved.page ?? "1", 10) || 1),
    initialSort: (savedSort.length ? savedSort : parseSort(DEFAULT_ORDER)).map((s) => ({ column: s.field, dir: s.dir })),
    selectableRows: "highlight",
    selectableRowsPersistence: false,
    selectableRowsCheck: (row) => row.getData().status === "active",
    rowFormatter: (row) => {
      const checkout = row.getData();
      const rowElement = row.getElement();
      rowElement.classList.toggle("is-expired", checkout.status === "expired");
      rowElement.querySelector(".row-detail")?.remove();
      if (expanded.has(checkout.id)) rowElement.append(detail(checkout, { onExtend, onClone }));
    },
    columns: [
      {
        title: "",
        field: "select",
        formatter: selectCell,
        titleFormatter: selectAllTitle,
        headerSort: false,
        width: 44,
        hozAlign: "center",
        headerHozAlign: "center",
      },
      { title: "", field: "expand", formatter: caretCell, headerSort: false, width: 44, hozAlign: "center" },
      {
        title: t("User"),
        field: "user",
        formatter: userCell,
        minWidth: 220,
        widthGrow: 2,
        titleFormatter: filterTitle(t("User"), FILTERS.user, filters, reload),
      },
      {
        title: t("Machine name"),
        field: "machine",
        minWidth: 170,
        widthGrow: 1,
        formatter: (cell) => clipped(cell.getValue()),
        titleFormatter: filterTitle(t("Machine name"), FILTERS.machine, filters, reload),
      },
      {
        title: t("License service"),
        field: "license_service",
        width: 190,
        titleFormatter: filterTitle(t("License service"), FILTERS.license_service, filters, reload),
      },
      {
        title: t("Expires"),
        field: "expires_at",
        width: 210,
        formatter: (cell) => {
          const c = cell.getRow().getData();
          const tag = c.status === "expired" ? ` <span class="badge expired">${STATUS_LABELS.expired}</span>` : "";
          return `${formatDay(c.expires_on)}${tag}`;
        },
      },
      { title: "", field: "actions", formatter: actionsCell, headerSort: false, width: 100, hozAlign: "right" },
    ],
  });

  table.on("tableBuilt", () => keyboardHeaders(table));
  table.on("rowSelected", (row) => {
    if (syncing) return;
    choose(row.getData(), true);
    changed();
  });
  table.on("rowDeselected", (row) => {
    if (syncing) return;
    choose(row.getData(), false);
    controls.selectionNote.hidden = true;
    changed();
  });
  table.on("dataProcessed", () => {
    syncSelection();
    changed();
  });

  controls.selectMatching.addEventListener("click", () => selectMatching().catch(onError));
  let typing;
  controls.search.value = filters.q ?? "";
  controls.search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const q = controls.search.value.trim();
      if (q) filters.q = q;
      else delete filters.q;
      reload();
    }, 250);
  });
  controls.size.value = String(pageSize);
  controls.size.addEventListener("change", () => table.setPageSize(Number(controls.size.value)));

  function reload() {
    clearSelection();
    return table.setPage(1);
  }

  return {
    reload,
    refresh: () => {
      clearSelection();
      return table.replaceData();
    },
    selected: () => [...chosen.values()],
    label: (checkouts) => checkouts.map(describe),
    count: (n) => tn("{count} checkout", "{count} checkouts", n),
    table,
  };
}
