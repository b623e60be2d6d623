import { expect, test } from "@playwright/test";
import { createUser, query, signIn, simControl } from "./support";

test("a failed job shows on the dashboard and the jobs page with its error; retry runs it again", async ({ page }) => {
  await simControl("zerotier", "faults", { failMemberList: true });
  try {
    const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
    const [job] = await query<{ id: string }>("select (graphile_worker.add_job('reconcile_lan', json_build_object('lanId', $1::int), max_attempts => 1)).id::text as id", [lan!.id]);
    await expect
      .poll(async () => (await query<{ last_error: string | null }>("select last_error from graphile_worker.jobs where id = $1", [job!.id]))[0]?.last_error ?? null, { timeout: 20_000 })
      .toContain("nothing was changed");

    await signIn(page, createUser("operator"));
    const failed = page.getByTestId("failed-jobs");
    await expect(failed).toContainText("failed job");
    await expect(failed).toContainText("reconcile_lan");
    await expect(failed).toContainText("the member list could not be read completely");

    await page.goto("/jobs?state=failed");
    const row = page.locator(`tr[data-job-id="${job!.id}"]`);
    await expect(row).toContainText("failed");
    await expect(row).toContainText("1 of 1");
    await expect(row).toContainText("simulated member list failure");

    await simControl("zerotier", "faults", { failMemberList: false });
    await row.getByRole("button", { name: "Retry" }).click();
    // It runs again, succeeds, and leaves the queue.
    await expect.poll(async () => (await query("select id from graphile_worker.jobs where id = $1", [job!.id])).length, { timeout: 20_000 }).toBe(0);
    const [audit] = await query<{ action: string }>("select action from audit_events where subject_type = 'job' and subject_id = $1", [job!.id]);
    expect(audit?.action).toBe("job.retried");
  } finally {
    await simControl("zerotier", "faults", { failMemberList: false });
  }
});

test("an operator sets a LAN's route-server settings on its page: field errors in place, nothing saved, then all saved together", async ({ page }) => {
  const [lan] = await query<{ id: number }>("select id from lans where name = 'e2e-lan'");
  try {
    await signIn(page, createUser("operator"), "/lans");
    await page.getByRole("link", { name: "e2e-lan" }).click();
    await expect(page).toHaveURL(new RegExp(`/lans/${lan!.id}$`));
    const form = page.getByRole("form", { name: "Route-server settings" });
    await form.getByLabel("RPKI: RTR caches").fill("rtr1.example.net:3323");
    await form.getByLabel("Blackhole address, IPv4").fill("198.51.100.66");
    await form.getByLabel("Max-prefix margin (%)").fill("35");
    await form.getByRole("button", { name: "Save and redeploy" }).click();
    await expect(form.locator("#ipv4-errors")).toContainText("is not a host address in the LAN's 192.0.2.0/24");
    // Nothing was saved, and what was typed is still there.
    expect((await query<{ rpki_servers: unknown }>("select rpki_servers from lans where id = $1", [lan!.id]))[0]!.rpki_servers).toEqual([]);
    await expect(form.getByLabel("RPKI: RTR caches")).toHaveValue("rtr1.example.net:3323");

    await form.getByLabel("Blackhole address, IPv4").fill("192.0.2.66");
    await form.getByRole("button", { name: "Save and redeploy" }).click();
    await expect(form.getByRole("status")).toContainText("Saved; the route servers of e2e-lan redeploy");
    const [saved] = await query<{ rpki_servers: unknown; blackhole_ipv4: string | null; max_prefix_margin_percent: number }>(
      "select rpki_servers, host(blackhole_ipv4) as blackhole_ipv4, max_prefix_margin_percent from lans where id = $1",
      [lan!.id],
    );
    expect(saved).toEqual({ rpki_servers: [{ host: "rtr1.example.net", port: 3323 }], blackhole_ipv4: "192.0.2.66", max_prefix_margin_percent: 35 });
  } finally {
    await query("update lans set rpki_servers = '[]'::jsonb, blackhole_ipv4 = null, blackhole_ipv6 = null, max_prefix_margin_percent = 20 where id = $1", [lan!.id]);
    await query("update address_allocations set state = 'released', released_at = now() where lan_id = $1 and note like 'blackhole%' and state = 'reserved'", [lan!.id]);
  }
});

test("a route server that cannot be read says so on the dashboard and its page, with why and since when; the look is no failed job", async ({ page }) => {
  const tag = Date.now().toString(36);
  const [lan] = await query<{ id: number }>(
    `insert into lans (name, zt_network_id, ipv4_prefix, ipv6_prefix, rs_asn)
     values ($1, $2, '10.81.0.0/16', '2001:db8:81::/64', 64496) returning id`,
    [`unreadable-${tag}`, `c771ace7ee${(Date.now() % 0xffffff).toString(16).padStart(6, "0")}`],
  );
  const name = `rs-unreadable-${tag}`;
  try {
    const [server] = await query<{ id: number }>(
      `insert into route_servers (lan_id, name, transport, ipv4_address, router_id, config_path, control_socket)
       values ($1, $2, 'local', '10.81.0.1', '10.81.0.1', '/nonexistent/bird.conf', '/nonexistent/bird.ctl') returning id`,
      [lan!.id, name],
    );
    const [job] = await query<{ id: string }>("select (graphile_worker.add_job('collect_session_states', json_build_object('lanId', $1::int), max_attempts => 1)).id::text as id", [lan!.id]);
    await expect.poll(async () => (await query<{ read_error: string | null }>("select read_error from route_servers where id = $1", [server!.id]))[0]?.read_error ?? null, { timeout: 20_000 }).toContain("/nonexistent/bird.ctl");
    // The look ran to its end: it left the queue instead of staying there failed.
    await expect.poll(async () => (await query("select id from graphile_worker.jobs where id = $1", [job!.id])).length, { timeout: 20_000 }).toBe(0);

    await signIn(page, createUser("operator"));
    const card = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: `${name} (unreadable-${tag})` }) });
    await expect(card).toContainText("Attention");
    await expect(card.getByTestId("rs-read-problem")).toContainText("Cannot be read since");
    await expect(card.getByTestId("rs-read-problem")).toContainText("Unable to connect to server control socket (/nonexistent/bird.ctl)");
    await expect(card.getByTestId("rs-read-problem")).toContainText("Its sessions have never been read.");

    await card.getByRole("link", { name: `${name} (unreadable-${tag})` }).click();
    await expect(page.getByRole("heading", { name: `Route server ${name}` })).toBeVisible();
    await expect(page.getByTestId("route-server-state")).toContainText("cannot be read");
    await expect(page.getByTestId("rs-read-problem")).toContainText("/nonexistent/bird.ctl");

    // A connection's page shows the session as last read, says it may be old, and names no host.
    await query("insert into networks (asn, name) values (64511, 'Unreadable Example') on conflict do nothing");
    const [connection] = await query<{ id: number }>(
      "insert into connections (lan_id, asn, zt_node_id, state, ipv4_address) values ($1, 64511, $2, 'active', '10.81.0.20') returning id",
      [lan!.id, (0xd200000000 + (Date.now() % 0xffffff)).toString(16)],
    );
    await query("insert into bgp_sessions (route_server_id, connection_id, family, state, info) values ($1, $2, 4, 'up', 'Established')", [server!.id, connection!.id]);
    await page.goto(`/connections/${connection!.id}`);
    const stale = page.getByTestId("bgp-sessions").getByTestId("session-stale");
    await expect(stale).toHaveText("As last read: this route server cannot be read at the moment.");
    // A session waiting for the member's router names what to peer with: the LAN's route-server ASN.
    await query("insert into bgp_sessions (route_server_id, connection_id, family, state, info) values ($1, $2, 6, 'start', 'Passive')", [server!.id, connection!.id]);
    await page.reload();
    await expect(page.getByTestId("bgp-sessions")).toContainText("waiting for your router");
    await expect(page.getByTestId("bgp-sessions")).toContainText("AS64496");
  } finally {
    await query("delete from bgp_sessions where route_server_id in (select id from route_servers where lan_id = $1)", [lan!.id]);
    await query("delete from audit_events where subject_type = 'connection' and subject_id in (select id::text from connections where lan_id = $1)", [lan!.id]);
    for (const table of ["address_allocations", "drift_items", "deployments"]) await query(`delete from ${table} where lan_id = $1`, [lan!.id]);
    await query("delete from connections where lan_id = $1", [lan!.id]);
    await query("delete from route_servers where lan_id = $1", [lan!.id]);
    await query("delete from lans where id = $1", [lan!.id]);
    await query("delete from networks n where asn = 64511 and not exists (select 1 from connections c where c.asn = n.asn)");
  }
});
