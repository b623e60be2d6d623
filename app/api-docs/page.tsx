import type { Metadata } from "next";
import { headers } from "next/headers";
import { apiReference, exampleOf, typeOf, type JsonSchema } from "@/lib/api/reference";
import { requirePageUser } from "@/lib/auth/page";
import { getConfig } from "@/lib/config";
import { Snippet } from "@/app/ui/copy-button";

export const metadata: Metadata = { title: "API reference" };

const METHOD_TONES: Record<string, string> = {
  get: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  post: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  patch: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  delete: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

/** A schema's fields as a nested list: name, type, whether required. */
function SchemaFields({ schema, depth = 0 }: { schema: JsonSchema | null; depth?: number }) {
  if (!schema) return null;
  const variants = schema.anyOf ?? schema.oneOf;
  const object = schema.type === "array" ? schema.items : (variants?.find((variant) => variant.properties) ?? schema);
  if (!object?.properties || depth > 4) return <p className="font-mono text-xs">{typeOf(schema)}</p>;
  return (
    <ul className={`space-y-1 text-xs ${depth > 0 ? "mt-1 border-l border-slate-200 pl-3 dark:border-slate-700" : ""}`}>
      {schema.type === "array" && depth === 0 ? <li className="text-slate-600 dark:text-slate-300">An array of:</li> : null}
      {Object.entries(object.properties).map(([name, property]) => (
        <li key={name} className="break-words">
          <code className="font-mono font-semibold">{name}</code>{" "}
          <span className="text-slate-600 dark:text-slate-300">{typeOf(property.type === "array" ? { ...property, items: property.items?.properties ? { type: "object" } : property.items } : property.properties ? { type: "object" } : property)}</span>
          {(object.required ?? []).includes(name) ? <span className="ml-1 text-red-800 dark:text-red-300">required</span> : null}
          {property.description ? <span className="block text-slate-600 dark:text-slate-300">{property.description}</span> : null}
          {property.properties || property.items?.properties ? <SchemaFields schema={property.properties ? property : property.items!} depth={depth + 1} /> : null}
        </li>
      ))}
    </ul>
  );
}

function Example({ value }: { value: unknown }) {
  return <pre className="mt-1 overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-5 text-slate-100">{JSON.stringify(value, null, 2)}</pre>;
}

export default async function ApiDocsPage() {
  await requirePageUser("/api-docs");
  const host = (await headers()).get("host") ?? "localhost";
  const origin = getConfig().NEXTAUTH_URL?.replace(/\/$/, "") ?? `http://${host}`;
  const reference = apiReference(`${origin}/api/v1`);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API reference</h1>
        <p className="mt-1 text-sm text-slate-600">
          {reference.info.title} {reference.info.version}. Base URL <code className="font-mono text-xs break-all">{reference.servers[0]!.url}</code>; send a key in the <code className="font-mono text-xs">X-API-Key</code> header. This page is rendered from the
          OpenAPI 3.1 document at <code className="font-mono text-xs">/api/v1/openapi.json</code> (with a key). Errors are{" "}
          <code className="font-mono text-xs">{'{"error": {"code", "message", "details"}}'}</code>; past the rate limit the answer is 429 with Retry-After.
        </p>
        <Snippet text={`curl -H "X-API-Key: $ZTIX_API_KEY" ${reference.servers[0]!.url}/lans`} testId="api-example" />
      </div>
      <nav aria-label="Endpoints" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <ul className="space-y-1 text-sm">
          {reference.operations.map((operation) => (
            <li key={`${operation.method} ${operation.path}`} className="flex min-w-0 items-baseline gap-2">
              <span className={`w-14 shrink-0 rounded px-1.5 text-center font-mono text-xs font-semibold uppercase ${METHOD_TONES[operation.method]}`}>{operation.method}</span>
              <a className="min-w-0 break-all font-mono text-brand-700 hover:underline" href={`#${operation.method}-${operation.path}`}>{operation.path}</a>
            </li>
          ))}
        </ul>
      </nav>
      {reference.operations.map((operation) => (
        <section key={`${operation.method} ${operation.path}`} id={`${operation.method}-${operation.path}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="api-operation">
          <h2 className="flex min-w-0 flex-wrap items-baseline gap-2 text-base font-semibold">
            <span className={`rounded px-1.5 font-mono text-xs font-semibold uppercase ${METHOD_TONES[operation.method]}`}>{operation.method}</span>
            <code className="min-w-0 break-all font-mono">/api/v1{operation.path}</code>
          </h2>
          <p className="text-sm">{operation.summary}</p>
          <p className="text-xs text-slate-600">{operation.description.replace(/`/g, "")}</p>
          {operation.parameters.length > 0 ? (
            <div>
              <h3 className="text-sm font-semibold">Parameters</h3>
              <ul className="mt-1 space-y-1 text-xs">
                {operation.parameters.map((parameter) => (
                  <li key={`${parameter.in}-${parameter.name}`} className="break-words">
                    <code className="font-mono font-semibold">{parameter.name}</code> <span className="text-slate-600">in {parameter.in} · {typeOf(parameter.schema)}</span>
                    {parameter.required ? <span className="ml-1 text-red-800">required</span> : null}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {operation.requestBody ? (
            <div>
              <h3 className="text-sm font-semibold">Request body (application/json)</h3>
              <SchemaFields schema={operation.requestBody} />
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer text-brand-700">Example</summary>
                <Example value={exampleOf(operation.requestBody)} />
              </details>
            </div>
          ) : null}
          <div>
            <h3 className="text-sm font-semibold">Responses</h3>
            <ul className="mt-1 space-y-2">
              {operation.responses.map((response) => (
                <li key={response.status} className="text-xs">
                  <span className={`font-mono font-semibold ${response.status.startsWith("2") ? "text-emerald-800" : "text-red-800"}`}>{response.status}</span> {response.description}{" "}
                  <span className="text-slate-600">({response.contentType})</span>
                  {response.status.startsWith("2") ? (
                    <>
                      <SchemaFields schema={response.schema} />
                      <details className="mt-1">
                        <summary className="cursor-pointer text-brand-700">Example</summary>
                        <Example value={response.contentType === "text/plain" ? "(text)" : exampleOf(response.schema)} />
                      </details>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        </section>
      ))}
    </div>
  );
}
