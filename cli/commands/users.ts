import { getDb } from "@/db";
import { cliActor } from "@/lib/audit";
import { ZRole } from "@/lib/auth/roles";
import { endAllSessions } from "@/lib/auth/sessions";
import { resetTwoFactor } from "@/lib/auth/two-factor";
import { addManualAffiliation, createLocalUser, listUsers, parseUsername, removeManualAffiliation, setDisabled, setPassword, setRole } from "@/lib/auth/users";
import { CliError, type CliCommand, type CliIo } from "../io";
import { parseOptions } from "../options";
import { formatTable } from "../table";
import { withDatabase } from "../database";
import { readPassword } from "../password-prompt";

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new CliError(`missing --${flag}`);
  return value;
}

function role(value: string | boolean | undefined) {
  const parsed = ZRole.safeParse(required(value, "role"));
  if (!parsed.success) throw new CliError(parsed.error.issues[0]!.message);
  return parsed.data;
}

async function passwordFrom(options: { "password-stdin"?: boolean | string }, io: CliIo) {
  if (options["password-stdin"]) {
    // One line: trailing newline (from echo or a file) is not part of the password.
    return (await io.stdin()).replace(/\r?\n$/, "");
  }
  return readPassword(io);
}

export const usersCreate: CliCommand = {
  name: "users create",
  usage: "users create --username U --role admin|operator|member [--password-stdin]",
  summary: "create a local account (password from stdin, else prompted)",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" }, role: { type: "string" }, "password-stdin": { type: "boolean" }, name: { type: "string" } });
    const username = required(options.username, "username");
    const userRole = role(options.role);
    const password = await passwordFrom(options, io);
    const created = await withDatabase(() => createLocalUser(getDb(), { username, role: userRole, password, displayName: options.name as string | undefined }, cliActor()));
    io.stdout(`created ${created.role} ${created.username}\n`);
  },
};

export const usersSetPassword: CliCommand = {
  name: "users set-password",
  usage: "users set-password --username U [--password-stdin]",
  summary: "set a local account's password",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" }, "password-stdin": { type: "boolean" } });
    const username = required(options.username, "username");
    const password = await passwordFrom(options, io);
    await withDatabase(() => setPassword(getDb(), username, password, cliActor()));
    io.stdout(`password set for ${username.trim().toLowerCase()}\n`);
  },
};

function toggle(name: "disable" | "enable"): CliCommand {
  return {
    name: `users ${name}`,
    usage: `users ${name} --username U`,
    summary: name === "disable" ? "disable an account (its sessions stop working at once)" : "re-enable a disabled account",
    async run(args, io) {
      const options = parseOptions(args, { username: { type: "string" } });
      const username = required(options.username, "username");
      await withDatabase(() => setDisabled(getDb(), username, name === "disable", cliActor()));
      io.stdout(`${name}d ${username.trim().toLowerCase()}\n`);
    },
  };
}
export const usersDisable = toggle("disable");
export const usersEnable = toggle("enable");

export const usersSetRole: CliCommand = {
  name: "users set-role",
  usage: "users set-role --username U --role admin|operator|member",
  summary: "change an account's role",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" }, role: { type: "string" } });
    const username = required(options.username, "username");
    const newRole = role(options.role);
    await withDatabase(() => setRole(getDb(), username, newRole, cliActor()));
    io.stdout(`${username.trim().toLowerCase()} is now ${newRole}\n`);
  },
};

export const usersAffiliate: CliCommand = {
  name: "users affiliate",
  usage: "users affiliate --username U --asn N [--remove]",
  summary: "affiliate an account with a network by hand (for networks without PeeringDB accounts)",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" }, asn: { type: "string" }, remove: { type: "boolean" } });
    const username = required(options.username, "username");
    const asn = required(options.asn, "asn");
    await withDatabase(() =>
      options.remove ? removeManualAffiliation(getDb(), username, asn, cliActor()) : addManualAffiliation(getDb(), username, asn, cliActor()),
    );
    io.stdout(`${options.remove ? "removed" : "added"} manual affiliation ${username.trim().toLowerCase()} – AS${asn.replace(/^as/i, "")}\n`);
  },
};

export const usersList: CliCommand = {
  name: "users list",
  usage: "users list [--json]",
  summary: "list accounts with their role, state and networks",
  async run(args, io) {
    const options = parseOptions(args, { json: { type: "boolean" } });
    const users = await withDatabase(() => listUsers(getDb()));
    if (options.json) {
      io.stdout(`${JSON.stringify(users, null, 2)}\n`);
      return;
    }
    const rows = users.map((user) => [
      user.username,
      user.role,
      user.disabled_at ? "disabled" : "active",
      user.peeringdb_id ? "peeringdb" : user.totp_enabled_at ? "local+2fa" : "local",
      user.networks.map((network) => `AS${network.asn}${network.source === "manual" ? "*" : ""}`).join(",") || "-",
    ]);
    const header = ["USERNAME", "ROLE", "STATE", "LOGIN", "NETWORKS (* manual)"];
    io.stdout(formatTable(header, rows));
  },
};

export const usersResetTwoFactor: CliCommand = {
  name: "users reset-2fa",
  usage: "users reset-2fa --username U",
  summary: "turn off an account's two-factor sign-in (lost device) and end its sessions",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" } });
    const username = required(options.username, "username");
    await withDatabase(() => resetTwoFactor(getDb(), username, cliActor()));
    io.stdout(`two-factor sign-in reset for ${username.trim().toLowerCase()}; it enrols again on its next sign-in if ZTIX_REQUIRE_2FA covers it\n`);
  },
};

export const usersSignOutEverywhere: CliCommand = {
  name: "users sign-out-everywhere",
  usage: "users sign-out-everywhere --username U",
  summary: "end every session of an account (it signs in again)",
  async run(args, io) {
    const options = parseOptions(args, { username: { type: "string" } });
    const username = required(options.username, "username");
    const ended = await withDatabase(async () => {
      const user = await getDb().selectFrom("users").select("id").where("username", "=", parseUsername(username)).executeTakeFirst();
      if (!user) throw new CliError(`no user named ${parseUsername(username)}`);
      return endAllSessions(getDb(), user.id, cliActor());
    });
    io.stdout(`ended ${ended} session(s) of ${parseUsername(username)}\n`);
  },
};
