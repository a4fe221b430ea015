// Date fields written the way the page's language writes a date (31.12.2027, 2027/12/31,
// 12/31/2027; in the reader's own variant of it, such as 31/12/2027 for en-GB, as every date
// of the portal), whatever language the browser itself is in.
//
// Each <input type="date"> stays in the page as the field's value: its id, name, min, max and
// required are untouched and its value stays ISO (yyyy-mm-dd), so the form submits ISO and
// the page's scripts read and write it as before. It is laid, invisible, under a text field
// that shows and takes the date in the language's pattern (or ISO), beside a button that opens
// the browser's calendar. The labels move to the text field.

import { locale, t } from "./i18n.js";

const numeric = new Intl.DateTimeFormat(locale, { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" });
const SAMPLE = new Date(Date.UTC(2027, 11, 31));
const FIELD_PARTS = new Set(["year", "month", "day"]);
/** The order the language writes a date in, as ["day", "month", "year"] or another order. */
const ORDER = numeric.formatToParts(SAMPLE).filter((p) => FIELD_PARTS.has(p.type)).map((p) => p.type);
const LETTERS = { year: t("yyyy"), month: t("mm"), day: t("dd") };
/** The pattern people are asked to type: TT.MM.JJJJ, yyyy/mm/dd, mm/dd/yyyy. */
const PATTERN = numeric
  .formatToParts(SAMPLE)
  .map((p) => LETTERS[p.type] ?? p.value)
  .join("");

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
// Digits and the separators dates are written with (full-width forms are folded first).
const DATE_TEXT = /^[\d\s./\-,年月日]+$/;

const two = (n) => String(n).padStart(2, "0");

/** `iso` (yyyy-mm-dd) as the language writes it, "" for no date. */
export function showDate(iso) {
  const found = ISO.exec(iso ?? "");
  return found ? numeric.format(new Date(Date.UTC(+found[1], +found[2] - 1, +found[3]))) : "";
}

/** The ISO day typed in the language's pattern or as yyyy-mm-dd; "" when empty, null when the
 *  text is not a date. */
export function readDate(text) {
  const typed = String(text ?? "").normalize("NFKC").trim();
  if (!typed) return "";
  const groups = typed.match(/\d+/g);
  if (!DATE_TEXT.test(typed) || !groups || groups.length !== 3) return null;
  let parts;
  if (groups[0].length === 4) parts = { year: groups[0], month: groups[1], day: groups[2] };
  else parts = Object.fromEntries(ORDER.map((type, index) => [type, groups[index]]));
  const { year, month, day } = parts;
  if (year.length !== 4 || month.length > 2 || day.length > 2) return null;
  const date = new Date(Date.UTC(+year, +month - 1, +day));
  if (date.getUTCFullYear() !== +year || date.getUTCMonth() !== +month - 1 || date.getUTCDate() !== +day) {
    return null;
  }
  return `${year}-${two(month)}-${two(day)}`;
}

const CALENDAR =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="4" y="5" width="16" height="15" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M4 10h16M9 3v4M15 3v4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>';

const VALUE_PROPERTIES = ["value", "valueAsDate", "valueAsNumber"];
const MIRRORED = ["aria-invalid", "aria-describedby", "aria-errormessage", "required", "disabled", "readonly"];
const fields = new WeakMap();
let counter = 0;

function message() {
  const today = new Date();
  const example = showDate(`${today.getFullYear()}-${two(today.getMonth() + 1)}-${two(today.getDate())}`);
  return t("Type the date as {pattern}, for example {example}.", { pattern: PATTERN, example });
}

/** Gives the date input `input` its text field and calendar button (once). */
export function enhance(input) {
  if (fields.has(input)) return fields.get(input);
  const hadFocus = document.activeElement === input;
  if (!input.id) input.id = `date-field-${++counter}`;
  const raw = {};
  for (const name of VALUE_PROPERTIES) raw[name] = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, name);
  const value = () => raw.value.get.call(input);

  const wrapper = document.createElement("span");
  wrapper.className = "date-field";
  const text = document.createElement("input");
  text.type = "text";
  text.id = `${input.id}-text`;
  text.className = "date-field-text";
  text.inputMode = "numeric";
  text.autocomplete = "off";
  text.spellcheck = false;
  text.placeholder = PATTERN;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "icon-button date-field-open";
  button.setAttribute("aria-label", t("Choose the date in a calendar"));
  button.innerHTML = CALENDAR;
  const error = document.createElement("span");
  error.className = "field-error date-field-error";
  error.id = `${input.id}-date-error`;
  error.hidden = true;

  input.before(wrapper);
  wrapper.append(text, button, input);
  wrapper.after(error);
  input.classList.add("date-field-value");
  input.tabIndex = -1;
  input.setAttribute("aria-hidden", "true");
  for (const label of document.querySelectorAll(`label[for="${CSS.escape(input.id)}"]`)) label.htmlFor = text.id;

  let wrong = false; // the text typed is not a date
  let forwarding = false; // an event of the text field is being passed on to the input

  const mirror = () => {
    const describedBy = [input.getAttribute("aria-describedby"), wrong ? error.id : null].filter(Boolean).join(" ");
    if (describedBy) text.setAttribute("aria-describedby", describedBy);
    else text.removeAttribute("aria-describedby");
    const errorMessage = input.getAttribute("aria-errormessage");
    if (errorMessage) text.setAttribute("aria-errormessage", errorMessage);
    else text.removeAttribute("aria-errormessage");
    text.setAttribute("aria-invalid", String(wrong || input.getAttribute("aria-invalid") === "true"));
    text.setAttribute("aria-required", String(input.required));
    text.disabled = input.disabled;
    text.readOnly = input.readOnly;
    button.disabled = input.disabled || input.readOnly;
  };

  const setWrong = (isWrong) => {
    wrong = isWrong;
    error.textContent = isWrong ? message() : "";
    error.hidden = !isWrong;
    mirror();
  };

  /** The text field shows the input's value. */
  const show = () => {
    text.value = showDate(value());
    if (wrong) setWrong(false);
  };

  const forward = (type) => {
    forwarding = true;
    try {
      input.dispatchEvent(new Event(type, { bubbles: true }));
    } finally {
      forwarding = false;
    }
  };

  // The page's scripts set the value through these; the text field follows.
  for (const name of VALUE_PROPERTIES) {
    Object.defineProperty(input, name, {
      configurable: true,
      enumerable: true,
      get: () => raw[name].get.call(input),
      set: (next) => {
        raw[name].set.call(input, next);
        show();
      },
    });
  }

  text.addEventListener("input", (event) => {
    event.stopPropagation();
    const iso = readDate(text.value);
    if (iso !== null && wrong) setWrong(false);
    if ((iso ?? "") !== value()) {
      raw.value.set.call(input, iso ?? "");
      forward("input");
    }
  });
  text.addEventListener("change", (event) => {
    event.stopPropagation();
    const iso = readDate(text.value);
    if (iso === null) {
      raw.value.set.call(input, "");
      setWrong(true);
    } else {
      raw.value.set.call(input, iso);
      text.value = showDate(iso);
      setWrong(false);
    }
    forward("change");
  });
  text.addEventListener("blur", () => input.dispatchEvent(new FocusEvent("blur")));
  // The calendar, a test or the browser set the input itself: the text field follows.
  for (const type of ["input", "change"]) {
    input.addEventListener(type, () => {
      if (!forwarding) show();
    });
  }
  input.addEventListener("focus", () => text.focus());
  button.addEventListener("click", () => {
    try {
      input.showPicker();
    } catch {
      text.focus();
    }
  });
  new MutationObserver(mirror).observe(input, { attributes: true, attributeFilter: MIRRORED });

  show();
  mirror();
  if (hadFocus) text.focus();
  const field = {
    text,
    refresh: show,
    /** Says so at the field when its text is not a date; true then. */
    refuse: () => {
      if (readDate(text.value) !== null) return false;
      setWrong(true);
      return true;
    },
  };
  fields.set(input, field);
  return field;
}

function enhanceWithin(root) {
  if (root.matches?.('input[type="date"]')) enhance(root);
  for (const input of root.querySelectorAll?.('input[type="date"]') ?? []) enhance(input);
}

// A form is not sent with a date field whose text is not a date: the field says why.
document.addEventListener(
  "submit",
  (event) => {
    const wrong = [...event.target.querySelectorAll(".date-field-value")]
      .map((input) => fields.get(input))
      .filter((field) => field?.refuse());
    if (!wrong.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    wrong[0].text.focus();
  },
  true,
);

// A reset form puts back its inputs' first values: the text fields follow.
document.addEventListener("reset", (event) => {
  setTimeout(() => {
    for (const input of event.target.querySelectorAll(".date-field-value")) fields.get(input)?.refresh();
  });
});

enhanceWithin(document);
new MutationObserver((changes) => {
  for (const change of changes) for (const node of change.addedNodes) if (node.nodeType === 1) enhanceWithin(node);
}).observe(document.body, { childList: true, subtree: true });
