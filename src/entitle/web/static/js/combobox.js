// A small accessible typeahead: an input with a listbox of suggestions fetched as you type.

let counter = 0;

export function combobox(input, { source, onPick = () => {}, delay = 120 }) {
  const list = document.createElement("ul");
  list.id = `${input.id || `combo-${++counter}`}-options`;
  list.className = "combo-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  input.after(list);
  Object.entries({
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": list.id,
    autocomplete: "off",
  }).forEach(([name, value]) => input.setAttribute(name, value));

  let items = [];
  let active = -1;
  let asked = 0;
  let timer = 0;

  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const chosen = list.children[index];
    if (chosen) {
      input.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    }
  };

  const render = () => {
    list.replaceChildren(
      ...items.map((item, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        if (item.detail) {
          const detail = document.createElement("span");
          detail.className = "combo-detail";
          detail.textContent = item.detail;
          li.append(detail);
        }
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(i);
        });
        return li;
      }),
    );
    list.hidden = items.length === 0 || document.activeElement !== input;
    input.setAttribute("aria-expanded", String(!list.hidden));
    active = -1;
  };

  const pick = (index) => {
    const item = items[index];
    if (!item) return;
    clearTimeout(timer);
    asked += 1; // answers still on their way are for what was typed before the pick
    input.value = item.value;
    close();
    onPick(item);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const refresh = async () => {
    const ticket = ++asked;
    let found = [];
    try {
      found = await source(input.value.trim());
    } catch {
      found = [];
    }
    if (ticket !== asked) return;
    items = found;
    render();
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  });
  input.addEventListener("focus", refresh);
  input.addEventListener("blur", () => {
    clearTimeout(timer);
    setTimeout(close, 100);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) return void refresh();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.stopPropagation();
      close();
    }
  });
  return { refresh, close };
}
