import type { Metadata } from "next";
import { getDb } from "@/db";
import { listApiKeys } from "@/lib/api/keys";
import { requirePageUser } from "@/lib/auth/page";
import { StatusBadge } from "@/app/ui/status-badge";
import { CreateApiKeyForm, RevokeApiKeyForm } from "./api-key-forms";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";
import { apiKeyListSpec, pageApiKeys } from "@/lib/lists/admin-lists";
import { parseListParams } from "@/lib/lists/list-params";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

const when = (value: Date | string | null) => (value ? new Date(value).toISOString().replace("T", " ").slice(0, 16) : "—");

export default async function ApiKeysPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("/admin/api-keys", ["admin"]);
  const list = parseListParams(apiKeyListSpec, await props.searchParams);
  const { rows: keys, total } = pageApiKeys(await listApiKeys(getDb()), list);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API keys</h1>
        <p className="mt-1 text-sm text-slate-600">
          For automation and monitoring (<a className="text-brand-700 hover:underline" href="/api-docs">API reference</a>). Keys are stored only as a hash:
          a lost key is revoked and replaced.
        </p>
      </div>
      <CreateApiKeyForm />
      <ListSearch
        list={list}
        label="Search API keys"
        placeholder="name or prefix"
        filters={[
          { name: "scope", label: "Scope", options: apiKeyListSpec.filters.scope },
          { name: "status", label: "State", options: apiKeyListSpec.filters.status },
        ]}
      />
      <DataTable
        list={list}
        columns={[{ label: "Name", sort: "name" }, { label: "Prefix", sort: "prefix" }, { label: "Scope", sort: "scope" }, { label: "State", sort: "state" }, { label: "Last used (UTC)", sort: "used" }, { label: "Expires", sort: "expires" }, <span key="actions" className="sr-only">Actions</span>]}
      >
            {keys.map((key) => {
              const expired = key.expires_at !== null && new Date(key.expires_at) < new Date();
              return (
                <tr key={key.id} data-key-prefix={key.prefix}>
                  <td className="px-4 py-2 font-medium">{key.name}</td>
                  <td className="px-4 py-2 font-mono text-xs">{key.prefix}</td>
                  <td className="px-4 py-2">{key.scope}</td>
                  <td className="px-4 py-2">{key.revoked_at ? <StatusBadge tone="bad">revoked</StatusBadge> : expired ? <StatusBadge tone="warn">expired</StatusBadge> : <StatusBadge tone="ok">active</StatusBadge>}</td>
                  <td className="px-4 py-2 font-mono text-xs">{when(key.last_used_at)}</td>
                  <td className="px-4 py-2 font-mono text-xs">{when(key.expires_at)}</td>
                  <td className="px-4 py-2">{key.revoked_at ? null : <RevokeApiKeyForm id={key.id} />}</td>
                </tr>
              );
            })}
      </DataTable>
      <Pager list={list} total={total} noun={["key", "keys"]} />
    </div>
  );
}
