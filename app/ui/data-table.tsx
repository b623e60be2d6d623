import type { ReactNode } from "react";
import type { ListParams } from "@/lib/lists/list-params";
import { SortLink } from "./list-controls";

/** A column title; with `sort` (one of the list's sort names) it sorts the list when clicked. */
export type DataColumn = ReactNode | { label: string; sort: string };

const isSortable = (column: DataColumn): column is { label: string; sort: string } =>
  typeof column === "object" && column !== null && "sort" in column && typeof (column as { sort?: unknown }).sort === "string";

export const tableBodyClass = (dense: boolean) => `divide-y divide-slate-100${dense ? " align-top" : ""}`;

/**
 * The portal's list tables: a bordered, scrollable table with a header row of column titles.
 * `body`, when given, is the table's own <tbody> (rows rendered another way); else `children`
 * are the rows.
 */
export function DataTable({ columns, children, body, dense = false, list, hidden }: { columns: DataColumn[]; children?: ReactNode; body?: ReactNode; dense?: boolean; list?: ListParams; hidden?: Record<string, string | undefined> }) {
  const cell = dense ? "px-3 py-2" : "px-4 py-2";
  // Cell padding is set once here rather than on every cell: long lists render less markup.
  const cells = dense ? "[&_td]:px-3 [&_td]:py-2" : "[&_td]:px-4 [&_td]:py-2";
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <table className={`w-full text-sm ${cells}`}>
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            {columns.map((column, index) =>
              isSortable(column) ? (
                <th key={index} scope="col" className={cell} aria-sort={list?.sort === column.sort ? (list.dir === "asc" ? "ascending" : "descending") : undefined}>
                  {list ? <SortLink list={list} column={column.sort} label={column.label} hidden={hidden} /> : column.label}
                </th>
              ) : (
                <th key={index} scope="col" className={cell}>
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        {body ?? <tbody className={tableBodyClass(dense)}>{children}</tbody>}
      </table>
    </div>
  );
}
