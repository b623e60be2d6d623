import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Secrets the system must use again (BGP session passwords, TOTP secrets) are stored encrypted
 * with AES-256-GCM. The key comes from ZTIX_SECRET_KEY, else (outside production) from a key
 * generated once into the data directory. A ciphertext reads
 * `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts); the key id (the first 8 hex digits
 * of the key's SHA-256) names the key it needs, so a wrong key is reported as such. A context
 * string (e.g. "connection:12:bgp_password") is bound as associated data: a ciphertext copied
 * to another row does not decrypt.
 */

const VERSION = "v1";

export type SecretKey = { id: string; bytes: Buffer };

/** The one error for a missing, malformed or wrong secret key (and a damaged ciphertext). */
export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyError";
  }
}

export function secretKeyFrom(text: string, source = "ZTIX_SECRET_KEY"): SecretKey {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (bytes.length !== 32) {
    throw new SecretKeyError(`${source} must be 32 random bytes, base64 or hex (e.g. openssl rand -base64 32)`);
  }
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

export function generateSecretKeyText() {
  return randomBytes(32).toString("base64");
}

export function secretKeyFile() {
  // A runtime path: the build must not trace the whole project through it (Turbopack warns).
  return path.join(path.resolve(/*turbopackIgnore: true*/ process.env.ZTIX_DATA_DIR ?? ".data"), "secret-key");
}

/** The configured key: ZTIX_SECRET_KEY, else the data directory's (created once outside production). */
export function loadSecretKey(env: Record<string, string | undefined> = process.env): SecretKey {
  if (env.ZTIX_SECRET_KEY?.trim()) return secretKeyFrom(env.ZTIX_SECRET_KEY);
  if (env.NODE_ENV === "production") throw new SecretKeyError("ZTIX_SECRET_KEY is required when NODE_ENV=production");
  const file = secretKeyFile();
  try {
    return secretKeyFrom(readFileSync(file, "utf8"), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // "wx": of two processes starting at once, one writes and both read the same key.
    writeFileSync(file, `${generateSecretKeyText()}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return secretKeyFrom(readFileSync(file, "utf8"), file);
}

let cached: SecretKey | undefined;
export function currentSecretKey(): SecretKey {
  cached ??= loadSecretKey();
  return cached;
}

/** For the key rotation command and tests: forget the key read at first use. */
export function forgetSecretKey() {
  cached = undefined;
}

export function encryptSecret(plaintext: string, context: string, key: SecretKey = currentSecretKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, key.id, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

export function secretKeyIdOf(stored: string) {
  return stored.split(".")[1] ?? null;
}

export function decryptSecret(stored: string, context: string, key: SecretKey = currentSecretKey()): string {
  const parts = stored.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretKeyError(`the stored ${context} is not in a known encrypted format`);
  const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (keyId !== key.id) {
    throw new SecretKeyError(`the stored ${context} was encrypted with secret key ${keyId}, but the configured ZTIX_SECRET_KEY is key ${key.id}: wrong key`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretKeyError(`the stored ${context} could not be decrypted with secret key ${key.id}: wrong key or damaged data`);
  }
}

export const secretContexts = {
  bgpPassword: (connectionId: number) => `connection:${connectionId}:bgp_password`,
  totpSecret: (userId: number) => `user:${userId}:totp_secret`,
  totpPendingSecret: (userId: number) => `user:${userId}:totp_pending_secret`,
};
