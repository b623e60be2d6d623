import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("route_servers")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("lan_id", "bigint", (col) => col.notNull().references("lans.id"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("transport", "text", (col) => col.notNull().defaultTo("ssh").check(sql`transport in ('ssh', 'local')`))
    .addColumn("ssh_host", "text")
    .addColumn("ssh_port", "integer", (col) => col.notNull().defaultTo(22))
    .addColumn("ssh_user", "text", (col) => col.notNull().defaultTo("ztix"))
    // OpenSSH's "SHA256:<base64>" of the host key; a different key is refused before anything is sent.
    .addColumn("host_key_fingerprint", "text")
    .addColumn("ipv4_address", sql`inet`)
    .addColumn("ipv6_address", sql`inet`)
    .addColumn("router_id", sql`inet`, (col) => col.notNull())
    .addColumn("config_path", "text", (col) => col.notNull().defaultTo("/etc/bird/bird.conf"))
    .addColumn("control_socket", "text", (col) => col.notNull().defaultTo("/run/bird/bird.ctl"))
    .addColumn("bird_path", "text", (col) => col.notNull().defaultTo("bird"))
    .addColumn("birdc_path", "text", (col) => col.notNull().defaultTo("birdc"))
    .addColumn("deploy_order", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("route_servers_lan_name_key", ["lan_id", "name"])
    .execute();

  await db.schema
    .createTable("deployments")
    .addColumn("id", "bigint", (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("route_server_id", "bigint", (col) => col.notNull().references("route_servers.id"))
    .addColumn("lan_id", "bigint", (col) => col.notNull().references("lans.id"))
    .addColumn("status", "text", (col) => col.notNull().check(sql`status in ('running', 'succeeded', 'failed', 'unchanged')`))
    .addColumn("trigger", "text", (col) => col.notNull())
    .addColumn("config", "text", (col) => col.notNull())
    .addColumn("sha256", "text", (col) => col.notNull())
    .addColumn("previous_sha256", "text")
    .addColumn("log", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("error", "text")
    .addColumn("started_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("finished_at", "timestamptz")
    .execute();
  await db.schema.createIndex("deployments_route_server_idx").on("deployments").columns(["route_server_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("deployments").execute();
  await db.schema.dropTable("route_servers").execute();
}
