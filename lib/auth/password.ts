import "server-only";
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard), a per-user salt, and the parameters stored in
 * the hash string so they can be raised later without breaking old hashes:
 *   scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>
 */
const PARAMS = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  return new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password.normalize("NFKC"), salt, keyLength, { ...options, maxmem: 256 * options.N! * options.r! }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, saltText, keyText] = parts;
  const expected = Buffer.from(keyText!, "base64url");
  const key = await scrypt(password, Buffer.from(saltText!, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// Unknown users are checked against this, so they cost the same time as a real account.
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstDummy(password: string) {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
  return false;
}

const COMMON = new Set([
  "password1234", "123456789012", "qwertyuiopas", "letmein12345", "administrator", "changeme1234",
  "iloveyou1234", "welcome12345", "passw0rd1234", "zerotier1234", "peeringdb123",
]);

/** Why a password is not acceptable, or null when it is. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.trim().length === 0) return "password is empty";
  if (password.length < 12) return "password must be at least 12 characters";
  if (password.length > 256) return "password must be at most 256 characters";
  if (new Set(password).size < 5) return "password has too few different characters";
  if (COMMON.has(password.toLowerCase())) return "password is too common";
  if (username && password.toLowerCase().includes(username.toLowerCase())) return "password must not contain the username";
  return null;
}
