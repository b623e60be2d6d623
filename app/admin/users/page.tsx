import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { listUsers } from "@/lib/auth/users";
import { StatusBadge } from "@/app/ui/status-badge";
import { DisableForm, RoleForm, SignOutEverywhereForm } from "./user-row-forms";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";
import { pageUsers, userListSpec } from "@/lib/lists/admin-lists";
import { parseListParams } from "@/lib/lists/list-params";
import { CreateAccountForm } from "./create-account-form";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("/admin/users", ["admin"]);
  const list = parseListParams(userListSpec, await props.searchParams);
  const { rows: users, total } = pageUsers(await listUsers(getDb()), list);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-slate-600">
          Create local accounts below (or on the server: <code className="font-mono text-xs">npm run cli -- users create --username U --role R</code>).
          PeeringDB users appear on their first login.
        </p>
      </div>
      <CreateAccountForm />
      <ListSearch
        list={list}
        label="Search users"
        placeholder="username, name or ASN"
        filters={[
          { name: "role", label: "Role", options: userListSpec.filters.role },
          { name: "status", label: "State", options: userListSpec.filters.status },
          { name: "login", label: "Login", options: [{ value: "local", label: "local" }, { value: "peeringdb", label: "PeeringDB" }] },
        ]}
      />
      <DataTable list={list} columns={[{ label: "User", sort: "username" }, { label: "Login", sort: "login" }, "Networks", { label: "State", sort: "state" }, { label: "Role", sort: "role" }, "Access"]}>
            {users.map((user) => (
              <tr key={user.id} data-username={user.username}>
                <td className="px-4 py-2">
                  <div className="font-medium">{user.username}</div>
                  {user.display_name ? <div className="text-xs text-slate-500">{user.display_name}</div> : null}
                </td>
                <td className="px-4 py-2 text-xs">{user.peeringdb_id ? "PeeringDB" : user.totp_enabled_at ? "local, two-factor" : "local"}</td>
                <td className="px-4 py-2 font-mono text-xs">{user.networks.map((network) => `AS${network.asn}`).join(", ") || "—"}</td>
                <td className="px-4 py-2">
                  {user.disabled_at ? <StatusBadge tone="bad">disabled</StatusBadge> : <StatusBadge tone="ok">active</StatusBadge>}
                </td>
                <td className="px-4 py-2">
                  <RoleForm username={user.username} role={user.role} />
                </td>
                <td className="px-4 py-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <DisableForm username={user.username} disabled={Boolean(user.disabled_at)} />
                    <SignOutEverywhereForm username={user.username} />
                  </div>
                </td>
              </tr>
            ))}
      </DataTable>
      <Pager list={list} total={total} noun={["user", "users"]} />
    </div>
  );
}
