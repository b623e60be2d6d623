import "server-only";
import { z } from "zod";

/** The `profile/v1` payload (scopes profile, email, networks): a contract, checked field by field. */
export const ZPeeringDbNetwork = z.object({
  id: z.number().int(),
  name: z.string(),
  asn: z.number().int().min(1).max(4294967295),
  perms: z.number().int().min(0).max(15),
  manage_peering_sessions: z.number().int().optional(),
});

export const ZPeeringDbProfile = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  verified_user: z.boolean(),
  email: z.string().optional(),
  verified_email: z.boolean().optional(),
  networks: z.array(z.unknown(), { message: "has no networks list (was the networks scope granted?)" }),
});

export type TPeeringDbProfile = {
  id: number;
  name: string;
  email: string | null;
  networks: z.infer<typeof ZPeeringDbNetwork>[];
};

export class PeeringDbProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PeeringDbProfileError";
  }
}

/** Parses and checks a profile: verified user and e-mail required, networks keyed on ASN. */
export function parseProfile(json: unknown): TPeeringDbProfile {
  const parsed = ZPeeringDbProfile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PeeringDbProfileError(`PeeringDB profile ${issue.path.length ? `field ${issue.path.join(".")} ` : ""}${issue.message}`);
  }
  const profile = parsed.data;
  if (!profile.verified_user) throw new PeeringDbProfileError("PeeringDB account is not verified by PeeringDB");
  if (profile.verified_email !== true) throw new PeeringDbProfileError("PeeringDB account's e-mail address is not verified");
  const networks = profile.networks.map((entry, index) => {
    const network = ZPeeringDbNetwork.safeParse(entry);
    if (!network.success) {
      const issue = network.error.issues[0]!;
      throw new PeeringDbProfileError(`PeeringDB profile network #${index + 1} is malformed: ${issue.path.join(".")} ${issue.message}`);
    }
    return network.data;
  });
  // One entry per ASN (names are not identities); permissions of duplicates add up.
  const byAsn = new Map<number, z.infer<typeof ZPeeringDbNetwork>>();
  for (const network of networks) {
    const seen = byAsn.get(network.asn);
    byAsn.set(network.asn, seen ? { ...seen, perms: seen.perms | network.perms } : network);
  }
  return { id: profile.id, name: profile.name, email: profile.email ?? null, networks: [...byAsn.values()] };
}

export async function fetchProfile(profileUrl: string, accessToken: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const response = await fetch(profileUrl, {
    headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  // PeeringDB answers 403 with an empty body for a missing, invalid or under-scoped token.
  if (response.status === 403) throw new PeeringDbProfileError("PeeringDB refused the access token for profile/v1 (403)");
  if (!response.ok) throw new Error(`PeeringDB profile/v1 answered HTTP ${response.status}`);
  return response.json();
}
