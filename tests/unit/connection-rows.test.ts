import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ConnectionRows, connectionRowsHtml, type ConnectionRow } from "@/app/connections/connection-rows";

const row: ConnectionRow = {
  id: 42,
  asn: 64500,
  network_name: "Alpha Transit",
  lan_name: "zt-ix",
  zt_node_id: "aa00000001",
  ipv4_address: "10.1.0.21",
  ipv6_address: "2001:db8:1::21",
  state: "active",
};

/** The connections list builds its rows as one HTML string: what goes in must come out as text. */
describe("the connections list's rows", () => {
  it("show each connection's link, network, LAN, router, addresses and state", () => {
    expect(connectionRowsHtml([row])).toBe(
      '<tr data-connection-id="42"><td><a class="text-brand-700 hover:underline" href="/connections/42">42</a></td>' +
        '<td>AS64500 <span class="text-slate-500">Alpha Transit</span></td><td>zt-ix</td><td class="font-mono text-xs">aa00000001</td>' +
        '<td class="font-mono text-xs">10.1.0.21<br>2001:db8:1::21</td><td><span class="badge badge-ok">active</span></td></tr>',
    );
    expect(connectionRowsHtml([{ ...row, ipv4_address: null, ipv6_address: null, network_name: null, state: "requested" }])).toContain(
      '<td>AS64500 <span class="text-slate-500"></span></td><td>zt-ix</td><td class="font-mono text-xs">aa00000001</td><td class="font-mono text-xs">—</td><td><span class="badge badge-warn">requested</span></td>',
    );
  });

  it("escape names a network chose itself (PeeringDB) and anything else that is text", () => {
    const html = connectionRowsHtml([{ ...row, network_name: `<img src=x onerror="alert(1)">&'`, lan_name: "<b>lan</b>", state: "<script>" }]);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(html).toContain("&lt;b&gt;lan&lt;/b&gt;");
    expect(html).toContain('<span class="badge badge-neutral">&lt;script&gt;</span>');
    expect(html).not.toMatch(/<img|<b>|<script/);
  });

  it("render as the table's body, one row per connection", () => {
    const markup = renderToStaticMarkup(createElement("table", null, createElement(ConnectionRows, { rows: [row, { ...row, id: 43 }] })));
    expect(markup.match(/<tr /g)).toHaveLength(2);
    expect(markup).toMatch(/^<table><tbody class="divide-y divide-slate-100"><tr data-connection-id="42">/);
  });
});
