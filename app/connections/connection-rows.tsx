"use client";

import { ConnectionStateBadge } from "@/app/ui/connection-state-badge";

export type ConnectionRow = {
  id: number;
  asn: number;
  network_name: string | null;
  lan_name: string;
  zt_node_id: string;
  ipv4_address: string | null;
  ipv6_address: string | null;
  state: string;
};

/**
 * The connections list's rows. A client component on purpose: the page then sends the rows as
 * data (a few KB) instead of serializing every cell's markup into the React payload as well as
 * the HTML, which measured as most of the list's cost under load (bench:pages).
 */
export function ConnectionRows({ rows }: { rows: ConnectionRow[] }) {
  return rows.map((row) => (
    <tr key={row.id} data-connection-id={row.id}>
      <td><a className="text-brand-700 hover:underline" href={`/connections/${row.id}`}>{row.id}</a></td>
      <td>{`AS${row.asn} `}<span className="text-slate-500">{row.network_name ?? ""}</span></td>
      <td>{row.lan_name}</td>
      <td className="font-mono text-xs">{row.zt_node_id}</td>
      <td className="font-mono text-xs">{row.ipv4_address ? <>{row.ipv4_address}<br />{row.ipv6_address}</> : "—"}</td>
      <td><ConnectionStateBadge state={row.state} /></td>
    </tr>
  ));
}
