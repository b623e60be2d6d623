import "server-only";
import { spawn } from "node:child_process";

/**
 * One IRR object bgpq4 may expand: an ASN (AS64500), an as-set (AS-FOO, hierarchical
 * AS64500:AS-FOO) or either with a source (RIPE::AS-FOO). Nothing else reaches bgpq4's argv: no
 * leading dash (an option), no "EXCEPT", no spaces.
 */
const IRR_OBJECT = /^([A-Z][A-Z0-9-]{0,15}::)?(AS\d{1,10}|AS-[A-Z0-9_-]{1,64})(:(AS\d{1,10}|AS-[A-Z0-9_-]{1,64})){0,4}$/;

/**
 * The IRR objects in an as-set field (PeeringDB allows several, separated by commas and/or
 * spaces), upper-cased; a DomainError-worthy message when any of them is not one.
 */
export function parseIrrObjects(value: string): { objects: string[] } | { error: string } {
  const objects = value.trim().toUpperCase().split(/[\s,]+/).filter(Boolean);
  if (objects.length === 0) return { error: "the as-set is empty" };
  if (objects.length > 10) return { error: "at most 10 as-sets or ASNs" };
  const bad = objects.find((object) => !IRR_OBJECT.test(object) || object.length > 128);
  if (bad) return { error: `"${bad.slice(0, 40)}" is not an as-set (AS-FOO, SOURCE::AS-FOO, AS64500:AS-FOO) or an ASN (AS64500)` };
  return { objects: [...new Set(objects)] };
}

export type Bgpq4Options = {
  bgpq4Path: string;
  /** host or host:port of the IRR server (bgpq4 -h). */
  server: string;
  /** Comma-separated sources (bgpq4 -S), or "" for the server's default. */
  sources: string;
  timeoutMs: number;
  /** More entries than this in one family is an error, not a list. */
  maxEntries: number;
};

export class IrrFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IrrFetchError";
  }
}

/** bgpq4's JSON entry: exact, or a range `greater-equal`..`less-equal` (aggregated with -A). */
type JsonEntry = { prefix: string; exact: boolean; "greater-equal"?: number; "less-equal"?: number };

/** A JSON entry in the renderer's bgpq4-style notation: P (exact) or P{low,high}. */
export function entryText(entry: JsonEntry): string {
  if (typeof entry.prefix !== "string" || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(entry.prefix)) throw new IrrFetchError(`bgpq4 printed an unexpected prefix ${JSON.stringify(entry.prefix)}`);
  if (entry.exact) return entry.prefix;
  const length = Number(entry.prefix.split("/")[1]);
  const low = entry["greater-equal"] ?? length;
  const high = entry["less-equal"];
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new IrrFetchError(`bgpq4 printed an unexpected range for ${entry.prefix}`);
  return `${entry.prefix}{${low},${high}}`;
}

const SERVER = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/;
const SOURCES = /^([A-Z0-9-]{1,32}(,[A-Z0-9-]{1,32}){0,31})?$/;

/**
 * Runs bgpq4 for one family: `-4|-6 -A -j -l irr [-S sources] -h server OBJECTS`. A child
 * process without a shell, in its own process group (the whole group is killed on timeout), with
 * a parent-death signal (setpriv --pdeathsig KILL): a worker killed with SIGKILL leaves no bgpq4
 * behind. The output is capped: a list past maxEntries is refused with a clear error.
 */
export async function runBgpq4(objects: string[], family: 4 | 6, options: Bgpq4Options): Promise<string[]> {
  if (objects.length === 0 || objects.some((object) => !IRR_OBJECT.test(object))) throw new IrrFetchError("refusing to run bgpq4 with an invalid as-set");
  if (!SERVER.test(options.server)) throw new IrrFetchError(`IRR server ${JSON.stringify(options.server)} is not host or host:port`);
  if (!SOURCES.test(options.sources)) throw new IrrFetchError(`IRR sources ${JSON.stringify(options.sources)} are not a comma-separated list`);
  const args = [`-${family}`, "-A", "-j", "-l", "irr", ...(options.sources ? ["-S", options.sources] : []), "-h", options.server, ...objects];
  // Roughly 80 bytes of JSON per entry; anything much longer is over the limit anyway.
  const maxBytes = Math.max(64 * 1024, options.maxEntries * 120);

  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", options.bgpq4Path, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = "";
    let failure: IrrFetchError | null = null;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const onExit = () => killGroup();
    process.once("exit", onExit);
    const timer = setTimeout(() => {
      failure = new IrrFetchError(`bgpq4 timed out after ${Math.round(options.timeoutMs / 1000)} s asking ${options.server} for ${objects.join(" ")} (IPv${family})`);
      killGroup();
    }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        failure ??= new IrrFetchError(`the IPv${family} prefix list of ${objects.join(" ")} is larger than the limit of ${options.maxEntries} entries`);
        killGroup();
        return;
      }
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (err.length < 4000) err += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      failure ??= new IrrFetchError(error.code === "ENOENT" ? "setpriv (util-linux) is not installed" : `could not run bgpq4: ${error.message}`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      process.removeListener("exit", onExit);
      if (failure) return reject(failure);
      if (code !== 0) {
        const reason = err.trim().split("\n").filter(Boolean).slice(-3).join("; ") || (signal ? `killed by ${signal}` : `exit code ${code}`);
        return reject(new IrrFetchError(code === 127 || /No such file/.test(reason) ? `bgpq4 not found at ${options.bgpq4Path} (Debian: apt-get install bgpq4; or set BGPQ4_PATH)` : `bgpq4 failed: ${reason.slice(0, 500)}`));
      }
      resolve(Buffer.concat(out).toString("utf8"));
    });
  });

  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new IrrFetchError("bgpq4 printed something that is not JSON");
  }
  const list = (parsed as { irr?: unknown }).irr;
  if (!Array.isArray(list)) throw new IrrFetchError("bgpq4's JSON has no prefix list");
  if (list.length > options.maxEntries) throw new IrrFetchError(`the IPv${family} prefix list of ${objects.join(" ")} has ${list.length} entries, more than the limit of ${options.maxEntries}`);
  return [...new Set(list.map((entry) => entryText(entry as JsonEntry)))].sort();
}
