import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export const sshdBinary = existsSync("/usr/sbin/sshd") ? "/usr/sbin/sshd" : "sshd";

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Waits until something listens on 127.0.0.1:port (sshd after its start). */
export async function waitForPort(port: number) {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => (socket.end(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sshd on ${port} did not start`);
}

/**
 * The config of a test's own sshd on 127.0.0.1:port: host key, authorized keys and pid file in dir,
 * root in with a key only, no PAM, SFTP.
 */
export function writeSshdConfig(dir: string, port: number) {
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host_key")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
}

/**
 * A real sshd of the test's own on 127.0.0.1 (its own config, host key and authorized client key
 * in dir; the system sshd is never touched), letting root in with the client key. Needs root and
 * openssh-server.
 */
export async function startTestSshd(dir: string) {
  mkdirSync("/run/sshd", { recursive: true });
  mkdirSync(dir, { recursive: true });
  const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  const clientKey = path.join(dir, "client_key");
  keygen(clientKey);
  keygen(path.join(dir, "host_key"));
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "host_key.pub")], { encoding: "utf8" }).split(" ")[1]!;
  const port = await freePort();
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(`${clientKey}.pub`));
  writeSshdConfig(dir, port);
  const sshd: ChildProcess = spawn(sshdBinary, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: "ignore" });
  await waitForPort(port);
  return {
    port,
    fingerprint,
    clientKey,
    async stop() {
      if (sshd.exitCode !== null || sshd.signalCode !== null) return;
      const exited = new Promise((resolve) => sshd.once("exit", resolve));
      sshd.kill("SIGTERM");
      await exited;
    },
  };
}
