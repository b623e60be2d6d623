import "server-only";
import { sql } from "kysely";
import type { Db } from "@/db";
import { parseShowProtocolsAll } from "./birdc";
import type { ReadProblem } from "./sessions";
import type { Transport } from "./transport";

/** One RTR session (a `protocol rpki` of the rendered config) as BIRD reports it. */
export type RtrState = { name: string; state: string; since: string; info: string };

/** The RTR sessions in `birdc show protocols` output (Proto `RPKI`); Info is the cache state. */
export function parseRtrStates(output: string): RtrState[] {
  return parseShowProtocolsAll(output)
    .filter((protocol) => protocol.proto === "RPKI")
    .map(({ name, state, since, info }) => ({ name, state, since, info }));
}

/** Whether every RTR session is Established (an empty list, no RPKI configured, counts as fine). */
export const rtrHealthy = (states: RtrState[]) => states.every((entry) => entry.info.startsWith("Established"));

type Server = { id: number; name: string; control_socket: string; birdc_path: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null };

/**
 * Reads each enabled route server's RTR sessions of a LAN and stores them on the route server
 * (for its page and the dashboard). A server that cannot be read keeps what was stored.
 */
export async function collectRtrStates(db: Db, lanId: number, connect: (server: Server) => Promise<Transport>) {
  const servers = (await db.selectFrom("route_servers").selectAll().where("lan_id", "=", lanId).where("enabled", "=", true).orderBy("name").execute()) as unknown as Server[];
  // Side by side: a route server that hangs holds up no other's look.
  const problems = await Promise.all(
    servers.map(async (server): Promise<ReadProblem | null> => {
      try {
        const transport = await connect(server);
        let output: string;
        try {
          const result = await transport.exec([server.birdc_path, "-s", server.control_socket, "show", "protocols", '"rpki_*"']);
          // Without RTR caches configured BIRD answers "No protocols match": an empty list.
          if (result.code !== 0 && !result.stdout.includes("No protocols match")) throw new Error(result.stdout.trim() || result.stderr.trim());
          output = result.stdout;
        } finally {
          await transport.close();
        }
        await db
          .updateTable("route_servers")
          .set({ rtr_states: JSON.stringify(parseRtrStates(output)), rtr_checked_at: sql<Date>`now()` })
          .where("id", "=", server.id)
          .execute();
        return null;
      } catch (error) {
        return { routeServerId: server.id, routeServer: server.name, look: "RTR sessions", message: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  return { problems: problems.filter((problem): problem is ReadProblem => problem !== null) };
}

/** What a route server's page shows: its RTR sessions as last read, and when. */
export async function rtrStatesOf(db: Db, routeServerId: number) {
  const row = await db.selectFrom("route_servers").select(["rtr_states", "rtr_checked_at"]).where("id", "=", routeServerId).executeTakeFirst();
  return row ? { states: (row.rtr_states as RtrState[] | null) ?? [], checkedAt: row.rtr_checked_at } : null;
}
