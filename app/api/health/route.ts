import { checkHealth, getHealthPool } from "@/lib/health";

export const dynamic = "force-dynamic";

/** Unauthenticated by design: load balancers and monitoring poll it. Holds no secrets. */
export async function GET() {
  const report = await checkHealth(getHealthPool());
  return Response.json(report, {
    status: report.status === "down" ? 503 : 200,
    headers: { "Cache-Control": "no-store" },
  });
}
