import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { listRouteServersDto } from "@/lib/api/v1";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read" }, async () => ({ data: await listRouteServersDto(getDb()) }));
