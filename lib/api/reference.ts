import "server-only";
import { openApiDocument } from "./openapi";

/** A JSON Schema as zod's toJSONSchema writes it (the subset the reference reads). */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  description?: string;
  $ref?: string;
};

export type ReferenceParameter = { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema };
export type ReferenceOperation = {
  method: string;
  path: string;
  summary: string;
  description: string;
  parameters: ReferenceParameter[];
  requestBody: JsonSchema | null;
  responses: { status: string; description: string; contentType: string; schema: JsonSchema | null }[];
};

/** The API reference page's content: read from the OpenAPI document itself, never restated. */
export function apiReference(serverUrl: string) {
  const document = openApiDocument(serverUrl);
  const errorSchema = document.components.schemas.Error as JsonSchema;
  const operations: ReferenceOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = raw as {
        summary: string;
        description: string;
        parameters: ReferenceParameter[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
        responses: Record<string, { description: string; content: Record<string, { schema: JsonSchema }> }>;
      };
      operations.push({
        method,
        path,
        summary: operation.summary,
        description: operation.description,
        parameters: operation.parameters,
        requestBody: operation.requestBody?.content["application/json"]?.schema ?? null,
        responses: Object.entries(operation.responses).map(([status, response]) => {
          const [contentType, content] = Object.entries(response.content)[0] ?? ["", undefined];
          const schema = content?.schema.$ref === "#/components/schemas/Error" ? errorSchema : (content?.schema ?? null);
          return { status, description: response.description, contentType, schema };
        }),
      });
    }
  }
  return { info: document.info, servers: document.servers, operations };
}

const FORMAT_EXAMPLES: Record<string, string> = {
  "date-time": "2026-11-30T12:00:00.000Z",
  date: "2026-11-30",
  ipv4: "192.0.2.10",
  ipv6: "2001:db8:ffff::10",
  email: "noc@example.net",
  uri: "https://example.net/",
};

/** An example value for a schema: enums and formats as written, numbers at their minimum. */
export function exampleOf(schema: JsonSchema | null | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return exampleOf(variants.find((variant) => variant.type !== "null") ?? variants[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((entry) => entry !== "null") : schema.type;
  switch (type) {
    case "object":
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, exampleOf(property, depth + 1)]));
    case "array":
      return [exampleOf(schema.items, depth + 1)];
    case "integer":
    case "number":
      return schema.minimum !== undefined && schema.minimum > 0 ? schema.minimum : 1;
    case "boolean":
      return true;
    case "string":
      return (schema.format && FORMAT_EXAMPLES[schema.format]) ?? "string";
    case "null":
      return null;
    default:
      return null;
  }
}

/** A one-line type description: "integer ≥ 1", "string (date-time)", "one of: a, b", "array of object". */
export function typeOf(schema: JsonSchema | null | undefined): string {
  if (!schema) return "any";
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum?.length) return `one of: ${schema.enum.map((value) => JSON.stringify(value)).join(", ")}`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(" or ");
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : (schema.type ?? "any");
  if (type === "array") return `array of ${typeOf(schema.items)}`;
  const limits = [
    schema.format ? `(${schema.format})` : "",
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : "",
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : "",
    schema.maxLength !== undefined ? `≤ ${schema.maxLength} chars` : "",
    schema.pattern ? `matching ${schema.pattern}` : "",
  ].filter(Boolean);
  return [type, ...limits].join(" ");
}
