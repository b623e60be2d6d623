"use client";

import { listHref, pageCountOf, type ListParams } from "@/lib/lists/list-params";

export type ListFilter = { name: string; label: string; options: readonly (string | { value: string; label: string })[] };

// Plain links and a GET form, not next/link: a list page renders dozens of them, and a full
// navigation to a server-rendered list costs no more than a client one. A client module although
// nothing here is interactive: the page's React payload then carries these controls' few props,
// not their markup a second time beside the HTML (bench:pages).

/**
 * A list's search box and state filters: a plain GET form, so the view lives in the URL and works
 * without JavaScript. Sort order and page size are kept; the page goes back to 1.
 */
export function ListSearch({ list, label, placeholder, filters = [], hidden = {} }: { list: ListParams; label: string; placeholder?: string; filters?: ListFilter[]; hidden?: Record<string, string | undefined> }) {
  const prefix = list.prefix ?? "";
  return (
    <form className="flex flex-wrap items-end gap-3" role="search" aria-label={label} method="get">
      <div>
        <label htmlFor={`list-${prefix}q`} className="block text-xs font-medium text-slate-600">Search</label>
        <input id={`list-${prefix}q`} name={`${prefix}q`} type="search" defaultValue={list.q} placeholder={placeholder} className="mt-1 w-64 max-w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm" />
      </div>
      {filters.map((filter) => (
        <div key={filter.name}>
          <label htmlFor={`list-${prefix}${filter.name}`} className="block text-xs font-medium text-slate-600">{filter.label}</label>
          <select id={`list-${prefix}${filter.name}`} name={`${prefix}${filter.name}`} defaultValue={list.filters[filter.name] ?? ""} className="mt-1 rounded-md border border-slate-300 px-2 py-1.5 text-sm">
            <option value="">any</option>
            {filter.options.map((option) => {
              const { value, label: text } = typeof option === "string" ? { value: option, label: option } : option;
              return <option key={value} value={value}>{text}</option>;
            })}
          </select>
        </div>
      ))}
      {Object.entries({ ...hidden, [`${prefix}sort`]: list.sort, [`${prefix}dir`]: list.dir, [`${prefix}size`]: String(list.size) }).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
      <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">Search</button>
      {list.q || Object.values(list.filters).some(Boolean) ? (
        <a href={listHref(list, { q: "", filters: Object.fromEntries(Object.keys(list.filters).map((name) => [name, undefined])) }, hidden)} className="py-1.5 text-sm text-brand-700 hover:underline">
          Clear
        </a>
      ) : null}
    </form>
  );
}

/** A column title that sorts the list by it (ascending first, then toggles). */
export function SortLink({ list, column, label, hidden = {} }: { list: ListParams; column: string; label: string; hidden?: Record<string, string | undefined> }) {
  const active = list.sort === column;
  const dir = active && list.dir === "asc" ? "desc" : "asc";
  return (
    <a href={listHref(list, { sort: column, dir }, hidden)} className="inline-flex items-center gap-1 hover:text-slate-900" data-sort={column} aria-label={`Sort by ${label}${active ? ` (now ${list.dir === "asc" ? "ascending" : "descending"})` : ""}`}>
      {label}
      <span aria-hidden="true" className={active ? "text-slate-900" : "text-slate-300"}>{active ? (list.dir === "asc" ? "▲" : "▼") : "↕"}</span>
    </a>
  );
}

function pageWindow(page: number, count: number) {
  const pages = new Set([1, count]);
  for (let candidate = page - 2; candidate <= page + 2; candidate++) if (candidate >= 1 && candidate <= count) pages.add(candidate);
  return [...pages].sort((a, b) => a - b);
}

/** "51–100 of 2,000", first/previous/page numbers/next/last, and the page size. */
export function Pager({ list, total, noun, hidden = {} }: { list: ListParams; total: number; noun: [string, string]; hidden?: Record<string, string | undefined> }) {
  const count = pageCountOf(total, list.size);
  const page = Math.min(list.page, count);
  const from = total === 0 ? 0 : (page - 1) * list.size + 1;
  const to = Math.min(total, page * list.size);
  const link = "rounded px-2 py-1 text-brand-700 hover:bg-slate-100";
  const disabled = "rounded px-2 py-1 text-slate-400";
  const pageLink = (target: number, text: string, label: string) =>
    target === page || target < 1 || target > count ? (
      <span className={disabled} aria-disabled="true">{text}</span>
    ) : (
      <a className={link} href={listHref(list, { page: target }, hidden)} aria-label={label}>{text}</a>
    );
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-600">
      {/* One text, not six: each text beside another costs a separator comment in the HTML. */}
      <span data-testid="list-range">{total === 0 ? `No ${noun[1]}` : `${from.toLocaleString("en")}–${to.toLocaleString("en")} of ${total.toLocaleString("en")} ${total === 1 ? noun[0] : noun[1]}`}</span>
      {count > 1 ? (
        <span className="flex flex-wrap items-center gap-1">
          {pageLink(1, "« First", "First page")}
          {pageLink(page - 1, "‹ Previous", "Previous page")}
          {pageWindow(page, count).map((target, index, all) => (
            <span key={target} className="flex items-center gap-1">
              {index > 0 && target - all[index - 1]! > 1 ? <span aria-hidden="true">…</span> : null}
              {target === page ? (
                <span aria-current="page" className="rounded bg-brand-600 px-2 py-1 font-semibold text-white">{target}</span>
              ) : (
                <a className={link} href={listHref(list, { page: target }, hidden)} aria-label={`Page ${target}`}>{target}</a>
              )}
            </span>
          ))}
          {pageLink(page + 1, "Next ›", "Next page")}
          {pageLink(count, "Last »", "Last page")}
        </span>
      ) : null}
      <span className="flex items-center gap-1">
        Per page:
        {[25, 50, 100, 200].map((size) =>
          size === list.size ? (
            <span key={size} aria-current="true" className="px-1 font-semibold text-slate-900">{size}</span>
          ) : (
            <a key={size} className="px-1 text-brand-700 hover:underline" href={listHref(list, { size }, hidden)}>{size}</a>
          ),
        )}
      </span>
    </nav>
  );
}
