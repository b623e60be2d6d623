import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseCheck, parseTimeoutSeconds, remoteParseExecTimeoutMs } from "@/lib/routeserver/bird-check";
import { deployConfig } from "@/lib/routeserver/deploy";
import { renderBirdConfig } from "@/lib/routeserver/render";
import { localTransport } from "@/lib/routeserver/transport";
import { member, renderInput } from "../../support/rs-fixtures";

/**
 * A valid config that bird2 2.0.12 parses slowly: one filter per member session, each using
 * keywords inside its own scope (the shape ztix rendered before its shared policy functions;
 * 2,500 members took 98 s).
 */
function slowConfig(members: number) {
  const lines = ["router id 192.0.2.1;", "ipv4 table master4 sorted;"];
  for (let i = 0; i < members * 4; i++) {
    lines.push(`filter f_slow_${i} {`, "  if net.len > 24 then reject;", `  if bgp_path.first != ${1000 + i} then reject;`, "  if bgp_next_hop != 192.0.2.11 then reject;", "  bgp_large_community.delete([(64496, 1101, *)]);", "  accept;", "}");
  }
  return `${lines.join("\n")}\n`;
}

function members(count: number) {
  return Array.from({ length: count }, (_, i) =>
    member({ connectionId: i + 1, asn: 1000 + i, ipv4Address: `10.64.${Math.floor((i + 11) / 250)}.${((i + 11) % 250) + 1}`, ipv6Address: `2001:db8:ffff::${(i + 11).toString(16)}` }),
  );
}

describe("bird -p: slow is not broken", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("gives large configs more time, or what ZTIX_BIRD_PARSE_TIMEOUT_SECONDS says, and refuses nonsense there", () => {
    expect(parseTimeoutSeconds(10_000, {})).toBe(61);
    expect(parseTimeoutSeconds(4 * 1024 * 1024, {})).toBe(180);
    expect(parseTimeoutSeconds(4 * 1024 * 1024, { ZTIX_BIRD_PARSE_TIMEOUT_SECONDS: "7.5" })).toBe(7.5);
    expect(() => parseTimeoutSeconds(1, { ZTIX_BIRD_PARSE_TIMEOUT_SECONDS: "soon" })).toThrow("ZTIX_BIRD_PARSE_TIMEOUT_SECONDS");
    // The transport's own bound on the check on a route server outlasts coreutils' TERM and KILL (timeout -k 5).
    for (const seconds of [parseTimeoutSeconds(10_000, {}), parseTimeoutSeconds(64 * 1024 * 1024, {}), 7.5]) {
      expect(remoteParseExecTimeoutMs(seconds)).toBeGreaterThan((seconds + 5) * 1000);
    }
  });

  it("reports a 2,500-member config that outlasts the configured timeout as a timeout, never as 'does not parse'", async () => {
    vi.stubEnv("ZTIX_BIRD_PARSE_TIMEOUT_SECONDS", "1");
    const result = await parseCheck(slowConfig(2500));
    expect(result).toMatchObject({ ok: false, timedOut: true, line: null, message: expect.stringContaining("bird -p did not finish within 1 s") });
  }, 60_000);

  it("says the same for the check on the route server, and leaves the live config alone", async () => {
    vi.stubEnv("ZTIX_BIRD_PARSE_TIMEOUT_SECONDS", "1");
    const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-parse-timeout-"));
    try {
      const target = { configPath: path.join(dir, "bird.conf"), controlSocket: path.join(dir, "bird.ctl"), birdPath: "bird", birdcPath: "birdc" };
      writeFileSync(target.configPath, "router id 192.0.2.1;\n");
      const failure = await deployConfig(localTransport(), target, slowConfig(2500), () => {}).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/timed out: bird -p did not finish within 1 s/);
      expect((failure as Error).message).not.toMatch(/refused/);
      expect(readFileSync(target.configPath, "utf8")).toBe("router id 192.0.2.1;\n");
      expect(existsSync(`${target.configPath}.ztix-new`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("parses the rendered 2,500-member config (both families) with the default timeout", async () => {
    const config = renderBirdConfig(renderInput({ members: members(2500) }));
    expect(config.match(/^protocol bgp /gm)).toHaveLength(5000);
    expect(await parseCheck(config)).toEqual({ ok: true });
  }, 120_000);

  it("still reports a broken config as not parsing, with its line", async () => {
    vi.stubEnv("ZTIX_BIRD_PARSE_TIMEOUT_SECONDS", "30");
    const result = await parseCheck("router id 192.0.2.1;\nfilter f_broken {\n  if net.len > then reject;\n}\n");
    expect(result).toMatchObject({ ok: false, line: 3 });
    expect(result.ok === false && result.timedOut).toBeFalsy();
  });
});
