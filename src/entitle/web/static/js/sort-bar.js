// The custom sort above the history's headers: drag a header in (or pick it from the list);
// each chip toggles ascending/descending on click and has × to remove it. It overrides the
// header-click sort while it holds any chip.

import { t } from "./i18n.js";

export const DRAG_TYPE = "application/x-entitle-column";

export function sortBar(bar, { columns, onChange, initial = [] }) {
  const chips = bar.querySelector("#sort-chips");
  const hint = bar.querySelector("#sort-bar-hint");
  const adder = bar.querySelector("#sort-add");
  const clear = bar.querySelector("#sort-clear");
  const titles = new Map(columns.map((c) => [c.field, c.title]));
  let order = initial.filter((e) => titles.has(e.field)).map((e) => ({ field: e.field, dir: e.dir }));

  adder.append(...columns.map((c) => new Option(c.title, c.field)));

  const chip = (entry, index) => {
    const title = titles.get(entry.field);
    const item = document.createElement("li");
    item.className = "sort-chip";
    item.dataset.field = entry.field;
    item.dataset.dir = entry.dir;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "chip-toggle";
    const values = { position: index + 1, column: title };
    toggle.setAttribute(
      "aria-label",
      entry.dir === "asc"
        ? t("{position}. {column}, ascending: press to reverse", values)
        : t("{position}. {column}, descending: press to reverse", values),
    );
    toggle.textContent = `${title} ${entry.dir === "asc" ? "▲" : "▼"}`;
    toggle.addEventListener("click", () => {
      entry.dir = entry.dir === "asc" ? "desc" : "asc";
      changed(entry.field, ".chip-toggle");
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("aria-label", t("Remove {column} from the custom sort", { column: title }));
    remove.textContent = "×";
    remove.addEventListener("click", () => {
      order = order.filter((e) => e !== entry);
      changed(null);
    });
    item.append(toggle, remove);
    return item;
  };

  const render = () => {
    chips.replaceChildren(...order.map(chip));
    hint.hidden = order.length > 0;
    clear.hidden = order.length === 0;
    bar.classList.toggle("active", order.length > 0);
    for (const option of adder.options) option.disabled = order.some((e) => e.field === option.value);
  };

  const changed = (focusField, focusSelector) => {
    render();
    onChange(order.map((e) => ({ ...e })));
    const again = focusField && chips.querySelector(`[data-field="${focusField}"] ${focusSelector}`);
    (again || adder).focus();
  };

  const add = (field) => {
    if (!titles.has(field) || order.some((e) => e.field === field)) return;
    order.push({ field, dir: "asc" });
    changed(field, ".chip-toggle");
  };

  bar.addEventListener("dragover", (event) => {
    if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    bar.classList.add("drop-target");
  });
  bar.addEventListener("dragleave", () => bar.classList.remove("drop-target"));
  bar.addEventListener("drop", (event) => {
    event.preventDefault();
    bar.classList.remove("drop-target");
    add(event.dataTransfer.getData(DRAG_TYPE));
  });
  adder.addEventListener("change", () => {
    add(adder.value);
    adder.value = "";
  });
  clear.addEventListener("click", () => {
    order = [];
    changed(null);
  });
  render();
  return { order: () => order.map((e) => ({ ...e })) };
}

/** Let a grid's column headers be dragged into the sort bar. */
export function draggableHeaders(table, fields) {
  for (const column of table.getColumns()) {
    const field = column.getField();
    if (!fields.includes(field)) continue;
    const element = column.getElement();
    element.draggable = true;
    element.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData(DRAG_TYPE, field);
      event.dataTransfer.setData("text/plain", column.getDefinition().title);
      event.dataTransfer.effectAllowed = "copy";
    });
  }
}
