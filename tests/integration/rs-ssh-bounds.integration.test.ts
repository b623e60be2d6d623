/**
 * A route server that stops answering once connected (a black-holed network, a frozen VM): a
 * real sshd behind a TCP proxy that the test freezes (bytes stop flowing both ways, no socket is
 * closed). Nothing waits forever: keepalives or the per-call bounds end the connection, calls
 * fail naming the host, and a deployment ends `failed` with that reason. Needs root and
 * openssh-server (installed by .ci/run).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SshBounds, Transport } from "@/lib/routeserver/transport";
import { closeDb, resetDatabase, testDb } from "../support/db";
import { createLanRow } from "../support/fixtures";
import { startTestSshd } from "../support/sshd";
import { startTcpProxy } from "../support/tcp-proxy";

const dir = mkdtempSync(path.join(os.tmpdir(), "ztix-rs-ssh-bounds-"));
let sshd: Awaited<ReturnType<typeof startTestSshd>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let transport: Transport | undefined;

async function connect(bounds: SshBounds) {
  const { sshTransport } = await import("@/lib/routeserver/transport");
  transport = await sshTransport({ host: "127.0.0.1", port: proxy.port, username: "root", privateKeyFile: sshd.clientKey, hostKeyFingerprint: sshd.fingerprint, ...bounds });
  return transport;
}

/** Whether a process whose command line contains marker still runs on this host (the "route server"). */
const running = (marker: string) => spawnSync("pgrep", ["-f", marker]).status === 0;

async function until(condition: () => boolean) {
  for (let i = 0; i < 120 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 250));
  return condition();
}

describe("SSH to a route server that stops answering once connected", () => {
  beforeAll(async () => {
    sshd = await startTestSshd(path.join(dir, "sshd"));
  });

  beforeEach(async () => {
    proxy = await startTcpProxy({ host: "127.0.0.1", port: sshd.port });
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    // The frozen connection's sshd side ends here, as when a frozen host comes back.
    await proxy.close();
  });

  afterAll(async () => {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
    await closeDb();
  });

  it("keepalives end the connection: the running command fails naming the host, the transport is closed, and the remote command is killed", async () => {
    const ssh = await connect({ keepaliveIntervalMs: 500, keepaliveCountMax: 2 });
    expect(await ssh.exec(["echo", "up"])).toEqual({ code: 0, stdout: "up", stderr: "" });

    const started = path.join(dir, "started-1");
    const pending = ssh.exec(["sh", "-c", `touch ${started} && exec sleep 987001`]);
    pending.catch(() => undefined);
    expect(await until(() => existsSync(started))).toBe(true);
    proxy.freeze();

    await expect(pending).rejects.toThrow(/^SSH connection to root@127\.0\.0\.1:\d+ lost: no answer to 2 keepalives 0\.5 s apart \(the host or the network stopped answering\)$/);
    await expect(ssh.exec(["true"])).rejects.toThrow(/SSH connection to root@127\.0\.0\.1:\d+ lost: no answer to 2 keepalives/);
    await expect(ssh.writeFile(path.join(dir, "never"), "x")).rejects.toThrow(/SSH connection to root@127\.0\.0\.1:\d+ lost/);

    // When the route server hears of the closed connection, the tether kills the command.
    await proxy.close();
    expect(await until(() => !running("sleep 987001"))).toBe(true);
  });

  it("bounds an upload on a frozen connection: it fails with '… on <host> timed out after N s' and closes the connection", async () => {
    // No keepalives: only the bound can end it.
    const ssh = await connect({ keepaliveIntervalMs: 0 });
    const file = path.join(dir, "uploaded");
    await ssh.writeFile(file, "first\n");
    expect(readFileSync(file, "utf8")).toBe("first\n");
    proxy.freeze();

    const second = path.join(dir, "uploaded-2");
    await expect(ssh.writeFile(second, "second\n", { timeoutMs: 1000 })).rejects.toThrow(`writing ${second} on 127.0.0.1 timed out after 1 s`);
    await expect(ssh.exec(["true"])).rejects.toThrow(/^SSH connection to root@127\.0\.0\.1:\d+ lost: closed after writing .* timed out after 1 s$/);
    expect(existsSync(second)).toBe(false);
  });

  it("bounds a command: one that outlasts its bound fails naming the host and is killed on the route server", async () => {
    // A bound long enough for a loaded machine to start the command; the marker file says it
    // started (polling for the process could miss it between start and bound).
    const ssh = await connect({ keepaliveIntervalMs: 0, execTimeoutMs: 4000 });
    expect((await ssh.exec(["echo", "up"])).stdout).toBe("up");
    const started = path.join(dir, "started-2");
    const pending = ssh.exec(["sh", "-c", `touch ${started} && exec sleep 987002`]);
    pending.catch(() => undefined);
    await expect(pending).rejects.toThrow(/^sh -c touch .*started-2 && exec sleep 987002 on 127\.0\.0\.1 timed out after 4 s$/);
    expect(existsSync(started)).toBe(true);
    await expect(ssh.exec(["true"])).rejects.toThrow(/SSH connection to root@127\.0\.0\.1:\d+ lost: closed after sh -c touch .* timed out after 4 s/);
    expect(await until(() => !running("sleep 987002"))).toBe(true);
  });

  it("a deployment to a route server that freezes once connected ends failed with the reason, and nothing is left running", async () => {
    await resetDatabase();
    const lanId = (await createLanRow({ reserved: 10 })).id;
    const { addRouteServer } = await import("@/lib/routeserver/registry");
    await addRouteServer(
      testDb(),
      { lan: String(lanId), name: "rs1", sshHost: "127.0.0.1", sshPort: proxy.port, sshUser: "root", hostKey: sshd.fingerprint, ipv4: "192.0.2.1", ipv6: "2001:db8:ffff::1", routerId: "192.0.2.1", configPath: path.join(dir, "bird.conf"), controlSocket: path.join(dir, "bird.ctl"), deployOrder: 1 },
      { type: "cli", label: "test" },
    );
    await testDb().insertInto("networks").values({ asn: 1000, name: "Network 1000" }).execute();
    await testDb().insertInto("connections").values({ lan_id: lanId, asn: 1000, zt_node_id: "e100000001", state: "provisioned", ipv4_address: "192.0.2.21", ipv6_address: "2001:db8:ffff::21" }).execute();

    const { deployLan } = await import("@/lib/routeserver/deploy");
    const { sshTransport } = await import("@/lib/routeserver/transport");
    // Connected through the proxy as the route server's row says; frozen before the upload.
    const deployment = deployLan(testDb(), lanId, "test", async (server) => {
      transport = await sshTransport({ host: server.ssh_host!, port: server.ssh_port, username: server.ssh_user, privateKeyFile: sshd.clientKey, hostKeyFingerprint: server.host_key_fingerprint!, keepaliveIntervalMs: 500, keepaliveCountMax: 2 });
      proxy.freeze();
      return transport;
    });
    await expect(deployment).rejects.toThrow(/^deployment to rs1 failed: SSH connection to root@127\.0\.0\.1:\d+ lost: no answer to 2 keepalives/);

    const row = await testDb().selectFrom("deployments").select(["status", "error", "log", "finished_at"]).executeTakeFirstOrThrow();
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/^SSH connection to root@127\.0\.0\.1:\d+ lost: no answer to 2 keepalives/);
    expect(row.finished_at).not.toBeNull();
    expect(row.log).toContain(`FAILED: ${row.error}`);
    expect(existsSync(path.join(dir, "bird.conf.ztix-new"))).toBe(false);
    expect(await testDb().selectFrom("deployments").select("id").where("status", "=", "running").execute()).toEqual([]);
  });
});
