import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { listDriftDto } from "@/lib/api/v1";

export const dynamic = "force-dynamic";

/** What reconciliation and the session collection found that the database does not explain. */
export const GET = apiRoute({ scope: "read" }, async () => ({ data: await listDriftDto(getDb()) }));
