import "server-only";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execTethered } from "./tether";

export type ParseResult = { ok: true } | { ok: false; line: number | null; column: number | null; message: string; raw: string };

/** Reads `bird: FILE:LINE:COL message` (BIRD 2) or the same after a date and <FATAL> (BIRD 3). */
export function parseBirdError(stderr: string): Omit<Extract<ParseResult, { ok: false }>, "ok"> {
  const line = stderr.split("\n").find((entry) => /:\d+:\d+/.test(entry)) ?? stderr.trim();
  const match = /(\S+):(\d+):(\d+):? (.*)$/.exec(line);
  return match ? { line: Number(match[2]), column: Number(match[3]), message: match[4]!.trim(), raw: stderr.trim() } : { line: null, column: null, message: stderr.trim() || "bird -p failed", raw: stderr.trim() };
}

/** `bird -p -c` on a config text (execFile, no shell): nothing printed and exit 0 means it parses. */
export async function parseCheck(config: string, options: { birdPath?: string } = {}): Promise<ParseResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ztix-bird-"));
  const file = path.join(dir, "bird.conf");
  try {
    await writeFile(file, config);
    // Tethered: a bird -p never outlives the worker that started it.
    const result = await execTethered([options.birdPath ?? "bird", "-p", "-c", file], { timeoutMs: 60_000 });
    if (result.code === 0) return { ok: true };
    if (result.code === 127) throw new Error("bird is not installed (Debian: apt-get install bird2)");
    return { ok: false, ...parseBirdError(result.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function birdAvailable(birdPath = "bird") {
  return new Promise<boolean>((resolve) => execFile(birdPath, ["--version"], (error) => resolve(!error)));
}
