import "server-only";
import { z } from "zod";
import { DEFAULT_PREPARED_STATEMENTS } from "@/db/prepared-statements";

/**
 * The environment of SPEC section 12, parsed once with zod. Every process (web, worker, CLI,
 * the start supervisor) reads configuration through here, so a bad variable is reported the
 * same way everywhere: one message naming every problem.
 */

const emptyToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());

const url = (protocols: string[], hint: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, hint);

const optionalUrl = (protocols: string[], hint: string) =>
  z.preprocess(emptyToUndefined, url(protocols, hint).optional());

const httpUrl = "must be an http:// or https:// URL";

const port = z.coerce
  .number({ message: "must be a port number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

export const ZEnvironment = z
  .object({
    NODE_ENV: z.preprocess(emptyToUndefined, z.enum(["development", "production", "test"]).default("development")),
    DATABASE_URL: optionalUrl(["postgres:", "postgresql:"], "must be a postgres:// or postgresql:// URL"),
    PORT: z.preprocess(emptyToUndefined, port.default(3000)),
    NEXTAUTH_URL: optionalUrl(["http:", "https:"], httpUrl),
    NEXTAUTH_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
    ),
    ZT_PROVIDER: z.preprocess(
      emptyToUndefined,
      z
        .enum(["self_hosted_controller", "central"], {
          message: "must be self_hosted_controller or central",
        })
        .default("self_hosted_controller"),
    ),
    ZT_CONTROLLER_URL: z.preprocess(
      emptyToUndefined,
      url(["http:", "https:"], httpUrl).default("http://127.0.0.1:9993/controller"),
    ),
    ZT_CONTROLLER_TOKEN: optionalString,
    ZT_CONTROLLER_TOKEN_FILE: optionalString,
    ZT_CENTRAL_URL: z.preprocess(
      emptyToUndefined,
      url(["http:", "https:"], httpUrl).default("https://api.zerotier.com/api/v1"),
    ),
    ZT_CENTRAL_API_TOKEN: optionalString,
    PEERINGDB_CLIENT_ID: optionalString,
    PEERINGDB_CLIENT_SECRET: optionalString,
    PEERINGDB_AUTH_URL: z.preprocess(
      emptyToUndefined,
      url(["http:", "https:"], httpUrl).default("https://auth.peeringdb.com"),
    ),
    PEERINGDB_API_URL: z.preprocess(
      emptyToUndefined,
      url(["http:", "https:"], httpUrl).default("https://www.peeringdb.com/api"),
    ),
    PEERINGDB_API_KEY: optionalString,
    RS_SSH_KEY_FILE: optionalString,
    // How long ztix waits for a route server's SSH handshake (a host that accepts and then says nothing).
    RS_SSH_TIMEOUT_SECONDS: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number of seconds" }).int().min(1).max(600).default(15),
    ),
    ZTIX_IRR_SERVER: z.preprocess(
      emptyToUndefined,
      z.string().trim().regex(/^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/, "must be host or host:port").default("rr.ntt.net"),
    ),
    ZTIX_IRR_SOURCES: z.preprocess(
      emptyToUndefined,
      z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{1,32}(,[A-Z0-9-]{1,32}){0,31}$/, "must be a comma-separated list of IRR sources (RIPE,ARIN,...)").optional(),
    ),
    BGPQ4_PATH: z.preprocess(emptyToUndefined, z.string().trim().regex(/^\/[A-Za-z0-9._/-]+$/, "must be an absolute path").default("/usr/bin/bgpq4")),
    METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
    WORKER_CONCURRENCY: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number" }).int().min(1).max(64).default(4),
    ),
    // Deployments run in slots of their own beside WORKER_CONCURRENCY's (jobs/runner.ts).
    WORKER_DEPLOY_CONCURRENCY: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number" }).int().min(1).max(16).default(2),
    ),
    // Statements each database connection prepares (db/prepared-statements.ts); 0: none.
    ZTIX_DB_PREPARED_STATEMENTS: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a whole number from 0 to 10000" }).int().min(0).max(10_000).default(DEFAULT_PREPARED_STATEMENTS)),
    // Web processes sharing the port (scripts/web-server.mjs); unset: one per CPU, at most 8.
    ZTIX_WEB_PROCESSES: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a whole number from 1 to 64" }).int().min(1).max(64).optional()),
    // Longer than the longest step of a deployment (a remote command may take up to 120 s).
    ZTIX_STOP_GRACE_SECONDS: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number of seconds" }).int().min(0).max(3600).default(130),
    ),
    // E-mail notifications: nothing is sent without SMTP_URL (smtp://user:pass@host:587 or smtps://…:465).
    SMTP_URL: optionalUrl(["smtp:", "smtps:"], "must be an smtp:// or smtps:// URL"),
    MAIL_FROM: z.preprocess(emptyToUndefined, z.string().trim().default("ztix <ztix@localhost>")),
    ZTIX_SESSION_DOWN_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a number of minutes" }).int().min(1, "must be at least 1").max(10080).default(15)),
    // The exchange's identity in the IX-F Member Export (/participants.json) and e-mails.
    ZTIX_IX_NAME: optionalString,
    ZTIX_IX_SHORTNAME: optionalString,
    ZTIX_IXF_ID: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a number (the IX-F database id)" }).int("must be a whole number").positive("must be positive").optional()),
    ZTIX_PEERINGDB_IX_ID: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a number (peeringdb.com/ix/<id>)" }).int("must be a whole number").positive("must be positive").optional()),
    ZTIX_IX_COUNTRY: z.preprocess(emptyToUndefined, z.string().trim().regex(/^[A-Za-z]{2}$/, "must be a two-letter ISO 3166 country code").transform((value) => value.toUpperCase()).optional()),
    ZTIX_IX_URL: optionalUrl(["http:", "https:"], httpUrl),
    ZTIX_IX_SUPPORT_EMAIL: z.preprocess(emptyToUndefined, z.email("must be an e-mail address").optional()),
    ZTIX_PUBLIC_PARTICIPANTS: z.preprocess(emptyToUndefined, z.enum(["true", "false"], { message: "must be true or false" }).default("false").transform((value) => value === "true")),
    ZTIX_REQUIRE_2FA: z.preprocess(
      emptyToUndefined,
      z.enum(["staff", "all", "off"], { message: "must be staff, all or off" }).default("staff"),
    ),
    ZTIX_SECRET_KEY: optionalString,
    ZTIX_SESSION_MAX_AGE_HOURS: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a number" }).min(0.05).max(24 * 90).default(12)),
    ZTIX_SESSION_IDLE_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number({ message: "must be a number" }).min(1).max(60 * 24 * 90).default(60)),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(["debug", "info", "warn", "error"], { message: "must be debug, info, warn or error" }).default("info"),
    ),
    ZTIX_TRUSTED_PROXIES: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(10, "must be between 0 and 10").default(0),
    ),
    ZTIX_API_MAX_BODY_BYTES: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1024, "must be at least 1024").max(16 * 1024 * 1024, "must be at most 16777216").default(64 * 1024),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.ZT_PROVIDER === "central" && !env.ZT_CENTRAL_API_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["ZT_CENTRAL_API_TOKEN"],
        message: "is required when ZT_PROVIDER=central",
      });
    }
    if (env.ZT_CONTROLLER_TOKEN && env.ZT_CONTROLLER_TOKEN_FILE) {
      ctx.addIssue({
        code: "custom",
        path: ["ZT_CONTROLLER_TOKEN_FILE"],
        message: "set either ZT_CONTROLLER_TOKEN or ZT_CONTROLLER_TOKEN_FILE, not both",
      });
    }
    if (Boolean(env.PEERINGDB_CLIENT_ID) !== Boolean(env.PEERINGDB_CLIENT_SECRET)) {
      ctx.addIssue({
        code: "custom",
        path: [env.PEERINGDB_CLIENT_ID ? "PEERINGDB_CLIENT_SECRET" : "PEERINGDB_CLIENT_ID"],
        message: "PEERINGDB_CLIENT_ID and PEERINGDB_CLIENT_SECRET go together",
      });
    }
  });

export type TEnvironment = z.infer<typeof ZEnvironment>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

// Secrets are never echoed back, even in an error message.
const secretNames = new Set([
  "NEXTAUTH_SECRET",
  "ZT_CONTROLLER_TOKEN",
  "ZT_CENTRAL_API_TOKEN",
  "PEERINGDB_CLIENT_SECRET",
  "PEERINGDB_API_KEY",
  "METRICS_TOKEN",
  "SMTP_URL",
  "ZTIX_SECRET_KEY",
]);

function describeValue(name: string, env: Record<string, string | undefined>) {
  const value = env[name];
  if (value === undefined || secretNames.has(name)) return "";
  // Database URLs may carry a password: show only the part before credentials matter.
  const shown = name === "DATABASE_URL" ? value.replace(/\/\/[^@/]*@/, "//***@") : value;
  return ` (got ${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown)})`;
}

export function parseEnvironment(env: Record<string, string | undefined> = process.env): TEnvironment {
  const result = ZEnvironment.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    return `${name}: ${issue.message}${describeValue(name, env)}`;
  });
  throw new ConfigError([...new Set(problems)].sort());
}

let cached: TEnvironment | undefined;

/** The validated environment of this process (parsed on first use). */
export function getConfig(): TEnvironment {
  cached ??= parseEnvironment();
  return cached;
}
