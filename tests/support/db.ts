import { sql } from "kysely";
import { closeDb, getDb } from "@/db";

export { getDb as testDb, closeDb };

/** Empties every ztix table and the job queue between tests. */
export async function resetDatabase() {
  const db = getDb();
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables
     where schemaname = 'public' and tablename not like 'kysely_migration%'
  `.execute(db);
  if (tables.rows.length > 0) {
    await sql`truncate ${sql.join(tables.rows.map((row) => sql.table(row.tablename)))} restart identity cascade`.execute(db);
  }
  await sql`delete from graphile_worker._private_jobs`.execute(db);
  // A queue locked by a worker a previous test killed would hold every later job of that queue.
  await sql`delete from graphile_worker._private_job_queues`.execute(db);
}
