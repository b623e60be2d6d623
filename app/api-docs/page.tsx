import type { Metadata } from "next";
import { endpoints } from "@/lib/api/openapi";
import { requirePageUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "API reference" };

export default async function ApiDocsPage() {
  await requirePageUser("/api-docs");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API reference</h1>
        <p className="mt-1 text-sm text-slate-600">
          Base URL <code className="font-mono text-xs">/api/v1</code>; send a key in the <code className="font-mono text-xs">X-API-Key</code> header. The
          machine-readable OpenAPI 3.1 document is at <code className="font-mono text-xs">/api/v1/openapi.json</code> (with a key). Errors are{" "}
          <code className="font-mono text-xs">{'{"error": {"code", "message", "details"}}'}</code>; past the rate limit the answer is 429 with Retry-After.
        </p>
      </div>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white shadow-sm">
        {endpoints.map((endpoint) => (
          <li key={`${endpoint.method} ${endpoint.path}`} className="flex flex-wrap items-baseline gap-3 px-4 py-3 text-sm">
            <span className="w-16 font-mono text-xs font-semibold uppercase text-brand-700">{endpoint.method}</span>
            <code className="font-mono">{endpoint.path}</code>
            <span className="text-slate-600">{endpoint.summary}</span>
            <span className="ml-auto rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{endpoint.scope} scope</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
