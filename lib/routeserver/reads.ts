import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { collectRtrStates } from "./rtr-state";
import { collectSessionStates, type ReadProblem } from "./sessions";
import type { Transport } from "./transport";

type ConnectionTarget = { name: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null };

/** A route server that became unreadable, or was read again after it had not been. */
export type ReadTransition = { routeServer: string; error: string | null; unreadableSince: Date | null };

/** One route server's failed looks as one line: both usually fail the same way (its SSH is down). */
export function describeReadProblems(problems: ReadProblem[]): string {
  const messages = [...new Set(problems.map((problem) => problem.message))];
  if (messages.length === 1) return problems.every((problem) => problem.look === "RTR sessions") ? `RTR sessions: ${messages[0]}` : messages[0]!;
  return problems.map((problem) => `${problem.look}: ${problem.message}`).join("; ");
}

/**
 * Reads a LAN's enabled route servers (BGP sessions and RTR sessions, side by side) and records
 * on each whether it could be read: an unreadable route server is a state of that server, shown
 * with its stored sessions' age, not a failed job every minute that buries the failures an
 * operator must act on. Returns the problems and the servers whose readability changed.
 */
export async function readRouteServers(db: Db, lanId: number, connect: (server: ConnectionTarget) => Promise<Transport>) {
  const [sessions, rtr] = await Promise.all([collectSessionStates(db, lanId, connect), collectRtrStates(db, lanId, connect)]);
  const problems = [...sessions.problems, ...rtr.problems];
  const byServer = new Map<number, ReadProblem[]>();
  for (const problem of problems) byServer.set(problem.routeServerId, [...(byServer.get(problem.routeServerId) ?? []), problem]);
  const ids = [...byServer.keys()];
  const errors = ids.map((id) => describeReadProblems(byServer.get(id)!));

  // The values before the update come from the statement's snapshot: a change is seen once.
  const changed = await sql<{ name: string; was_error: string | null; was_since: Date | null; error: string | null }>`
    with outcome as (
      select r.id, r.read_error as was_error, r.read_error_since as was_since, p.error
        from route_servers r
        left join unnest(${ids}::int[], ${errors}::text[]) as p(id, error) on p.id = r.id
       where r.lan_id = ${lanId} and r.enabled
    )
    update route_servers r
       set read_at = case when o.error is null then now() else r.read_at end,
           read_error = o.error,
           read_error_since = case when o.error is null then null else coalesce(r.read_error_since, now()) end
      from outcome o
     where r.id = o.id
    returning r.name, o.was_error, o.was_since, o.error
  `.execute(db);
  // A disabled route server is not read: nothing about it is current.
  await db.updateTable("route_servers").set({ read_error: null, read_error_since: null }).where("lan_id", "=", lanId).where("enabled", "=", false).where("read_error", "is not", null).execute();

  const transitions: ReadTransition[] = changed.rows
    .filter((row) => (row.error === null) !== (row.was_error === null))
    .map((row) => ({ routeServer: row.name, error: row.error, unreadableSince: row.error === null ? row.was_since : null }));
  return { servers: sessions.servers, problems, transitions };
}
