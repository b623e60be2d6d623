import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { endpoints, openApiDocument } from "@/lib/api/openapi";

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument("http://localhost:3000/api/v1") as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("prints no safe-integer bounds on whole numbers (zod's .int() adds them; a reader learns nothing)", () => {
    const text = JSON.stringify(openApiDocument("http://x/api/v1"));
    expect(text).toContain('"type":"integer"');
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(text).not.toContain(String(Number.MIN_SAFE_INTEGER));
  });

  it("lists every endpoint of SPEC section 12 with its schemas", () => {
    const document = openApiDocument("http://x/api/v1");
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        "GET /lans",
        "GET /networks",
        "GET /networks/{asn}",
        "GET /connections",
        "POST /connections",
        "GET /connections/{id}",
        "GET /connections/{id}/routes",
        "DELETE /connections/{id}",
        "POST /connections/{id}/approve",
        "POST /connections/{id}/reject",
        "POST /connections/{id}/bgp-password",
        "DELETE /connections/{id}/bgp-password",
        "POST /lans/{id}/deploy",
        "GET /route-servers",
        "GET /route-servers/{id}/config",
        "GET /deployments",
        "GET /connections/{id}/router-config",
        "GET /route-servers/{id}",
        "PATCH /route-servers/{id}",
        "GET /drift",
      ].sort(),
    );
    const create = (document.paths["/connections"] as Record<string, { requestBody: { content: Record<string, { schema: { required: string[] } }> } }>).post!;
    expect(create.requestBody.content["application/json"]!.schema.required).toEqual(expect.arrayContaining(["asn", "lan", "ztNodeId"]));
    expect(endpoints.every((endpoint) => endpoint.errors.includes(401))).toBe(true);
    const routerConfig = (document.paths["/connections/{id}/router-config"] as Record<string, { parameters: { name: string }[]; responses: Record<string, { content: Record<string, unknown> }> }>).get!;
    expect(routerConfig.parameters.map((parameter) => parameter.name)).toEqual(["id", "flavor"]);
    expect(Object.keys(routerConfig.responses["200"]!.content)).toEqual(["text/plain"]);
  });
});
