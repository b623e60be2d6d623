import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("users")
    // TOTP secrets are encrypted with the secret key (lib/secrets): the system must read them again.
    .addColumn("totp_secret", "text")
    .addColumn("totp_enabled_at", "timestamptz")
    // The last accepted RFC 6238 time step: a code is accepted once, never replayed.
    .addColumn("totp_last_step", "bigint")
    // An enrolment started but not yet confirmed with a code.
    .addColumn("totp_pending_secret", "text")
    .execute();

  await db.schema
    .createTable("user_recovery_codes")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("user_id", "bigint", (col) => col.notNull().references("users.id").onDelete("cascade"))
    // SHA-256 of an 80-bit random code: fast hashing is enough at that entropy; never the code.
    .addColumn("code_hash", "text", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("user_recovery_codes_user_idx").on("user_recovery_codes").column("user_id").execute();

  // One row per signed-in browser: the JWT names its row, so a session can end server-side
  // (idle timeout, absolute lifetime, "sign out everywhere") before the token expires.
  await db.schema
    .createTable("user_sessions")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "bigint", (col) => col.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("client_ip", "text")
    .execute();
  await db.schema.createIndex("user_sessions_user_idx").on("user_sessions").column("user_id").execute();

  await db.schema
    .alterTable("connections")
    // The BGP session password (TCP MD5), encrypted with the secret key; never plaintext.
    .addColumn("bgp_password", "text")
    .addColumn("bgp_password_set_at", "timestamptz")
    // When the member was shown the current password (once); null while not yet shown.
    .addColumn("bgp_password_shown_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("connections").dropColumn("bgp_password").dropColumn("bgp_password_set_at").dropColumn("bgp_password_shown_at").execute();
  await db.schema.dropTable("user_sessions").execute();
  await db.schema.dropTable("user_recovery_codes").execute();
  await db.schema.alterTable("users").dropColumn("totp_secret").dropColumn("totp_enabled_at").dropColumn("totp_last_step").dropColumn("totp_pending_secret").execute();
}
