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
