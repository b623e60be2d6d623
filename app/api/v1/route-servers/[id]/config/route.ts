import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { ZIdParams } from "@/lib/api/v1";
import { renderCurrentConfig } from "@/lib/routeserver/input";

export const dynamic = "force-dynamic";

/** The BIRD config as rendered now, as text/plain (what the next deployment would install). */
export const GET = apiRoute({ scope: "read", params: ZIdParams }, async ({ params }) =>
  new Response(await renderCurrentConfig(getDb(), params.id), { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } }),
);
