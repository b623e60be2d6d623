import "server-only";
import { z } from "zod";
import { version } from "@/lib/version";
import { ZRoutesPage, ZRoutesQuery } from "./looking-glass";
import { ZAsnParams, ZConnection, ZConnectionApprove, ZConnectionCreate, ZConnectionQuery, ZConnectionReject, ZDeployment, ZDeploymentQuery, ZError, ZIdParams, ZLan, ZNetwork, ZRouteServer } from "./v1";
import { ZDrift, ZRouteServerUpdate, ZRouterConfigQuery } from "./v1";
import { ZBgpPasswordSet, ZBgpPasswordStatus } from "./v1";

type Endpoint = {
  method: "get" | "post" | "delete" | "patch";
  path: string;
  summary: string;
  scope: "read" | "admin";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  status?: number;
  errors: number[];
};

const list = (item: z.ZodType) => z.object({ data: z.array(item) });
const one = (item: z.ZodType) => z.object({ data: item });

/** Every /api/v1 endpoint: the route handlers use the same schemas. */
export const endpoints: Endpoint[] = [
  { method: "get", path: "/lans", summary: "List peering LANs", scope: "read", response: list(ZLan), errors: [401, 429] },
  { method: "get", path: "/networks", summary: "List member networks", scope: "read", response: list(ZNetwork), errors: [401, 429] },
  { method: "get", path: "/networks/{asn}", summary: "One member network", scope: "read", params: ZAsnParams, response: one(ZNetwork), errors: [400, 401, 404, 429] },
  { method: "get", path: "/connections", summary: "List connections", scope: "read", query: ZConnectionQuery, response: list(ZConnection), errors: [400, 401, 429] },
  { method: "post", path: "/connections", summary: "Request a connection on a network's behalf", scope: "admin", body: ZConnectionCreate, response: one(ZConnection), status: 201, errors: [400, 401, 403, 409, 413, 429] },
  { method: "get", path: "/connections/{id}", summary: "One connection", scope: "read", params: ZIdParams, response: one(ZConnection), errors: [400, 401, 404, 429] },
  { method: "delete", path: "/connections/{id}", summary: "Remove a connection (deauthorize, release addresses)", scope: "admin", params: ZIdParams, response: one(ZConnection), status: 202, errors: [400, 401, 403, 404, 409, 429] },
  { method: "get", path: "/connections/{id}/routes", summary: "A connection's routes on a route server, read live (looking glass; cached 30 s)", scope: "read", params: ZIdParams, query: ZRoutesQuery, response: one(ZRoutesPage), errors: [400, 401, 404, 429, 502] },
  { method: "post", path: "/connections/{id}/approve", summary: "Approve a requested connection (optionally with hand-set addresses)", scope: "admin", params: ZIdParams, body: ZConnectionApprove, response: one(ZConnection), errors: [400, 401, 403, 404, 409, 413, 429] },
  { method: "post", path: "/connections/{id}/reject", summary: "Reject a requested connection with a reason", scope: "admin", params: ZIdParams, body: ZConnectionReject, response: one(ZConnection), errors: [400, 401, 403, 404, 409, 413, 429] },
  { method: "post", path: "/connections/{id}/bgp-password", summary: "Set the connection's BGP session password (stored encrypted; the member sees it once in the portal)", scope: "admin", params: ZIdParams, body: ZBgpPasswordSet, response: one(ZBgpPasswordStatus), errors: [400, 401, 403, 404, 409, 413, 429] },
  { method: "delete", path: "/connections/{id}/bgp-password", summary: "Clear the connection's BGP session password", scope: "admin", params: ZIdParams, response: one(ZBgpPasswordStatus), errors: [400, 401, 403, 404, 409, 429] },
  { method: "get", path: "/route-servers", summary: "List route servers", scope: "read", response: list(ZRouteServer), errors: [401, 429] },
  { method: "get", path: "/route-servers/{id}/config", summary: "A route server's BIRD config as rendered now (text/plain)", scope: "read", params: ZIdParams, response: z.string(), errors: [400, 401, 404, 429] },
  { method: "get", path: "/connections/{id}/router-config", summary: "The member's complete router configuration for the route servers (text/plain, BIRD or FRR; placeholders marked PLACEHOLDER), with the ZeroTier join and allowGlobal lines. A signed-in member gets only its own connections (others answer 404)", scope: "read", params: ZIdParams, query: ZRouterConfigQuery, response: z.string(), errors: [400, 401, 404, 409, 429] },
  { method: "get", path: "/route-servers/{id}", summary: "One route server", scope: "read", params: ZIdParams, response: one(ZRouteServer), errors: [400, 401, 404, 429] },
  { method: "patch", path: "/route-servers/{id}", summary: "Set a route server's ZeroTier node (authorized with its addresses) and/or enable or disable it; the LAN is redeployed", scope: "admin", params: ZIdParams, body: ZRouteServerUpdate, response: one(ZRouteServer), errors: [400, 401, 403, 404, 409, 429] },
  { method: "get", path: "/drift", summary: "Open drift: routers authorized on the controller but unknown to ztix, route-server config files that differ from their last deployment", scope: "read", response: list(ZDrift), errors: [401, 429] },
  { method: "get", path: "/deployments", summary: "Route-server deployments, newest first", scope: "read", query: ZDeploymentQuery, response: list(ZDeployment), errors: [400, 401, 429] },
  { method: "post", path: "/lans/{id}/deploy", summary: "Deploy the LAN's route servers now", scope: "admin", params: ZIdParams, response: one(z.object({ lanId: z.number().int(), status: z.literal("queued") })), status: 202, errors: [400, 401, 403, 404, 429] },
];

const errorDescriptions: Record<number, string> = {
  400: "Validation failed: details.fieldErrors names each field. Bodies are parsed strictly: JSON types as documented (no strings or booleans for numbers, no fractions), unknown fields refused",
  401: "No API key, or an unknown, revoked or expired one",
  403: "The key's scope does not allow this",
  404: "No such object",
  409: "The object's state does not allow this change, or an address is already in use on the LAN",
  413: "The request body is larger than ZTIX_API_MAX_BODY_BYTES (64 KiB by default); refused before it is read",
  429: "Rate limited (see Retry-After)",
  503: "The database is unavailable; nothing was changed (code database_unavailable, see Retry-After)",
  502: "The route server could not be read (route_server_unavailable)",
};

function schema(type: z.ZodType, io: "input" | "output") {
  const json = z.toJSONSchema(type, {
    io,
    unrepresentable: "any",
    // zod's .int() bounds a number by the safe-integer range: no limit worth printing to a reader.
    override: ({ jsonSchema }) => {
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function parameters(object: z.ZodObject | undefined, where: "path" | "query") {
  if (!object) return [];
  const json = schema(object, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const responses: Record<string, unknown> = {
      [String(endpoint.status ?? 200)]: {
        description: "Success",
        content: { [/\/(router-)?config$/.test(endpoint.path) ? "text/plain" : "application/json"]: { schema: schema(endpoint.response, "output") } },
      },
    };
    // Any endpoint can meet a database outage.
    for (const status of [...endpoint.errors, 503]) {
      responses[String(status)] = { description: errorDescriptions[status], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method] = {
      summary: endpoint.summary,
      operationId: `${endpoint.method}${endpoint.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      description: `Needs an API key with the \`${endpoint.scope}\` scope.`,
      security: [{ apiKey: [] }],
      parameters: [...parameters(endpoint.params, "path"), ...parameters(endpoint.query, "query")],
      ...(endpoint.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(endpoint.body, "input") } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "ztix API",
      version,
      description:
        "Automation and monitoring API of a ztix Internet Exchange. Authenticate with an API key in the X-API-Key header. Errors are {\"error\": {\"code\", \"message\", \"details\"}} with details an object or null. JSON bodies are parsed strictly (types as documented, unknown fields refused) and limited to ZTIX_API_MAX_BODY_BYTES (64 KiB by default; 413 payload_too_large). Unknown ids answer 404 not_found.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } },
      schemas: { Error: schema(ZError, "output") },
    },
    paths,
  };
}
