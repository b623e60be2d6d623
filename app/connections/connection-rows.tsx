"use client";

import { toneOf } from "@/app/ui/connection-state-badge";
import { tableBodyClass } from "@/app/ui/data-table";
import { escapeHtml } from "@/app/ui/escape-html";

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
 * The connections list's rows, as one HTML string (every value escaped). The longest list of the
 * portal: as React elements its rows were most of the page's server CPU (bench:pages), written
 * out a few bytes at a time. A client component, so the page sends the rows as data (a few KB),
 * and the browser builds the same string.
 */
export function connectionRowsHtml(rows: ConnectionRow[]) {
  let html = "";
  for (const row of rows) {
    const id = Number(row.id);
    const addresses = row.ipv4_address ? `${escapeHtml(row.ipv4_address)}<br>${escapeHtml(row.ipv6_address ?? "")}` : "—";
    html +=
      `<tr data-connection-id="${id}"><td><a class="text-brand-700 hover:underline" href="/connections/${id}">${id}</a></td>` +
      `<td>AS${Number(row.asn)} <span class="text-slate-500">${escapeHtml(row.network_name ?? "")}</span></td>` +
      `<td>${escapeHtml(row.lan_name)}</td><td class="font-mono text-xs">${escapeHtml(row.zt_node_id)}</td>` +
      `<td class="font-mono text-xs">${addresses}</td>` +
      // StatusBadge's markup.
      `<td><span class="badge badge-${toneOf(row.state)}">${escapeHtml(row.state)}</span></td></tr>`;
  }
  return html;
}

export function ConnectionRows({ rows }: { rows: ConnectionRow[] }) {
  return <tbody className={tableBodyClass(false)} dangerouslySetInnerHTML={{ __html: connectionRowsHtml(rows) }} />;
}
