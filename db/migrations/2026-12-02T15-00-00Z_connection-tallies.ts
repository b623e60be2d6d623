import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // How many connections each LAN has in each state, for the staff list's total: counting 20,000
  // rows on every page view cost more than the rest of the page's queries together. Rows are
  // changes (+n / -n), only ever inserted by statement triggers, so concurrent writers never wait
  // on one another; housekeeping folds them into one row per LAN and state.
  await sql`create table connection_tallies (lan_id bigint not null, state text not null, n bigint not null)`.execute(db);
  await sql`create index connection_tallies_lan_state_idx on connection_tallies (lan_id, state)`.execute(db);
  await sql`insert into connection_tallies (lan_id, state, n) select lan_id, state, count(*) from connections group by lan_id, state`.execute(db);
  await sql`
    create function ztix_connections_tally() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into connection_tallies (lan_id, state, n) select lan_id, state, count(*) from added group by lan_id, state;
      elsif tg_op = 'DELETE' then
        insert into connection_tallies (lan_id, state, n) select lan_id, state, -count(*) from gone group by lan_id, state;
      else
        insert into connection_tallies (lan_id, state, n)
          select lan_id, state, sum(n) from (select lan_id, state, 1 as n from added union all select lan_id, state, -1 from gone) changes
           group by lan_id, state having sum(n) <> 0;
      end if;
      return null;
    end $$`.execute(db);
  // One trigger per event: a trigger with transition tables may only have one.
  await sql`create trigger connections_tally_insert after insert on connections referencing new table as added for each statement execute function ztix_connections_tally()`.execute(db);
  await sql`create trigger connections_tally_delete after delete on connections referencing old table as gone for each statement execute function ztix_connections_tally()`.execute(db);
  await sql`create trigger connections_tally_update after update on connections referencing old table as gone new table as added for each statement execute function ztix_connections_tally()`.execute(db);
  await sql`
    create function ztix_connections_tally_truncate() returns trigger language plpgsql as $$
    begin
      delete from connection_tallies;
      return null;
    end $$`.execute(db);
  await sql`create trigger connections_tally_truncate after truncate on connections for each statement execute function ztix_connections_tally_truncate()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ["connections_tally_truncate", "connections_tally_update", "connections_tally_delete", "connections_tally_insert"]) {
    await sql`drop trigger ${sql.ref(trigger)} on connections`.execute(db);
  }
  await sql`drop function ztix_connections_tally_truncate()`.execute(db);
  await sql`drop function ztix_connections_tally()`.execute(db);
  await sql`drop table connection_tallies`.execute(db);
}
