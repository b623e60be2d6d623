import { readFileSync } from "node:fs";

/** True when this process was started with SIGHUP ignored (`nohup`): a closed terminal must not stop it then. */
function hangupIgnored() {
  try {
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n; // bit 0 is SIGHUP (signal 1)
  } catch {
    return false;
  }
}

/**
 * The signals that stop a ztix process cleanly: SIGINT (Ctrl-C), SIGTERM (systemd, Docker, CI
 * runners, npm) and SIGHUP (its terminal closed), unless it runs under nohup.
 */
export function onStopSignal(handler: (signal: NodeJS.Signals) => void) {
  const signals: NodeJS.Signals[] = hangupIgnored() ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, () => handler(signal));
}
