import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { renderRouteServerConfig, ZIdParams } from "@/lib/api/v1";

export const dynamic = "force-dynamic";

/** The BIRD config as rendered now, as text/plain (what the next deployment would install). */
export const GET = apiRoute({ scope: "read", params: ZIdParams }, async ({ params }) =>
  new Response(await renderRouteServerConfig(getDb(), params.id), { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }),
);
