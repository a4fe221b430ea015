// Checkout History: every checkout of the organisation, sorted by a header click or by the
// custom sort bar (which overrides it), filtered per column, paged in SQL.

import { filterParams, filterTitle } from "./column-filters.js";
import {
  CHECK_IN_LABELS,
  CREATED_VIA_LABELS,
  clipped,
  createdVia,
  escapeHtml,
  formatDay,
  formatMoment,
  STATUS_LABELS,
  userLabel,
} from "./format.js";
import { parseSort, readView, sortText, writeView } from "./address.js";
import { keyboardHeaders, remoteGrid } from "./grid.js";
import { t } from "./i18n.js";
import { rowActions } from "./row-actions.js";
import { draggableHeaders, sortBar } from "./sort-bar.js";

const COLUMNS = [
  { field: "user", title: t("User") },
  { field: "machine", title: t("Machine name") },
  { field: "country", title: t("Country") },
  { field: "license_service", title: t("License service") },
  { field: "applications", title: t("Applications") },
  { field: "created_at", title: t("Created") },
  { field: "created_via", title: t("Created via") },
  { field: "created_by", title: t("Created by") },
  { field: "expires_at", title: t("Expires") },
  { field: "status", title: t("Status") },
  { field: "checked_in_at", title: t("Checked in") },
];

function filterInputs(countries) {
  const any = ["", t("Any")];
  return {
    user: [{ name: "user", label: t("Name or email contains") }],
    machine: [{ name: "machine", label: t("Machine name contains") }],
    country: [{ name: "country", label: t("Entitlement country"), options: [any, ...countries.map((c) => [c, c])] }],
    license_service: [
      { name: "license_service", label: t("License service"), options: [any, ["SES", "SES"], ["SELECTserver", "SELECTserver"]] },
    ],
    applications: [
      { name: "application", label: t("Application contains") },
      { name: "version", label: t("Version starts with") },
    ],
    created_via: [
      {
        name: "created_via",
        label: t("Created via"),
        options: [any, ...Object.entries(CREATED_VIA_LABELS)],
      },
    ],
    created_by: [{ name: "created_by", label: t("Created by contains") }],
    checked_in_at: [
      { name: "check_in_method", label: t("Check-in method"), options: [any, ...Object.entries(CHECK_IN_LABELS)] },
      { name: "checked_in_by", label: t("Checked in by contains") },
    ],
    created_at: [
      { name: "created_on_from", label: t("Created from"), type: "date" },
      { name: "created_on_to", label: t("Created to"), type: "date" },
    ],
    expires_at: [
      { name: "expires_on_from", label: t("Expires from"), type: "date" },
      { name: "expires_on_to", label: t("Expires to"), type: "date" },
    ],
    status: [
      {
        name: "status",
        label: t("Status"),
        options: [any, ["active", t("Active")], ["checked_in", t("Checked in")], ["expired", t("Expired (last 3 months)")]],
      },
    ],
  };
}

const MIN_WIDTHS = {
  user: 140,
  machine: 180,
  country: 130,
  license_service: 190,
  applications: 200,
  created_at: 165,
  created_via: 150,
  created_by: 180,
  expires_at: 130,
  status: 115,
  checked_in_at: 200,
};

const FORMATTERS = {
  user: (c) => clipped(userLabel(c), "cell-main"),
  machine: (c) => clipped(c.machine),
  applications: (c) => clipped(c.applications.map((a) => `${a.name} ${a.version}`).join(", ")),
  created_at: (c) => formatMoment(c.created_at),
  created_via: (c) => clipped(createdVia(c)),
  created_by: (c) => clipped(c.created_by),
  expires_at: (c) => formatDay(c.expires_on),
  status: (c) => `<span class="badge ${c.status}">${STATUS_LABELS[c.status] ?? c.status}</span>`,
  checked_in_at: checkedIn,
};

// When the check-in took effect (booking ends there) and, for a receipt of the licensing tool,
// the clear time the workstation stated by its own clock.
function checkedIn(c) {
  if (!c.checked_in_at) return "";
  let how = CHECK_IN_LABELS[c.check_in_method] ?? "";
  if (c.client_cleared_at) how = t("Cleared on the workstation {moment}", { moment: formatMoment(c.client_cleared_at) });
  if (c.checked_in_by) how = how ? t("{method}: {person}", { method: how, person: c.checked_in_by }) : c.checked_in_by;
  const sub = how ? clipped(how, "cell-sub") : "";
  return `<div class="cell-stack"><span>${formatMoment(c.checked_in_at)}</span>${sub}</div>`;
}

const VIEW = "history.";
const DEFAULT_ORDER = "-created_at";
const FIELDS = new Set(COLUMNS.map((c) => c.field));

export function history(element, bar, { state, countries, hasSelect, onCheckIn, onError, notify }) {
  // An active row can be checked in and its license file downloaded from the history too.
  const describe = (c) => t("{user} on {machine}", { user: userLabel(c), machine: c.machine });
  const actionsCell = rowActions({ describe, hasSelect, onCheckIn, onError, notify });
  const inputs = filterInputs(countries);
  const names = Object.values(inputs).flat().map((i) => i.name);
  // The view the address holds: filters, custom sort, header sort, page.
  const saved = readView(VIEW);
  const filters = { country: state.country };
  for (const name of names) if (name in saved) filters[name] = saved[name];
  const known = (sorters) => sorters.filter((s) => FIELDS.has(s.field));
  const initialOrder = known(parseSort(saved.sort));
  const initialSort = known(parseSort(saved.order));
  let table;
  const reload = () => table.setPage(1);
  const sorting = sortBar(bar, {
    columns: COLUMNS,
    initial: initialOrder,
    onChange: (order) => {
      element.classList.toggle("custom-sorted", order.length > 0);
      reload();
    },
  });
  element.classList.toggle("custom-sorted", initialOrder.length > 0);

  const remember = ({ page, sort }) => {
    const view = {};
    for (const name of names) {
      const differs = name === "country" ? filters.country !== state.country : Boolean(filters[name]);
      if (differs) view[name] = filters[name] ?? "";
    }
    const custom = sorting.order();
    if (custom.length) view.sort = sortText(custom);
    if (sort.length && sortText(sort) !== DEFAULT_ORDER) view.order = sortText(sort);
    if (page > 1) view.page = String(page);
    writeView(VIEW, view);
    // The CSV holds exactly what the history shows: its filters and its sort, every page.
    const csv = new URLSearchParams();
    for (const [name, value] of Object.entries(historyQuery())) if (value) csv.set(name, value);
    const shown = custom.length ? custom : sort;
    if (shown.length) csv.set("sort", sortText(shown));
    csvLink.href = `/api/v1/checkouts/export.csv?${csv}`;
  };
  const csvLink = document.getElementById("history-csv");
  const historyQuery = () => ({ ...filterParams(filters), status: filters.status || "history" });

  // t() outside the template literals: extraction does not read inside one.
  const noneMatch = t("No checkouts match. Clear a filter to see more.");
  table = new Tabulator(element, {
    ...remoteGrid({
      pageSize: 25,
      empty: `<span class="grid-empty">${escapeHtml(noneMatch)}</span>`,
      query: () => historyQuery(),
      sortOverride: () => sorting.order(),
      onRequest: remember,
    }),
    paginationInitialPage: Math.max(1, Number.parseInt(saved.page ?? "1", 10) || 1),
    initialSort: initialSort.length
      ? initialSort.map((s) => ({ column: s.field, dir: s.dir }))
      : parseSort(DEFAULT_ORDER).map((s) => ({ column: s.field, dir: s.dir })),
    headerSortTristate: false,
    rowFormatter: (row) => row.getElement().classList.toggle("is-expired", row.getData().status === "expired"),
    columns: COLUMNS.map(({ field, title }) => ({
      title,
      field,
      titleFormatter: inputs[field] ? filterTitle(title, inputs[field], filters, reload) : undefined,
      formatter: FORMATTERS[field] ? (cell) => FORMATTERS[field](cell.getRow().getData()) : "plaintext",
      minWidth: MIN_WIDTHS[field],
      widthGrow: field === "applications" ? 2.5 : 1,
    })).concat([
      { title: "", field: "actions", formatter: actionsCell, headerSort: false, width: 92, hozAlign: "right" },
    ]),
  });
  table.on("tableBuilt", () => {
    keyboardHeaders(table);
    draggableHeaders(table, COLUMNS.map((c) => c.field));
  });

  return {
    setCountry(country) {
      filters.country = country;
      reload();
    },
    refresh: () => table.replaceData(),
    table,
  };
}
