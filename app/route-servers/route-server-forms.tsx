"use client";

import { useActionState } from "react";
import { initialFormState, type FormState } from "@/lib/actions/form-state";
import { FieldErrors, FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { addRouteServerAction, setRouteServerDrainedAction, updateRouteServerAction } from "./actions";

export type RouteServerFields = { sshHost: string; sshPort: string; sshUser: string; hostKey: string; routerId: string; configPath: string; controlSocket: string; deployOrder: string };

const card = "space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900";

function ConnectionFields({ state, values }: { state: FormState; values?: RouteServerFields }) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <TextField name="sshHost" label="SSH host" state={state} defaultValue={values?.sshHost} placeholder="rs1.example.net" />
      <TextField name="sshPort" label="SSH port" state={state} defaultValue={values?.sshPort ?? "22"} />
      <TextField name="sshUser" label="SSH user" state={state} defaultValue={values?.sshUser ?? "ztix"} />
      <TextField name="hostKey" label="Host key fingerprint" state={state} defaultValue={values?.hostKey} placeholder="SHA256:…" hint="ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the route server; pinned." />
      <TextField name="routerId" label="Router id" state={state} defaultValue={values?.routerId} placeholder="192.0.2.1" required />
      <TextField name="deployOrder" label="Deploy order" state={state} defaultValue={values?.deployOrder ?? "0"} hint="Lower deploys first, one at a time." />
      <TextField name="configPath" label="Config path" state={state} defaultValue={values?.configPath ?? "/etc/bird/bird.conf"} />
      <TextField name="controlSocket" label="BIRD control socket" state={state} defaultValue={values?.controlSocket ?? "/run/bird/bird.ctl"} />
    </div>
  );
}

export function AddRouteServerForm({ lans }: { lans: { id: number; name: string }[] }) {
  const [state, action] = useActionState(addRouteServerAction, initialFormState);
  return (
    <form action={action} className={card} aria-label="Add a route server">
      <h2 className="text-lg font-semibold">Add a route server</h2>
      <div className="grid gap-4 md:grid-cols-2">
        <div>
          <label htmlFor="lanId" className="block text-sm font-medium text-slate-700 dark:text-slate-200">LAN</label>
          <select key={state.values?.lanId ?? ""} id="lanId" name="lanId" defaultValue={state.values?.lanId} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800" required>
            {lans.map((lan) => <option key={lan.id} value={lan.id}>{lan.name}</option>)}
          </select>
          <FieldErrors id="lanId-errors" errors={state.fieldErrors?.lanId} />
        </div>
        <TextField name="name" label="Name" state={state} placeholder="rs1" required />
        <div>
          <label htmlFor="transport" className="block text-sm font-medium text-slate-700 dark:text-slate-200">Reached over</label>
          <select key={state.values?.transport ?? "ssh"} id="transport" name="transport" defaultValue={state.values?.transport ?? "ssh"} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800">
            <option value="ssh">SSH (host key pinned)</option>
            <option value="local">this host (BIRD runs here)</option>
          </select>
        </div>
        <TextField name="ztNodeId" label="ZeroTier node id" state={state} placeholder="10 hex digits" hint="zerotier-cli info on the route server; ztix authorizes it with the addresses below." />
        <TextField name="ipv4" label="LAN address, IPv4" state={state} placeholder="192.0.2.1" hint="Reserved: never given to a member." />
        <TextField name="ipv6" label="LAN address, IPv6" state={state} placeholder="2001:db8:ffff::1" />
      </div>
      <ConnectionFields state={state} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Adding…">Add route server</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function EditRouteServerForm({ id, values }: { id: number; values: RouteServerFields }) {
  const [state, action] = useActionState(updateRouteServerAction, initialFormState);
  return (
    <form action={action} className={card} aria-label="Route server settings">
      <input type="hidden" name="id" value={id} />
      <ConnectionFields state={state} values={values} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Saving…">Save and redeploy</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function DrainForm({ id, drained }: { id: number; drained: boolean }) {
  const [state, action] = useActionState(setRouteServerDrainedAction, initialFormState);
  return (
    <form action={action} className="flex flex-wrap items-center gap-3" data-testid="drain-form">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="drained" value={drained ? "false" : "true"} />
      <SubmitButton pendingText="Saving…" tone={drained ? "primary" : "secondary"}>{drained ? "Undrain" : "Drain for maintenance"}</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
