"use client";

import { useActionState, useState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { createLanAction, updateLanAction } from "./actions";

export function CreateLanForm() {
  const [state, action] = useActionState(createLanAction, initialFormState);
  const [network, setNetwork] = useState(state.values?.network ?? "create");
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900" aria-label="New peering LAN">
      <h2 className="text-lg font-semibold">New peering LAN</h2>
      <div className="grid gap-4 md:grid-cols-2">
        <TextField name="name" label="Name" state={state} placeholder="fra-main" required />
        <TextField name="rsAsn" label="Route-server ASN" state={state} placeholder="64500" required />
        <TextField name="ipv4" label="IPv4 prefix" state={state} placeholder="192.0.2.0/24" required />
        <TextField name="ipv6" label="IPv6 prefix" state={state} placeholder="2001:db8:ffff::/64" required />
        <TextField name="mtu" label="MTU" state={state} defaultValue="2800" hint="1280 to 10000; ZeroTier's default is 2800." />
        <div>
          <label htmlFor="ipv6Scheme" className="block text-sm font-medium text-slate-700 dark:text-slate-200">IPv6 addresses</label>
          <select key={state.values?.ipv6Scheme ?? "asn"} id="ipv6Scheme" name="ipv6Scheme" defaultValue={state.values?.ipv6Scheme ?? "asn"} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-800">
            <option value="asn">from the ASN (needs a /64 or shorter)</option>
            <option value="sequential">sequential</option>
          </select>
        </div>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">ZeroTier network</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="network" value="create" defaultChecked={network === "create"} onChange={() => setNetwork("create")} /> Create a new network on the controller
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="network" value="adopt" defaultChecked={network === "adopt"} onChange={() => setNetwork("adopt")} /> Use an existing network (checked first: private, no auto-assignment, on-link routes)
        </label>
        {network === "adopt" ? <TextField name="ztNetworkId" label="Network id" state={state} placeholder="16 hexadecimal digits" required /> : null}
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Creating…">Create LAN</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export type LanGeneralSettings = { name: string; mtu: string; reservedHosts: string; quarantineDays: string; description: string };

export function EditLanForm({ lanId, settings }: { lanId: number; settings: LanGeneralSettings }) {
  const [state, action] = useActionState(updateLanAction, initialFormState);
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-700 dark:bg-slate-900" aria-label="LAN settings">
      <input type="hidden" name="lanId" value={lanId} />
      <div className="grid gap-4 md:grid-cols-2">
        <TextField name="name" label="Name" state={state} defaultValue={settings.name} required />
        <TextField name="mtu" label="MTU" state={state} defaultValue={settings.mtu} hint="A change is written to the ZeroTier network at once." required />
        <TextField name="reservedHosts" label="Reserved host addresses" state={state} defaultValue={settings.reservedHosts} hint="The first addresses of each prefix, never assigned to members." required />
        <TextField name="quarantineDays" label="Address quarantine (days)" state={state} defaultValue={settings.quarantineDays} hint="How long a released address waits before reuse." required />
      </div>
      <TextField name="description" label="Description" state={state} defaultValue={settings.description} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Saving…">Save settings</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
