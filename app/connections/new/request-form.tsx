"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FieldErrors, FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { requestConnectionAction } from "../actions";

export function RequestConnectionForm(props: { networks: { asn: number; name: string | null }[]; lans: { id: number; name: string; ztNetworkId: string }[]; staff: boolean }) {
  const [state, action] = useActionState(requestConnectionAction, initialFormState);
  const value = (name: string, fallback = "") => state.values?.[name] ?? fallback;
  return (
    <form action={action} className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" noValidate>
      <FormMessage state={state} />
      <div>
        <label htmlFor="asn" className="block text-sm font-medium text-slate-700">Network</label>
        {props.staff ? (
          <input id="asn" name="asn" defaultValue={value("asn")} placeholder="AS number" aria-describedby="asn-errors" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
        ) : (
          <select id="asn" name="asn" defaultValue={value("asn", String(props.networks[0]?.asn ?? ""))} aria-describedby="asn-errors" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
            {props.networks.map((network) => (
              <option key={network.asn} value={network.asn}>AS{network.asn}{network.name ? ` — ${network.name}` : ""}</option>
            ))}
          </select>
        )}
        <FieldErrors id="asn-errors" errors={state.fieldErrors?.asn} />
      </div>
      <div>
        <label htmlFor="lanId" className="block text-sm font-medium text-slate-700">Peering LAN</label>
        <select id="lanId" name="lanId" defaultValue={value("lanId", String(props.lans[0]?.id ?? ""))} aria-describedby="lanId-errors" className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm">
          {props.lans.map((lan) => (
            <option key={lan.id} value={lan.id}>{lan.name} (ZeroTier network {lan.ztNetworkId})</option>
          ))}
        </select>
        <FieldErrors id="lanId-errors" errors={state.fieldErrors?.lanId} />
      </div>
      <TextField name="ztNodeId" label="Router's ZeroTier node id" state={state} placeholder="e.g. 8056c2e21c" hint="10 hexadecimal digits" />
      <div className="flex items-start gap-2">
        <input id="routeServerPeering" name="routeServerPeering" type="checkbox" defaultChecked={state.values ? state.values.routeServerPeering === "on" : true} className="mt-1" />
        <label htmlFor="routeServerPeering" className="text-sm text-slate-700">
          Peer with the route servers
          <span className="block text-xs text-slate-500">Recommended: one BGP session per route server reaches every member that does the same.</span>
        </label>
      </div>
      <SubmitButton pendingText="Sending request…">Request connection</SubmitButton>
    </form>
  );
}
