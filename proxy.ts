import type { NextRequest } from "next/server";
import { databaseReachable, databaseUnavailablePage } from "@/lib/database-outage";

/**
 * Pages answer a clear 503 while PostgreSQL is unreachable. The API and health answer their own
 * JSON; server actions answer in their form (lib/actions/form-action.ts), so they pass through.
 */
export async function proxy(request: NextRequest) {
  if (request.headers.has("next-action")) return;
  if (!(await databaseReachable())) return databaseUnavailablePage();
}

export const config = {
  // Not the API, not Next's assets, not public files.
  matcher: ["/((?!api/|_next/|favicon.ico|.*\\.[a-z0-9]+$).*)"],
};
