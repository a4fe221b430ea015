// Import checkouts from a CSV file: drop it (on the dialog or the New panel), see every row's
// problems, then create them all (or the valid rows) and download the zip of license files.

import { ApiError, download, request } from "./api.js";
import { escapeHtml } from "./format.js";
import { locale, problemMessage, t, tn } from "./i18n.js";
import { idempotencyKey } from "./new-checkout.js";

const $ = (id) => document.getElementById(id);
const SHOWN = 500;
const COLUMNS = ["user", "machine", "country", "license_service", "applications", "expires_on", "activation_key"];
const apiPath = (link) => link.replace(/^\/api\/v1/, "");
const numbers = new Intl.NumberFormat(locale);
const number = (value) => numbers.format(value);
// A problem of a row in the page's language (the API's own words in English).
const said = (problem) => problemMessage(problem.code, problem.message);

/** "Created 3 checkouts." or, when rows were left out, "Created 2 checkouts; 1 row skipped." */
function createdText(created, skipped) {
  if (!skipped) return tn("Created {count} checkout.", "Created {count} checkouts.", created);
  return created === 1
    ? tn("Created 1 checkout; {count} row skipped.", "Created 1 checkout; {count} rows skipped.", skipped)
    : tn("Created {created} checkouts; {count} row skipped.", "Created {created} checkouts; {count} rows skipped.", skipped, {
        created: number(created),
      });
}

export function importCheckouts({ opener, dropTargets, notify, onCreated }) {
  const dialog = $("import-dialog");
  const state = { file: null, key: "", preview: null, created: null };

  const setError = (message) => {
    $("import-error").textContent = message;
    $("import-error").hidden = !message;
  };

  function reset() {
    Object.assign(state, { file: null, key: "", preview: null, created: null });
    $("import-file").value = "";
    $("import-file-name").textContent = t("Drop a CSV file here, or choose one");
    $("import-summary").textContent = "";
    $("import-problems").replaceChildren();
    $("import-rows").replaceChildren();
    $("import-preview").hidden = true;
    $("import-skip-field").hidden = true;
    $("import-skip").checked = false;
    for (const id of ["import-zip", "import-result"]) $(id).hidden = true;
    setError("");
    refresh();
  }

  function refresh() {
    const preview = state.preview;
    const button = $("import-create");
    if (state.created || !preview) {
      button.disabled = true;
      button.textContent = t("Create checkouts");
      return;
    }
    const fileProblems = preview.problems.some((p) => p.row === 1);
    const skip = $("import-skip").checked;
    const count = skip ? preview.valid_rows : preview.rows;
    button.disabled = fileProblems || preview.valid_rows === 0 || (preview.problems.length > 0 && !skip);
    button.textContent = tn("Create {count} checkout", "Create {count} checkouts", count);
  }

  function render(answer) {
    const invalid = answer.rows - answer.valid_rows;
    $("import-summary").textContent = answer.id
      ? createdText(answer.created, invalid)
      : tn("{count} row: {valid} valid, {invalid} with problems.", "{count} rows: {valid} valid, {invalid} with problems.", answer.rows, {
          valid: number(answer.valid_rows),
          invalid: number(invalid),
        });
    $("import-problems").replaceChildren(
      ...answer.problems.map((p) => {
        const item = document.createElement("li");
        const values = { row: p.row, column: p.column, message: said(p) };
        item.textContent = p.column ? t("Row {row}, {column}: {message}", values) : t("Row {row}: {message}", values);
        return item;
      }),
    );
    $("import-rows").innerHTML = answer.items
      .slice(0, SHOWN)
      .map((row) => {
        const byColumn = new Map(row.problems.filter((p) => p.column).map((p) => [p.column, said(p)]));
        const cells = COLUMNS.map((column) => {
          const text = escapeHtml(row.cells[column] ?? "");
          const message = byColumn.get(column);
          return message
            ? `<td class="problem" data-column="${column}">${text}<small>${escapeHtml(message)}</small></td>`
            : `<td data-column="${column}">${text}</td>`;
        });
        const whole = row.problems.filter((p) => !p.column).map((p) => escapeHtml(said(p)));
        const status = escapeHtml(
          row.problems.length ? (row.status === "skipped" ? t("Skipped") : t("Problem")) : row.status === "created" ? t("Created") : t("Valid"),
        );
        return `<tr class="${row.problems.length ? "invalid" : ""}" data-row="${row.row}"><td>${row.row}</td>${cells.join("")}<td>${status}${whole.length ? `<small>${whole.join("<br>")}</small>` : ""}</td></tr>`;
      })
      .join("");
    $("import-more").hidden = answer.items.length <= SHOWN;
    $("import-more").textContent = t("The first {shown} of {total} rows are shown; the problems above name every row.", {
      shown: number(SHOWN),
      total: number(answer.items.length),
    });
    $("import-preview").hidden = false;
    $("import-skip-field").hidden = Boolean(answer.id) || invalid === 0 || answer.valid_rows === 0;
  }

  async function choose(file) {
    reset();
    if (!file) return;
    state.file = new Blob([await file.arrayBuffer()], { type: "text/csv" });
    state.key = idempotencyKey();
    $("import-file-name").textContent = file.name;
    try {
      const response = await request("/checkouts/import", { method: "POST", params: { dry_run: "true" }, file: state.file });
      state.preview = await response.json();
      render(state.preview);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setError(problemMessage(error.code, error.message));
    }
    refresh();
  }

  async function create(event) {
    event.preventDefault();
    if (!state.file || !state.preview) return;
    setError("");
    $("import-create").disabled = true;
    try {
      const response = await request("/checkouts/import", {
        method: "POST",
        params: { skip_invalid: $("import-skip").checked ? "true" : undefined },
        file: state.file,
        headers: { "Idempotency-Key": state.key },
      });
      state.created = await response.json();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setError(problemMessage(error.code, error.message));
      refresh();
      return;
    }
    render(state.created);
    $("import-zip").hidden = false;
    $("import-result").hidden = false;
    refresh();
    onCreated();
    const zip = await download(apiPath(state.created.license_files), { fallback: "license-files.zip" });
    notify(tn("Created {count} checkout: {file} downloaded.", "Created {count} checkouts: {file} downloaded.", state.created.created, { file: zip }));
  }

  function open(file) {
    if (!dialog.open) {
      reset();
      dialog.showModal();
    }
    if (file) choose(file);
  }

  function acceptDrops(target, onDrop) {
    target.addEventListener("dragover", (event) => {
      if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
      event.preventDefault();
      target.classList.add("dragging");
    });
    target.addEventListener("dragleave", () => target.classList.remove("dragging"));
    target.addEventListener("drop", (event) => {
      const file = event.dataTransfer?.files?.[0];
      target.classList.remove("dragging");
      if (!file) return;
      event.preventDefault();
      onDrop(file);
    });
  }

  acceptDrops($("import-drop"), (file) => choose(file));
  for (const target of dropTargets) acceptDrops(target, (file) => open(file));
  $("import-file").addEventListener("change", (event) => choose(event.target.files?.[0]));
  $("import-skip").addEventListener("change", refresh);
  $("import-form").addEventListener("submit", create);
  $("import-close").addEventListener("click", () => dialog.close());
  $("import-zip").addEventListener("click", () =>
    download(apiPath(state.created.license_files), { fallback: "license-files.zip" }),
  );
  $("import-result").addEventListener("click", () =>
    download(apiPath(state.created.result_csv), { fallback: "import-result.csv" }),
  );
  opener.addEventListener("click", () => open());
  return { open };
}
