// A filter icon in each history column header opens a small form that filters that column.

import { t } from "./i18n.js";
import { FILTER } from "./icons.js";

let openPopover = null;

const addDays = (isoDay, days) => {
  const day = new Date(`${isoDay}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
};
const localMidnight = (isoDay) => new Date(`${isoDay}T00:00:00`).toISOString();

/** What the API needs from the filters: created days are local days, expiry days are whole days. */
export function filterParams(values) {
  const params = { ...values };
  delete params.created_on_from;
  delete params.created_on_to;
  delete params.expires_on_from;
  delete params.expires_on_to;
  if (values.created_on_from) params.created_from = localMidnight(values.created_on_from);
  if (values.created_on_to) params.created_to = localMidnight(addDays(values.created_on_to, 1));
  if (values.expires_on_from) params.expires_from = `${addDays(values.expires_on_from, 1)}T00:00:00Z`;
  if (values.expires_on_to) params.expires_to = `${addDays(values.expires_on_to, 2)}T00:00:00Z`;
  return params;
}

function control(input, filters) {
  const wrapper = document.createElement("label");
  wrapper.className = "popover-field";
  const text = document.createElement("span");
  text.textContent = input.label;
  let element;
  if (input.options) {
    element = document.createElement("select");
    element.append(...input.options.map(([value, label]) => new Option(label, value)));
  } else {
    element = document.createElement("input");
    element.type = input.type ?? "text";
  }
  element.name = input.name;
  element.value = filters[input.name] ?? "";
  wrapper.append(text, element);
  return wrapper;
}

function mark(opener, title, active) {
  opener.classList.toggle("active", active);
  opener.setAttribute("aria-label", active ? t("Filter {column} (filtered)", { column: title }) : t("Filter {column}", { column: title }));
}

function close(restoreFocus = true) {
  if (!openPopover) return;
  const { form, opener } = openPopover;
  openPopover = null;
  form.remove();
  document.removeEventListener("mousedown", outside, true);
  if (restoreFocus) opener.focus();
}

function outside(event) {
  if (openPopover && !openPopover.form.contains(event.target) && !openPopover.opener.contains(event.target)) close(false);
}

function open(opener, title, inputs, filters, apply) {
  close(false);
  const form = document.createElement("form");
  form.className = "filter-popover";
  form.setAttribute("role", "dialog");
  form.setAttribute("aria-label", t("Filter {column}", { column: title }));
  const heading = document.createElement("p");
  heading.className = "popover-title";
  heading.textContent = t("Filter {column}", { column: title });
  const actions = document.createElement("div");
  actions.className = "popover-actions";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "button ghost compact";
  clear.value = "clear";
  clear.textContent = t("Clear");
  const submit = document.createElement("button");
  submit.type = "submit";
  submit.className = "button primary compact";
  submit.textContent = t("Apply");
  actions.append(clear, submit);
  form.append(heading, ...inputs.map((i) => control(i, filters)), actions);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const i of inputs) filters[i.name] = form.elements[i.name].value.trim();
    mark(opener, title, inputs.some((i) => filters[i.name]));
    close();
    apply();
  });
  clear.addEventListener("click", () => {
    for (const i of inputs) filters[i.name] = "";
    mark(opener, title, false);
    close();
    apply();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  document.body.append(form);
  const box = opener.getBoundingClientRect();
  const left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - form.offsetWidth - 8);
  form.style.top = `${box.bottom + window.scrollY + 6}px`;
  form.style.left = `${Math.max(8, left)}px`;
  openPopover = { form, opener };
  document.addEventListener("mousedown", outside, true);
  form.querySelector("input, select")?.focus();
}

/** A titleFormatter: the column's title and its filter button. */
export function filterTitle(title, inputs, filters, apply) {
  return () => {
    const holder = document.createElement("span");
    holder.className = "col-title";
    const text = document.createElement("span");
    text.className = "col-title-text";
    text.textContent = title;
    const opener = document.createElement("button");
    opener.type = "button";
    opener.className = "filter-button";
    mark(opener, title, inputs.some((i) => filters[i.name]));
    opener.setAttribute("aria-haspopup", "dialog");
    opener.title = t("Filter {column}", { column: title });
    opener.innerHTML = FILTER;
    opener.addEventListener("mousedown", (event) => event.stopPropagation());
    opener.addEventListener("keydown", (event) => event.stopPropagation());
    opener.addEventListener("click", (event) => {
      event.stopPropagation();
      open(opener, title, inputs, filters, apply);
    });
    holder.append(text, opener);
    return holder;
  };
}
