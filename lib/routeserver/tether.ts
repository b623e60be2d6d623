import "server-only";
import { spawn } from "node:child_process";

/**
 * Runs "$@" tethered to its standard input: when the pipe (or SSH channel) feeding it closes
 * because the worker that started it died, the command is killed. A `birdc configure` left
 * behind by a killed worker would otherwise apply a config the database says nothing about.
 * POSIX sh (dash); the watcher is a shell builtin loop, so killing it leaves nothing behind.
 */
export const TETHER_SCRIPT = [
  "exec 3<&0 0</dev/null",
  '"$@" 3<&- &',
  "child=$!",
  '{ while read -r _ <&3; do :; done; kill -KILL "$child"; } >/dev/null 2>&1 &',
  "watch=$!",
  "exec 3<&-",
  'wait "$child"',
  "status=$?",
  'kill -KILL "$watch" 2>/dev/null',
  'exit "$status"',
].join("\n");

/** argv as the arguments of `sh -c TETHER_SCRIPT ztix-tether …`. */
export function tetheredArgv(argv: string[]) {
  return ["sh", "-c", TETHER_SCRIPT, "ztix-tether", ...argv];
}

export type ExecResult = { code: number; stdout: string; stderr: string; timedOut?: boolean };

/**
 * Runs a command on this host, tethered to this process (its stdin pipe stays open until it
 * exits), with a timeout. Exit code 127 means the program was not found.
 */
export function execTethered(argv: string[], options: { timeoutMs: number }): Promise<ExecResult> {
  return new Promise((resolve) => {
    const [command, ...args] = tetheredArgv(argv);
    const child = spawn(command!, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdin.on("error", () => undefined);
    let timedOut = false;
    // Closing its stdin is what kills it (see TETHER_SCRIPT).
    const timer = setTimeout(() => ((timedOut = true), child.stdin.end()), options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr: timedOut ? `${stderr}killed after ${options.timeoutMs} ms` : stderr, timedOut });
    });
  });
}
