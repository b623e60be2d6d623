import "server-only";
import type { Db } from "@/db";
import { connectRouteServer } from "./registry";
import { parseFilteredRoutes, type FilteredRoute } from "./birdc";
import { FILTER_REASONS } from "./render";

/** A member's filtered routes with their reasons, read live from each of its LAN's route servers. */
export async function filteredRoutesOf(db: Db, connectionId: number) {
  const connection = await db.selectFrom("connections").innerJoin("lans", "lans.id", "connections.lan_id").select(["connections.lan_id", "lans.rs_asn"]).where("connections.id", "=", connectionId).executeTakeFirstOrThrow();
  const servers = await db.selectFrom("route_servers").selectAll().where("lan_id", "=", connection.lan_id).where("enabled", "=", true).orderBy("deploy_order").execute();
  const results: { routeServer: string; routes: (FilteredRoute & { meanings: string[] })[]; error: string | null }[] = [];
  for (const server of servers) {
    try {
      const transport = await connectRouteServer(server);
      try {
        const routes: FilteredRoute[] = [];
        for (const family of [4, 6]) {
          const result = await transport.exec([server.birdc_path, "-s", server.control_socket, "show", "route", "filtered", "all", "protocol", `pb_c${connectionId}_v${family}`]);
          if (result.code === 0) routes.push(...parseFilteredRoutes(result.stdout, connection.rs_asn));
        }
        results.push({ routeServer: server.name, routes: routes.map((route) => ({ ...route, meanings: route.reasons.map((code) => FILTER_REASONS[code as keyof typeof FILTER_REASONS] ?? `reason ${code}`) })), error: null });
      } finally {
        await transport.close();
      }
    } catch (error) {
      results.push({ routeServer: server.name, routes: [], error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
