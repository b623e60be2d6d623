import "server-only";
import { z } from "zod";
import type { Db } from "@/db";
import { CONNECTION_STATES } from "@/lib/connections/state";
import { NotFoundError } from "@/lib/errors";

/**
 * The API's schemas: inputs are validated with them, outputs are shaped by them, and the OpenAPI
 * document is generated from them (lib/api/openapi.ts), so the three cannot drift apart.
 */
// JSON bodies: numbers must be JSON numbers (no `true`, `[64501]`, `"0x1f4"`, no fractions).
const asnRange = (schema: z.ZodNumber) =>
  schema.int("must be an AS number").min(1, "must be an AS number between 1 and 4294967295").max(4294967295, "must be an AS number between 1 and 4294967295");
export const ZAsnValue = asnRange(z.number({ message: "must be an AS number (a JSON integer)" }));
export const ZIdValue = z.number({ message: "must be a positive integer (a JSON integer)" }).int("must be a positive integer").positive("must be a positive integer");

// Path and query values arrive as text: plain decimal digits only, then the same ranges.
const decimal = <T extends z.ZodType<number, number>>(message: string, inner: T) =>
  z.string({ message }).regex(/^[0-9]{1,10}$/, message).transform(Number).pipe(inner);
export const ZId = decimal("must be a positive integer", ZIdValue);
export const ZAsn = decimal("must be an AS number", ZAsnValue);

export const ZIdParams = z.object({ id: ZId });
export const ZAsnParams = z.object({ asn: ZAsn });

export const ZConnectionQuery = z.object({
  state: z.enum(CONNECTION_STATES).optional(),
  asn: ZAsn.optional(),
  lan: ZId.optional(),
  limit: decimal("must be a whole number between 1 and 500", z.number().int().min(1, "must be at least 1").max(500, "must be at most 500")).default(100),
  offset: decimal("must be a whole number", z.number().int().min(0)).default(0),
});

// Bodies refuse fields they do not know (additionalProperties: false in the OpenAPI document).
export const ZConnectionCreate = z.strictObject({
  asn: ZAsnValue,
  lan: ZIdValue,
  ztNodeId: z.string({ message: "must be a string" }).regex(/^[0-9a-fA-F]{10}$/, "must be a ZeroTier node id: 10 hexadecimal digits"),
  routeServerPeering: z.boolean({ message: "must be true or false" }).default(true),
});

export const ZConnectionApprove = z
  .strictObject({
    ipv4: z.string({ message: "must be a string" }).max(64).optional(),
    ipv6: z.string({ message: "must be a string" }).max(64).optional(),
  })
  .default({});

export const ZConnectionReject = z.strictObject({ reason: z.string({ message: "must be a string" }).trim().min(3, "a reason of at least 3 characters is required").max(1000) });
export const ZBgpPasswordSet = z.strictObject({ password: z.string({ message: "must be a string" }).min(1).max(80).describe("1 to 80 printable ASCII characters without spaces, quotes or backslashes") });
export const ZBgpPasswordStatus = z.object({ connectionId: z.number().int(), set: z.boolean(), setAt: z.string().nullable(), shownToMember: z.boolean() });

export const ZLan = z.object({
  id: z.number().int(),
  name: z.string(),
  ztNetworkId: z.string(),
  ipv4Prefix: z.string(),
  ipv6Prefix: z.string(),
  mtu: z.number().int(),
  rsAsn: z.number().int(),
  ipv6Scheme: z.enum(["asn", "sequential"]),
  liveConnections: z.number().int(),
});

export const ZNetwork = z.object({
  asn: z.number().int(),
  name: z.string().nullable(),
  irrAsSet: z.string().nullable(),
  infoPrefixes4: z.number().int().nullable(),
  infoPrefixes6: z.number().int().nullable(),
  peeringDbId: z.number().int().nullable(),
  knownToPeeringDb: z.boolean().nullable(),
  fetchedAt: z.string().nullable(),
});

export const ZConnection = z.object({
  id: z.number().int(),
  asn: z.number().int(),
  lanId: z.number().int(),
  lan: z.string(),
  ztNodeId: z.string(),
  state: z.enum(CONNECTION_STATES),
  routeServerPeering: z.boolean(),
  ipv4Address: z.string().nullable(),
  ipv6Address: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ZRouterConfigQuery = z.object({
  flavor: z.enum(["bird", "frr"], { message: "flavor is bird or frr" }).default("bird"),
});

export const ZDrift = z.object({
  id: z.number().int(),
  lanId: z.number().int(),
  lan: z.string(),
  kind: z.enum(["unknown_member", "route_server_config"]),
  subject: z.string(),
  details: z.unknown(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
});

export const ZRouteServerUpdate = z
  .object({
    ztNodeId: z.string().regex(/^[0-9a-fA-F]{10}$/, "must be a ZeroTier node id: 10 hexadecimal digits").optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => body.ztNodeId !== undefined || body.enabled !== undefined, { message: "send ztNodeId, enabled or both" });

export const ZError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    // Always present: field errors for validation_failed ({ fieldErrors, formErrors }), the limit for payload_too_large, else null.
    details: z.record(z.string(), z.unknown()).nullable(),
  }),
});

export type TConnectionDto = z.infer<typeof ZConnection>;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export async function listLansDto(db: Db) {
  const { listLans } = await import("@/lib/lans");
  const lans = await listLans(db);
  return lans.map((lan) => ({
    id: lan.id,
    name: lan.name,
    ztNetworkId: lan.zt_network_id,
    ipv4Prefix: lan.ipv4_prefix,
    ipv6Prefix: lan.ipv6_prefix,
    mtu: lan.mtu,
    rsAsn: lan.rs_asn,
    ipv6Scheme: lan.ipv6_scheme as "asn" | "sequential",
    liveConnections: Number(lan.live_connections ?? 0),
  }));
}

const networkColumns = ["asn", "name", "irr_as_set", "info_prefixes4", "info_prefixes6", "peeringdb_id", "known_to_peeringdb", "fetched_at"] as const;

function networkDto(row: {
  asn: number;
  name: string | null;
  irr_as_set: string | null;
  info_prefixes4: number | null;
  info_prefixes6: number | null;
  peeringdb_id: number | null;
  known_to_peeringdb: boolean | null;
  fetched_at: Date | null;
}) {
  return {
    asn: row.asn,
    name: row.name,
    irrAsSet: row.irr_as_set,
    infoPrefixes4: row.info_prefixes4,
    infoPrefixes6: row.info_prefixes6,
    peeringDbId: row.peeringdb_id,
    knownToPeeringDb: row.known_to_peeringdb,
    fetchedAt: iso(row.fetched_at),
  };
}

export async function listNetworksDto(db: Db) {
  const rows = await db.selectFrom("networks").select(networkColumns).orderBy("asn").execute();
  return rows.map(networkDto);
}

export async function getNetworkDto(db: Db, asn: number) {
  const row = await db.selectFrom("networks").select(networkColumns).where("asn", "=", asn).executeTakeFirst();
  if (!row) throw new NotFoundError(`AS${asn} is not known to this exchange`);
  return networkDto(row);
}

function connectionQuery(db: Db) {
  return db
    .selectFrom("connections")
    .innerJoin("lans", "lans.id", "connections.lan_id")
    .select([
      "connections.id",
      "connections.asn",
      "connections.lan_id",
      "lans.name as lan_name",
      "connections.zt_node_id",
      "connections.state",
      "connections.route_server_peering",
      "connections.ipv4_address",
      "connections.ipv6_address",
      "connections.reason",
      "connections.created_at",
      "connections.updated_at",
    ]);
}

type ConnectionRow = Awaited<ReturnType<ReturnType<typeof connectionQuery>["executeTakeFirstOrThrow"]>>;

function connectionDto(row: ConnectionRow): TConnectionDto {
  return {
    id: row.id,
    asn: row.asn,
    lanId: row.lan_id,
    lan: row.lan_name,
    ztNodeId: row.zt_node_id,
    state: row.state as TConnectionDto["state"],
    routeServerPeering: row.route_server_peering,
    ipv4Address: row.ipv4_address,
    ipv6Address: row.ipv6_address,
    reason: row.reason,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export async function listConnectionsDto(db: Db, query: z.output<typeof ZConnectionQuery>) {
  let q = connectionQuery(db);
  if (query.state) q = q.where("connections.state", "=", query.state);
  if (query.asn) q = q.where("connections.asn", "=", query.asn);
  if (query.lan) q = q.where("connections.lan_id", "=", query.lan);
  const rows = await q.orderBy("connections.id").limit(query.limit).offset(query.offset).execute();
  return rows.map(connectionDto);
}

export async function getConnectionDto(db: Db, id: number) {
  const row = await connectionQuery(db).where("connections.id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError(`connection ${id} does not exist`);
  return connectionDto(row);
}

export const ZRouteServer = z.object({
  id: z.number().int(),
  lan: z.string(),
  name: z.string(),
  transport: z.enum(["ssh", "local"]),
  sshHost: z.string().nullable(),
  ipv4Address: z.string().nullable(),
  ipv6Address: z.string().nullable(),
  routerId: z.string(),
  deployOrder: z.number().int(),
  enabled: z.boolean(),
  drained: z.boolean().describe("Drained for maintenance: its routes carry GRACEFUL_SHUTDOWN"),
  ztNodeId: z.string().nullable(),
  readAt: z.string().nullable().describe("When its BGP sessions were last read (every minute); the sessions ztix shows are as of then"),
  readError: z.string().nullable().describe("Why the last look could not read it (null: it was read)"),
  unreadableSince: z.string().nullable().describe("Since when it cannot be read"),
});

export const ZDeployment = z.object({
  id: z.number().int(),
  routeServerId: z.number().int(),
  lanId: z.number().int(),
  status: z.enum(["running", "succeeded", "failed", "unchanged", "interrupted"]),
  trigger: z.string(),
  sha256: z.string(),
  previousSha256: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const ZDeploymentQuery = z.object({
  routeServer: ZId.optional(),
  limit: decimal("must be a whole number between 1 and 200", z.number().int().min(1, "must be at least 1").max(200, "must be at most 200")).default(50),
});

export async function listRouteServersDto(db: Db) {
  const { listRouteServers } = await import("@/lib/routeserver/registry");
  return (await listRouteServers(db)).map((server) => ({
    id: server.id,
    lan: server.lan,
    name: server.name,
    transport: server.transport as "ssh" | "local",
    sshHost: server.ssh_host,
    ipv4Address: server.ipv4_address,
    ipv6Address: server.ipv6_address,
    routerId: server.router_id,
    deployOrder: server.deploy_order,
    enabled: server.enabled,
    drained: server.drained,
    ztNodeId: server.zt_node_id,
    readAt: server.read_at ? new Date(server.read_at).toISOString() : null,
    readError: server.enabled ? server.read_error : null,
    unreadableSince: server.enabled && server.read_error_since ? new Date(server.read_error_since).toISOString() : null,
  }));
}

export async function getRouteServerDto(db: Db, id: number) {
  const server = (await listRouteServersDto(db)).find((entry) => entry.id === id);
  if (!server) throw new NotFoundError(`route server ${id} does not exist`);
  return server;
}

/** Open drift, oldest first; a route server's own node is never drift. */
export async function listDriftDto(db: Db) {
  const rows = await db
    .selectFrom("drift_items")
    .innerJoin("lans", "lans.id", "drift_items.lan_id")
    .select(["drift_items.id", "drift_items.lan_id", "lans.name as lan", "drift_items.kind", "drift_items.subject", "drift_items.details", "drift_items.first_seen_at", "drift_items.last_seen_at"])
    .where("drift_items.resolved_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("route_servers").select("route_servers.id").whereRef("route_servers.lan_id", "=", "drift_items.lan_id").whereRef("route_servers.zt_node_id", "=", "drift_items.subject"))),
    )
    .orderBy("drift_items.id")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    lanId: row.lan_id,
    lan: row.lan,
    kind: row.kind as z.infer<typeof ZDrift>["kind"],
    subject: row.subject,
    details: row.details,
    firstSeenAt: iso(row.first_seen_at)!,
    lastSeenAt: iso(row.last_seen_at)!,
  }));
}

export async function listDeploymentsDto(db: Db, query: z.output<typeof ZDeploymentQuery>) {
  let q = db.selectFrom("deployments").select(["id", "route_server_id", "lan_id", "status", "trigger", "sha256", "previous_sha256", "error", "started_at", "finished_at"]);
  if (query.routeServer) q = q.where("route_server_id", "=", query.routeServer);
  const rows = await q.orderBy("id", "desc").limit(query.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    routeServerId: row.route_server_id,
    lanId: row.lan_id,
    status: row.status as z.infer<typeof ZDeployment>["status"],
    trigger: row.trigger,
    sha256: row.sha256,
    previousSha256: row.previous_sha256,
    error: row.error,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
  }));
}
