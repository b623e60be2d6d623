import type { AddressInfo } from "node:net";
import { runOnce } from "graphile-worker";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getPool } from "@/db";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow, createMemberUser, createStaffUser, nodeId } from "../support/fixtures";

type Received = { from: string; to: string[]; raw: string };

/** The text of a received message: headers unfolded, quoted-printable undone (nodemailer may use it). */
function textOf(message: Received) {
  return message.raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
const subjectOf = (message: Received) => /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r?\n[ \t]/g, " ") ?? "";

let smtp: SMTPServer;
let smtpUrl: string;
const received: Received[] = [];
/** Recipients the SMTP server refuses (550), as a full mailbox would. */
const refused = new Set<string>();

/** The app's modules with a fresh configuration (the parsed environment is cached per module instance). */
async function app(env: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
  const [service, notifications, jobs] = await Promise.all([import("@/lib/connections/service"), import("@/lib/notifications"), import("@/jobs/index")]);
  return {
    service,
    notifications,
    /** Runs the queued e-mails (only them: provisioning is not what this test is about). */
    sendQueuedMail: async () => {
      await runOnce({ pgPool: getPool(), taskList: { send_email: jobs.taskList.send_email! }, noHandleSignals: true });
      // runOnce can resolve just before the last outcome is written back: wait until every mail is sent or failed.
      await expect.poll(async () => (await queuedMail()).filter((job) => job.last_error === null).length, { timeout: 15_000 }).toBe(0);
    },
  };
}

async function queuedMail() {
  return testDb().selectFrom("graphile_worker.jobs").select(["attempts", "last_error"]).where("task_identifier", "=", "send_email").execute();
}

describe("e-mail notifications through a real SMTP server", () => {
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(refused.has(address.address) ? Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }) : undefined);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString("utf8") });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  });
  beforeEach(async () => {
    await resetDatabase();
    received.length = 0;
  });
  afterAll(async () => {
    delete process.env.SMTP_URL;
    delete process.env.MAIL_FROM;
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await closeDb();
  });

  async function seed() {
    const lan = await createLanRow({ name: "zt-ix" });
    const member = await createMemberUser([64500]);
    const operator = await createStaffUser("operator");
    await testDb().updateTable("users").set({ email: "noc@member.example" }).where("id", "=", member.id).execute();
    await testDb().updateTable("users").set({ email: "ops@ix.example" }).where("id", "=", operator.id).execute();
    return { lan, member, operator };
  }

  it("a member gets the approval mail with its addresses; operators hear of the new request", async () => {
    const { service, sendQueuedMail } = await app({ SMTP_URL: smtpUrl, MAIL_FROM: "ZT-IX <noreply@ix.example>", ZTIX_IX_SHORTNAME: "ZT-IX" });
    const { lan, member } = await seed();
    const { id } = await service.requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(1) });
    const addresses = await service.approveConnection(testDb(), { type: "cli", label: "cli" }, id);
    await sendQueuedMail();

    // The request's two mails are queued together (in either order); the approval comes after them.
    const mails = received.map((message) => [message.to.join(","), subjectOf(message)]);
    expect(mails).toHaveLength(3);
    expect(mails.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ["noc@member.example", `[ZT-IX] Request received: connection ${id}: AS64500 (Network 64500) on zt-ix`],
        ["ops@ix.example", `[ZT-IX] New request: connection ${id}: AS64500 (Network 64500) on zt-ix`],
      ]),
    );
    expect(mails[2]).toEqual(["noc@member.example", `[ZT-IX] Approved: connection ${id}: AS64500 (Network 64500) on zt-ix`]);
    const approval = received[2]!;
    expect(approval.from).toBe("noreply@ix.example");
    expect(textOf(approval)).toContain(`IPv4 ${addresses.ipv4}`);
    expect(textOf(approval)).toContain(`IPv6 ${addresses.ipv6}`);
    expect(textOf(approval)).toContain(`zerotier-cli set ${lan.zt_network_id} allowGlobal=1`);
    expect(await queuedMail()).toEqual([]);
  });

  it("switching the approval mail off stops it, and only it", async () => {
    const { service, notifications, sendQueuedMail } = await app({ SMTP_URL: smtpUrl });
    const { lan, member } = await seed();
    const kinds = notifications.kindsFor(member.role);
    await notifications.saveNotificationSettings(testDb(), member.id, { email: "noc@member.example", on: kinds.filter((kind) => kind !== "request_approved"), kinds });
    const { id } = await service.requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(2) });
    await service.approveConnection(testDb(), { type: "cli", label: "cli" }, id);
    await sendQueuedMail();
    const toMember = received.filter((message) => message.to.includes("noc@member.example")).map(subjectOf);
    expect(toMember).toHaveLength(1);
    expect(toMember[0]).toContain("Request received");
  });

  it("without SMTP_URL nothing is queued or sent, and approving works as ever", async () => {
    const { service, sendQueuedMail } = await app({ SMTP_URL: undefined });
    const { lan, member } = await seed();
    const { id } = await service.requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(3) });
    const addresses = await service.approveConnection(testDb(), { type: "cli", label: "cli" }, id);
    expect(addresses.ipv4).toMatch(/^192\.0\.2\./);
    expect(await queuedMail()).toEqual([]);
    await sendQueuedMail();
    expect(received).toEqual([]);
    const connection = await testDb().selectFrom("connections").select("state").where("id", "=", id).executeTakeFirstOrThrow();
    expect(connection.state).toBe("approved");
  });

  it("a mail the SMTP server refuses fails its job visibly and is retried, a bounded number of times", async () => {
    const { service, sendQueuedMail, notifications } = await app({ SMTP_URL: smtpUrl });
    const { lan, member } = await seed();
    await testDb().updateTable("users").set({ email: "refused@member.example" }).where("id", "=", member.id).execute();
    refused.add("refused@member.example");
    try {
      await service.requestConnection(testDb(), member, { asn: 64500, lanId: lan.id, ztNodeId: nodeId(4) });
      await sendQueuedMail();
    } finally {
      refused.clear();
    }
    // The member's mail is refused; the operators' goes through.
    expect(received.map((message) => message.to.join(","))).toEqual(["ops@ix.example"]);
    const [failed, ...others] = await queuedMail();
    expect(others).toEqual([]);
    expect(failed).toMatchObject({ attempts: 1 });
    expect(failed!.last_error).toContain("mailbox unavailable");
    const max = await testDb().selectFrom("graphile_worker.jobs").select("max_attempts").where("task_identifier", "=", "send_email").executeTakeFirstOrThrow();
    expect(max.max_attempts).toBe(notifications.SEND_EMAIL_MAX_ATTEMPTS);
  });
});
