import { sql, type Kysely } from "kysely";

/**
 * One address space per peering LAN, enforced by PostgreSQL. Every address in use on a LAN —
 * members' (connections), route servers', reserved, quarantined — is a live row of
 * `address_allocations`, whose partial unique index (lan_id, address) is the one rule. Triggers
 * make connections and route servers claim their addresses there, so a raw INSERT or UPDATE
 * that would reuse an address fails, and members' addresses stay out of the LAN's reserved hosts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table address_allocations add column route_server_id bigint references route_servers (id) on delete set null`.execute(db);

  // Existing route servers: link their reservations, add any that are missing.
  await sql`
    update address_allocations a set route_server_id = rs.id
    from route_servers rs
    where a.lan_id = rs.lan_id and a.state = 'reserved' and a.route_server_id is null and a.address in (rs.ipv4_address, rs.ipv6_address)
  `.execute(db);
  await sql`
    insert into address_allocations (lan_id, address, state, route_server_id, note)
    select rs.lan_id, address, 'reserved', rs.id, 'route server ' || rs.name
    from route_servers rs cross join lateral (values (rs.ipv4_address), (rs.ipv6_address)) as a (address)
    where address is not null
    on conflict do nothing
  `.execute(db);

  await sql`
    create function ztix_claim_lan_address(p_lan bigint, p_address inet, p_connection bigint, p_route_server bigint, p_note text) returns void
    language plpgsql as $$
    declare
      holder address_allocations%rowtype;
    begin
      if p_address is null then return; end if;
      select * into holder from address_allocations
        where lan_id = p_lan and address = p_address and state in ('assigned', 'reserved', 'quarantined') for update;
      if found then
        if (p_connection is not null and holder.connection_id = p_connection and holder.state = 'assigned')
           or (p_route_server is not null and holder.route_server_id = p_route_server) then
          return;
        end if;
        raise exception using
          errcode = 'unique_violation',
          constraint = 'address_allocations_live_idx',
          message = format('address %s is already in use on peering LAN %s (%s)', host(p_address), p_lan,
            case
              when holder.state = 'quarantined' then 'in quarantine after a removal'
              when holder.connection_id is not null then 'assigned to connection ' || holder.connection_id
              when holder.route_server_id is not null then 'route server ' || holder.route_server_id
              else coalesce(holder.note, 'reserved')
            end);
      end if;
      insert into address_allocations (lan_id, address, state, connection_id, route_server_id, note)
      values (p_lan, p_address, case when p_connection is not null then 'assigned' else 'reserved' end, p_connection, p_route_server, p_note);
    end
    $$
  `.execute(db);

  await sql`
    create function ztix_connections_claim_addresses() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' or new.ipv4_address is distinct from old.ipv4_address then
        perform ztix_claim_lan_address(new.lan_id, new.ipv4_address, new.id, null, null);
      end if;
      if tg_op = 'INSERT' or new.ipv6_address is distinct from old.ipv6_address then
        perform ztix_claim_lan_address(new.lan_id, new.ipv6_address, new.id, null, null);
      end if;
      return new;
    end
    $$
  `.execute(db);
  await sql`
    create trigger connections_claim_addresses after insert or update of ipv4_address, ipv6_address on connections
    for each row execute function ztix_connections_claim_addresses()
  `.execute(db);

  await sql`
    create function ztix_route_servers_claim_addresses() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        update address_allocations set state = 'released', released_at = now()
          where route_server_id = old.id and state = 'reserved'
            and (lan_id <> new.lan_id or address is distinct from new.ipv4_address and address is distinct from new.ipv6_address);
      end if;
      perform ztix_claim_lan_address(new.lan_id, new.ipv4_address, null, new.id, 'route server ' || new.name);
      perform ztix_claim_lan_address(new.lan_id, new.ipv6_address, null, new.id, 'route server ' || new.name);
      return new;
    end
    $$
  `.execute(db);
  await sql`
    create trigger route_servers_claim_addresses after insert or update of lan_id, ipv4_address, ipv6_address on route_servers
    for each row execute function ztix_route_servers_claim_addresses()
  `.execute(db);
  await sql`
    create function ztix_route_servers_release_addresses() returns trigger language plpgsql as $$
    begin
      update address_allocations set state = 'released', released_at = now() where route_server_id = old.id and state = 'reserved';
      return old;
    end
    $$
  `.execute(db);
  await sql`
    create trigger route_servers_release_addresses before delete on route_servers
    for each row execute function ztix_route_servers_release_addresses()
  `.execute(db);

  // The first reserved_host_count hosts of each prefix are the exchange's (route servers, monitoring).
  await sql`
    create function ztix_member_address_outside_reserved() returns trigger language plpgsql as $$
    declare
      lan record;
      prefix cidr;
      width int;
    begin
      if new.connection_id is null or new.state <> 'assigned' then return new; end if;
      select ipv4_prefix, ipv6_prefix, reserved_host_count into lan from lans where id = new.lan_id;
      prefix := case when family(new.address) = 4 then lan.ipv4_prefix else lan.ipv6_prefix end;
      width := case when family(new.address) = 4 then 32 else 128 end;
      if set_masklen(new.address, width) <= set_masklen(network(prefix)::inet + lan.reserved_host_count, width) then
        raise exception using
          errcode = 'check_violation',
          message = format('address %s is the network address or one of the %s reserved hosts of %s', host(new.address), lan.reserved_host_count, prefix);
      end if;
      return new;
    end
    $$
  `.execute(db);
  await sql`
    create trigger address_allocations_member_outside_reserved before insert or update of address, state, connection_id on address_allocations
    for each row execute function ztix_member_address_outside_reserved()
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger address_allocations_member_outside_reserved on address_allocations`.execute(db);
  await sql`drop function ztix_member_address_outside_reserved()`.execute(db);
  await sql`drop trigger route_servers_release_addresses on route_servers`.execute(db);
  await sql`drop function ztix_route_servers_release_addresses()`.execute(db);
  await sql`drop trigger route_servers_claim_addresses on route_servers`.execute(db);
  await sql`drop function ztix_route_servers_claim_addresses()`.execute(db);
  await sql`drop trigger connections_claim_addresses on connections`.execute(db);
  await sql`drop function ztix_connections_claim_addresses()`.execute(db);
  await sql`drop function ztix_claim_lan_address(bigint, inet, bigint, bigint, text)`.execute(db);
  await sql`alter table address_allocations drop column route_server_id`.execute(db);
}
