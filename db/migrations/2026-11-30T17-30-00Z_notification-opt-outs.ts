import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // E-mail kinds a user has switched off; every kind is on until a row says otherwise.
  await db.schema
    .createTable("notification_opt_outs")
    .addColumn("user_id", "bigint", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("notification_opt_outs_pkey", ["user_id", "kind"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notification_opt_outs").execute();
}
