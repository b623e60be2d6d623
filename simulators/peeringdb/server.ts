/**
 * A PeeringDB simulator for tests and the demo (never production): the OAuth2/OIDC provider
 * (discovery, JWKS, authorize, token, profile/v1, userinfo) and the REST API (`/api/net`),
 * answering with the real paths, payload shapes and status codes (shared/research/peeringdb.md
 * section 4). There is no login form: the "logged-in" PeeringDB user is set through `/_sim/`.
 */
import { createHash, createPrivateKey, createSign, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { prng } from "../shared/prng";

export type SimNetwork = { id: number; name: string; asn: number; perms: number; manage_peering_sessions?: number };
export type SimUser = {
  id: number;
  given_name: string;
  family_name: string;
  email: string;
  verified_user: boolean;
  verified_email: boolean;
  networks: SimNetwork[];
};
export type SimNet = {
  id: number;
  asn: number;
  name: string;
  irr_as_set: string;
  info_prefixes4: number | null;
  info_prefixes6: number | null;
  status?: "ok" | "pending";
};

export type IdTokenFault = "none" | "bad_signature" | "unknown_kid" | "wrong_audience" | "wrong_issuer" | "expired" | "wrong_nonce";
export type ProfileFault = "none" | "missing_networks" | "malformed_network" | "unverified_user" | "unverified_email";

export type SimFaults = {
  idToken: IdTokenFault;
  profile: ProfileFault;
  /** Share of REST requests answered 429 (0..1); 1 = always. */
  rate429: number;
  retryAfterSeconds: number;
  /** Share of requests (auth and REST) answered 503. */
  rate5xx: number;
  latencyMs: number;
};

type Grant = { code: string; clientId: string; redirectUri: string; scope: string[]; nonce?: string; challenge?: string; method?: string; user: SimUser; expiresAt: number; used: boolean };
type AccessToken = { token: string; scope: string[]; userId: number; expiresAt: number };

const DEFAULT_USER: SimUser = {
  id: 3,
  given_name: "Alex",
  family_name: "Example",
  email: "alex@example.net",
  verified_user: true,
  verified_email: true,
  networks: [
    { id: 20, name: "Example Transit", asn: 64500, perms: 15, manage_peering_sessions: 15 },
    { id: 7889, name: "Example Content", asn: 64501, perms: 1, manage_peering_sessions: 1 },
  ],
};

const DEFAULT_NETS: SimNet[] = [
  { id: 20, asn: 64500, name: "Example Transit", irr_as_set: "RIPE::AS-EXAMPLE", info_prefixes4: 100, info_prefixes6: 20 },
  { id: 7889, asn: 64501, name: "Example Content", irr_as_set: "", info_prefixes4: null, info_prefixes6: null },
  { id: 7890, asn: 64502, name: "Example Access", irr_as_set: "AS-ACCESS AS64502", info_prefixes4: 50, info_prefixes6: 10 },
];

const NO_FAULTS: SimFaults = { idToken: "none", profile: "none", rate429: 0, retryAfterSeconds: 1, rate5xx: 0, latencyMs: 0 };


const b64url = (input: Buffer | string) => Buffer.from(input).toString("base64url");

function jwkThumbprint(jwk: { e: string; n: string }) {
  return b64url(createHash("sha256").update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n })).digest());
}

function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject) {
  const data = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign("RSA-SHA256").update(data).sign(key);
  return `${data}.${b64url(signature)}`;
}

function atHash(accessToken: string) {
  const digest = createHash("sha256").update(accessToken).digest();
  return b64url(digest.subarray(0, digest.length / 2));
}

export type PeeringDbSimulator = Awaited<ReturnType<typeof startPeeringDbSimulator>>;

export async function startPeeringDbSimulator(options: { port?: number; host?: string; clientId?: string; clientSecret?: string; redirectUris?: string[]; seed?: number } = {}) {
  const host = options.host ?? "127.0.0.1";
  const clientId = options.clientId ?? "ztix-sim-client";
  const clientSecret = options.clientSecret ?? "ztix-sim-secret-not-for-production";
  const redirectUris = new Set(options.redirectUris ?? []);
  const random = prng(options.seed ?? 1);

  const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rogue = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicJwk = signing.publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const kid = jwkThumbprint(publicJwk);

  const state = {
    user: structuredClone(DEFAULT_USER) as SimUser,
    nets: new Map<number, SimNet>(DEFAULT_NETS.map((net) => [net.asn, { ...net }])),
    faults: { ...NO_FAULTS } as SimFaults,
    deny: false,
    grants: new Map<string, Grant>(),
    tokens: new Map<string, AccessToken>(),
    apiKeys: new Map<string, "active" | "inactive">(),
    counters: { authorize: 0, token: 0, profile: 0, rest: 0, throttled: 0 },
  };

  let base = "";
  const issuer = () => `${base}/oauth2`;

  const discovery = () => ({
    issuer: issuer(),
    authorization_endpoint: `${base}/oauth2/authorize/`,
    token_endpoint: `${base}/oauth2/token/`,
    userinfo_endpoint: `${base}/oauth2/userinfo/`,
    jwks_uri: `${base}/oauth2/.well-known/jwks.json`,
    scopes_supported: ["openid", "profile", "email", "networks", "amr"],
    response_types_supported: ["code", "token", "id_token", "id_token token", "code token", "code id_token", "code id_token token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "HS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    code_challenge_methods_supported: ["plain", "S256"],
    claims_supported: ["sub", "name", "given_name", "family_name", "email", "email_verified", "id", "verified_user", "networks", "amr"],
  });

  const send = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    if (body === undefined) {
      res.writeHead(status, headers).end();
      return;
    }
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "Content-Type": typeof body === "string" ? "text/html; charset=utf-8" : "application/json", ...headers }).end(text);
  };

  const readBody = (req: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });

  function idToken(grant: Grant, accessToken: string) {
    const now = Math.floor(Date.now() / 1000);
    const fault = state.faults.idToken;
    const user = grant.user;
    const granted = (scope: string) => grant.scope.includes(scope);
    const claims: Record<string, unknown> = {
      aud: fault === "wrong_audience" ? "someone-else" : grant.clientId,
      iat: fault === "expired" ? now - 40000 : now,
      at_hash: atHash(accessToken),
      ...(grant.nonce !== undefined ? { nonce: fault === "wrong_nonce" ? "not-the-nonce" : grant.nonce } : {}),
      iss: fault === "wrong_issuer" ? "https://evil.example/oauth2" : issuer(),
      exp: (fault === "expired" ? now - 40000 : now) + 36000,
      auth_time: now - 10,
      jti: randomUUID(),
      sub: String(user.id),
      // Claims of scopes not granted are present as null (amr as []), as PeeringDB does.
      id: granted("profile") ? user.id : null,
      name: granted("profile") ? `${user.given_name} ${user.family_name}` : null,
      given_name: granted("profile") ? user.given_name : null,
      family_name: granted("profile") ? user.family_name : null,
      verified_user: granted("profile") ? user.verified_user : null,
      email: granted("email") ? user.email : null,
      email_verified: granted("email") ? user.verified_email : null,
      networks: granted("networks") ? user.networks.map(({ id, name, asn, perms }) => ({ id, name, asn, perms })) : null,
      amr: [],
    };
    const header = { typ: "JWT", alg: "RS256", kid: fault === "unknown_kid" ? "not-a-known-key" : kid };
    return signJwt(header, claims, fault === "bad_signature" ? rogue.privateKey : signing.privateKey);
  }

  function profile(token: AccessToken) {
    const user = state.user.id === token.userId ? state.user : null;
    if (!user) return null;
    const fault = state.faults.profile;
    const body: Record<string, unknown> = {
      id: user.id,
      given_name: user.given_name,
      family_name: user.family_name,
      name: `${user.given_name} ${user.family_name}`,
      verified_user: fault === "unverified_user" ? false : user.verified_user,
    };
    if (token.scope.includes("email")) {
      body.email = user.email;
      body.verified_email = fault === "unverified_email" ? false : user.verified_email;
    }
    if (token.scope.includes("networks") && fault !== "missing_networks") {
      body.networks = user.networks.map((network) => ({ manage_peering_sessions: network.perms, ...network }));
      if (fault === "malformed_network") (body.networks as unknown[]).push({ id: "x", name: 7, asn: "AS-BAD" });
    }
    return body;
  }

  function netObject(net: SimNet) {
    return {
      id: net.id, org_id: 9000 + net.id, name: net.name, aka: "", name_long: "", website: "", social_media: [],
      asn: net.asn, looking_glass: "", route_server: "", irr_as_set: net.irr_as_set, info_type: "NSP", info_types: ["NSP"],
      info_prefixes4: net.info_prefixes4, info_prefixes6: net.info_prefixes6, info_traffic: "", info_ratio: "", info_scope: "",
      info_unicast: true, info_multicast: false, info_ipv6: true, info_never_via_route_servers: false, ix_count: 1, fac_count: 0,
      notes: "", netixlan_updated: null, netfac_updated: null, poc_updated: null, policy_url: "", policy_general: "Open",
      policy_locations: "Not Required", policy_ratio: false, policy_contracts: "Not Required", allow_ixp_update: false,
      status_dashboard: "", rir_status: "ok", rir_status_updated: "2024-06-26T04:47:55Z", logo: null,
      created: "2020-01-01T00:00:00Z", updated: "2025-06-01T10:00:00Z", status: net.status ?? "ok",
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;

    // Test control: not part of PeeringDB.
    if (path.startsWith("/_sim/")) return control(req, res, path);

    if (state.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.faults.latencyMs));
    if (state.faults.rate5xx > 0 && random() < state.faults.rate5xx) return send(res, 503, "<h1>Service Unavailable</h1>");

    if (path === "/.well-known/openid-configuration" || path === "/oauth2/.well-known/openid-configuration") return send(res, 200, discovery());
    if (path === "/oauth2/.well-known/jwks.json") {
      return send(res, 200, { keys: [{ kty: "RSA", alg: "RS256", use: "sig", kid, n: publicJwk.n, e: publicJwk.e }] }, { "Cache-Control": "public, max-age=3600" });
    }
    if (path === "/oauth2/authorize") return send(res, 301, undefined, { Location: `/oauth2/authorize/${url.search}` });
    if (path === "/oauth2/authorize/") return authorize(url, res);
    if (path === "/oauth2/token/" && req.method === "POST") return token(req, res);
    if (path === "/profile/v1" || path === "/oauth2/userinfo/") return bearer(req, res, path);
    if (path === "/api/net" || path === "/api/net.json") return restNet(req, url, res);
    return send(res, 404, { meta: { error: "Not found" } });
  }

  function authorize(url: URL, res: http.ServerResponse) {
    state.counters.authorize++;
    const params = url.searchParams;
    const redirectUri = params.get("redirect_uri") ?? "";
    if (params.get("client_id") !== clientId || (redirectUris.size > 0 && !redirectUris.has(redirectUri)) || !redirectUri) {
      return send(res, 400, "<h1>Error: invalid_request</h1><p>Invalid client_id or redirect_uri.</p>");
    }
    const back = new URL(redirectUri);
    const stateParam = params.get("state");
    const fail = (error: string) => {
      back.searchParams.set("error", error);
      if (stateParam) back.searchParams.set("state", stateParam);
      return send(res, 302, undefined, { Location: back.toString() });
    };
    if (params.get("response_type") !== "code") return fail("unsupported_response_type");
    const scope = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
    if (scope.some((entry) => !["openid", "profile", "email", "networks", "amr"].includes(entry))) return fail("invalid_scope");
    if (state.deny) return fail("access_denied");
    const code = randomBytes(15).toString("base64url");
    state.grants.set(code, {
      code,
      clientId,
      redirectUri,
      scope,
      nonce: params.get("nonce") ?? undefined,
      challenge: params.get("code_challenge") ?? undefined,
      method: params.get("code_challenge_method") ?? (params.get("code_challenge") ? "plain" : undefined),
      user: structuredClone(state.user),
      expiresAt: Date.now() + 60_000,
      used: false,
    });
    back.searchParams.set("code", code);
    if (stateParam) back.searchParams.set("state", stateParam);
    return send(res, 302, undefined, { Location: back.toString() });
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse) {
    state.counters.token++;
    // PeeringDB reads any Basic header as a username/password login, and refuses it.
    if (/^basic /i.test(req.headers.authorization ?? "")) return send(res, 401, { meta: { error: "Invalid username or password" } });
    const form = new URLSearchParams(await readBody(req));
    const noStore = { "Cache-Control": "no-store" };
    if (form.get("grant_type") !== "authorization_code") return send(res, 400, { error: "unsupported_grant_type" }, noStore);
    if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) return send(res, 401, { error: "invalid_client" }, noStore);
    const grant = state.grants.get(form.get("code") ?? "");
    if (!grant || grant.used || grant.expiresAt < Date.now() || grant.redirectUri !== form.get("redirect_uri")) {
      return send(res, 400, { error: "invalid_grant" }, noStore);
    }
    if (grant.challenge) {
      const verifier = form.get("code_verifier") ?? "";
      const computed = grant.method === "S256" ? b64url(createHash("sha256").update(verifier).digest()) : verifier;
      if (computed !== grant.challenge) return send(res, 400, { error: "invalid_grant" }, noStore);
    }
    grant.used = true;
    const accessToken = randomBytes(15).toString("base64url");
    state.tokens.set(accessToken, { token: accessToken, scope: grant.scope, userId: grant.user.id, expiresAt: Date.now() + 36_000_000 });
    return send(
      res,
      200,
      {
        access_token: accessToken,
        expires_in: 36000,
        token_type: "Bearer",
        scope: grant.scope.join(" "),
        refresh_token: randomBytes(15).toString("base64url"),
        ...(grant.scope.includes("openid") ? { id_token: idToken(grant, accessToken) } : {}),
      },
      noStore,
    );
  }

  function bearer(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    state.counters.profile++;
    const presented = /^bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const access = presented ? state.tokens.get(presented) : undefined;
    const needed = path === "/profile/v1" ? "profile" : "openid";
    // DOT's protected_resource: 403 with an empty body for any bad or insufficient token.
    if (!access || access.expiresAt < Date.now() || !access.scope.includes(needed)) return send(res, 403);
    const body = profile(access);
    if (!body) return send(res, 403);
    return send(res, 200, body);
  }

  function restNet(req: http.IncomingMessage, url: URL, res: http.ServerResponse) {
    state.counters.rest++;
    const authorization = req.headers.authorization ?? "";
    const headers: Record<string, string> = { "X-Auth-Status": "unauthenticated" };
    if (/^api-key /i.test(authorization)) {
      const key = authorization.slice(8).trim();
      const known = state.apiKeys.get(key);
      if (state.apiKeys.size > 0 && !known) return send(res, 401, { meta: { error: "Invalid API key" } });
      if (known === "inactive") return send(res, 401, { meta: { error: "Inactive API key" } });
      headers["X-Auth-Status"] = "authenticated";
    }
    if (state.faults.rate429 > 0 && (state.faults.rate429 >= 1 || random() < state.faults.rate429)) {
      state.counters.throttled++;
      const seconds = state.faults.retryAfterSeconds;
      return send(
        res,
        429,
        { message: `Request was throttled. Expected available in ${seconds} seconds. Authenticate for less restrictions. For more information: https://docs.peeringdb.com/howto/api_keys/`, meta: { error: "Too Many Requests" } },
        { ...headers, "Retry-After": String(seconds) },
      );
    }
    const asn = url.searchParams.get("asn");
    const asnIn = url.searchParams.get("asn__in");
    if (asn !== null) {
      const net = state.nets.get(Number(asn));
      if (!net || (net.status ?? "ok") !== "ok") return send(res, 404, { data: [], meta: { error: "Entity not found" } }, headers);
      return send(res, 200, { data: [netObject(net)], meta: {} }, headers);
    }
    if (asnIn !== null) {
      const wanted = new Set(asnIn.split(",").map(Number));
      const rows = [...state.nets.values()].filter((net) => wanted.has(net.asn) && (net.status ?? "ok") === "ok").map(netObject);
      return send(res, 200, { data: rows, meta: {} }, headers);
    }
    return send(res, 200, { data: [...state.nets.values()].filter((net) => (net.status ?? "ok") === "ok").map(netObject), meta: {} }, headers);
  }

  async function control(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    const body = req.method === "POST" ? (JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>) : {};
    switch (path) {
      case "/_sim/state":
        return send(res, 200, { user: state.user, nets: [...state.nets.values()], faults: state.faults, counters: state.counters });
      case "/_sim/user":
        controlApi.setUser(body as Partial<SimUser>);
        return send(res, 200, state.user);
      case "/_sim/networks/remove":
        controlApi.removeAffiliation(Number(body.asn));
        return send(res, 200, state.user);
      case "/_sim/networks/add":
        controlApi.addAffiliation(body as unknown as SimNetwork);
        return send(res, 200, state.user);
      case "/_sim/net":
        controlApi.setNet(body as unknown as SimNet);
        return send(res, 200, state.nets.get(Number(body.asn)));
      case "/_sim/faults":
        controlApi.setFaults(body as Partial<SimFaults>);
        return send(res, 200, state.faults);
      case "/_sim/deny":
        state.deny = Boolean(body.deny);
        return send(res, 200, { deny: state.deny });
      case "/_sim/reset":
        controlApi.reset();
        return send(res, 200, {});
      default:
        return send(res, 404, { error: "unknown control endpoint" });
    }
  }

  const controlApi = {
    setUser(user: Partial<SimUser>) {
      state.user = { ...state.user, ...user, networks: user.networks ?? state.user.networks };
    },
    addAffiliation(network: SimNetwork) {
      state.user.networks = [...state.user.networks.filter((entry) => entry.asn !== network.asn), network];
    },
    removeAffiliation(asn: number) {
      state.user.networks = state.user.networks.filter((entry) => entry.asn !== asn);
    },
    setNet(net: Partial<SimNet> & { asn: number }) {
      const current = state.nets.get(net.asn);
      state.nets.set(net.asn, { id: 100000 + net.asn % 100000, name: `AS${net.asn}`, irr_as_set: "", info_prefixes4: null, info_prefixes6: null, ...current, ...net });
    },
    setFaults(faults: Partial<SimFaults>) {
      state.faults = { ...state.faults, ...faults };
    },
    setApiKey(key: string, status: "active" | "inactive") {
      state.apiKeys.set(key, status);
    },
    reset() {
      state.user = structuredClone(DEFAULT_USER);
      state.nets = new Map(DEFAULT_NETS.map((net) => [net.asn, { ...net }]));
      state.faults = { ...NO_FAULTS };
      state.deny = false;
      state.apiKeys.clear();
      for (const key of Object.keys(state.counters) as (keyof typeof state.counters)[]) state.counters[key] = 0;
    },
    counters: state.counters,
    get user() {
      return state.user;
    },
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { meta: { error: String(error) } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host}:${port}`;

  return {
    url: base,
    authUrl: base,
    apiUrl: `${base}/api`,
    issuer: issuer(),
    clientId,
    clientSecret,
    /** Register another redirect URI (exact match, as PeeringDB does). */
    allowRedirectUri: (uri: string) => redirectUris.add(uri),
    control: controlApi,
    /** The private key (PEM) signing ID tokens, for tests that forge tokens. */
    signingKeyPem: signing.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    kid,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Re-exported for tests that sign their own tokens. */
export { createPrivateKey, signJwt };
