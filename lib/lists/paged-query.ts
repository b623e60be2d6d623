import type { SelectQueryBuilder } from "kysely";

/**
 * One page of a filtered query and the total the filter matches, read side by side. The caller
 * builds the filters once; `page` adds what a row shows and the order (which must end on a unique
 * column, or rows repeat or vanish between pages). `counted`, when given, is a cheaper query
 * matching the same rows (the filters without the joins only the rows need).
 */
export async function pagedQuery<DB, TB extends keyof DB, O, Row, CB extends keyof DB = TB>(
  filtered: SelectQueryBuilder<DB, TB, O>,
  page: (query: SelectQueryBuilder<DB, TB, O>) => SelectQueryBuilder<DB, TB, Row>,
  range: { limit: number; offset: number },
  counted?: SelectQueryBuilder<DB, CB, object>,
) {
  const [rows, count] = await Promise.all([
    page(filtered).limit(range.limit).offset(range.offset).execute(),
    // The builder cannot see the alias through the generic selection; the SQL is the same.
    ((counted ?? filtered) as SelectQueryBuilder<DB, TB, O>)
      .select((eb) => eb.fn.countAll<number>().as("total"))
      .$castTo<{ total: number }>()
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}
