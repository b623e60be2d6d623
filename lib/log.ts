import pino from "pino";

/**
 * JSON lines on stderr (pino), one logger per component, so every process (web, worker, CLI)
 * writes the same shape: {time, level, component, msg, ...fields}. Known secret-bearing fields
 * are redacted; never pass a secret as a message.
 */
const root = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ["password", "token", "secret", "apiKey", "key", "authorization", "cookie", "*.password", "*.token", "*.secret", "*.apiKey", "*.authorization", "*.cookie", "input.password"],
      censor: "[redacted]",
    },
  },
  pino.destination({ fd: 2, sync: true }),
);

export function createLogger(component: string) {
  const logger = root.child({ component });
  return {
    debug: (msg: string, fields?: Record<string, unknown>) => logger.debug(fields ?? {}, msg),
    info: (msg: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, msg),
    warn: (msg: string, fields?: Record<string, unknown>) => logger.warn(fields ?? {}, msg),
    error: (msg: string, fields?: Record<string, unknown>) => logger.error(fields ?? {}, msg),
  };
}

export type Logger = ReturnType<typeof createLogger>;
