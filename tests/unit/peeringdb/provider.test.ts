import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { peeringDbProvider } from "@/lib/auth/peeringdb-provider";
import { startPeeringDbSimulator, type PeeringDbSimulator } from "@/simulators/peeringdb/server";

const callbackUrl = "http://127.0.0.1:3998/api/auth/callback/peeringdb";
let sim: PeeringDbSimulator;

type Request = (context: Record<string, unknown>) => Promise<{ tokens: Record<string, unknown> }>;
type Userinfo = (context: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function authorizeCode(nonce: string, verifier: string) {
  const url = new URL(`${sim.url}/oauth2/authorize/`);
  url.search = new URLSearchParams({
    response_type: "code", client_id: sim.clientId, redirect_uri: callbackUrl, scope: "openid profile email networks", state: "S1", nonce,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256",
  }).toString();
  return new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!).searchParams.get("code")!;
}

describe("the next-auth PeeringDB provider (our token and profile steps)", () => {
  beforeAll(async () => {
    sim = await startPeeringDbSimulator({ redirectUris: [callbackUrl] });
  });
  afterAll(() => sim.close());

  const provider = () => peeringDbProvider({ authUrl: sim.authUrl, clientId: sim.clientId, clientSecret: sim.clientSecret });

  async function run(state: string) {
    const nonce = randomBytes(8).toString("hex");
    const verifier = randomBytes(32).toString("base64url");
    const code = await authorizeCode(nonce, verifier);
    const config = provider();
    const { tokens } = await (config.token as { request: Request }).request({ provider: { callbackUrl }, params: { code, state }, checks: { state: "S1", code_verifier: verifier, nonce } });
    const raw = await (config.userinfo as { request: Userinfo }).request({ tokens });
    return config.profile!(raw as never, tokens as never) as { id: string; networks?: { asn: number }[]; failure?: { code: string; detail: string } };
  }

  it("completes a login whose state matches, with the user's networks", async () => {
    const user = await run("S1");
    expect(user.failure).toBeUndefined();
    expect(user.id).toBe("3");
    expect(user.networks?.map((network) => network.asn)).toEqual([64500, 64501]);
  });

  it("refuses a state that does not match the one this browser started with", async () => {
    const user = await run("S-forged");
    expect(user.failure).toEqual({ code: "pdb_state", detail: "the login's state does not match (start the login again)" });
  });

  it("turns an ID token failure into a reason code with its detail", async () => {
    sim.control.setFaults({ idToken: "wrong_audience" });
    try {
      const user = await run("S1");
      expect(user.failure?.code).toBe("pdb_id_token");
      expect(user.failure?.detail).toContain("audience");
    } finally {
      sim.control.setFaults({ idToken: "none" });
    }
  });

  it("sends the client secret in the body, never as HTTP Basic", () => {
    expect(provider().client).toMatchObject({ token_endpoint_auth_method: "client_secret_post" });
    expect(provider().checks).toEqual(["pkce", "state", "nonce"]);
  });
});
