// What both checkout grids share: remote paging, sorting and filtering through GET /checkouts.

import { getJson } from "./api.js";
import { sortText } from "./address.js";
import { t } from "./i18n.js";
import { tabulatorLanguage } from "./tabulator-language.js";

/** Tabulator options for a grid whose rows come page by page from the API, sorted in SQL.
 * `onRequest` hears each page asked for (page, size and header sort) to keep it in the address. */
export function remoteGrid({ query, pageSize, empty, sortOverride = () => [], onRequest = () => {} }) {
  // t() outside the template literals below: extraction does not read inside one.
  const loading = t("Loading checkouts…");
  const failed = t("The checkouts could not be loaded. Reload the page to try again.");
  return {
    ajaxURL: "/api/v1/checkouts",
    ajaxRequestFunc: async (_url, _config, params) => {
      const custom = sortOverride();
      const header = (params.sort ?? []).map(({ field, dir }) => ({ field, dir }));
      const sorters = custom.length ? custom : header;
      const asked = { page: params.page ?? 1, size: params.size ?? pageSize, sort: header };
      onRequest(asked);
      const page = await getJson("/checkouts", {
        ...query(),
        page: asked.page,
        page_size: asked.size,
        sort: sortText(sorters),
      });
      return { last_page: page.last_page, last_row: page.total, data: page.items };
    },
    pagination: true,
    paginationMode: "remote",
    paginationSize: pageSize,
    ...tabulatorLanguage(),
    sortMode: "remote",
    filterMode: "remote",
    layout: "fitColumns",
    renderVertical: "basic",
    index: "id",
    placeholder: empty,
    dataLoaderLoading: `<span class="grid-loading" role="status">${loading}</span>`,
    dataLoaderError: `<span class="grid-error" role="alert">${failed}</span>`,
    columnDefaults: { headerHozAlign: "left", vertAlign: "middle" },
  };
}

/** Column headers that sort can be reached with Tab and sorted with Enter or Space. */
export function keyboardHeaders(table) {
  for (const column of table.getColumns()) {
    const definition = column.getDefinition();
    if (definition.headerSort === false) continue;
    const element = column.getElement();
    element.tabIndex = 0;
    element.addEventListener("keydown", (event) => {
      if ((event.key === "Enter" || event.key === " ") && event.target === element) {
        event.preventDefault();
        element.querySelector(".tabulator-col-title")?.click();
      }
    });
  }
}

export function button(className, label, html, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.setAttribute("aria-label", label);
  element.title = label;
  element.innerHTML = html;
  element.addEventListener("click", (event) => {
    event.stopPropagation();
    onClick(event);
  });
  return element;
}
