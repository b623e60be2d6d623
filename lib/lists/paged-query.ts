import { sql, type SelectQueryBuilder } from "kysely";

/**
 * One page of a filtered query and the total the filter matches, in one statement (the total is
 * a subquery PostgreSQL runs once), so both come from the same snapshot and a page costs one
 * round trip. The caller builds the filters once; `page` adds what a row shows and the order
 * (which must end on a unique column, or rows repeat or vanish between pages). `totalQuery`, when
 * given, is a cheaper query answering the same total in a `total` column (the filters without
 * the joins only the rows need, or a kept tally); without it the filtered rows are counted.
 */
export async function pagedQuery<DB, TB extends keyof DB, O, Row, CB extends keyof DB = TB>(
  filtered: SelectQueryBuilder<DB, TB, O>,
  page: (query: SelectQueryBuilder<DB, TB, O>) => SelectQueryBuilder<DB, TB, Row>,
  range: { limit: number; offset: number },
  totalQuery?: SelectQueryBuilder<DB, CB, { total: number | string | null }>,
) {
  // The builder cannot see the alias through the generic selection; the SQL is the same.
  const count = (totalQuery ?? countOf(filtered)) as SelectQueryBuilder<DB, TB, { total: number | string | null }>;
  // The page size as a literal, and the first page without an offset: with either as a parameter
  // PostgreSQL guesses a tenth of the rows, plans every run afresh and never reuses the prepared
  // plan (db/prepared-statements.ts). Both are whole numbers from the list's own parsing.
  const limited = page(filtered).select(count.as("paged_total")).limit(sql.lit(wholeNumber(range.limit)));
  const rows = (await (range.offset > 0 ? limited.offset(range.offset) : limited).execute()) as (Row & { paged_total: number | string })[];
  if (rows.length === 0) {
    // Nothing on this page: past the last one, the total still tells the pager where that is.
    return { rows: [] as Row[], total: range.offset === 0 ? 0 : Number((await count.executeTakeFirstOrThrow()).total) };
  }
  const total = Number(rows[0]!.paged_total);
  return { rows: rows.map(({ paged_total: _, ...row }) => row as Row), total };
}

/** A filtered query's row count, as pagedQuery's `totalQuery`. */
export function countOf<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) {
  return query.select((eb) => eb.fn.countAll<number>().as("total"));
}

function wholeNumber(value: number) {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`a page size must be a whole number, not ${value}`);
  return value;
}
