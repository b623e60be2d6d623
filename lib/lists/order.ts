import type { OrderByModifiers } from "kysely";

/**
 * A sort direction for ORDER BY. Empty values go last, but only columns that can be empty say so:
 * `desc nulls last` on a NOT NULL column such as the primary key stops PostgreSQL from reading
 * its index backwards, and it sorts every row instead (measured: the connections list at 20,000).
 */
export function direction(dir: "asc" | "desc", nullable: boolean): OrderByModifiers {
  if (!nullable) return dir;
  return (ob) => ob[dir]().nullsLast();
}
