import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("name", "text", (col) => col.notNull())
    // The visible start of the key ("ztix_ab12cd34"), to recognise it in lists and logs.
    .addColumn("prefix", "text", (col) => col.notNull().unique())
    // SHA-256 of the whole key: keys are 192-bit random, so a fast hash is enough; never the key.
    .addColumn("key_hash", "text", (col) => col.notNull().unique())
    .addColumn("scope", "text", (col) => col.notNull().check(sql`scope in ('read', 'admin')`))
    .addColumn("created_by", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("last_used_at", "timestamptz")
    .execute();

  // Fixed-window request counters shared by every app instance.
  await db.schema
    .createTable("rate_limit_counters")
    .addColumn("bucket", "text", (col) => col.notNull())
    .addColumn("window_start", "timestamptz", (col) => col.notNull())
    .addColumn("count", "integer", (col) => col.notNull())
    .addPrimaryKeyConstraint("rate_limit_counters_pkey", ["bucket", "window_start"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rate_limit_counters").execute();
  await db.schema.dropTable("api_keys").execute();
}
