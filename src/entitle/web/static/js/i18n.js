// The page's language and its catalog: /i18n/<language>.js sets globalThis.entitleCatalog
// before any module runs. Text is marked t("…") or tn("…", "…", n) so the catalog's
// extraction finds it; {name} placeholders are filled from the values given.

const catalog = globalThis.entitleCatalog ?? {};

/** The page's language ("en", "de", "ja"), as the server chose it for <html lang>. */
export const language = document.documentElement.lang || "en";

/** The locale dates and numbers follow: the browser's own variant of the page's language
 * (en-GB, de-AT) when it prefers one, else the language itself. */
export const locale =
  (navigator.languages ?? [navigator.language]).find((tag) => tag && tag.split("-")[0].toLowerCase() === language) ??
  language;

const pluralRules = new Intl.PluralRules(language);
const numbers = new Intl.NumberFormat(locale);

function fill(text, values) {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** `message` in the page's language, with its {placeholders} filled. */
export function t(message, values) {
  const text = catalog[message];
  return fill(typeof text === "string" ? text : message, values);
}

/** The form for `count` ({count} is filled with the number as the language writes it). */
export function tn(singular, plural, count, values = {}) {
  const all = { count: numbers.format(count), ...values };
  const forms = catalog[singular];
  if (Array.isArray(forms) && forms.length) {
    const index = forms.length === 1 ? 0 : pluralRules.select(count) === "one" ? 0 : 1;
    return fill(forms[Math.min(index, forms.length - 1)], all);
  }
  return fill(count === 1 ? singular : plural, all);
}

// The portal's sentence for each problem code, in the page's language (the API's `detail`
// stays English: in English the server's own, more precise, words are shown).
const problems = globalThis.entitleProblems ?? {};

/** What to show for a refusal: its code's sentence in the page's language, else `detail`. */
export function problemMessage(code, detail) {
  return language !== "en" && problems[code] ? problems[code] : detail;
}
