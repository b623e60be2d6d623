import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { generateBgpPassword, setBgpPassword } from "@/lib/connections/bgp-password";
import { generateSecretKeyText, loadSecretKey, secretKeyFile, secretKeyFrom } from "@/lib/secrets";
import { rotateSecrets } from "@/lib/secrets/rotation";
import { CliError, type CliCommand } from "../io";
import { parseOptions } from "../options";
import { withDatabase } from "../database";

export const connectionsSetPassword: CliCommand = {
  name: "connections set-password",
  usage: "connections set-password --id N (--password-stdin | --generate | --clear)",
  summary: "set a connection's BGP session password (encrypted at rest; the member sees it once)",
  async run(args, io) {
    const options = parseOptions(args, { id: { type: "string" }, "password-stdin": { type: "boolean" }, generate: { type: "boolean" }, clear: { type: "boolean" } });
    const id = Number(options.id);
    if (typeof options.id !== "string" || !/^\d+$/.test(options.id) || !Number.isSafeInteger(id) || id < 1) throw new CliError("missing or malformed --id (a connection id)");
    const modes = [options["password-stdin"], options.generate, options.clear].filter(Boolean).length;
    if (modes !== 1) throw new CliError("give exactly one of --password-stdin, --generate, --clear");
    const password = options.clear ? null : options.generate ? generateBgpPassword() : (await io.stdin()).replace(/\r?\n$/, "");
    await withDatabase(() => setBgpPassword(getDb(), cliActor(), id, password));
    io.stdout(password === null ? `BGP password cleared for connection ${id}\n` : `BGP password set for connection ${id}; the member sees it once on the connection page\n`);
  },
};

export const secretsRotateKey: CliCommand = {
  name: "secrets rotate-key",
  usage: "secrets rotate-key [--new-key-stdin]",
  summary: "re-encrypt every stored secret with a new key (generated, or read from stdin)",
  async run(args, io) {
    const options = parseOptions(args, { "new-key-stdin": { type: "boolean" } });
    const from = loadSecretKey();
    const newKeyText = options["new-key-stdin"] ? (await io.stdin()).trim() : generateSecretKeyText();
    const to = secretKeyFrom(newKeyText, "the new key");
    if (to.id === from.id) throw new CliError("the new key is the current key");
    const fromEnvironment = Boolean(process.env.ZTIX_SECRET_KEY?.trim());
    // A key kept in the data directory is replaced only once the database holds the new
    // ciphertexts: the new key waits beside it until the transaction has committed.
    const file = secretKeyFile();
    const nextFile = `${file}.next`;
    if (!fromEnvironment) writeFileSync(nextFile, `${newKeyText}\n`, { mode: 0o600 });
    let counts;
    try {
      counts = await withDatabase(() => rotateSecrets(getDb(), from, to, cliActor()));
    } catch (error) {
      if (!fromEnvironment && existsSync(nextFile)) rmSync(nextFile);
      throw error;
    }
    if (!fromEnvironment) renameSync(nextFile, file);
    io.stderr(`re-encrypted ${counts.bgpPasswords} BGP password(s) and ${counts.totpSecrets} account(s)' two-factor secrets from key ${from.id} to key ${to.id}\n`);
    if (fromEnvironment) {
      io.stderr("set ZTIX_SECRET_KEY to the new key and restart the portal and workers now");
      io.stderr(options["new-key-stdin"] ? "\n" : "; the new key is shown once:\n");
      if (!options["new-key-stdin"]) io.stdout(`${newKeyText}\n`);
    } else {
      io.stderr(`the new key is in ${file}; restart the portal and workers now\n`);
    }
  },
};
