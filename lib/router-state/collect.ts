import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import type { ZeroTierProvider } from "@/lib/zerotier";
import { isControllerFailure } from "@/lib/zerotier/errors";
import type { StoredRouterState } from "./describe";

/** Connections whose router is expected on the network, or asked to be: their state is polled. */
const WATCHED_STATES = ["requested", "approved", "provisioning", "provisioned", "active", "failed"];

type Reader = Pick<ZeroTierProvider, "getMember" | "getPeer">;

export type RouterStatesResult = {
  checked: number;
  /** One per router that could not be asked about for a reason of its own. */
  problems: string[];
  /** Why the controller could not be asked at all (every router keeps its state, with this error). */
  controllerProblem: string | null;
};

/** Routers asked about at once: a LAN of thousands is read within the minute between runs, and the controller sees a bounded load. */
export const ROUTER_STATE_CONCURRENCY = 8;

/**
 * Asks the controller about every watched router of a LAN (its member record and the controller
 * node's view of it as a peer) and stores the answer, a few routers at a time. A router the
 * controller could not be asked about keeps its previous state, with the error. When the
 * controller itself fails (down, slow, refusing our token), no further router is asked: each would
 * wait out the same retries, minutes for a LAN of a hundred routers, holding a worker while the
 * controller is away.
 */
export async function collectRouterStates(db: Db, lanId: number, provider: Reader): Promise<RouterStatesResult> {
  const lan = await db.selectFrom("lans").select(["zt_network_id"]).where("id", "=", lanId).executeTakeFirst();
  if (!lan) return { checked: 0, problems: [], controllerProblem: null };
  const connections = await db.selectFrom("connections").select(["id", "zt_node_id"]).where("lan_id", "=", lanId).where("state", "in", WATCHED_STATES).orderBy("id").execute();
  const networkId = lan.zt_network_id;
  const problems: string[] = [];
  const read = new Set<number>();
  let controllerProblem: string | null = null;
  // Anything else (the database gone): the others stop too, and the run fails with it.
  let unexpected: { error: unknown } | undefined;
  let next = 0;

  async function ask(connection: (typeof connections)[number]) {
    let answers: [Awaited<ReturnType<Reader["getMember"]>>, Awaited<ReturnType<Reader["getPeer"]>>];
    try {
      answers = await Promise.all([provider.getMember(networkId, connection.zt_node_id), provider.getPeer(networkId, connection.zt_node_id)]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The controller itself failed: asking about the next router would fail the same way.
      if (isControllerFailure(error)) {
        controllerProblem ??= message;
        return;
      }
      problems.push(`router ${connection.zt_node_id}: ${message}`);
      // checked_at stays the time of the state shown: the page tells how old it is.
      await db.updateTable("router_states").set({ error: message.slice(0, 1000) }).where("connection_id", "=", connection.id).execute();
      read.add(connection.id);
      return;
    }
    try {
      await storeRouterState(db, connection.id, ...answers);
    } catch (error) {
      // Deleted while we asked (a test's clean-up, a database tidied by hand): nothing to keep.
      if ((error as { code?: unknown }).code === "23503") return void read.add(connection.id);
      // Not the router's problem (the database full or gone): the run stops with it.
      throw error;
    }
    read.add(connection.id);
  }
  const askers = Array.from({ length: Math.min(ROUTER_STATE_CONCURRENCY, connections.length) }, async () => {
    while (controllerProblem === null && !unexpected && next < connections.length) {
      await ask(connections[next++]!).catch((error: unknown) => void (unexpected ??= { error }));
    }
  });
  await Promise.all(askers);
  if (unexpected) throw unexpected.error;

  if (controllerProblem !== null) {
    // Every router not read keeps its state and when it was read, with the controller's error.
    const unread = connections.filter((connection) => !read.has(connection.id)).map((connection) => connection.id);
    if (unread.length > 0) await db.updateTable("router_states").set({ error: (controllerProblem as string).slice(0, 1000) }).where("connection_id", "in", unread).execute();
    return { checked: read.size, problems, controllerProblem };
  }
  return { checked: connections.length, problems, controllerProblem: null };
}

async function storeRouterState(db: Db, connectionId: number, member: Awaited<ReturnType<Reader["getMember"]>>, peer: Awaited<ReturnType<Reader["getPeer"]>>) {
  const livePaths = (peer?.paths ?? []).filter((path) => path.active && !path.expired);
  const online = livePaths.length > 0;
  const lastReceive = Math.max(0, ...(peer?.paths ?? []).map((path) => path.lastReceive));
  // Joined: the node asked for its config (the member record has its identity) or talks to the controller.
  const joined = Boolean(member?.identity) || online;
  const version = peer?.version ?? member?.clientVersion ?? null;
  await db
    .insertInto("router_states")
    .values({
      connection_id: connectionId,
      member_found: member !== null,
      joined,
      online,
      version,
      latency_ms: online && peer && peer.latency >= 0 ? peer.latency : null,
      paths: JSON.stringify(livePaths.map((path) => ({ address: path.address, preferred: path.preferred }))),
      last_seen_at: lastReceive > 0 ? new Date(lastReceive) : null,
      checked_at: sql<Date>`now()`,
      error: null,
    })
    .onConflict((oc) =>
      oc.column("connection_id").doUpdateSet((eb) => ({
        member_found: eb.ref("excluded.member_found"),
        joined: eb.ref("excluded.joined"),
        online: eb.ref("excluded.online"),
        // A version once reported stays known while the router is away.
        version: sql`coalesce(excluded.version, router_states.version)`,
        latency_ms: eb.ref("excluded.latency_ms"),
        paths: eb.ref("excluded.paths"),
        last_seen_at: sql`greatest(excluded.last_seen_at, router_states.last_seen_at)`,
        checked_at: eb.ref("excluded.checked_at"),
        error: null,
      })),
    )
    .execute();
}

/** The stored state of some connections' routers, by connection id. */
export async function routerStatesOf(db: Db, connectionIds: number[]): Promise<Map<number, StoredRouterState>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("router_states")
    .select(["connection_id", "member_found", "joined", "online", "version", "latency_ms", "paths", "last_seen_at", "checked_at", "error"])
    .where("connection_id", "in", connectionIds)
    .execute();
  return new Map(rows.map((row) => [row.connection_id, { ...row, paths: (row.paths ?? []) as StoredRouterState["paths"] }]));
}
