// Tabulator's own words (its paging bar and loading texts) in the page's language; in English
// as Tabulator has them. Every grid of the portal takes them.

import { language, t, tn } from "./i18n.js";

const words = () => ({
  data: { loading: t("Loading"), error: t("Error") },
  pagination: {
    page_size: t("Page Size"),
    page_title: t("Show Page"),
    first: t("First"),
    first_title: t("First Page"),
    last: t("Last"),
    last_title: t("Last Page"),
    prev: t("Prev"),
    prev_title: t("Prev Page"),
    next: t("Next"),
    next_title: t("Next Page"),
    all: t("All"),
  },
});

/** "Showing 1-50 of 120 rows" as one sentence; the numbers as Tabulator writes them. */
const counter = (size, first, _page, total) =>
  total
    ? tn("Showing {first}-{last} of {count} row", "Showing {first}-{last} of {count} rows", total, {
        first,
        last: Math.min(first + size - 1, total),
        count: total,
      })
    : t("Showing 0 rows");

/** Tabulator options that put its own texts in the page's language. */
export function tabulatorLanguage() {
  return { locale: language, langs: { [language]: words() }, paginationCounter: counter };
}
