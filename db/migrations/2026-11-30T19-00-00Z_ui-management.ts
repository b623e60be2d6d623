import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // Drained for maintenance: its sessions get GRACEFUL_SHUTDOWN (RFC 8326) so peers move traffic away first.
  await db.schema.alterTable("route_servers").addColumn("drained", "boolean", (col) => col.notNull().defaultTo(false)).execute();
  // One-time sign-in links for accounts an admin creates without a password: only the hash is kept.
  await db.schema
    .createTable("user_sign_in_tokens")
    .addColumn("id", "serial", (col) => col.primaryKey())
    .addColumn("user_id", "integer", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("token_hash", "text", (col) => col.notNull().unique())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("user_sign_in_tokens").execute();
  await db.schema.alterTable("route_servers").dropColumn("drained").execute();
}
