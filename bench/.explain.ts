import { createTestDatabase, dropTestDatabase } from "/work/wt/lists/tests/support/database";
const base = "postgres://postgres@127.0.0.1:5432/test";
const scratch = await createTestDatabase(base, "ztix_lists_explain");
process.env.DATABASE_URL = scratch.url;
try {
  const { getDb, closeDb } = await import("/work/wt/lists/db");
  const { sql } = await import("kysely");
  const db = getDb();
  await sql`insert into lans (name, zt_network_id, ipv4_prefix, ipv6_prefix, rs_asn) values ('b', 'c771ace7ed000001', '10.64.0.0/16', '2001:db8:ffff::/64', 64496)`.execute(db);
  await sql`insert into networks (asn, name) select 64500 + n, 'Network ' || n from generate_series(0, 499) n`.execute(db);
  await sql`insert into connections (lan_id, asn, zt_node_id, state, ipv4_address, ipv6_address) select 1, 64500 + (n % 500), lpad(to_hex(n + 1), 10, '0'), (array['requested','provisioned','active','removed'])[1 + n % 4], ('10.64.0.0'::inet + n + 11), ('2001:db8:ffff::'::inet + n + 11) from generate_series(0, 19999) n`.execute(db);
  await sql`analyze`.execute(db);
  for (const order of ["desc nulls last", "desc"]) {
    const q = `select c.id, n.name, l.name from connections c inner join lans l on l.id = c.lan_id left join networks n on n.asn = c.asn order by c.id ${order}, c.id desc limit 50`;
    for (let i = 0; i < 3; i++) await sql.raw(q).execute(db);
    const plan = await sql.raw<{ "QUERY PLAN": string }>(`explain analyze ${q}`).execute(db);
    console.log(order, "→", plan.rows.map((r) => r["QUERY PLAN"]).filter((l) => /Sort|Index Scan|Execution/.test(l)).map((l) => l.trim().slice(0, 70)).join(" | "));
  }
  await closeDb();
} finally {
  await dropTestDatabase(base, scratch.name);
}
