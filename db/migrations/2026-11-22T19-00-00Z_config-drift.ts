import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // A route server's config file no longer matching the last deployment is drift too.
  await sql`alter table drift_items drop constraint drift_items_kind_check`.execute(db);
  await sql`alter table drift_items add constraint drift_items_kind_check check (kind in ('unknown_member', 'route_server_config'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from drift_items where kind = 'route_server_config'`.execute(db);
  await sql`alter table drift_items drop constraint drift_items_kind_check`.execute(db);
  await sql`alter table drift_items add constraint drift_items_kind_check check (kind in ('unknown_member'))`.execute(db);
}
