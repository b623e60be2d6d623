import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { recordAudit, type Actor } from "@/lib/audit";
import { releaseAddresses } from "@/lib/addressing/allocation";
import { notifyConnectionEvent } from "@/lib/notifications/events";
import { enqueueJob } from "@/jobs/enqueue";
import { connectionJobKey, parseConnectionJobKey, type ConnectionTask } from "@/jobs/keys";
import { formatUtc } from "@/lib/utc-time";
import { CONTROLLER_OUTAGE_FLAG, MAX_RETRY_GAP_MS } from "./controller-recovery";
import { enqueueLanDeployment } from "./service";
import type { ConnectionState } from "./state";

/** What provisioning needs of a ZeroTier provider (lib/zerotier implements it). */
export type MemberProvisioner = {
  readiness(): Promise<{ ready: true } | { ready: false; reason: string }>;
  upsertMember(
    networkId: string,
    nodeId: string,
    member: { authorized: boolean; ipAssignments: string[]; noAutoAssignIps: boolean; name?: string },
  ): Promise<unknown>;
  deauthorizeMember(networkId: string, nodeId: string): Promise<unknown>;
  deleteMember(networkId: string, nodeId: string): Promise<unknown>;
};

export type Attempt = {
  number: number;
  max: number;
  /** When this job was created (its retries began then, unless it goes on from an earlier job). */
  createdAt?: Date;
  /** When an earlier job, which this one goes on from, began the retries. */
  retryingSince?: Date;
};

/**
 * How long provisioning or removal keeps retrying a failure that retrying can fix (the controller
 * down, unreachable or not ready) before the connection becomes `failed`. A job's attempts run
 * out after about ten minutes; an outage outlasting them (a controller upgrade, a lost route to
 * it) goes on in a fresh job, so the connection waits out the outage instead of failing.
 */
export const CONTROLLER_PATIENCE_MS = 24 * 3600_000;


const jobActor = (task: string): Actor => ({ type: "job", label: task });

function describe(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

function isRetryable(error: unknown) {
  const retryable = (error as { retryable?: unknown } | null)?.retryable;
  return retryable === undefined ? true : Boolean(retryable);
}

async function loadForJob(db: Db, id: number) {
  return db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select([
      "connections.id",
      "connections.state",
      "connections.asn",
      "connections.lan_id",
      "connections.zt_node_id",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.reason",
      "lans.zt_network_id",
    ])
    .where("connections.id", "=", id)
    .executeTakeFirst();
}

/** Moves a connection from `expected` to `next` if it is still in `expected` (jobs race with people). */
async function transition(
  db: Db,
  id: number,
  expected: ConnectionState[],
  next: ConnectionState,
  change: { reason?: string | null; failedOperation?: "provision" | "remove" | null; extra?: Record<string, unknown>; durable?: false },
  task: string,
) {
  return db.transaction().execute(async (trx) => {
    // A step the job repeats if it is lost need not wait for the disk (asynchronous commit).
    if (change.durable === false) await sql`set local synchronous_commit = off`.execute(trx);
    const row = await trx.selectFrom("connections").select(["state", "reason"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!row || !expected.includes(row.state as ConnectionState)) return false;
    await trx
      .updateTable("connections")
      .set({
        state: next,
        reason: change.reason === undefined ? row.reason : change.reason,
        failed_operation: change.failedOperation ?? null,
        updated_at: sql`now()`,
        ...(next === "provisioned" ? { provisioned_at: sql<Date>`now()` } : {}),
        ...(next === "removed" ? { removed_at: sql<Date>`now()` } : {}),
      })
      .where("id", "=", id)
      .execute();
    if (next === "removed") await releaseAddresses(trx, id);
    if (row.state !== next || change.reason !== undefined) {
      await recordAudit(trx, {
        actor: jobActor(task),
        action: `connection.${next}`,
        subject: { type: "connection", id },
        before: { state: row.state, reason: row.reason },
        after: { state: next, reason: change.reason === undefined ? row.reason : change.reason, ...change.extra },
      });
    }
    if (next === "provisioned" && row.state !== "provisioned") await notifyConnectionEvent(trx, "connection_provisioned", id);
    if (next === "failed" && row.state !== "failed") await notifyConnectionEvent(trx, "job_failed", id);
    if (next === "provisioned" || next === "removed") {
      const lan = await trx.selectFrom("connections").select("lan_id").where("id", "=", id).executeTakeFirstOrThrow();
      await enqueueLanDeployment(trx, lan.lan_id, `connection ${id} ${next}`);
    }
    return true;
  });
}

/**
 * A provisioning or removal job whose last attempt died with its worker will not run again: its
 * connection becomes `failed` with the reason instead of waiting forever (Retry runs it again).
 */
export async function failConnectionOfSpentJob(db: Db, jobKey: string | null, reason: string) {
  const job = parseConnectionJobKey(jobKey);
  if (!job) return false;
  const expected: ConnectionState[] = job.operation === "remove" ? ["removing"] : ["approved", "provisioning"];
  return transition(db, job.connectionId, expected, "failed", { reason, failedOperation: job.operation }, `${job.operation}_connection`);
}

/** Keeps the latest reason visible on the connection while the job retries. */
async function noteReason(db: Db, id: number, reason: string) {
  await db.updateTable("connections").set({ reason, updated_at: sql`now()` }).where("id", "=", id).where("reason", "is distinct from", reason).execute();
}

/**
 * A failed attempt: the connection shows the reason and the job retries (throws). A failure no
 * retry can fix makes the connection `failed` with the reason at once. At a job's last attempt a
 * retryable failure goes on in a fresh job (same key, a minute later) until CONTROLLER_PATIENCE_MS
 * after the retries began; past that, the connection becomes `failed`.
 */
async function failOrRetry(
  db: Db,
  job: { id: number; task: ConnectionTask; state: "provisioning" | "removing"; operation: "provision" | "remove"; attempt: Attempt },
  reason: string,
  retryable: boolean,
): Promise<"failed" | "waiting"> {
  if (!retryable) {
    await transition(db, job.id, [job.state], "failed", { reason, failedOperation: job.operation }, job.task);
    return "failed";
  }
  const since = job.attempt.retryingSince ?? job.attempt.createdAt ?? new Date();
  const deadline = new Date(since.getTime() + CONTROLLER_PATIENCE_MS);
  const waiting = `retrying since ${formatUtc(since)}, until ${formatUtc(deadline)}`;
  if (job.attempt.number < job.attempt.max) {
    // A job that goes on from an earlier one counts its attempts anew: the time is what tells.
    const progress = job.attempt.retryingSince ? waiting : `attempt ${job.attempt.number} of ${job.attempt.max}; retrying`;
    await noteReason(db, job.id, `${reason} (${progress})`);
    throw new Error(reason);
  }
  if (Date.now() < deadline.getTime()) {
    // This job is done (add_job retires a running job that holds the key): the fresh one carries on.
    await db.transaction().execute(async (trx) => {
      await enqueueJob(trx, job.task, { connectionId: job.id, waitingSince: since.toISOString() }, {
        jobKey: connectionJobKey(job.task, job.id),
        maxAttempts: job.attempt.max,
        runAt: new Date(Date.now() + MAX_RETRY_GAP_MS),
        flags: [CONTROLLER_OUTAGE_FLAG],
      });
      await noteReason(trx, job.id, `${reason} (${waiting})`);
    });
    return "waiting";
  }
  await transition(db, job.id, [job.state], "failed", { reason: `${reason} (retried since ${formatUtc(since)}; gave up after ${CONTROLLER_PATIENCE_MS / 3600_000} h)`, failedOperation: job.operation }, job.task);
  throw new Error(reason);
}

/**
 * Authorizes the connection's router on the controller with its addresses. Idempotent: a
 * provisioned connection is left alone, and the controller upsert is create-or-merge. Fails
 * closed: with the controller not ready nothing is sent, the reason is shown, and the job retries.
 */
export async function provisionConnection(db: Db, provider: MemberProvisioner, id: number, attempt: Attempt) {
  const task = "provision_connection";
  const connection = await loadForJob(db, id);
  if (!connection) return "missing" as const;
  if (connection.state !== "approved" && connection.state !== "provisioning") return "skipped" as const;
  if (!connection.ipv4_address || !connection.ipv6_address) throw new Error(`connection ${id} has no addresses assigned`);

  const fail = (reason: string, retryable: boolean) => failOrRetry(db, { id, task, state: "provisioning", operation: "provision", attempt }, reason, retryable);

  // Both before anything is sent, at the same time: the readiness check is read-only.
  const [readiness] = await Promise.all([
    provider.readiness(),
    connection.state === "approved" ? transition(db, id, ["approved"], "provisioning", { durable: false }, task) : undefined,
  ]);
  if (!readiness.ready) return fail(`ZeroTier controller not ready: ${readiness.reason}`, true);
  try {
    await provider.upsertMember(connection.zt_network_id, connection.zt_node_id, {
      authorized: true,
      ipAssignments: [connection.ipv4_address, connection.ipv6_address],
      noAutoAssignIps: true,
      name: `AS${connection.asn}`,
    });
  } catch (error) {
    return fail(describe(error), isRetryable(error));
  }
  await transition(db, id, ["provisioning"], "provisioned", { reason: null, extra: { ipv4: connection.ipv4_address, ipv6: connection.ipv6_address } }, task);
  return "provisioned" as const;
}

/** Deauthorizes and deletes the router on the controller, then quarantines its addresses. */
export async function deprovisionConnection(db: Db, provider: MemberProvisioner, id: number, attempt: Attempt) {
  const task = "remove_connection";
  const connection = await loadForJob(db, id);
  if (!connection || connection.state !== "removing") return "skipped" as const;

  const fail = (reason: string, retryable: boolean) => failOrRetry(db, { id, task, state: "removing", operation: "remove", attempt }, reason, retryable);

  const readiness = await provider.readiness();
  if (!readiness.ready) return fail(`ZeroTier controller not ready: ${readiness.reason}`, true);
  try {
    // Deauthorize first: should the delete fail, the router is already off the LAN.
    await provider.deauthorizeMember(connection.zt_network_id, connection.zt_node_id);
    await provider.deleteMember(connection.zt_network_id, connection.zt_node_id);
  } catch (error) {
    return fail(describe(error), isRetryable(error));
  }
  await transition(db, id, ["removing"], "removed", { reason: null }, task);
  return "removed" as const;
}
