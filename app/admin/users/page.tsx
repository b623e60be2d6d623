import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { listUsers } from "@/lib/users";
import { StatusBadge } from "@/app/ui/status-badge";
import { DisableForm, RoleForm } from "./user-row-forms";
import { DataTable } from "@/app/ui/data-table";
import { CreateAccountForm } from "./create-account-form";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  await requirePageUser("/admin/users", ["admin"]);
  const users = await listUsers(getDb());
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
      <DataTable columns={["User", "Login", "Networks", "State", "Role", "Access"]}>
            {users.map((user) => (
              <tr key={user.id} data-username={user.username}>
                <td className="px-4 py-2">
                  <div className="font-medium">{user.username}</div>
                  {user.display_name ? <div className="text-xs text-slate-500">{user.display_name}</div> : null}
                </td>
                <td className="px-4 py-2 text-xs">{user.peeringdb_id ? "PeeringDB" : "local"}</td>
                <td className="px-4 py-2 font-mono text-xs">{user.networks.map((network) => `AS${network.asn}`).join(", ") || "—"}</td>
                <td className="px-4 py-2">
                  {user.disabled_at ? <StatusBadge tone="bad">disabled</StatusBadge> : <StatusBadge tone="ok">active</StatusBadge>}
                </td>
                <td className="px-4 py-2">
                  <RoleForm username={user.username} role={user.role} />
                </td>
                <td className="px-4 py-2">
                  <DisableForm username={user.username} disabled={Boolean(user.disabled_at)} />
                </td>
              </tr>
            ))}
      </DataTable>
    </div>
  );
}
