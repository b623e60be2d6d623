import { CliError, type CliIo } from "./io";

/** Prompts for a password twice on the terminal, without echo. */
export async function readPassword(io: CliIo): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError("no terminal to prompt for a password: pass it on stdin with --password-stdin");
  const ask = (prompt: string) =>
    new Promise<string>((resolve, reject) => {
      io.stderr(prompt);
      const stdin = process.stdin;
      let value = "";
      stdin.setRawMode(true);
      stdin.resume();
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString("utf8")) {
          if (char === "\r" || char === "\n") {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off("data", onData);
            io.stderr("\n");
            return resolve(value);
          }
          if (char === "\u0003") {
            stdin.setRawMode(false);
            return reject(new CliError("cancelled"));
          }
          value = char === "\u007f" ? value.slice(0, -1) : value + char;
        }
      };
      stdin.on("data", onData);
    });
  const first = await ask("Password: ");
  const second = await ask("Repeat password: ");
  if (first !== second) throw new CliError("the passwords do not match");
  return first;
}
