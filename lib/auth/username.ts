import "server-only";
import { z } from "zod";

/**
 * Usernames are normalized before storage and lookup: Unicode NFKC (so full-width and
 * compatibility forms fold), trimmed, lower-cased, then held to a small character set.
 * " Alice ", "alice" and "ＡＬＩＣＥ" are one account.
 */
export function normalizeUsername(input: string): string {
  return input.normalize("NFKC").trim().toLowerCase();
}

export const ZUsername = z
  .string()
  .transform(normalizeUsername)
  .pipe(
    z
      .string()
      .min(2, "username must be at least 2 characters")
      .max(64, "username must be at most 64 characters")
      .regex(/^[a-z0-9][a-z0-9._-]*$/, "username may contain only a-z, 0-9, '.', '_' and '-', starting with a letter or digit"),
  );
