import "server-only";
import type { Profile } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { exchangeCode, peeringDbEndpoints, verifyIdToken } from "@/lib/peeringdb/oidc";
import { fetchProfile, parseProfile } from "@/lib/peeringdb/profile";

/**
 * "Log in with PeeringDB" as a next-auth v4 OAuth provider. The token step is ours: PeeringDB
 * wants the client secret in the POST body, and we verify the ID token ourselves (RS256 against
 * the JWKS, issuer, audience, expiry, nonce) so each failure has a precise reason.
 *
 * next-auth turns any thrown error into a generic "OAuthCallback"; to tell the person what went
 * wrong, failures travel as a `failure` field to the signIn callback, which redirects to the
 * login page with a reason code (details go to the audit log).
 */
export type PeeringDbLoginFailure = { code: LoginFailureCode; detail: string };
export type LoginFailureCode = "pdb_state" | "pdb_token" | "pdb_id_token" | "pdb_profile" | "pdb_unverified" | "pdb_unavailable";

export type PeeringDbUser = {
  id: string;
  name: string;
  email: string | null;
  peeringDbId?: number;
  networks?: { asn: number; name: string; perms: number }[];
  failure?: PeeringDbLoginFailure;
};

type RawProfile = { failure?: PeeringDbLoginFailure; profile?: ReturnType<typeof parseProfile> };

function failureFrom(code: LoginFailureCode, error: unknown): PeeringDbLoginFailure {
  return { code, detail: error instanceof Error ? error.message : String(error) };
}

async function readProfile(profileUrl: string, tokens: Record<string, unknown>): Promise<RawProfile> {
  const carried = tokens.ztix_failure;
  if (typeof carried === "string") return { failure: JSON.parse(carried) as PeeringDbLoginFailure };
  try {
    const json = await fetchProfile(profileUrl, String(tokens.access_token), { timeoutMs: 10_000 });
    try {
      return { profile: parseProfile(json) };
    } catch (error) {
      const code = /verified/i.test(error instanceof Error ? error.message : "") ? "pdb_unverified" : "pdb_profile";
      return { failure: failureFrom(code, error) };
    }
  } catch (error) {
    return { failure: failureFrom("pdb_unavailable", error) };
  }
}

export function peeringDbProvider(options: { authUrl: string; clientId: string; clientSecret: string }): OAuthConfig<RawProfile> {
  const endpoints = peeringDbEndpoints(options.authUrl);
  return {
    id: "peeringdb",
    name: "PeeringDB",
    type: "oauth",
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    issuer: endpoints.issuer,
    jwks_endpoint: endpoints.jwks,
    authorization: { url: endpoints.authorize, params: { scope: "openid profile email networks", response_type: "code" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    client: { token_endpoint_auth_method: "client_secret_post", id_token_signed_response_alg: "RS256" },
    token: {
      url: endpoints.token,
      async request({ params, checks, provider }) {
        // next-auth compares state itself only in openid-client's callback, which we bypass.
        if (!params.state || params.state !== checks.state) {
          return { tokens: { ztix_failure: JSON.stringify(failureFrom("pdb_state", "the login's state does not match (start the login again)")) } };
        }
        try {
          const tokens = await exchangeCode({
            tokenUrl: endpoints.token,
            clientId: options.clientId,
            clientSecret: options.clientSecret,
            code: String(params.code ?? ""),
            redirectUri: String(provider.callbackUrl),
            codeVerifier: String(checks.code_verifier ?? ""),
          });
          try {
            await verifyIdToken(tokens.id_token, {
              jwksUrl: endpoints.jwks,
              issuer: endpoints.issuer,
              audience: options.clientId,
              // next-auth fills `nonce` into checks when the provider lists the "nonce" check; its types lag.
              nonce: String((checks as { nonce?: string }).nonce ?? ""),
            });
          } catch (error) {
            return { tokens: { ztix_failure: JSON.stringify(failureFrom("pdb_id_token", error)) } };
          }
          return { tokens: { access_token: tokens.access_token, token_type: tokens.token_type, id_token: tokens.id_token } };
        } catch (error) {
          return { tokens: { ztix_failure: JSON.stringify(failureFrom("pdb_token", error)) } };
        }
      },
    },
    userinfo: {
      url: endpoints.profile,
      // The profile is ours (a parsed profile or a failure), not an OIDC userinfo: hence the cast.
      async request({ tokens }) {
        return (await readProfile(endpoints.profile, tokens as Record<string, unknown>)) as unknown as Profile;
      },
    },
    profile(raw): PeeringDbUser {
      if (raw.failure || !raw.profile) {
        return { id: "failed", name: "", email: null, failure: raw.failure ?? { code: "pdb_profile", detail: "no profile" } };
      }
      const profile = raw.profile;
      return {
        id: String(profile.id),
        name: profile.name,
        email: profile.email ?? null,
        peeringDbId: profile.id,
        networks: profile.networks.map((network) => ({ asn: network.asn, name: network.name, perms: network.perms })),
      };
    },
  };
}

export const loginFailureMessages: Record<LoginFailureCode | "pdb_disabled" | "CredentialsSignin" | "OAuthCallback" | "default", string> = {
  pdb_state: "The PeeringDB login could not be matched to this browser. Start again.",
  pdb_token: "PeeringDB did not accept the login (token exchange failed). Try again, or tell the exchange's operators.",
  pdb_id_token: "PeeringDB's identity token could not be verified, so the login was refused.",
  pdb_profile: "PeeringDB sent a profile ztix cannot use (its networks list is missing or malformed).",
  pdb_unverified: "Your PeeringDB account or e-mail address is not verified. Verify it on PeeringDB, then log in again.",
  pdb_unavailable: "PeeringDB could not be reached to read your profile. Try again in a few minutes.",
  pdb_disabled: "This account is disabled. Ask the exchange's operators.",
  CredentialsSignin: "Wrong username or password.",
  OAuthCallback: "The PeeringDB login failed. Start again.",
  default: "Sign-in failed. Try again.",
};
