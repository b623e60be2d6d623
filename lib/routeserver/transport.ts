import "server-only";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { NodeSSH } from "node-ssh";
import { execTethered, tetheredArgv } from "./tether";

/** Runs commands and writes files on a route server: over SSH, or on this host ("local"). */
export type Transport = {
  /** timeoutMs bounds the whole command (default 120 s); a caller wrapping a longer bound of its own passes a longer one. */
  exec(argv: string[], options?: { timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  writeFile(path: string, content: string, options?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
  /** Like exec, but stdout goes to onStdout as it arrives and is never held whole (large birdc output). */
  execStream?(argv: string[], onStdout: (chunk: string) => void, options?: { timeoutMs?: number }): Promise<{ code: number; stderr: string }>;
};

/** Default bound of one command, on a route server as on this host. */
export const EXEC_TIMEOUT_MS = 120_000;

/** One argument for a POSIX shell, quoted so nothing in it is interpreted. */
export function shellQuote(argument: string) {
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** The parts of ssh2's client and channels used here (ssh2 ships no types). */
type ExecChannel = NodeJS.ReadableStream & {
  stderr: NodeJS.ReadableStream;
  close(): void;
  on(event: "exit", listener: (code: number | null) => void): ExecChannel;
  on(event: "close", listener: () => void): ExecChannel;
  on(event: "data", listener: (chunk: string) => void): ExecChannel;
};
type SftpSession = { writeFile(path: string, content: string, options: { mode: number }, callback: (error: Error | null | undefined) => void): void; end(): void };
type SshClient = {
  on(event: "error", listener: (error: Error & { level?: string }) => void): SshClient;
  on(event: "close", listener: () => void): SshClient;
  exec(command: string, callback: (error: Error | undefined, channel: ExecChannel) => void): void;
  sftp(callback: (error: Error | undefined, sftp: SftpSession) => void): void;
  destroy(): void;
};

export class HostKeyMismatchError extends Error {
  constructor(host: string, expected: string, actual: string) {
    super(`host key of ${host} is ${actual}, not the pinned ${expected}: refusing to connect (possible man-in-the-middle, or the host was reinstalled)`);
    this.name = "HostKeyMismatchError";
  }
}

export function fingerprintOf(key: Buffer) {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** A command as it appears in an error message. */
const describeCommand = (argv: string[]) => {
  const text = argv.join(" ");
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

export type SshBounds = {
  /** The handshake (RS_SSH_TIMEOUT_SECONDS). */
  timeoutMs?: number;
  /** Keepalives once connected (default every 10 s; 0 turns them off): after keepaliveCountMax (3) unanswered ones the connection ends, and everything pending on it fails. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Default bounds of exec and writeFile (120 s each; a call may pass its own). */
  execTimeoutMs?: number;
  writeTimeoutMs?: number;
};

/**
 * SSH to a route server with the pinned host key. Nothing on it can wait forever: the handshake,
 * every command and every upload are bounded, and keepalives end the connection when the host
 * stops answering (a frozen VM, a black-holed network). A bound that expires closes the whole
 * connection, which ends the command's channel and so the tethered command (./tether).
 */
export async function sshTransport(options: { host: string; port: number; username: string; privateKeyFile: string; hostKeyFingerprint: string } & SshBounds): Promise<Transport> {
  const ssh = new NodeSSH();
  const who = `${options.username}@${options.host}:${options.port}`;
  const keepaliveIntervalMs = options.keepaliveIntervalMs ?? 10_000;
  const keepaliveCountMax = options.keepaliveCountMax ?? 3;
  let seen = "";
  await ssh.connect({
    host: options.host,
    port: options.port,
    username: options.username,
    privateKey: await readFile(options.privateKeyFile, "utf8"),
    readyTimeout: options.timeoutMs ?? 15_000,
    keepaliveInterval: keepaliveIntervalMs,
    keepaliveCountMax,
    // Compared before authentication: with a wrong key nothing is sent, not even our credentials.
    hostVerifier: (key: Buffer) => {
      seen = fingerprintOf(key);
      return seen === options.hostKeyFingerprint.trim();
    },
  } as Parameters<NodeSSH["connect"]>[0]).catch((error: unknown) => {
    if (seen && seen !== options.hostKeyFingerprint.trim()) throw new HostKeyMismatchError(`${options.host}:${options.port}`, options.hostKeyFingerprint, seen);
    throw new Error(`SSH to ${who} failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const connection = ssh.connection as unknown as SshClient;

  // Once the connection is gone, this says why, and every pending and later call fails with it.
  let lost: Error | undefined;
  let why: string | undefined;
  const pending = new Set<(error: Error) => void>();
  // Without a listener of its own, ssh2's "Keepalive timeout" error would be thrown as uncaught.
  connection.on("error", (error) => {
    why ??= error.level === "client-timeout" ? `no answer to ${keepaliveCountMax} keepalives ${keepaliveIntervalMs / 1000} s apart (the host or the network stopped answering)` : error.message;
  });
  const end = (reason: string) => {
    lost ??= new Error(`SSH connection to ${who} lost: ${reason}`);
    for (const fail of pending) fail(lost);
    pending.clear();
  };
  connection.on("close", () => end(why ?? "closed by the other end"));

  /** Runs one operation on the connection, bounded: on expiry it rejects and closes the connection. */
  function bounded<T>(what: string, timeoutMs: number, start: (finish: (error: Error | null, value?: T) => void) => void) {
    if (lost) return Promise.reject(lost);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, value?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pending.delete(fail);
        if (error) reject(error);
        else resolve(value as T);
      };
      const fail = (error: Error) => finish(error);
      pending.add(fail);
      const timer = setTimeout(() => {
        const error = new Error(`${what} on ${options.host} timed out after ${Math.round(timeoutMs / 1000)} s`);
        finish(error);
        // Ended at once (its close event comes later): calls made meanwhile fail with this.
        end(`closed after ${error.message}`);
        connection.destroy();
      }, timeoutMs);
      try {
        start(finish);
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** One command on its own channel; a channel that closes without an exit status means the connection went. */
  function run(argv: string[], command: string, timeoutMs: number, onStdout: (chunk: string) => void) {
    return bounded<{ code: number; stderr: string }>(describeCommand(argv), timeoutMs, (finish) => {
      connection.exec(command, (error, channel) => {
        if (error) return finish(error);
        let stderr = "";
        let exited = false;
        let code: number | null = null;
        channel.setEncoding("utf8");
        channel.stderr.setEncoding("utf8");
        channel.on("data", onStdout);
        channel.stderr.on("data", (chunk: string) => {
          if (stderr.length < 64_000) stderr += chunk;
        });
        channel.on("exit", (status) => {
          exited = true;
          code = status;
        });
        channel.on("close", () => {
          if (exited) finish(null, { code: code ?? 1, stderr });
          else finish(lost ?? new Error(`${describeCommand(argv)} on ${options.host} ended without an exit status`));
        });
      });
    });
  }

  return {
    async exec(argv, execOptions = {}) {
      let stdout = "";
      // The channel's stdin stays open while the command runs (it is never ended): when this
      // worker dies or the connection closes, sshd closes it and the tether kills the command.
      const result = await run(argv, tetheredArgv(argv).map(shellQuote).join(" "), execOptions.timeoutMs ?? options.execTimeoutMs ?? EXEC_TIMEOUT_MS, (chunk) => (stdout += chunk));
      // Trimmed, as ztix's SSH client has always returned it.
      return { code: result.code, stdout: stdout.trim(), stderr: result.stderr.trim() };
    },
    execStream(argv, onStdout, streamOptions = {}) {
      return run(argv, argv.map(shellQuote).join(" "), streamOptions.timeoutMs ?? 60_000, onStdout);
    },
    writeFile(path, content, writeOptions = {}) {
      return bounded<void>(`writing ${path}`, writeOptions.timeoutMs ?? options.writeTimeoutMs ?? EXEC_TIMEOUT_MS, (finish) => {
        connection.sftp((error, sftp) => {
          if (error) return finish(error);
          sftp.writeFile(path, content, { mode: 0o640 }, (writeError) => {
            sftp.end();
            finish(writeError ?? null);
          });
        });
      });
    },
    async close() {
      lost ??= new Error(`SSH connection to ${who} is closed`);
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
    exec(argv, options = {}) {
      return execTethered(argv, { timeoutMs: options.timeoutMs ?? EXEC_TIMEOUT_MS });
    },
    async writeFile(path, content) {
      const { writeFile } = await import("node:fs/promises");
      await writeFile(path, content, { mode: 0o640 });
    },
    async close() {},
  };
}
