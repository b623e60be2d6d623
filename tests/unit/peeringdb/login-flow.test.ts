import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { exchangeCode, peeringDbEndpoints, verifyIdToken } from "@/lib/peeringdb/oidc";
import { fetchProfile, parseProfile } from "@/lib/peeringdb/profile";
import { startPeeringDbSimulator, type PeeringDbSimulator } from "@/simulators/peeringdb/server";

const redirectUri = "http://127.0.0.1:3999/api/auth/callback/peeringdb";
let sim: PeeringDbSimulator;

async function authorize(options: { nonce?: string } = {}) {
  const endpoints = peeringDbEndpoints(sim.authUrl);
  const verifier = randomBytes(32).toString("base64url");
  const nonce = options.nonce ?? randomBytes(8).toString("hex");
  const url = new URL(endpoints.authorize);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: sim.clientId,
    redirect_uri: redirectUri,
    scope: "openid profile email networks",
    state: "state-123",
    nonce,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location")!);
  expect(back.searchParams.get("state")).toBe("state-123");
  return { code: back.searchParams.get("code")!, verifier, nonce, endpoints };
}

async function login() {
  const { code, verifier, nonce, endpoints } = await authorize();
  const tokens = await exchangeCode({ tokenUrl: endpoints.token, clientId: sim.clientId, clientSecret: sim.clientSecret, code, redirectUri, codeVerifier: verifier });
  const claims = await verifyIdToken(tokens.id_token, { jwksUrl: endpoints.jwks, issuer: endpoints.issuer, audience: sim.clientId, nonce });
  const profile = parseProfile(await fetchProfile(endpoints.profile, tokens.access_token));
  return { tokens, claims, profile };
}

describe("Log in with PeeringDB, against the simulator", () => {
  beforeAll(async () => {
    sim = await startPeeringDbSimulator({ redirectUris: [redirectUri] });
  });
  beforeEach(() => sim.control.reset());
  afterAll(() => sim.close());

  it("runs the whole authorization-code flow with PKCE and nonce, ending with the user's networks", async () => {
    const { claims, profile } = await login();
    expect(claims.iss).toBe(`${sim.url}/oauth2`);
    expect(claims.sub).toBe("3");
    expect(profile).toEqual({
      id: 3,
      name: "Alex Example",
      email: "alex@example.net",
      networks: [
        { id: 20, name: "Example Transit", asn: 64500, perms: 15, manage_peering_sessions: 15 },
        { id: 7889, name: "Example Content", asn: 64501, perms: 1, manage_peering_sessions: 1 },
      ],
    });
  });

  it.each([
    ["bad_signature", "ID token signature is invalid"],
    ["unknown_kid", "ID token was signed with an unknown key (kid not-a-known-key)"],
    ["wrong_audience", "ID token audience someone-else is not this client"],
    ["wrong_issuer", "ID token issuer https://evil.example/oauth2 is not"],
    ["expired", "ID token expired at"],
    ["wrong_nonce", "ID token nonce does not match this login"],
  ] as const)("refuses an ID token with fault %s", async (fault, message) => {
    sim.control.setFaults({ idToken: fault });
    await expect(login()).rejects.toThrow(message);
  });

  it("refuses a reused code, a wrong PKCE verifier and HTTP Basic client authentication as PeeringDB does", async () => {
    const { code, verifier, endpoints } = await authorize();
    const exchange = (overrides: Partial<Parameters<typeof exchangeCode>[0]>) =>
      exchangeCode({ tokenUrl: endpoints.token, clientId: sim.clientId, clientSecret: sim.clientSecret, code, redirectUri, codeVerifier: verifier, ...overrides });
    await expect(exchange({ codeVerifier: "wrong-verifier-wrong-verifier-wrong-verifier" })).rejects.toThrow("invalid_grant");

    const fresh = await authorize();
    await exchangeCode({ tokenUrl: endpoints.token, clientId: sim.clientId, clientSecret: sim.clientSecret, code: fresh.code, redirectUri, codeVerifier: fresh.verifier });
    await expect(
      exchangeCode({ tokenUrl: endpoints.token, clientId: sim.clientId, clientSecret: sim.clientSecret, code: fresh.code, redirectUri, codeVerifier: fresh.verifier }),
    ).rejects.toThrow("invalid_grant");

    const basic = await fetch(endpoints.token, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString("base64")}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: (await authorize()).code, redirect_uri: redirectUri }),
    });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual({ meta: { error: "Invalid username or password" } });
  });

  it.each([
    ["missing_networks", "PeeringDB profile field networks has no networks list"],
    ["malformed_network", "PeeringDB profile network #3 is malformed"],
    ["unverified_user", "PeeringDB account is not verified by PeeringDB"],
    ["unverified_email", "e-mail address is not verified"],
  ] as const)("refuses a profile with fault %s", async (fault, message) => {
    sim.control.setFaults({ profile: fault });
    await expect(login()).rejects.toThrow(message);
  });

  it("answers 403 with an empty body for a bad token on profile/v1", async () => {
    const response = await fetch(`${sim.url}/profile/v1`, { headers: { Authorization: "Bearer nonsense" } });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("");
    await expect(fetchProfile(`${sim.url}/profile/v1`, "nonsense")).rejects.toThrow("403");
  });

  it("reflects the current affiliations: a dropped ASN is gone at the next login", async () => {
    expect((await login()).profile.networks.map((network) => network.asn)).toEqual([64500, 64501]);
    sim.control.removeAffiliation(64500);
    expect((await login()).profile.networks.map((network) => network.asn)).toEqual([64501]);
  });

  it("keys networks on ASN: duplicates merge their permissions", () => {
    const profile = parseProfile({
      id: 1, name: "N", verified_user: true, email: "e@example.net", verified_email: true,
      networks: [{ id: 1, name: "A", asn: 64500, perms: 1 }, { id: 2, name: "A renamed", asn: 64500, perms: 2 }],
    });
    expect(profile.networks).toEqual([{ id: 1, name: "A", asn: 64500, perms: 3 }]);
  });
});
