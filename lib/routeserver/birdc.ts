import "server-only";

export type ProtocolStatus = {
  name: string;
  proto: string;
  state: string;
  since: string;
  info: string;
  routes: { imported: number; filtered: number; exported: number; preferred: number } | null;
};

/**
 * Parses `birdc show protocols all` (BIRD 2 and 3): a header line per protocol
 * (`Name Proto Table State Since Info`; long names push columns, so split on whitespace and take
 * the rest as Info), then indented details, of which the `Routes:` counts are kept.
 */
export function parseShowProtocolsAll(output: string): ProtocolStatus[] {
  const protocols: ProtocolStatus[] = [];
  let current: ProtocolStatus | null = null;
  for (const raw of output.split("\n")) {
    const line = raw.replace(/^\d{4}[- ]/, "");
    if (/^(Name\s+Proto|BIRD \S+ ready)/.test(line) || line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5) continue;
      const [name, proto, , state, date, maybeTime, ...rest] = fields;
      // Since is a date (and usually a time): "2026-11-22 16:49:01" or "16:49:01.123".
      const hasTime = maybeTime !== undefined && /^\d{2}:\d{2}/.test(maybeTime);
      current = {
        name: name!,
        proto: proto!,
        state: state!,
        since: hasTime ? `${date} ${maybeTime}` : date!,
        info: (hasTime ? rest : [maybeTime ?? "", ...rest]).join(" ").trim(),
        routes: null,
      };
      protocols.push(current);
      continue;
    }
    const routes = /Routes:\s+(\d+) imported,(?:\s+(\d+) filtered,)?\s+(\d+) exported(?:,\s+(\d+) preferred)?/.exec(line);
    if (routes && current) {
      current.routes = { imported: Number(routes[1]), filtered: Number(routes[2] ?? 0), exported: Number(routes[3]), preferred: Number(routes[4] ?? 0) };
    }
  }
  return protocols;
}

/** Our session names back to connection and family (pb_c<connection>_v<family>). */
export function sessionOf(name: string): { connectionId: number; family: 4 | 6 } | null {
  const match = /^pb_c(\d+)_v([46])$/.exec(name);
  return match ? { connectionId: Number(match[1]), family: Number(match[2]) as 4 | 6 } : null;
}

export type FilteredRoute = { prefix: string; reasons: number[] };

/**
 * Parses `birdc show route filtered all protocol P` (BIRD 2 `BGP.large_community:`, BIRD 3
 * `bgp_large_community:`) into prefixes and our filter-reason codes (RS_ASN, 1101, code).
 */
export function parseFilteredRoutes(output: string, rsAsn: number): FilteredRoute[] {
  const routes: FilteredRoute[] = [];
  let current: FilteredRoute | null = null;
  for (const line of output.split("\n")) {
    const start = /^([0-9a-fA-F:.]+\/\d{1,3})\s/.exec(line);
    if (start) {
      current = { prefix: start[1]!, reasons: [] };
      routes.push(current);
      continue;
    }
    if (current && /large_community:/i.test(line)) {
      for (const match of line.matchAll(/\((\d+), 1101, (\d+)\)/g)) {
        if (Number(match[1]) === rsAsn) current.reasons.push(Number(match[2]));
      }
      current.reasons.sort((a, b) => a - b);
    }
  }
  return routes;
}
