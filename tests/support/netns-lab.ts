/**
 * A lab of BIRD routers for tests: one network namespace per host, each joined by a veth pair to a
 * Linux bridge in a namespace of its own (standing in for the ZeroTier LAN), and the hosts' files
 * (`<host>.conf`, `.ctl`, `.pid`, `.log`) in one temporary directory. Names carry the process id, a
 * random part and the caller's tag, so tests running side by side (other files, other checkouts)
 * never meet. Needs root, iproute2 and bird2.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Polls `read` every half second until `done` holds; throws naming `what` after `tries` reads. */
export async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, what: string, tries = 120) {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export type NetnsLab<Host extends string> = ReturnType<typeof netnsLab<Host>>;

/** The lab's names; nothing runs until `bridge()` and `attach()`. */
export function netnsLab<const Host extends string>(tag: string, hosts: readonly Host[]) {
  const id = `${process.pid % 10000}${Math.floor(Math.random() * 256).toString(16)}`;
  // Made on first use: Playwright also loads a spec in its runner process, which never tears down.
  let dir: string | undefined;
  const home = () => (dir ??= mkdtempSync(path.join(os.tmpdir(), `ztix-lab-${tag}-`)));
  const bridgeNs = `z${tag}b${id}`;
  const ns = Object.fromEntries(hosts.map((host, n) => [host, `z${tag}${n}h${id}`])) as Record<Host, string>;
  const created: string[] = [];
  const file = (host: Host, extension: "conf" | "ctl" | "pid" | "log") => path.join(home(), `${host}.${extension}`);
  const inNs = (host: Host, command: string, args: string[]) => run("ip", ["netns", "exec", ns[host], command, ...args]);

  return {
    get dir() {
      return home();
    },
    ns,
    file,
    /** Runs a command in a host's namespace; throws with its stderr when it fails. */
    inNs,
    /** The bridge every host is attached to. */
    bridge() {
      run("ip", ["netns", "add", bridgeNs]);
      created.push(bridgeNs);
      run("ip", ["netns", "exec", bridgeNs, "ip", "link", "add", "br0", "type", "bridge"]);
      run("ip", ["netns", "exec", bridgeNs, "ip", "link", "set", "br0", "up"]);
    },
    /** A host's namespace with eth0 on the bridge (and `address`/24 on it, if any) and lo up. */
    attach(host: Host, address: string | null) {
      const outer = `v${tag}${id}${hosts.indexOf(host)}`;
      run("ip", ["netns", "add", ns[host]]);
      created.push(ns[host]);
      run("ip", ["link", "add", "eth0", "netns", ns[host], "type", "veth", "peer", "name", outer, "netns", bridgeNs]);
      run("ip", ["netns", "exec", bridgeNs, "ip", "link", "set", outer, "master", "br0", "up"]);
      if (address) inNs(host, "ip", ["addr", "add", `${address}/24`, "dev", "eth0"]);
      inNs(host, "ip", ["link", "set", "eth0", "up"]);
      inNs(host, "ip", ["link", "set", "lo", "up"]);
    },
    /** Starts BIRD (or `binary`) in a host's namespace on its `<host>.conf`, written first when `config` is given. */
    startBird(host: Host, config?: string, binary = "bird") {
      if (config !== undefined) writeFileSync(file(host, "conf"), config);
      inNs(host, binary, ["-c", file(host, "conf"), "-s", file(host, "ctl"), "-P", file(host, "pid")]);
    },
    /** birdc on a host's control socket (a file, so reachable from outside the namespace); its stdout. */
    birdc(host: Host, ...command: string[]) {
      return spawnSync("birdc", ["-s", file(host, "ctl"), ...command], { encoding: "utf8" }).stdout;
    },
    /**
     * A member router's config: its static routes (`statics`, BIRD statements) exported to one
     * BGP session with the route server, which it retries every second.
     */
    memberConfig(host: Host, options: { address: string; asn: number; routeServer: string; statics: string[]; exportFilter?: string; rsClient?: boolean }) {
      return `router id ${options.address};
log "${file(host, "log")}" all;
protocol device {}
protocol static announce {
  ipv4;
${options.statics.map((statement) => `  ${statement}`).join("\n")}
}
protocol bgp to_rs {
  local ${options.address} as ${options.asn};
  neighbor ${options.routeServer} as 64496;${options.rsClient ? "\n  # Acts as a route-server client itself, so its paths are exactly what its export filter makes.\n  rs client;" : ""}
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export ${options.exportFilter ?? "all"}; };
}
`;
    },
    /** Stops every BIRD of the lab, deletes its namespaces and its directory. */
    teardown() {
      for (const host of hosts) {
        try {
          process.kill(Number(readFileSync(file(host, "pid"), "utf8").trim()), "SIGTERM");
        } catch {
          // not started, or already gone
        }
      }
      for (const name of created.splice(0).reverse()) spawnSync("ip", ["netns", "del", name]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Static routes to `prefixes` for a member router's config. */
export const blackholeRoutes = (prefixes: string[]) => prefixes.map((prefix) => `route ${prefix} blackhole;`);
