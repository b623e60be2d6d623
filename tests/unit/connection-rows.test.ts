import { renderToStaticMarkup } from "react-dom/server";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ConnectionRows, connectionRowsHtml, type ConnectionRow } from "@/app/connections/connection-rows";

const row: ConnectionRow = [42, 64500, "Alpha Transit", "zt-ix", "aa00000001", "10.1.0.21", "2001:db8:1::21", "active"];

/** The connections list builds its rows as one HTML string: what goes in must come out as text. */
describe("the connections list's rows", () => {
  it("show each connection's link, network, LAN, router, addresses and state", () => {
    expect(connectionRowsHtml([row])).toBe(
      '<tr data-connection-id="42"><td><a href="/connections/42">42</a></td>' +
        '<td>AS64500 <span>Alpha Transit</span></td><td>zt-ix</td><td>aa00000001</td>' +
        '<td>10.1.0.21<br>2001:db8:1::21</td><td><span class="badge badge-ok">active</span></td></tr>',
    );
    expect(connectionRowsHtml([[42, 64500, null, "zt-ix", "aa00000001", null, null, "requested"]])).toContain(
      '<td>AS64500 <span></span></td><td>zt-ix</td><td>aa00000001</td><td>—</td><td><span class="badge badge-warn">requested</span></td>',
    );
  });

  it("escape names a network chose itself (PeeringDB) and anything else that is text", () => {
    const html = connectionRowsHtml([[42, 64500, `<img src=x onerror="alert(1)">&'`, "<b>lan</b>", "aa00000001", "10.1.0.21", "2001:db8:1::21", "<script>"]]);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(html).toContain("&lt;b&gt;lan&lt;/b&gt;");
    expect(html).toContain('<span class="badge badge-neutral">&lt;script&gt;</span>');
    expect(html).not.toMatch(/<img|<b>|<script/);
  });

  it("render as the table's body, one row per connection", () => {
    const markup = renderToStaticMarkup(createElement("table", null, createElement(ConnectionRows, { rows: [row, [43, ...row.slice(1)] as ConnectionRow] })));
    expect(markup.match(/<tr /g)).toHaveLength(2);
    expect(markup).toMatch(/^<table><tbody class="connection-rows divide-y divide-slate-100"><tr data-connection-id="42">/);
  });
});
