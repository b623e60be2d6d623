/**
 * One-line JSON logs on stderr, so several processes' output stays machine-readable.
 * Never pass secrets in `fields`.
 */
type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const level = process.env.LOG_LEVEL as Level | undefined;
  return order[level ?? "info"] ?? order.info;
}

function write(level: Level, component: string, msg: string, fields?: Record<string, unknown>) {
  if (order[level] < threshold()) return;
  const line = { time: new Date().toISOString(), level, component, msg, ...fields };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

export function createLogger(component: string) {
  return {
    debug: (msg: string, fields?: Record<string, unknown>) => write("debug", component, msg, fields),
    info: (msg: string, fields?: Record<string, unknown>) => write("info", component, msg, fields),
    warn: (msg: string, fields?: Record<string, unknown>) => write("warn", component, msg, fields),
    error: (msg: string, fields?: Record<string, unknown>) => write("error", component, msg, fields),
  };
}

export type Logger = ReturnType<typeof createLogger>;
