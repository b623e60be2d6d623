import "server-only";
import { hkdfSync } from "node:crypto";
import { jwtDecrypt } from "jose";
import { cookies } from "next/headers";

/**
 * Reads next-auth's session cookie (an encrypted JWT: JWE "dir" + A256GCM) without
 * `getServerSession`. That call derives the key with HKDF, decrypts, runs the callbacks and
 * encrypts a renewed token it cannot even set from a page, on every request: measured, about a
 * tenth of a signed-in page's CPU (bench:pages). Here the key is derived once per process. The
 * token only names the user and the server-side session; lib/auth/sessions decides whether that
 * session still counts, so nothing about who may do what is read from the token.
 */

export type SessionClaims = { userId: number; sessionId: string };

// next-auth v4's names and key derivation (next-auth/core/lib/cookie.js, next-auth/jwt).
const COOKIE_NAME = "next-auth.session-token";
const KEY_INFO = "NextAuth.js Generated Encryption Key";
const CLOCK_TOLERANCE_SECONDS = 15;

let derived: { secret: string; key: Uint8Array } | undefined;
function encryptionKey(secret: string) {
  if (derived?.secret !== secret) derived = { secret, key: new Uint8Array(hkdfSync("sha256", secret, "", KEY_INFO, 32)) };
  return derived.key;
}

/** The cookie's name: next-auth prefixes it with __Secure- when the portal's URL is https. */
export function sessionCookieName(portalUrl = process.env.NEXTAUTH_URL ?? "") {
  return `${portalUrl.startsWith("https://") ? "__Secure-" : ""}${COOKIE_NAME}`;
}

/** The token from a cookie jar: one cookie, or next-auth's chunks (name.0, name.1, …) in order. */
export function sessionTokenFrom(all: { name: string; value: string }[], name = sessionCookieName()) {
  const whole = all.find((cookie) => cookie.name === name);
  if (whole) return whole.value;
  const chunks = all
    .filter((cookie) => cookie.name.startsWith(`${name}.`) && /^\d+$/.test(cookie.name.slice(name.length + 1)))
    .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)));
  return chunks.length > 0 ? chunks.map((cookie) => cookie.value).join("") : null;
}

/** The user and session a token names, or null for a missing, forged, garbled or expired one. */
export async function decodeSessionToken(token: string, secret: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtDecrypt(token, encryptionKey(secret), { clockTolerance: CLOCK_TOLERANCE_SECONDS });
    const userId = Number(payload.uid);
    if (!Number.isSafeInteger(userId) || userId <= 0 || typeof payload.sid !== "string") return null;
    return { userId, sessionId: payload.sid };
  } catch {
    return null;
  }
}

/** This request's session claims (pages, server actions and route handlers). */
export async function requestSessionClaims(): Promise<SessionClaims | null> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) return null;
  const token = sessionTokenFrom((await cookies()).getAll());
  return token ? decodeSessionToken(token, secret) : null;
}
