import type { ReactNode } from "react";

/** The portal's list tables: a bordered, scrollable table with a header row of column titles. */
export function DataTable({ columns, children, dense = false }: { columns: ReactNode[]; children: ReactNode; dense?: boolean }) {
  const cell = dense ? "px-3 py-2" : "px-4 py-2";
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <table className="w-full text-sm">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={cell}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={`divide-y divide-slate-100${dense ? " align-top" : ""}`}>{children}</tbody>
      </table>
    </div>
  );
}
