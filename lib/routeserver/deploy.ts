import "server-only";
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { notify } from "@/lib/notifications";
import type { Db } from "@/db";
import { getPool } from "@/db";
import { markInterrupted } from "@/lib/orphaned-work";
import { birdAvailable, parseBirdError, parseCheck, parseTimeoutMessage, parseTimeoutSeconds, remoteParseExecTimeoutMs } from "./bird-check";
import { loadRenderInputs } from "./input";
import { renderBirdConfig } from "./render";
import type { Transport } from "./transport";

export type RouteServerTarget = { configPath: string; controlSocket: string; birdPath: string; birdcPath: string };

export class DeployError extends Error {
  constructor(message: string, readonly log: string[]) {
    super(message);
    this.name = "DeployError";
  }
}

/**
 * One route server, safely: upload beside the live file, `bird -p` there (its BIRD version is
 * the one that counts), keep the previous file, atomic rename, `birdc configure`, check the
 * daemon. Any failure puts the previous file back (on disk and in the daemon) and throws.
 */
export async function deployConfig(transport: Transport, target: RouteServerTarget, config: string, log: (line: string) => void) {
  const next = `${target.configPath}.ztix-new`;
  const previous = `${target.configPath}.ztix-prev`;
  await transport.writeFile(next, config);
  log(`uploaded ${config.length} bytes to ${next}`);

  // coreutils `timeout` bounds the check on the host itself (exit 124), whatever the transport.
  const seconds = parseTimeoutSeconds(Buffer.byteLength(config));
  const check = await transport.exec(["timeout", "-k", "5", String(seconds), target.birdPath, "-p", "-c", next], { timeoutMs: remoteParseExecTimeoutMs(seconds) });
  if (check.code !== 0) {
    await transport.exec(["rm", "-f", next]);
    if (check.code === 124 || check.code === 137) throw new Error(`the parse check on the route server timed out: ${parseTimeoutMessage(seconds)}`);
    const parsed = parseBirdError(check.stderr);
    throw new Error(`bird -p refused the new config${parsed.line ? ` at line ${parsed.line}:${parsed.column}` : ""}: ${parsed.message}`);
  }
  log("bird -p: the new config parses on the route server");

  const hadConfig = (await transport.exec(["test", "-f", target.configPath])).code === 0;
  if (hadConfig) {
    const copy = await transport.exec(["cp", "-p", target.configPath, previous]);
    if (copy.code !== 0) throw new Error(`could not keep the previous config: ${copy.stderr.trim()}`);
  }
  const rename = await transport.exec(["mv", "-f", next, target.configPath]);
  if (rename.code !== 0) throw new Error(`could not put the new config in place: ${rename.stderr.trim()}`);
  log(`installed ${target.configPath}${hadConfig ? ` (previous kept as ${previous})` : ""}`);

  const rollBack = async (reason: string) => {
    if (hadConfig) {
      await transport.exec(["mv", "-f", previous, target.configPath]);
      const restored = await transport.exec([target.birdcPath, "-s", target.controlSocket, "configure"]);
      log(`rolled back to the previous config: ${restored.stdout.trim().split("\n").pop() ?? ""}`);
    }
    throw new Error(reason);
  };

  const configure = await transport.exec([target.birdcPath, "-s", target.controlSocket, "configure"]);
  const answer = `${configure.stdout}\n${configure.stderr}`.trim();
  if (configure.code !== 0 || !/Reconfigured|Reconfiguration in progress/.test(answer)) {
    return rollBack(`birdc configure failed: ${answer.split("\n").pop() ?? "no answer"}`);
  }
  log(`birdc configure: ${answer.split("\n").pop()}`);

  const status = await transport.exec([target.birdcPath, "-s", target.controlSocket, "show", "status"]);
  if (status.code !== 0 || !status.stdout.includes("Daemon is up and running")) {
    return rollBack(`BIRD is not healthy after the reload: ${status.stdout.trim() || status.stderr.trim()}`);
  }
  log("BIRD is up and running with the new config");
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The LAN's deployment is running elsewhere. The message is a job's (graphile-worker retries it); a caller that waited says its own. */
export class DeploymentRunningError extends Error {
  constructor(lanId: number) {
    super(`another deployment of LAN ${lanId} is running; retrying later`);
    this.name = "DeploymentRunningError";
  }
}

export type DeployLanOptions = {
  /** How long to wait for a running deployment of the LAN to finish (0: give up at once, as a job does: it is retried). */
  waitMs?: number;
  /** Called once when the LAN's deployment is found running and waitMs > 0. */
  onWait?: () => void;
};

const lockPollMs = 250;

/**
 * Deploys a LAN's route servers one at a time in deploy order; the next only when the previous
 * is healthy. A PostgreSQL advisory lock per LAN keeps two deployments of one LAN from running
 * at once, whichever workers run them. Stops at the first failure and throws its reason.
 */
export async function deployLan(db: Db, lanId: number, trigger: string, connect: (server: { id: number; name: string; transport: string; ssh_host: string | null; ssh_port: number; ssh_user: string; host_key_fingerprint: string | null }) => Promise<Transport>, options: DeployLanOptions = {}) {
  const lockClient = await getPool().connect();
  try {
    // Polled with try-lock rather than a blocking pg_advisory_lock: the wait stays bounded
    // without setting lock_timeout on a pooled session.
    const waitMs = options.waitMs ?? 0;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const locked = await lockClient.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext('ztix:deploy_route_servers'), $1::int) as locked", [lanId]);
      if (locked.rows[0]?.locked) break;
      const waited = Date.now() - started;
      if (waited >= waitMs) throw new DeploymentRunningError(lanId);
      if (attempt === 0) options.onWait?.();
      await new Promise((resolve) => setTimeout(resolve, Math.min(lockPollMs, waitMs - waited)));
    }
    try {
      // We hold the LAN's lock, so a `running` row of this LAN belongs to a worker that died.
      await markInterrupted(db, lanId);
      const targets = await loadRenderInputs(db, lanId);
      let localBird: Promise<boolean> | undefined;
      const outcomes: { routeServer: string; status: "succeeded" | "unchanged" }[] = [];
      for (const { server, input } of targets) {
        const config = renderBirdConfig(input);
        const digest = sha256(config);
        const last = await db
          .selectFrom("deployments")
          .select(["sha256"])
          .where("route_server_id", "=", server.id)
          .where("status", "=", "succeeded")
          .orderBy("id", "desc")
          .executeTakeFirst();
        // Unchanged and not drifted on the host: nothing to do (no reload).
        const drifted = await db
          .selectFrom("drift_items")
          .select("id")
          .where("lan_id", "=", lanId)
          .where("kind", "=", "route_server_config")
          .where("subject", "=", server.name)
          .where("resolved_at", "is", null)
          .executeTakeFirst();
        if (last?.sha256 === digest && !drifted) {
          outcomes.push({ routeServer: server.name, status: "unchanged" });
          continue;
        }
        const deployment = await db
          .insertInto("deployments")
          .values({ route_server_id: server.id, lan_id: lanId, status: "running", trigger, config, sha256: digest, previous_sha256: last?.sha256 ?? null })
          .returning("id")
          .executeTakeFirstOrThrow();
        const lines: string[] = [];
        // Written as it grows, so that a deployment whose worker dies shows how far it got.
        let written = Promise.resolve();
        const log = (line: string) => {
          lines.push(`${new Date().toISOString()} ${line}`);
          const text = lines.join("\n");
          written = written.then(() => db.updateTable("deployments").set({ log: text }).where("id", "=", deployment.id).where("status", "=", "running").execute().then(() => undefined, () => undefined));
        };
        try {
          // The check on the route server runs before anything is activated; a local transport's
          // check is that same run on this host, so a second one here would only cost time.
          if (server.transport !== "local" && (await (localBird ??= birdAvailable()))) {
            const check = await parseCheck(config);
            if (!check.ok && check.timedOut) throw new Error(`the local parse check timed out: ${check.message}`);
            if (!check.ok) throw new Error(`the rendered config does not parse${check.line ? ` (line ${check.line})` : ""}: ${check.message}`);
            log("bird -p: the rendered config parses locally");
          }
          const transport = await connect(server);
          try {
            log(`connected to ${server.name} (${server.transport === "local" ? "local" : `${server.ssh_user}@${server.ssh_host}:${server.ssh_port}`})`);
            await deployConfig(transport, { configPath: server.config_path, controlSocket: server.control_socket, birdPath: server.bird_path, birdcPath: server.birdc_path }, config, log);
          } finally {
            await transport.close();
          }
          await written;
          await db.updateTable("deployments").set({ status: "succeeded", log: lines.join("\n"), finished_at: sql<Date>`now()` }).where("id", "=", deployment.id).execute();
          if (drifted) await db.updateTable("drift_items").set({ resolved_at: sql<Date>`now()`, resolution: `replaced by deployment ${deployment.id}` }).where("id", "=", drifted.id).execute();
          outcomes.push({ routeServer: server.name, status: "succeeded" });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          log(`FAILED: ${reason}`);
          await written;
          await db.updateTable("deployments").set({ status: "failed", error: reason, log: lines.join("\n"), finished_at: sql<Date>`now()` }).where("id", "=", deployment.id).execute();
          await notify(db, "deployment_failed", "operators", { subject: `Deployment ${deployment.id} to ${server.name} failed`, text: `Deploying the route-server config to ${server.name} failed; the other route servers keep their working config.\n\n${reason}\n\nThe deployment's log is on the route server's page.` });
          // The fan-out stops here: the other route servers keep their working config.
          throw new Error(`deployment to ${server.name} failed: ${reason}`);
        }
      }
      return outcomes;
    } finally {
      await lockClient.query("select pg_advisory_unlock(hashtext('ztix:deploy_route_servers'), $1::int)", [lanId]);
    }
  } finally {
    // Discarded, not pooled: should the unlock above have failed, the session and its lock end here.
    lockClient.release(true);
  }
}
