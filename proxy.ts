import { NextResponse, type NextRequest } from "next/server";
import { newNonce, securityHeaders } from "@/lib/security-headers";

/**
 * Security headers on every response, with a fresh CSP nonce per request. Next.js reads the
 * nonce from the request's Content-Security-Policy header and puts it on its own script and
 * style tags (every page is rendered per request: see app/layout.tsx).
 */
export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = securityHeaders(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Not /api/v1: the proxy would buffer request bodies (up to 10 MB) before the route handler,
// defeating its body limit. Those responses get their headers from next.config.ts.
export const config = {
  matcher: ["/((?!api/v1/).*)"],
};
