import { ConfigError, getConfig } from "@/lib/config";
import { apikeysCreate, apikeysList, apikeysRevoke } from "./commands/apikeys";
import { dbMigrate } from "./commands/db";
import { health } from "./commands/health";
import { lansCreate, lansList, lansPolicy, lansSetBlackhole, lansSetIrr, lansSetMaxPrefix, lansSetRpki } from "./commands/lans";
import { networksRefresh, networksRefreshIrr, networksSetAsSet } from "./commands/networks";
import { connectionsSetPassword, secretsRotateKey } from "./commands/secrets";
import { zerotierStatus } from "./commands/zerotier";
import { deployCommand, routeServersAdd, routeServersDisable, routeServersDrain, routeServersEnable, routeServersList, routeServersSetNode, routeServersUndrain } from "./commands/route-servers";
import { usersAffiliate, usersCreate, usersDisable, usersEnable, usersList, usersResetTwoFactor, usersSetPassword, usersSetRole, usersSignOutEverywhere } from "./commands/users";
import { CliError, readAllStdin, type CliCommand, type CliIo } from "./io";

export const commands: CliCommand[] = [
  dbMigrate,
  health,
  usersCreate,
  usersSetPassword,
  usersDisable,
  usersEnable,
  usersSetRole,
  usersAffiliate,
  usersList,
  usersResetTwoFactor,
  usersSignOutEverywhere,
  apikeysCreate,
  apikeysRevoke,
  apikeysList,
  lansCreate,
  lansList,
  lansSetRpki,
  lansSetBlackhole,
  lansSetMaxPrefix,
  lansPolicy,
  lansSetIrr,
  zerotierStatus,
  routeServersAdd,
  routeServersList,
  routeServersSetNode,
  routeServersEnable,
  routeServersDisable,
  routeServersDrain,
  routeServersUndrain,
  deployCommand,
  networksRefresh,
  networksRefreshIrr,
  networksSetAsSet,
  connectionsSetPassword,
  secretsRotateKey,
];

export function helpText() {
  const width = Math.max(...commands.map((command) => command.usage.length));
  return [
    "Usage: npm run cli -- <command> [options]   (or: npx ztix <command> [options])",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    "",
    "Configuration comes from the environment and .env (see README).",
    "",
  ].join("\n");
}

/** Finds the command whose words start argv ("db migrate ..."), longest name first. */
function findCommand(argv: string[]) {
  const sorted = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const command of sorted) {
    const words = command.name.split(" ");
    if (words.every((word, index) => argv[index] === word)) return { command, args: argv.slice(words.length) };
  }
  return null;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(helpText());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.stderr(`ztix: unknown command "${argv.join(" ")}" (see --help)\n`);
    return 2;
  }
  if (found.args.includes("--help") || found.args.includes("-h")) {
    io.stdout(`Usage: ${found.command.usage}\n  ${found.command.summary}\n`);
    return 0;
  }
  try {
    getConfig();
    await found.command.run(found.args, io);
    return 0;
  } catch (error) {
    const message =
      error instanceof ConfigError
        ? error.message
        : error instanceof Error
          ? error.message
          : String(error);
    io.stderr(`ztix: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: readAllStdin,
};
