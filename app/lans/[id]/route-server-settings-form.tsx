"use client";

import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { FormMessage, SubmitButton, TextField } from "@/app/ui/forms/fields";
import { saveLanRouteServerSettingsAction } from "../actions";

export type RouteServerSettings = { rtr: string; irr: "on" | "off"; ipv4: string; ipv6: string; marginPercent: string; default4: string; default6: string };

export function RouteServerSettingsForm({ lanId, settings }: { lanId: number; settings: RouteServerSettings }) {
  const [state, action] = useActionState(saveLanRouteServerSettingsAction, initialFormState);
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-label="Route-server settings">
      <input type="hidden" name="lanId" value={lanId} />
      <TextField name="rtr" label="RPKI: RTR caches" state={state} defaultValue={settings.rtr} placeholder="rpki1.example.net:3323, rpki2.example.net:3323" hint="host:port, separated by spaces or commas ([addr]:port for IPv6); empty turns RPKI filtering off." />
      <div>
        <label htmlFor="irr" className="block text-sm font-medium">IRR prefix filtering</label>
        <select id="irr" name="irr" defaultValue={settings.irr} aria-describedby="irr-hint" className="mt-1 block w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900">
          <option value="off">off</option>
          <option value="on">on (IRR prefix lists from bgpq4)</option>
        </select>
        <p id="irr-hint" className="mt-1 text-xs text-slate-600">On: each member&apos;s routes must be in its IRR prefix list. Turning it on fetches every member&apos;s list; until a member&apos;s list is there, its routes are filtered (reason 9).</p>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <TextField name="ipv4" label="Blackhole address, IPv4" state={state} defaultValue={settings.ipv4} placeholder="192.0.2.66" hint="RFC 7999: next hop of accepted 65535:666 routes; an unused LAN address (reserved). Empty: off." />
        <TextField name="ipv6" label="Blackhole address, IPv6" state={state} defaultValue={settings.ipv6} placeholder="2001:db8:ffff::66" hint="Empty: blackholing off for IPv6." />
      </div>
      <div className="grid gap-4 md:grid-cols-3">
        <TextField name="marginPercent" label="Max-prefix margin (%)" state={state} defaultValue={settings.marginPercent} hint="Over PeeringDB's prefix counts." required />
        <TextField name="default4" label="Default max-prefix, IPv4" state={state} defaultValue={settings.default4} hint="Without PeeringDB counts." required />
        <TextField name="default6" label="Default max-prefix, IPv6" state={state} defaultValue={settings.default6} required />
      </div>
      <div className="flex items-center gap-3">
        <SubmitButton pendingText="Saving…">Save and redeploy</SubmitButton>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
