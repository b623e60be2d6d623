import { checkHealth, getHealthPool } from "@/lib/health";
import { getZeroTierProvider } from "@/lib/zerotier/client";

export const dynamic = "force-dynamic";

/**
 * Unauthenticated by design: load balancers and monitoring poll it. Holds no secrets.
 * 503 when the database or the worker is down; a controller outage is "degraded" (200).
 */
export async function GET() {
  const report = await checkHealth(getHealthPool(), { controller: () => getZeroTierProvider().readiness() });
  return Response.json(report, {
    status: report.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
}
