// The Checkouts list: active checkouts (and, with "Expired", the last three months' expired
// ones in red); a caret shows product, version and expiry; per-row check-in and download.

import { parseSort, readView, sortText, writeView } from "./address.js";
import { download } from "./api.js";
import {
  CHECK_IN_LABELS,
  clipped,
  createdVia,
  escapeHtml,
  formatDay,
  formatMoment,
  plural,
  userLabel,
} from "./format.js";
import { button, keyboardHeaders, remoteGrid } from "./grid.js";
import { CARET, CHECK_IN, DOWNLOAD } from "./icons.js";

const VIEW = "list.";
const DEFAULT_ORDER = "expires_at";

function detail(checkout) {
  const holder = document.createElement("div");
  holder.className = "row-detail";
  const rows = checkout.applications
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.version)}</td><td>${formatDay(checkout.expires_on)}</td></tr>`,
    )
    .join("");
  const facts = [
    ["Created", `${formatMoment(checkout.created_at)} by ${checkout.created_by}`],
    ["Created via", createdVia(checkout)],
  ];
  if (checkout.machine_fingerprint) facts.push(["Machine fingerprint", checkout.machine_fingerprint]);
  if (checkout.checked_in_at) {
    const how = CHECK_IN_LABELS[checkout.check_in_method] ?? checkout.check_in_method ?? "";
    const by = checkout.checked_in_by ? ` (${checkout.checked_in_by})` : "";
    facts.push(["Checked in", `${formatMoment(checkout.checked_in_at)}: ${how}${by}`]);
  }
  const list = facts
    .map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`)
    .join("");
  holder.innerHTML = `<table class="detail-table"><caption class="visually-hidden">Applications of this checkout</caption>
    <thead><tr><th scope="col">Product</th><th scope="col">Version</th><th scope="col">Expires</th></tr></thead>
    <tbody>${rows}</tbody></table><dl class="detail-facts" data-checkout-id="${escapeHtml(checkout.id)}">${list}</dl>`;
  return holder;
}

export function checkoutsList(element, { state, hasSelect, onCheckIn, onSelection, onError, notify }) {
  const expanded = new Set();
  let table;

  const describe = (c) => `${userLabel(c)} on ${c.machine}`;

  const selectCell = (cell) => {
    const row = cell.getRow();
    const checkout = row.getData();
    if (checkout.status !== "active") return "";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "row-check";
    box.checked = row.isSelected();
    box.setAttribute("aria-label", `Select the checkout of ${describe(checkout)}`);
    box.addEventListener("click", (event) => event.stopPropagation());
    box.addEventListener("change", () => (box.checked ? row.select() : row.deselect()));
    return box;
  };

  const selectAllTitle = () => {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "select-all";
    box.setAttribute("aria-label", "Select every active checkout on this page");
    box.addEventListener("click", (event) => event.stopPropagation());
    box.addEventListener("change", () => {
      const active = table.getRows().filter((row) => row.getData().status === "active");
      box.checked ? table.selectRow(active) : table.deselectRow();
    });
    return box;
  };

  const caretCell = (cell) => {
    const row = cell.getRow();
    const checkout = row.getData();
    const open = expanded.has(checkout.id);
    const toggle = button("icon-button caret", `Show the applications of ${describe(checkout)}`, CARET, () => {
      open ? expanded.delete(checkout.id) : expanded.add(checkout.id);
      row.reformat();
      requestAnimationFrame(() => row.getElement().querySelector(".caret")?.focus());
    });
    toggle.setAttribute("aria-expanded", String(open));
    return toggle;
  };

  const actionsCell = (cell) => {
    const checkout = cell.getRow().getData();
    const holder = document.createElement("div");
    holder.className = "row-actions";
    if (checkout.status !== "active") return holder;
    if (hasSelect) {
      holder.append(
        button("icon-button success", `Check in the checkout of ${describe(checkout)}`, CHECK_IN, () =>
          onCheckIn([checkout]),
        ),
      );
    }
    holder.append(
      button("icon-button", `Download the license file of ${describe(checkout)}`, DOWNLOAD, () =>
        download(`/checkouts/${checkout.id}/license-file`)
          .then((file) => notify(`Downloaded ${file}.`))
          .catch(onError),
      ),
    );
    return holder;
  };

  const userCell = (cell) => {
    const c = cell.getRow().getData();
    const email = c.user_display_name ? clipped(c.user, "cell-sub") : "";
    const via = c.created_via && c.created_via !== "admin" ? `<span class="badge via">${escapeHtml(createdVia(c))}</span>` : "";
    return `<div class="cell-stack"><span class="cell-line">${clipped(userLabel(c), "cell-main")}${via}</span>${email}</div>`;
  };

  const saved = readView(VIEW);
  const sortable = new Set(["user", "machine", "license_service", "expires_at"]);
  const savedSort = parseSort(saved.order).filter((s) => sortable.has(s.field));
  const remember = ({ page, sort }) => {
    const view = {};
    if (sort.length && sortText(sort) !== DEFAULT_ORDER) view.order = sortText(sort);
    if (page > 1) view.page = String(page);
    writeView(VIEW, view);
  };

  table = new Tabulator(element, {
    ...remoteGrid({
      pageSize: 10,
      empty: '<span class="grid-empty">No checkouts to show. Use “New” to check out a license.</span>',
      query: () => ({ country: state.country, status: state.showExpired ? "listed" : "active" }),
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
      if (expanded.has(checkout.id)) rowElement.append(detail(checkout));
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
      { title: "User", field: "user", formatter: userCell, minWidth: 220, widthGrow: 2 },
      { title: "Machine name", field: "machine", minWidth: 150, widthGrow: 1, formatter: (cell) => clipped(cell.getValue()) },
      { title: "License service", field: "license_service", width: 170 },
      {
        title: "Expires",
        field: "expires_at",
        width: 210,
        formatter: (cell) => {
          const c = cell.getRow().getData();
          const tag = c.status === "expired" ? ' <span class="badge expired">Expired</span>' : "";
          return `${formatDay(c.expires_on)}${tag}`;
        },
      },
      { title: "", field: "actions", formatter: actionsCell, headerSort: false, width: 100, hozAlign: "right" },
    ],
  });

  table.on("tableBuilt", () => keyboardHeaders(table));
  table.on("rowSelectionChanged", (data) => {
    let selectable = 0;
    for (const row of table.getRows()) {
      const box = row.getElement().querySelector(".row-check");
      if (box) box.checked = row.isSelected();
      if (box) selectable += 1;
    }
    const all = element.querySelector(".select-all");
    if (all) {
      all.checked = selectable > 0 && data.length === selectable;
      all.indeterminate = data.length > 0 && data.length < selectable;
    }
    onSelection(data);
  });
  table.on("dataLoaded", () => onSelection([]));

  return {
    reload: () => table.setPage(1),
    refresh: () => table.replaceData(),
    selected: () => table.getSelectedData(),
    label: (checkouts) => checkouts.map(describe),
    count: (n) => plural(n, "checkout"),
    table,
  };
}
