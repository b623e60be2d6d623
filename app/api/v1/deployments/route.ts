import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { listDeploymentsDto, ZDeploymentQuery } from "@/lib/api/v1";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read", query: ZDeploymentQuery }, async ({ query }) => ({ data: await listDeploymentsDto(getDb(), query) }));
