"use client";

import { toneOf } from "@/app/ui/connection-state-badge";
import { tableBodyClass } from "@/app/ui/data-table";
import { escapeHtml } from "@/app/ui/escape-html";

export type ConnectionRow = [id: number, asn: number, networkName: string | null, lanName: string, nodeId: string, ipv4: string | null, ipv6: string | null, state: string];

/**
 * The connections list's rows, as one HTML string (every value escaped). The longest list of the
 * portal: as React elements its rows were most of the page's server CPU (bench:pages), written
 * out a few bytes at a time. A client component, so the page sends the rows as data (a few KB),
 * and the browser builds the same string. Cells are styled by the `connection-rows` rules in
 * globals.css, not a class on each: a page of rows is then a third smaller.
 */
export function connectionRowsHtml(rows: ConnectionRow[]) {
  let html = "";
  for (const [rawId, asn, networkName, lanName, nodeId, ipv4, ipv6, state] of rows) {
    const id = Number(rawId);
    const addresses = ipv4 ? `${escapeHtml(ipv4)}<br>${escapeHtml(ipv6 ?? "")}` : "—";
    html +=
      `<tr data-connection-id="${id}"><td><a href="/connections/${id}">${id}</a></td>` +
      `<td>AS${Number(asn)} <span>${escapeHtml(networkName ?? "")}</span></td>` +
      `<td>${escapeHtml(lanName)}</td><td>${escapeHtml(nodeId)}</td><td>${addresses}</td>` +
      // StatusBadge's markup.
      `<td><span class="badge badge-${toneOf(state)}">${escapeHtml(state)}</span></td></tr>`;
  }
  return html;
}

export function ConnectionRows({ rows }: { rows: ConnectionRow[] }) {
  return <tbody className={`connection-rows ${tableBodyClass(false)}`} dangerouslySetInnerHTML={{ __html: connectionRowsHtml(rows) }} />;
}
