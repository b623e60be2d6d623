import "server-only";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { NodeSSH } from "node-ssh";

/** Runs commands and writes files on a route server: over SSH, or on this host ("local"). */
export type Transport = {
  exec(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  writeFile(path: string, content: string): Promise<void>;
  close(): Promise<void>;
  /** Like exec, but stdout goes to onStdout as it arrives and is never held whole (large birdc output). */
  execStream?(argv: string[], onStdout: (chunk: string) => void, options?: { timeoutMs?: number }): Promise<{ code: number; stderr: string }>;
};

/** One argument for a POSIX shell, quoted so nothing in it is interpreted. */
export function shellQuote(argument: string) {
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** The part of ssh2's exec channel used here (ssh2 ships no types). */
type ExecChannel = NodeJS.ReadableStream & { stderr: NodeJS.ReadableStream; close(): void; on(event: "close", listener: (code: number | null) => void): ExecChannel };

export class HostKeyMismatchError extends Error {
  constructor(host: string, expected: string, actual: string) {
    super(`host key of ${host} is ${actual}, not the pinned ${expected}: refusing to connect (possible man-in-the-middle, or the host was reinstalled)`);
    this.name = "HostKeyMismatchError";
  }
}

export function fingerprintOf(key: Buffer) {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

export async function sshTransport(options: { host: string; port: number; username: string; privateKeyFile: string; hostKeyFingerprint: string; timeoutMs?: number }): Promise<Transport> {
  const ssh = new NodeSSH();
  let seen = "";
  await ssh.connect({
    host: options.host,
    port: options.port,
    username: options.username,
    privateKey: await readFile(options.privateKeyFile, "utf8"),
    readyTimeout: options.timeoutMs ?? 15_000,
    // Compared before authentication: with a wrong key nothing is sent, not even our credentials.
    hostVerifier: (key: Buffer) => {
      seen = fingerprintOf(key);
      return seen === options.hostKeyFingerprint.trim();
    },
  } as Parameters<NodeSSH["connect"]>[0]).catch((error: unknown) => {
    if (seen && seen !== options.hostKeyFingerprint.trim()) throw new HostKeyMismatchError(`${options.host}:${options.port}`, options.hostKeyFingerprint, seen);
    throw new Error(`SSH to ${options.username}@${options.host}:${options.port} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  return {
    async exec(argv) {
      const result = await ssh.execCommand(argv.map(shellQuote).join(" "));
      return { code: result.code ?? 1, stdout: result.stdout, stderr: result.stderr };
    },
    execStream(argv, onStdout, streamOptions = {}) {
      return new Promise((resolve, reject) => {
        ssh.connection!.exec(argv.map(shellQuote).join(" "), (error: Error | undefined, channel: ExecChannel) => {
          if (error) return reject(error);
          let stderr = "";
          const timer = setTimeout(() => {
            channel.close();
            reject(new Error(`${argv[0]} on ${options.host} timed out after ${Math.round((streamOptions.timeoutMs ?? 60_000) / 1000)} s`));
          }, streamOptions.timeoutMs ?? 60_000);
          channel.setEncoding("utf8");
          channel.on("data", (chunk: string) => onStdout(chunk));
          channel.stderr.on("data", (chunk: Buffer) => {
            if (stderr.length < 4000) stderr += chunk.toString("utf8");
          });
          channel.on("close", (code: number | null) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stderr });
          });
        });
      });
    },
    async writeFile(path, content) {
      const sftp = await ssh.requestSFTP();
      await new Promise<void>((resolve, reject) => sftp.writeFile(path, content, { mode: 0o640 }, (error: Error | null | undefined) => (error ? reject(error) : resolve())));
      sftp.end();
    },
    async close() {
      ssh.dispose();
    },
  };
}

export function localTransport(): Transport {
  return {
    execStream(argv, onStdout, options = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 60_000 });
        let stderr = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => onStdout(chunk));
        child.stderr.on("data", (chunk: Buffer) => {
          if (stderr.length < 4000) stderr += chunk.toString("utf8");
        });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
      });
    },
    exec(argv) {
      return new Promise((resolve) =>
        // `birdc show protocols all` of 2,000 members is megabytes: past Node's 1 MiB default.
        execFile(argv[0]!, argv.slice(1), { timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
        ),
      );
    },
    async writeFile(path, content) {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(path, content, { mode: 0o640 });
    },
    async close() {},
  };
}
