import "server-only";
import { z } from "zod";
import { DomainError } from "@/lib/errors";

/**
 * Destructive server actions check the confirmation themselves: a crafted post without it is
 * refused with a field error, whatever the page showed.
 */
export const ZConfirm = z.object({ confirm: z.string().trim().max(200).optional() });

export function requirePlainConfirmation(confirm: string | undefined) {
  if (confirm !== "yes") throw new DomainError("Confirm this action first.", { confirm: ["confirm this action first"] });
}

/** The typed text must equal `expected` (case-insensitively; "AS64500" and "64500" alike for an ASN). */
export function requireTypedConfirmation(confirm: string | undefined, expected: string, what: string) {
  const normalize = (text: string) => text.normalize("NFKC").trim().toLowerCase().replace(/^as(?=\d+$)/, "");
  if (!confirm || normalize(confirm) !== normalize(expected)) {
    throw new DomainError(`Type ${expected} to confirm.`, { confirm: [`type ${what} ${expected} to confirm`] });
  }
}
