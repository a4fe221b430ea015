// The Usage page: one query (range, grouping, filters) drives the table, the chart, the peak
// and the CSV link, all from GET /api/v1/usage. The form shows the last day of the range; the
// API's `to` is the day after it.

import { request } from "./api.js";
import { escapeHtml, formatDay } from "./format.js";
import { keyboardHeaders } from "./grid.js";
import { locale, problemMessage, t, tn } from "./i18n.js";
import { tabulatorLanguage } from "./tabulator-language.js";
import { chartMessage, drawBars } from "./usage-chart.js";

const $ = (id) => document.getElementById(id);
const form = $("usage-form");
const preset = $("range-preset");
const fromInput = $("usage-from");
const toInput = $("usage-to");
const csvLink = $("usage-csv");
const chart = $("usage-chart");
const FILTERS = { user: "filter-user", machine: "filter-machine", application: "filter-application", country: "filter-country", license_service: "filter-license-service" };
const FIELDS = { from: "usage-from", to: "usage-to", ...FILTERS };
const CALENDARS = ["day", "month"];
const TITLES = {
  user: t("User"),
  machine: t("Machine name"),
  application: t("Application"),
  country: t("Entitlement Country"),
  day: t("Day"),
  month: t("Month"),
};
// The same, inside a sentence ("Per user, month; …").
const GROUP_NAMES = {
  user: t("user"),
  machine: t("machine name"),
  application: t("application"),
  country: t("entitlement country"),
  day: t("day"),
  month: t("month"),
};
const DAILY_CHART_LIMIT = 92;

const DAY_MS = 86_400_000;
const parseDay = (iso) => new Date(`${iso}T00:00:00Z`);
const isoDay = (date) => date.toISOString().slice(0, 10);
const addDays = (iso, days) => isoDay(new Date(parseDay(iso).getTime() + days * DAY_MS));
const nextMonth = (key) => isoDay(new Date(Date.UTC(+key.slice(0, 4), +key.slice(5, 7), 1))).slice(0, 7);

const monthFormat = new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" });
const shortDayFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
const momentFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const hoursFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const daysFormat = new Intl.NumberFormat(locale, { useGrouping: false });
const twoDigits = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
const groupList = new Intl.ListFormat(locale, { type: "unit", style: "short" });

const formatMonth = (key) => monthFormat.format(parseDay(`${key}-01`));
const hours = (minutes) => hoursFormat.format(minutes / 60);

/** `D HH:MM`, as the API and the CSV write it, in the page's digits. */
function duration(minutes) {
  const rest = minutes % 1440;
  return `${daysFormat.format(Math.floor(minutes / 1440))} ${twoDigits.format(Math.floor(rest / 60))}:${twoDigits.format(rest % 60)}`;
}

const KEY_FORMATS = {
  day: (key) => formatDay(key),
  month: (key) => formatMonth(key),
};

// The query

const groupBoxes = () => [...form.querySelectorAll('input[name="group_by"]')];
const groupBy = () => groupBoxes().filter((box) => box.checked).map((box) => box.value);
const chartUnit = () => form.ownerDocument.querySelector('input[name="chart-unit"]:checked').value;

function filterParams(params) {
  for (const [name, id] of Object.entries(FILTERS)) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function apiQuery(groups) {
  const params = new URLSearchParams({ from: fromInput.value, to: addDays(toInput.value, 1) });
  for (const group of groups) params.append("group_by", group);
  return filterParams(params);
}

function rangeProblem() {
  if (!fromInput.value) return { field: "from", message: t("Choose the first day of the range.") };
  if (!toInput.value) return { field: "to", message: t("Choose the last day of the range.") };
  if (fromInput.value > toInput.value) return { field: "to", message: t("The last day must be on or after the first day.") };
  return null;
}

const rangeDays = () => Math.round((parseDay(toInput.value) - parseDay(fromInput.value)) / DAY_MS) + 1;

// Messages and states

function showError(message, field) {
  for (const id of Object.values(FIELDS)) {
    $(id).removeAttribute("aria-invalid");
    $(id).removeAttribute("aria-errormessage");
  }
  const box = $("usage-error");
  box.textContent = message ?? "";
  box.hidden = !message;
  if (message && FIELDS[field]) {
    $(FIELDS[field]).setAttribute("aria-invalid", "true");
    $(FIELDS[field]).setAttribute("aria-errormessage", "usage-error");
  }
}

/** No figures rather than those of an earlier range: a refused range shows none. */
async function clearFigures() {
  loads += 1;
  chartLoads += 1;
  for (const id of ["total-duration", "total-hours", "peak-machines", "peak-at"]) $(id).textContent = "—";
  drawn = null;
  chartMessage(chart, t("No figures: correct the range above."));
  csvLink.removeAttribute("href");
  csvLink.setAttribute("aria-disabled", "true");
  $("usage-status").textContent = "";
  $("figures-hint").textContent = "";
  setBusy(false);
  await tableBuilt;
  table.clearAlert();
  table.setData([]);
}

function setBusy(busy) {
  $("usage-results").setAttribute("aria-busy", String(busy));
  if (busy) $("usage-status").textContent = t("Loading usage…");
  chart.classList.toggle("loading", busy);
}

// The table

let table;
// t() outside the template literals: extraction does not read inside one.
const noUsage = t("No usage booked in this range. Widen the range or clear a filter.");
const tableBuilt = new Promise((resolve) => {
  table = new Tabulator($("usage-table"), {
    data: [],
    columns: [],
    layout: "fitColumns",
    pagination: true,
    paginationSize: 50,
    ...tabulatorLanguage(),
    renderVertical: "basic",
    placeholder: `<span class="grid-empty">${escapeHtml(noUsage)}</span>`,
    columnDefaults: { headerHozAlign: "left", vertAlign: "middle" },
  });
  table.on("tableBuilt", resolve);
});

// The old rows are redrawn once under the new columns, so a key may be missing.
function keyText(group, key) {
  if (key === undefined || key === null) return "";
  return escapeHtml(KEY_FORMATS[group] ? KEY_FORMATS[group](key) : key);
}

function columns(groups) {
  const keys = groups.map((group) => ({
    title: TITLES[group],
    field: group,
    formatter: (cell) => keyText(group, cell.getValue()),
    minWidth: 120,
    widthGrow: group === "user" || group === "application" ? 2 : 1,
  }));
  const byMinutes = (_a, _b, aRow, bRow) => aRow.getData().minutes - bRow.getData().minutes;
  return [
    ...keys,
    {
      title: t("Duration (D HH:MM)"),
      field: "duration",
      hozAlign: "right",
      headerHozAlign: "right",
      formatter: (cell) => duration(cell.getRow().getData().minutes),
      sorter: byMinutes,
      minWidth: 160,
    },
    { title: t("Hours"), field: "minutes", hozAlign: "right", headerHozAlign: "right", formatter: (cell) => hours(cell.getValue()), minWidth: 110 },
  ];
}

/** Synchronous, so a newer report can never be overtaken by an older one; needs tableBuilt. */
function showTable(report) {
  table.setColumns(columns(report.group_by));
  table.setData(report.items);
  keyboardHeaders(table);
  const grouped = groupList.format(report.group_by.map((g) => GROUP_NAMES[g]));
  $("figures-hint").textContent = grouped ? t("Per {groups}; sort by a column header.", { groups: grouped }) : t("The total of the range.");
}

// The chart

let drawn = null;

function buckets(unit, report) {
  const minutes = new Map(report.items.map((item) => [item[unit], item.minutes]));
  const keys = [];
  const last = addDays(report.to, -1);
  if (unit === "day") {
    for (let day = report.from; day <= last; day = addDays(day, 1)) keys.push(day);
  } else {
    for (let month = report.from.slice(0, 7); month <= last.slice(0, 7); month = nextMonth(month)) keys.push(month);
  }
  return keys.map((key) => {
    const booked = minutes.get(key) ?? 0;
    const name = KEY_FORMATS[unit](key);
    return {
      key,
      minutes: booked,
      label: unit === "day" ? shortDayFormat.format(parseDay(key)) : name,
      title: t("{period}: {duration} ({hours} h)", { period: name, duration: duration(booked), hours: hours(booked) }),
    };
  });
}

function showChart(unit, report) {
  $("chart-title").textContent = unit === "day" ? t("Usage per day") : t("Usage per month");
  if (report.total_minutes === 0) {
    drawn = null;
    chartMessage(chart, t("No usage booked in this range: nothing to chart."));
    return;
  }
  const bars = buckets(unit, report);
  const most = bars.reduce((a, b) => (b.minutes > a.minutes ? b : a));
  const values = {
    from: formatDay(report.from),
    to: formatDay(addDays(report.to, -1)),
    hours: hours(most.minutes),
    most: KEY_FORMATS[unit](most.key),
  };
  const summary =
    unit === "day"
      ? t("Booked hours per day from {from} to {to}; the most, {hours} h, on {most}.", values)
      : t("Booked hours per month from {from} to {to}; the most, {hours} h, in {most}.", values);
  drawn = { bars, summary };
  drawBars(chart, bars, { summary });
}

new ResizeObserver(() => {
  if (drawn && chart.firstElementChild?.getAttribute("width") !== String(Math.max(chart.clientWidth, 320))) {
    drawBars(chart, drawn.bars, { summary: drawn.summary });
  }
}).observe(chart);

// Loading

const getJson = async (path, params) => (await request(`${path}?${params}`)).json();
let loads = 0;
let chartLoads = 0;

async function loadChart() {
  const mine = ++chartLoads;
  const unit = chartUnit();
  if (!chart.firstElementChild) chartMessage(chart, t("Loading usage…"), "grid-loading");
  try {
    const report = await getJson("/usage", apiQuery([unit]));
    if (mine === chartLoads) showChart(unit, report);
  } catch (error) {
    if (mine === chartLoads) {
      drawn = null;
      chartMessage(chart, t("The chart could not be drawn: {reason}", { reason: problemMessage(error.code, error.message) }), "grid-error");
    }
  }
}

function showSummary(report, peak) {
  $("total-duration").textContent = duration(report.total_minutes);
  $("total-hours").textContent = hours(report.total_minutes);
  $("peak-machines").textContent = tn("{count} machine", "{count} machines", peak.machines);
  $("peak-at").textContent = peak.first_at ? t("{moment} UTC", { moment: momentFormat.format(new Date(peak.first_at)) }) : "—";
}

async function load() {
  const problem = rangeProblem();
  showError(problem?.message, problem?.field);
  if (problem) {
    await clearFigures();
    return;
  }
  const mine = ++loads;
  const query = apiQuery(groupBy());
  saveToAddress();
  setBusy(true);
  const charted = loadChart();
  await tableBuilt;
  const loading = t("Loading usage…");
  if (!table.getDataCount()) table.alert(`<span class="grid-loading" role="status">${escapeHtml(loading)}</span>`);
  try {
    const peakQuery = new URLSearchParams(query);
    peakQuery.delete("group_by");
    const [report, peak] = await Promise.all([getJson("/usage", query), getJson("/usage/peak", peakQuery)]);
    if (mine !== loads) return;
    showTable(report);
    showSummary(report, peak);
    query.set("format", "csv");
    csvLink.href = `/api/v1/usage?${query}`;
    csvLink.removeAttribute("aria-disabled");
    const last = addDays(report.to, -1);
    $("usage-status").textContent = tn("{count} row, {from} to {to}.", "{count} rows, {from} to {to}.", report.items.length, {
      from: formatDay(report.from),
      to: formatDay(last),
    });
  } catch (error) {
    if (mine !== loads) return;
    showError(problemMessage(error.code, error.message), error.errors?.[0]?.field);
    await clearFigures();
  } finally {
    if (mine === loads) {
      table.clearAlert();
      await charted;
      setBusy(false);
    }
  }
}

// The address keeps the form, so a reload or a shared link shows the same report.

function saveToAddress() {
  const params = new URLSearchParams({ from: fromInput.value, to: toInput.value });
  for (const group of groupBy()) params.append("group_by", group);
  filterParams(params);
  params.set("chart", chartUnit());
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

function restoreFromAddress() {
  const params = new URLSearchParams(window.location.search);
  if (!params.has("from")) return;
  fromInput.value = params.get("from");
  toInput.value = params.get("to") ?? "";
  const groups = params.getAll("group_by");
  for (const box of groupBoxes()) box.checked = groups.includes(box.value);
  for (const [name, id] of Object.entries(FILTERS)) $(id).value = params.get(name) ?? "";
  const unit = form.ownerDocument.querySelector(`input[name="chart-unit"][value="${params.get("chart")}"]`);
  if (unit) unit.checked = true;
  matchPreset();
}

// The controls

function matchPreset() {
  const named = [...preset.options].find((o) => o.dataset.from === fromInput.value && o.dataset.to === toInput.value);
  preset.value = named ? named.value : "custom";
}

function pickChartUnit(unit) {
  form.ownerDocument.querySelector(`input[name="chart-unit"][value="${unit}"]`).checked = true;
}

function onRangeChange() {
  if (!rangeProblem()) pickChartUnit(rangeDays() > DAILY_CHART_LIMIT ? "month" : "day");
}

preset.addEventListener("change", () => {
  const chosen = preset.selectedOptions[0];
  if (chosen.dataset.from) {
    fromInput.value = chosen.dataset.from;
    toInput.value = chosen.dataset.to;
  }
  onRangeChange();
});
for (const input of [fromInput, toInput]) {
  input.addEventListener("change", () => {
    matchPreset();
    onRangeChange();
  });
}
for (const box of groupBoxes()) {
  box.addEventListener("change", () => {
    if (!box.checked || !CALENDARS.includes(box.value)) return;
    for (const other of groupBoxes()) if (other !== box && CALENDARS.includes(other.value)) other.checked = false;
    pickChartUnit(box.value);
  });
}
// Listeners above run first, so a change loads the report the form now shows.
form.addEventListener("change", load);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
for (const radio of document.querySelectorAll('input[name="chart-unit"]')) {
  radio.addEventListener("change", () => {
    saveToAddress();
    loadChart();
  });
}

restoreFromAddress();
load();
