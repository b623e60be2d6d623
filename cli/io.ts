/** What a command may touch besides the database: its streams (tests capture them). */
export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<string>;
};

/** An expected failure: printed as one line on stderr, exit status 1. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CliError";
  }
}

export type CliCommand = {
  /** e.g. "db migrate" */
  name: string;
  usage: string;
  summary: string;
  run: (args: string[], io: CliIo) => Promise<void>;
};

export async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
