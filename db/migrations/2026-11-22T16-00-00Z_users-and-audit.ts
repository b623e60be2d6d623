import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    // Normalized (NFKC, trimmed, lower-case) before storage: two spellings are one account.
    .addColumn("username", "text", (col) => col.notNull().unique())
    .addColumn("display_name", "text")
    .addColumn("email", "text")
    .addColumn("role", "text", (col) => col.notNull().check(sql`role in ('admin', 'operator', 'member')`))
    // Local accounts only; "scrypt$N$r$p$salt$hash", never the password.
    .addColumn("password_hash", "text")
    .addColumn("peeringdb_id", "bigint", (col) => col.unique())
    .addColumn("disabled_at", "timestamptz")
    .addColumn("last_login_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("user_networks")
    .addColumn("user_id", "bigint", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("asn", "bigint", (col) => col.notNull().check(sql`asn between 1 and 4294967295`))
    .addColumn("source", "text", (col) => col.notNull().check(sql`source in ('peeringdb', 'manual')`))
    // PeeringDB's CRUD bitmask: 1 read, 2 update, 4 create, 8 delete.
    .addColumn("perms", "integer", (col) => col.notNull().check(sql`perms between 0 and 15`))
    .addColumn("network_name", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("user_networks_pkey", ["user_id", "asn", "source"])
    .execute();
  await db.schema.createIndex("user_networks_asn_idx").on("user_networks").column("asn").execute();

  // Failed sign-ins per username and per client address; shared by every app instance.
  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (col) => col.primaryKey())
    .addColumn("failures", "integer", (col) => col.notNull())
    .addColumn("window_started_at", "timestamptz", (col) => col.notNull())
    .addColumn("locked_until", "timestamptz")
    .execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("actor_type", "text", (col) =>
      col.notNull().check(sql`actor_type in ('user', 'api_key', 'job', 'system', 'anonymous', 'cli')`),
    )
    .addColumn("actor_id", "text")
    .addColumn("actor_label", "text", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("subject_type", "text")
    .addColumn("subject_id", "text")
    .addColumn("before", "jsonb")
    .addColumn("after", "jsonb")
    .addColumn("details", "jsonb")
    .addColumn("client_ip", "text")
    .execute();
  await db.schema.createIndex("audit_events_at_idx").on("audit_events").column("at").execute();
  await db.schema.createIndex("audit_events_subject_idx").on("audit_events").columns(["subject_type", "subject_id"]).execute();
  await db.schema.createIndex("audit_events_action_idx").on("audit_events").column("action").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("audit_events").execute();
  await db.schema.dropTable("login_throttle").execute();
  await db.schema.dropTable("user_networks").execute();
  await db.schema.dropTable("users").execute();
}
