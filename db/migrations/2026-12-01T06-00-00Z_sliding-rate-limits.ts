import { sql, type Kysely } from "kysely";

// Frozen in time: migrations never import app code and see the database as Kysely<any>.
export async function up(db: Kysely<any>): Promise<void> {
  // A fixed window per minute let twice the limit through across a window's edge (the end of
  // one minute and the start of the next). A log of the requests let through, one row each,
  // makes the limit hold over any span of the window's length.
  await db.schema
    .createTable("rate_limit_hits")
    .addColumn("bucket", "text", (column) => column.notNull())
    .addColumn("at", "timestamptz", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("rate_limit_hits_bucket_at_idx").on("rate_limit_hits").columns(["bucket", "at"]).execute();
  await db.schema.createIndex("rate_limit_hits_at_idx").on("rate_limit_hits").column("at").execute();
  await db.schema.dropTable("rate_limit_counters").execute();

  // One round trip per request. The advisory lock (its key space: hashtext of a name, like the
  // deployment locks) makes callers of one bucket take turns, so two processes cannot both see
  // the last free place; each statement in a PL/pgSQL function sees what the previous holder
  // committed. Refused requests are not logged: a bucket holds at most `p_limit` live rows.
  await sql`
    create function ztix_consume_rate_limit(p_bucket text, p_limit integer, p_window_seconds integer)
    returns table (allowed boolean, used integer, reset_seconds integer)
    language plpgsql volatile as $$
    declare
      v_now timestamptz;
      v_oldest timestamptz;
    begin
      perform pg_advisory_xact_lock(hashtext('ztix:rate_limit'), hashtext(p_bucket));
      v_now := clock_timestamp();
      select count(*)::integer, min(hits.at) into used, v_oldest
        from rate_limit_hits hits
        where hits.bucket = p_bucket and hits.at > v_now - make_interval(secs => p_window_seconds);
      allowed := used < p_limit;
      if allowed then
        insert into rate_limit_hits (bucket, at) values (p_bucket, v_now);
        used := used + 1;
      end if;
      -- When the oldest request in the window leaves it, a place is free again.
      reset_seconds := greatest(1, ceil(extract(epoch from (coalesce(v_oldest, v_now) + make_interval(secs => p_window_seconds) - v_now))))::integer;
      return next;
    end
    $$
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function ztix_consume_rate_limit(text, integer, integer)`.execute(db);
  await db.schema
    .createTable("rate_limit_counters")
    .addColumn("bucket", "text", (column) => column.notNull())
    .addColumn("window_start", "timestamptz", (column) => column.notNull())
    .addColumn("count", "integer", (column) => column.notNull())
    .addPrimaryKeyConstraint("rate_limit_counters_pkey", ["bucket", "window_start"])
    .execute();
  await db.schema.dropTable("rate_limit_hits").execute();
}
