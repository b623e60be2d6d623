import "server-only";
import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "@/db";
import { enqueueJob } from "@/jobs/enqueue";
import { connectionJobKey, deploymentJobKey, refreshNetworkJobKey, routerStatesJobKey } from "@/jobs/keys";
import { assignAddresses, releaseAddresses, validateManualAddresses } from "@/lib/addressing/allocation";
import { recordAudit, type Actor } from "@/lib/audit";
import { requireAsn } from "@/lib/auth/access";
import { isStaff } from "@/lib/auth/roles";
import { AuthorizationError, DomainError, NotFoundError } from "@/lib/errors";
import { notifyConnectionEvent } from "@/lib/notifications/events";
import { releaseIfOrphaned } from "@/lib/jobs-admin";
import type { SessionUser } from "@/lib/auth/users";
import { nudgeWorkers } from "./controller-recovery";
import { assertTransition, type ConnectionState } from "./state";

/** Inputs from forms and the API, validated once, here. */
export const ZNodeId = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{10}$/, "a ZeroTier node id is 10 hexadecimal digits (zerotier-cli info shows it)")
  .transform((value) => value.toLowerCase());

export const ZConnectionRequest = z.object({
  asn: z.coerce.number({ message: "choose one of your networks" }).int().min(1, "choose one of your networks").max(4294967295),
  lanId: z.coerce.number({ message: "choose a peering LAN" }).int().positive("choose a peering LAN"),
  ztNodeId: ZNodeId,
  routeServerPeering: z.boolean().default(true),
});
export type TConnectionRequest = z.input<typeof ZConnectionRequest>;

export const PROVISION_MAX_ATTEMPTS = 12;
export const REMOVE_MAX_ATTEMPTS = 12;

export function actorOf(user: SessionUser): Actor {
  return { type: "user", id: user.id, label: user.username };
}

type ConnectionRow = {
  id: number;
  lan_id: number;
  asn: number;
  zt_node_id: string;
  state: ConnectionState;
  ipv4_address: string | null;
  ipv6_address: string | null;
  reason: string | null;
  failed_operation: string | null;
  route_server_peering: boolean;
};

/** Locks a connection row for a state change. */
async function lockConnection(db: Db, id: number): Promise<ConnectionRow> {
  const row = await db
    .selectFrom("connections")
    .select(["id", "lan_id", "asn", "zt_node_id", "state", "ipv4_address", "ipv6_address", "reason", "failed_operation", "route_server_peering"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`connection ${id} does not exist`);
  return { ...row, state: row.state as ConnectionState };
}

function snapshot(row: Pick<ConnectionRow, "state" | "ipv4_address" | "ipv6_address" | "reason">) {
  return { state: row.state, ipv4: row.ipv4_address, ipv6: row.ipv6_address, reason: row.reason };
}

function isUniqueViolation(error: unknown, constraint: string) {
  const pgError = error as { code?: string; constraint?: string };
  return pgError?.code === "23505" && pgError.constraint === constraint;
}

/**
 * A LAN's route-server deployments run in a graphile-worker queue of their own: one at a time per
 * LAN, whatever the number of workers (they render and swap the same configs), while LANs deploy
 * independently, so a LAN whose route server hangs delays no other LAN. They run in the workers'
 * deployment slots (jobs/runner.ts), never in provisioning's.
 */
export const deploymentQueue = (lanId: number) => `route_server_deployments:${lanId}`;

/** How long after its enqueueing a follow-up of a running deployment of the LAN starts, at the earliest. */
export const FOLLOW_UP_SPACING_MS = 3_000;

/**
 * Enqueues the route-server deployment of a LAN, due now. One job key per LAN coalesces: changes
 * while the deployment waits fold into it (preserve_run_at: a stream of changes cannot postpone
 * it); a change while it runs adds exactly one follow-up, which waits in the LAN's queue and
 * renders the newest state when it starts.
 */
export async function enqueueLanDeployment(db: Db, lanId: number, reason: string) {
  // A follow-up of a running deployment waits a little: in a burst, deployments (CPU-heavy
  // parse checks and reloads) take turns with provisioning instead of running back to back.
  const running = await sql<{ running: boolean }>`
    select exists (
      select 1 from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = 'deploy_route_servers' and j.locked_at is not null and j.payload->>'lanId' = ${String(lanId)}
    ) as running`.execute(db);
  await enqueueJob(db, "deploy_route_servers", { lanId, reason }, {
    jobKey: deploymentJobKey(lanId),
    jobKeyMode: "preserve_run_at",
    queueName: deploymentQueue(lanId),
    runAt: running.rows[0]?.running ? new Date(Date.now() + FOLLOW_UP_SPACING_MS) : undefined,
    maxAttempts: 5,
  });
}

function parseRequest(input: TConnectionRequest) {
  const parsed = ZConnectionRequest.safeParse(input);
  if (!parsed.success) {
    throw new DomainError("Check the highlighted fields.", z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
  }
  return parsed.data;
}

/** A member (or staff on a network's behalf) asks to connect a router. */
export async function requestConnection(db: Db, user: SessionUser, input: TConnectionRequest) {
  const request = parseRequest(input);
  if (!isStaff(user.role) && !user.networks.some((network) => network.asn === request.asn)) {
    throw new DomainError("Check the highlighted fields.", { asn: [`AS${request.asn} is not one of your networks`] });
  }
  requireAsn(user, request.asn, "act");
  const networkName = user.networks.find((network) => network.asn === request.asn)?.networkName ?? null;
  return createConnectionRequest(db, { actor: actorOf(user), userId: user.id, networkName }, request);
}

/**
 * Records a connection request; the caller has authorized the requester for the ASN (a member
 * for its own network, staff or an admin API key for any).
 */
export async function createConnectionRequest(
  db: Db,
  requester: { actor: Actor; userId: number | null; networkName?: string | null },
  input: TConnectionRequest,
) {
  const request = parseRequest(input);
  return db.transaction().execute(async (trx) => {
    const lan = await trx.selectFrom("lans").select(["id", "name"]).where("id", "=", request.lanId).executeTakeFirst();
    if (!lan) throw new DomainError("Check the highlighted fields.", { lanId: ["this peering LAN does not exist"] });
    // A route server's own node is not a member's router.
    const routeServer = await trx.selectFrom("route_servers").select("id").where("lan_id", "=", lan.id).where("zt_node_id", "=", request.ztNodeId).executeTakeFirst();
    if (routeServer) throw new DomainError("Check the highlighted fields.", { ztNodeId: [`node ${request.ztNodeId} is one of ${lan.name}'s route servers`] });
    await trx
      .insertInto("networks")
      .values({ asn: request.asn, name: requester.networkName ?? null })
      .onConflict((oc) => oc.column("asn").doUpdateSet({ name: sql`coalesce(networks.name, excluded.name)` }))
      .execute();
    let created: { id: number };
    try {
      created = await trx
        .insertInto("connections")
        .values({
          lan_id: lan.id,
          asn: request.asn,
          zt_node_id: request.ztNodeId,
          state: "requested",
          route_server_peering: request.routeServerPeering,
          requested_by: requester.userId,
        })
        .returning(["id"])
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error, "connections_live_node_idx")) {
        throw new DomainError("Check the highlighted fields.", { ztNodeId: [`router ${request.ztNodeId} is already connected to ${lan.name}`] });
      }
      throw error;
    }
    await recordAudit(trx, {
      actor: requester.actor,
      action: "connection.requested",
      subject: { type: "connection", id: created.id },
      after: { state: "requested", asn: request.asn, lan: lan.name, ztNodeId: request.ztNodeId, routeServerPeering: request.routeServerPeering },
    });
    // PeeringDB data (name, as-set, prefix counts) for the route servers and the operators.
    await enqueueJob(trx, "refresh_network", { asn: request.asn }, { jobKey: refreshNetworkJobKey(request.asn), maxAttempts: 5 });
    await notifyConnectionEvent(trx, "request_received", created.id);
    return created;
  });
}

/** Operators decide; approval assigns the addresses and starts provisioning, atomically. */
export async function approveConnection(db: Db, actor: Actor, id: number, manual: { ipv4?: string | null; ipv6?: string | null } = {}) {
  return db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, id);
    assertTransition(connection.state, "approved");
    if (manual.ipv4 || manual.ipv6) await validateManualAddresses(trx, connection.lan_id, manual);
    const addresses = await assignAddresses(trx, { lanId: connection.lan_id, connectionId: id, asn: connection.asn, manual });
    await trx
      .updateTable("connections")
      .set({
        state: "approved",
        ipv4_address: addresses.ipv4,
        ipv6_address: addresses.ipv6,
        decided_by: actor.type === "user" ? actor.id : null,
        decided_at: sql<Date>`now()`,
        reason: null,
        updated_at: sql`now()`,
      })
      .where("id", "=", id)
      .execute();
    await enqueueJob(trx, "provision_connection", { connectionId: id }, { jobKey: connectionJobKey("provision_connection", id), maxAttempts: PROVISION_MAX_ATTEMPTS });
    // The router's state soon after provisioning, not only at the next minute's poll.
    await enqueueJob(trx, "collect_router_states", { lanId: connection.lan_id }, { jobKey: routerStatesJobKey(connection.lan_id), runAt: new Date(Date.now() + 10_000), maxAttempts: 3 });
    await recordAudit(trx, {
      actor,
      action: "connection.approved",
      subject: { type: "connection", id },
      before: snapshot(connection),
      after: { state: "approved", ipv4: addresses.ipv4, ipv6: addresses.ipv6, reason: null },
    });
    await notifyConnectionEvent(trx, "request_approved", id);
    return addresses;
  });
}

export async function rejectConnection(db: Db, actor: Actor, id: number, reason: string) {
  const trimmed = reason.trim();
  if (trimmed.length < 3) throw new DomainError("Give the network a reason.", { reason: ["a reason is required (it is shown to the network)"] });
  await db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, id);
    assertTransition(connection.state, "rejected");
    await trx
      .updateTable("connections")
      .set({ state: "rejected", reason: trimmed.slice(0, 1000), decided_by: actor.type === "user" ? actor.id : null, decided_at: sql<Date>`now()`, updated_at: sql`now()` })
      .where("id", "=", id)
      .execute();
    await recordAudit(trx, { actor, action: "connection.rejected", subject: { type: "connection", id }, before: snapshot(connection), after: { state: "rejected", reason: trimmed } });
    await notifyConnectionEvent(trx, "request_rejected", id);
  });
}

/**
 * Removal: a request not yet decided is withdrawn at once; anything live is deauthorized and
 * deleted on the controller by a job, then its addresses go into quarantine.
 */
export async function removeConnection(db: Db, actor: Actor, id: number) {
  return db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, id);
    if (connection.state === "requested") {
      await trx.updateTable("connections").set({ state: "removed", removed_at: sql<Date>`now()`, updated_at: sql`now()` }).where("id", "=", id).execute();
      await recordAudit(trx, { actor, action: "connection.withdrawn", subject: { type: "connection", id }, before: snapshot(connection), after: { state: "removed" } });
      return "removed" as const;
    }
    assertTransition(connection.state, "removing");
    await trx.updateTable("connections").set({ state: "removing", reason: null, failed_operation: null, updated_at: sql`now()` }).where("id", "=", id).execute();
    await enqueueJob(trx, "remove_connection", { connectionId: id }, { jobKey: connectionJobKey("remove_connection", id), maxAttempts: REMOVE_MAX_ATTEMPTS });
    await recordAudit(trx, { actor, action: "connection.removal_requested", subject: { type: "connection", id }, before: snapshot(connection), after: { state: "removing" } });
    return "removing" as const;
  });
}

/** A failed connection is retried from where it failed. */
export async function retryConnection(db: Db, actor: Actor, id: number) {
  await db.transaction().execute(async (trx) => {
    const connection = await lockConnection(trx, id);
    if (STUCK_STATES.includes(connection.state)) return retryStuckConnection(trx, actor, connection);
    if (connection.state !== "failed") throw new DomainError(`The connection is ${connection.state}; only a failed connection, or one approved, provisioning or removing, can be retried.`);
    const removing = connection.failed_operation === "remove";
    const next = removing ? "removing" : "provisioning";
    assertTransition(connection.state, next);
    await trx.updateTable("connections").set({ state: next, updated_at: sql`now()` }).where("id", "=", id).execute();
    if (removing) await enqueueJob(trx, "remove_connection", { connectionId: id }, { jobKey: connectionJobKey("remove_connection", id), maxAttempts: REMOVE_MAX_ATTEMPTS });
    else await enqueueJob(trx, "provision_connection", { connectionId: id }, { jobKey: connectionJobKey("provision_connection", id), maxAttempts: PROVISION_MAX_ATTEMPTS });
    await recordAudit(trx, { actor, action: "connection.retried", subject: { type: "connection", id }, before: snapshot(connection), after: { state: next } });
  });
}

const STUCK_STATES: readonly ConnectionState[] = ["approved", "provisioning", "removing"];

/**
 * A connection waiting on its job (approved, provisioning or removing): the job runs now. A job
 * that is gone or out of attempts is enqueued again, one locked by a dead worker is released;
 * one running on a live worker is refused with the reason (lib/jobs-admin).
 */
async function retryStuckConnection(trx: Db, actor: Actor, connection: ConnectionRow) {
  const removing = connection.state === "removing";
  const task = removing ? "remove_connection" : "provision_connection";
  const key = `${task}:${connection.id}`;
  const job = await trx.selectFrom("graphile_worker.jobs").select(["id", "attempts", "max_attempts", "locked_by"]).where("key", "=", key).executeTakeFirst();
  let how: string;
  if (job && (job.attempts ?? 0) < (job.max_attempts ?? 0)) {
    if (job.locked_by) await releaseIfOrphaned(trx, Number(job.id));
    const rescheduled = await sql`select id from graphile_worker.reschedule_jobs(array[${job.id}::bigint], run_at => now(), attempts => 0::smallint)`.execute(trx);
    if (rescheduled.rows.length === 0) throw new DomainError(`The connection's ${task} job ${job.id} is running right now; wait for it to end.`);
    how = `job ${job.id} runs now${job.locked_by ? " (released from a dead worker)" : ""}`;
  } else {
    const created = await enqueueJob(trx, task, { connectionId: connection.id }, { jobKey: key, maxAttempts: removing ? REMOVE_MAX_ATTEMPTS : PROVISION_MAX_ATTEMPTS });
    how = job ? `job ${job.id} was out of attempts; job ${created.id} enqueued` : `its job was gone; job ${created.id} enqueued`;
  }
  await trx.updateTable("connections").set({ reason: null, updated_at: sql`now()` }).where("id", "=", connection.id).execute();
  await nudgeWorkers(trx, 1);
  await recordAudit(trx, { actor, action: "connection.retried", subject: { type: "connection", id: connection.id }, before: snapshot(connection), after: { state: connection.state, reason: null, job: how } });
}

/** A connection with its LAN and network, as the connection pages and the router configuration show it; whoever asks has been authorized (else getConnectionFor). */
export async function getConnection(db: Db, id: number) {
  const connection = await db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .leftJoin("networks", "networks.asn", "connections.asn")
    .select([
      "connections.id",
      "connections.asn",
      "connections.lan_id",
      "lans.name as lan_name",
      "lans.zt_network_id",
      "lans.rs_asn",
      "lans.blackhole_ipv4",
      "lans.blackhole_ipv6",
      "networks.name as network_name",
      "connections.zt_node_id",
      "connections.state",
      "connections.route_server_peering",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.reason",
      "connections.failed_operation",
      "connections.created_at",
      "connections.updated_at",
      "connections.decided_at",
      "connections.provisioned_at",
      // Whether a BGP password is set, never the password (see bgpPasswordStatus).
      sql<boolean>`connections.bgp_password is not null`.as("bgp_password_set"),
      "connections.bgp_password_set_at",
      "connections.bgp_password_shown_at",
    ])
    .where("connections.id", "=", id)
    .executeTakeFirst();
  if (!connection) throw new NotFoundError(`connection ${id} does not exist`);
  return connection;
}

/** Loads a connection a user may see; someone else's is "not found" to a member. */
export async function getConnectionFor(db: Db, user: SessionUser, id: number) {
  const connection = await getConnection(db, id);
  if (!isStaff(user.role) && !user.networks.some((network) => network.asn === connection.asn)) {
    // Worded like a missing id (pages answer 404 for both): members cannot probe which
    // connections exist. Still an authorization error, so server actions audit the refusal.
    throw new AuthorizationError(`connection ${id} does not exist`);
  }
  return connection;
}

/** A member acting on a connection must be allowed to act for its ASN. */
export async function authorizeConnectionAction(db: Db, user: SessionUser, id: number) {
  const connection = await getConnectionFor(db, user, id);
  requireAsn(user, connection.asn, "act");
  return connection;
}

export async function releaseConnectionAddresses(db: Db, id: number) {
  await releaseAddresses(db, id);
  await db.updateTable("connections").set({ updated_at: sql`now()` }).where("id", "=", id).execute();
}
