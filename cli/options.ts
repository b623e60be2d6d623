import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./io";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Strict option parsing: unknown flags and stray arguments are errors, said in one line. */
export function parseOptions<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message.split("\n")[0]! : String(error));
  }
}
