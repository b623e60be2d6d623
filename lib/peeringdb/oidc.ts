import "server-only";
import { createPublicKey, verify, type JsonWebKey } from "node:crypto";

/** PeeringDB's OAuth2/OIDC endpoints, all derived from PEERINGDB_AUTH_URL (tests use the simulator). */
export function peeringDbEndpoints(authBaseUrl: string) {
  const base = authBaseUrl.replace(/\/+$/, "");
  return {
    issuer: `${base}/oauth2`,
    authorize: `${base}/oauth2/authorize/`,
    // The trailing slash matters: PeeringDB redirects without it, and the redirect drops the POST body.
    token: `${base}/oauth2/token/`,
    profile: `${base}/profile/v1`,
    jwks: `${base}/oauth2/.well-known/jwks.json`,
  };
}

export class PeeringDbLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PeeringDbLoginError";
  }
}

export class IdTokenError extends PeeringDbLoginError {
  constructor(message: string) {
    super(message);
    this.name = "IdTokenError";
  }
}

export type TokenResponse = { access_token: string; token_type: string; id_token: string; scope?: string; expires_in?: number };

/**
 * Exchanges the authorization code. PeeringDB takes client credentials only in the POST body
 * (client_secret_post): it reads any HTTP Basic header as a user login and refuses it.
 */
export async function exchangeCode(input: { tokenUrl: string; clientId: string; clientSecret: string; code: string; redirectUri: string; codeVerifier: string; timeoutMs?: number }): Promise<TokenResponse> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: input.code,
    redirect_uri: input.redirectUri,
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code_verifier: input.codeVerifier,
  });
  let response: Response;
  try {
    response = await fetch(input.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body,
      signal: AbortSignal.timeout(input.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new PeeringDbLoginError(`PeeringDB's token endpoint could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!response.ok) {
    const reason = typeof json?.error === "string" ? json.error : (json?.meta as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
    throw new PeeringDbLoginError(`PeeringDB refused the authorization code: ${reason}`);
  }
  if (!json || typeof json.access_token !== "string") throw new PeeringDbLoginError("PeeringDB's token answer has no access token");
  if (typeof json.id_token !== "string") {
    throw new PeeringDbLoginError("PeeringDB's token answer has no ID token (is an OIDC algorithm, RS256, set on the OAuth application?)");
  }
  return json as TokenResponse;
}

type Jwk = JsonWebKey & { kid?: string; alg?: string; kty?: string };
const jwksCache = new Map<string, { keys: Jwk[]; fetchedAt: number }>();

async function fetchJwks(url: string): Promise<Jwk[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
    throw new IdTokenError(`PeeringDB's signing keys could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!response.ok) throw new IdTokenError(`PeeringDB's signing keys could not be fetched (HTTP ${response.status})`);
  const json = (await response.json()) as { keys?: Jwk[] };
  const keys = Array.isArray(json.keys) ? json.keys : [];
  jwksCache.set(url, { keys, fetchedAt: Date.now() });
  return keys;
}

/** The key for `kid`; on a miss the key set is fetched again once (PeeringDB may rotate). */
async function keyFor(url: string, kid: string) {
  const cached = jwksCache.get(url);
  const fresh = cached && Date.now() - cached.fetchedAt < 3_600_000 ? cached.keys : await fetchJwks(url);
  return fresh.find((key) => key.kid === kid) ?? (cached ? (await fetchJwks(url)).find((key) => key.kid === kid) : undefined);
}

function decodeSegment(segment: string, what: string) {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new IdTokenError(`ID token ${what} is not valid JSON`);
  }
}

/**
 * Verifies PeeringDB's ID token: RS256 only, signature against the JWKS key named by `kid`,
 * issuer, audience, expiry and nonce. Each failure says which check failed.
 */
export async function verifyIdToken(
  idToken: string,
  options: { jwksUrl: string; issuer: string; audience: string; nonce: string; now?: number; clockToleranceSec?: number },
) {
  const parts = idToken.split(".");
  if (parts.length !== 3) throw new IdTokenError("ID token is not a JWT");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeSegment(headerPart, "header");
  if (header.alg !== "RS256") throw new IdTokenError(`ID token is signed with ${String(header.alg)}, but only RS256 is accepted`);
  if (typeof header.kid !== "string") throw new IdTokenError("ID token names no signing key (kid)");
  const jwk = await keyFor(options.jwksUrl, header.kid);
  if (!jwk) throw new IdTokenError(`ID token was signed with an unknown key (kid ${header.kid})`);
  let valid = false;
  try {
    const key = createPublicKey({ key: jwk, format: "jwk" });
    valid = verify("RSA-SHA256", Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, "base64url"));
  } catch {
    valid = false;
  }
  if (!valid) throw new IdTokenError("ID token signature is invalid");

  const claims = decodeSegment(payloadPart, "payload");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.clockToleranceSec ?? 60;
  if (claims.iss !== options.issuer) throw new IdTokenError(`ID token issuer ${String(claims.iss)} is not ${options.issuer}`);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience)) throw new IdTokenError(`ID token audience ${String(claims.aud)} is not this client`);
  if (typeof claims.exp !== "number" || claims.exp + tolerance < now) {
    throw new IdTokenError(`ID token expired at ${typeof claims.exp === "number" ? new Date(claims.exp * 1000).toISOString() : "an unknown time"}`);
  }
  if (typeof claims.iat === "number" && claims.iat - tolerance > now) throw new IdTokenError("ID token was issued in the future (check the clocks)");
  if (typeof claims.nbf === "number" && claims.nbf - tolerance > now) throw new IdTokenError("ID token is not valid yet");
  if (!options.nonce || claims.nonce !== options.nonce) throw new IdTokenError("ID token nonce does not match this login");
  return claims;
}
