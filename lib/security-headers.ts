/**
 * The headers every response carries (proxy.ts sets them). Pure: no request state beyond the
 * nonce, so a unit test and the e2e test read the same policy.
 */

/** Browser features the portal never uses: refused to the page and to anything it could embed. */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "camera=()",
  "display-capture=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "usb=()",
].join(", ");

export function newNonce() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Scripts and styles only from this origin or carrying this request's nonce (Next.js adds it to
 * its own tags); 'strict-dynamic' lets those scripts load the page's chunks. No inline scripts,
 * no inline style attributes, no framing.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean; https: boolean }) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function securityHeaders(nonce: string, env: { NODE_ENV?: string; NEXTAUTH_URL?: string } = process.env): Record<string, string> {
  const https = (env.NEXTAUTH_URL ?? "").startsWith("https:");
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, { development: env.NODE_ENV === "development", https }),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    ...(https ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
