import { NextResponse, type NextRequest } from "next/server";
import { databaseReachable, databaseUnavailablePage } from "@/lib/database-outage";
import { newNonce, securityHeaders } from "@/lib/security-headers";

/** Pages (not the API, not Next's assets, not files): these answer 503 while PostgreSQL is away. */
const PAGE_PATH = /^\/(?!api\/|_next\/)(?!.*\.[a-z0-9]+$)/i;

/**
 * Security headers on every response, with a fresh CSP nonce per request. Next.js reads the
 * nonce from the request's Content-Security-Policy header and puts it on its own script and
 * style tags (every page is rendered per request: see app/layout.tsx).
 *
 * Pages answer a clear 503 while PostgreSQL is unreachable; the API and health answer their own
 * JSON, and server actions answer in their form (lib/actions/form-action.ts), so they pass.
 */
export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = securityHeaders(nonce);
  let response: Response;
  if (!request.headers.has("next-action") && PAGE_PATH.test(request.nextUrl.pathname) && !(await databaseReachable())) {
    response = databaseUnavailablePage(nonce);
  } else {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Not /api/v1: the proxy would buffer request bodies (up to 10 MB) before the route handler,
// defeating its body limit. Those responses get their headers from next.config.ts.
export const config = {
  matcher: ["/((?!api/v1/).*)"],
};
