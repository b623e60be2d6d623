/**
 * A list view's state, read from the URL so a view can be shared: sort column and direction,
 * search text, state filters, page and page size. Anything unknown or malformed falls back to the
 * default instead of failing, and a sort column is only ever one of the list's own names (the
 * repository maps it to a column; it never reaches SQL as text).
 */
export type ListParams<S extends string = string, F extends string = string> = {
  sort: S;
  dir: "asc" | "desc";
  q: string;
  filters: Partial<Record<F, string>>;
  page: number;
  size: number;
  /** Prefix of this list's URL parameters, when a page shows more than one list. */
  prefix?: string;
};

export type ListSpec<S extends string, F extends string> = {
  sorts: readonly [S, ...S[]];
  defaultSort: S;
  defaultDir?: "asc" | "desc";
  /** Each filter's allowed values (e.g. connection states) or a test of one (a record's id); anything else means "any". */
  filters?: Record<F, readonly string[] | ((value: string) => boolean)>;
  pageSizes?: readonly number[];
  defaultSize?: number;
};

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const MAX_SEARCH_LENGTH = 100;

type RawParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function parseListParams<S extends string, F extends string = never>(spec: ListSpec<S, F>, rawParams: RawParams, prefix = ""): ListParams<S, F> {
  const raw: RawParams = prefix ? Object.fromEntries(Object.entries(rawParams).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value])) : rawParams;
  const sizes = spec.pageSizes ?? PAGE_SIZES;
  const defaultSize = spec.defaultSize ?? (sizes.includes(50) ? 50 : sizes[0]!);
  // Plain checks, not a schema built per call: this runs on every list request (bench:pages).
  const sort = first(raw.sort);
  const dir = first(raw.dir);
  const q = (first(raw.q) ?? "").trim();
  const page = Number(first(raw.page) ?? 1);
  const size = Number(first(raw.size) ?? defaultSize);
  const parsed = {
    sort: sort !== undefined && (spec.sorts as readonly string[]).includes(sort) ? (sort as S) : spec.defaultSort,
    dir: dir === "asc" || dir === "desc" ? dir : (spec.defaultDir ?? "asc"),
    q: q.length <= MAX_SEARCH_LENGTH ? q : "",
    page: Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
    size: Number.isInteger(size) && sizes.includes(size) ? size : defaultSize,
  };
  const filters: Partial<Record<F, string>> = {};
  for (const [name, allowed] of Object.entries(spec.filters ?? {}) as [F, readonly string[] | ((value: string) => boolean)][]) {
    const value = first(raw[name]);
    if (value && (typeof allowed === "function" ? allowed(value) : allowed.includes(value))) filters[name] = value;
  }
  return { ...parsed, filters, ...(prefix ? { prefix } : {}) };
}

/** A filter value naming a record by its id: a whole number from 1 (whether the record exists is the query's to find). */
export function isRecordId(value: string) {
  return /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647;
}

/** Rows to skip for the page. */
export function offsetOf(params: Pick<ListParams, "page" | "size">) {
  return (params.page - 1) * params.size;
}

export function pageCountOf(total: number, size: number) {
  return Math.max(1, Math.ceil(total / size));
}

/** The view's state as URL parameters (page 1 left out). */
export function listQuery(params: ListParams): Record<string, string> {
  const prefix = params.prefix ?? "";
  const query: Record<string, string> = {};
  if (params.q) query[`${prefix}q`] = params.q;
  for (const [key, value] of Object.entries(params.filters)) if (value) query[`${prefix}${key}`] = value as string;
  query[`${prefix}sort`] = params.sort;
  query[`${prefix}dir`] = params.dir;
  if (params.page > 1) query[`${prefix}page`] = String(params.page);
  query[`${prefix}size`] = String(params.size);
  return query;
}

/**
 * The query string for the view with some of its state changed (and `extra` parameters kept, such
 * as another list's on the same page); changing anything but the page goes back to page 1.
 */
export function listHref(params: ListParams, change: Partial<Omit<ListParams, "filters">> & { filters?: Record<string, string | undefined> } = {}, extra: Record<string, string | undefined> = {}) {
  const next = { ...params, ...change, filters: { ...params.filters, ...change.filters } };
  if (change.page === undefined) next.page = Object.keys(change).length > 0 ? 1 : params.page;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) if (value) query.set(key, value);
  for (const [key, value] of Object.entries(listQuery(next))) query.set(key, value);
  return `?${query}`;
}

/** Escapes a user's search text for a LIKE/ILIKE pattern (the text is still a bound parameter). */
export function likePattern(text: string) {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
