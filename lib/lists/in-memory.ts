import type { ListParams } from "./list-params";

type Sortable = string | number | boolean | Date | null | undefined;

/**
 * Sorting, searching, filtering and paging on the server for the short lists read whole anyway
 * (accounts, API keys): the same URL state and controls as the database-paged lists.
 */
export function pageInMemory<T, S extends string, F extends string>(
  rows: readonly T[],
  params: ListParams<S, F>,
  how: { sortBy: Record<S, (row: T) => Sortable>; searchIn: (row: T) => (string | number | null | undefined)[]; filterBy?: Record<F, (row: T) => string> },
) {
  const needle = params.q.toLowerCase().replace(/^as(?=\d)/, "");
  const matching = rows.filter(
    (row) =>
      (!needle || how.searchIn(row).some((value) => value !== null && value !== undefined && String(value).toLowerCase().includes(needle))) &&
      Object.entries(params.filters).every(([name, value]) => !value || how.filterBy?.[name as F]?.(row) === value),
  );
  const key = how.sortBy[params.sort];
  const rank = (value: Sortable) => (value instanceof Date ? value.getTime() : typeof value === "boolean" ? Number(value) : value);
  const sorted = [...matching].sort((a, b) => {
    const [x, y] = [rank(key(a)), rank(key(b))];
    if (x === y) return 0;
    // Empty values last, whichever the direction.
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const order = typeof x === "string" && typeof y === "string" ? x.localeCompare(y) : x < y ? -1 : 1;
    return params.dir === "asc" ? order : -order;
  });
  const start = (params.page - 1) * params.size;
  return { rows: sorted.slice(start, start + params.size), total: matching.length };
}
