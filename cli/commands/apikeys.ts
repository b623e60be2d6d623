import { getDb } from "@/db";
import { createApiKey, listApiKeys, revokeApiKey, ZApiScope } from "@/lib/api/keys";
import { cliActor } from "@/lib/audit";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";
import { formatTable } from "../table";
import { withDatabase } from "../database";

export const apikeysCreate: CliCommand = {
  name: "apikeys create",
  usage: "apikeys create --name N --scope read|admin [--expires YYYY-MM-DD]",
  summary: "create an API key and print it once (only its hash is kept)",
  async run(args, io) {
    const options = parseOptions(args, { name: { type: "string" }, scope: { type: "string" }, expires: { type: "string" } });
    if (typeof options.name !== "string") throw new CliError("missing --name");
    const scope = ZApiScope.safeParse(options.scope);
    if (!scope.success) throw new CliError(options.scope === undefined ? "missing --scope (read or admin)" : scope.error.issues[0]!.message);
    let expiresAt: Date | null = null;
    if (typeof options.expires === "string") {
      expiresAt = new Date(options.expires);
      if (Number.isNaN(expiresAt.getTime())) throw new CliError(`--expires ${options.expires} is not a date (YYYY-MM-DD)`);
    }
    const created = await withDatabase(() => createApiKey(getDb(), { name: options.name as string, scope: scope.data, expiresAt }, cliActor()));
    io.stderr(`created ${created.scope} key ${created.prefix}${created.expires_at ? ` (expires ${new Date(created.expires_at).toISOString()})` : ""}; it is shown once:\n`);
    io.stdout(`${created.key}\n`);
  },
};

export const apikeysRevoke: CliCommand = {
  name: "apikeys revoke",
  usage: "apikeys revoke --key ID|PREFIX",
  summary: "revoke an API key (effective at once)",
  async run(args, io) {
    const options = parseOptions(args, { key: { type: "string" } });
    if (typeof options.key !== "string") throw new CliError("missing --key (the key's id or its ztix_xxxxxxxx prefix)");
    await withDatabase(() => revokeApiKey(getDb(), options.key as string, cliActor()));
    io.stdout(`revoked ${options.key}\n`);
  },
};

export const apikeysList: CliCommand = {
  name: "apikeys list",
  usage: "apikeys list",
  summary: "list API keys (never the keys themselves)",
  async run(args, io) {
    parseOptions(args, {});
    const keys = await withDatabase(() => listApiKeys(getDb()));
    const rows = keys.map((key) => [
      String(key.id),
      key.prefix,
      key.scope,
      key.revoked_at ? "revoked" : key.expires_at && new Date(key.expires_at) < new Date() ? "expired" : "active",
      key.last_used_at ? new Date(key.last_used_at).toISOString() : "never",
      key.name,
    ]);
    const header = ["ID", "PREFIX", "SCOPE", "STATE", "LAST USED", "NAME"];
    io.stdout(formatTable(header, rows));
  },
};
