// The page's view in its address (query string), so a view can be shared and survives a
// reload: each grid keeps its keys under a prefix ("list.", "history.").

/** `-created_at,user` to Tabulator sorters, and back. */
export const parseSort = (text) =>
  (text ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => (part.startsWith("-") ? { field: part.slice(1), dir: "desc" } : { field: part, dir: "asc" }));

export const sortText = (sorters) => sorters.map((s) => (s.dir === "desc" ? `-${s.field}` : s.field)).join(",");

/** The address's values under `prefix`, without it. */
export function readView(prefix) {
  const found = {};
  for (const [name, value] of new URLSearchParams(window.location.search)) {
    if (name.startsWith(prefix)) found[name.slice(prefix.length)] = value;
  }
  return found;
}

/** Replace the values under `prefix` with `values` (those undefined or null are left out). */
export function writeView(prefix, values) {
  const url = new URL(window.location.href);
  for (const name of [...url.searchParams.keys()]) if (name.startsWith(prefix)) url.searchParams.delete(name);
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null) url.searchParams.set(`${prefix}${name}`, value);
  }
  if (url.href !== window.location.href) window.history.replaceState(null, "", url);
}
