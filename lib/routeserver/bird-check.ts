import "server-only";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execTethered } from "./tether";

export type ParseResult =
  | { ok: true }
  | { ok: false; line: number | null; column: number | null; message: string; raw: string; timedOut?: boolean };

/** Reads `bird: FILE:LINE:COL message` (BIRD 2) or the same after a date and <FATAL> (BIRD 3). */
export function parseBirdError(stderr: string): Omit<Extract<ParseResult, { ok: false }>, "ok"> {
  const line = stderr.split("\n").find((entry) => /:\d+:\d+/.test(entry)) ?? stderr.trim();
  const match = /(\S+):(\d+):(\d+):? (.*)$/.exec(line);
  return match ? { line: Number(match[2]), column: Number(match[3]), message: match[4]!.trim(), raw: stderr.trim() } : { line: null, column: null, message: stderr.trim() || "bird -p ended without printing a reason (it was not a parse error it reported)", raw: stderr.trim() };
}

/**
 * How long `bird -p` may take: ZTIX_BIRD_PARSE_TIMEOUT_SECONDS when set, else 60 s plus 30 s per
 * MiB of config, so a large config that parses slowly is never cut off as if it were broken.
 */
export function parseTimeoutSeconds(configBytes: number, env: Record<string, string | undefined> = process.env) {
  const configured = env.ZTIX_BIRD_PARSE_TIMEOUT_SECONDS?.trim();
  if (configured) {
    const seconds = Number(configured);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`ZTIX_BIRD_PARSE_TIMEOUT_SECONDS must be a positive number of seconds, not ${JSON.stringify(configured)}`);
    return seconds;
  }
  return 60 + Math.ceil((configBytes / (1024 * 1024)) * 30);
}

/**
 * The bound on the command that runs `timeout -k 5 SECONDS bird -p` on a route server: past
 * coreutils' own TERM and KILL, so that a slow parse is reported as the parse timeout it is,
 * never as the transport giving up on the command.
 */
export const remoteParseExecTimeoutMs = (seconds: number) => (seconds + 5 + 30) * 1000;

export const parseTimeoutMessage = (seconds: number) => `bird -p did not finish within ${seconds} s (a timeout, not a parse error; set ZTIX_BIRD_PARSE_TIMEOUT_SECONDS to allow longer)`;

/** `bird -p -c` on a config text (execFile, no shell): nothing printed and exit 0 means it parses. */
export async function parseCheck(config: string, options: { birdPath?: string; timeoutSeconds?: number } = {}): Promise<ParseResult> {
  const seconds = options.timeoutSeconds ?? parseTimeoutSeconds(Buffer.byteLength(config));
  const dir = await mkdtemp(path.join(os.tmpdir(), "ztix-bird-"));
  const file = path.join(dir, "bird.conf");
  try {
    await writeFile(file, config);
    // Tethered: a bird -p never outlives the worker that started it.
    const result = await execTethered([options.birdPath ?? "bird", "-p", "-c", file], { timeoutMs: seconds * 1000 });
    if (result.code === 0) return { ok: true };
    if (result.code === 127) throw new Error("bird is not installed (Debian: apt-get install bird2)");
    if (result.timedOut) return { ok: false, line: null, column: null, message: parseTimeoutMessage(seconds), raw: result.stderr.trim(), timedOut: true };
    return { ok: false, ...parseBirdError(result.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function birdAvailable(birdPath = "bird") {
  return new Promise<boolean>((resolve) => execFile(birdPath, ["--version"], (error) => resolve(!error)));
}
