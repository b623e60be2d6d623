import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { recordAudit } from "@/lib/audit";
import { getConfig } from "@/lib/config";
import { consumeRateLimit } from "@/lib/rate-limit";
import { syncPeeringDbUser } from "./users";
import { clientIpFrom } from "./client-ip";
import { authenticateLocal } from "./local-login";
import { createSession, endSession, sessionLimits } from "./sessions";
import { peeringDbProvider, type PeeringDbUser } from "./peeringdb-provider";

const SIGN_IN_RATE_LIMIT = { limit: Number(process.env.ZTIX_SIGNIN_RATE_LIMIT ?? 60), windowSeconds: 60 };

/** Whether "Log in with PeeringDB" is configured on this deployment. */
export function peeringDbLoginEnabled() {
  const config = getConfig();
  return Boolean(config.PEERINGDB_CLIENT_ID && config.PEERINGDB_CLIENT_SECRET);
}

function buildAuthOptions(): AuthOptions {
  const config = getConfig();
  const providers: AuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "ztix account",
      credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" }, code: { label: "Code", type: "text" } },
      async authorize(credentials, req) {
        const clientIp = clientIpFrom(req?.headers ?? {});
        // Every attempt counts here, right or wrong: the sign-in endpoint is rate limited too.
        const limit = await consumeRateLimit(getDb(), `signin:ip:${clientIp ?? "unknown"}`, SIGN_IN_RATE_LIMIT);
        if (!limit.allowed) throw new Error(`Too many sign-in attempts from your address. Try again in ${limit.resetSeconds} seconds.`);
        const result = await authenticateLocal(getDb(), {
          username: String(credentials?.username ?? ""),
          password: String(credentials?.password ?? ""),
          code: String(credentials?.code ?? ""),
          clientIp,
        });
        // A thrown message reaches the login form as `error` (next-auth v4).
        if (!result.ok) throw new Error(result.message);
        return { id: String(result.userId), name: result.username };
      },
    }),
  ];
  if (config.PEERINGDB_CLIENT_ID && config.PEERINGDB_CLIENT_SECRET) {
    providers.push(
      peeringDbProvider({ authUrl: config.PEERINGDB_AUTH_URL, clientId: config.PEERINGDB_CLIENT_ID, clientSecret: config.PEERINGDB_CLIENT_SECRET }),
    );
  }

  return {
    secret: process.env.NEXTAUTH_SECRET,
    // The token lives as long as a session may; the session row (lib/auth/sessions) decides earlier ends.
    session: { strategy: "jwt", maxAge: sessionLimits().maxAgeSeconds },
    pages: { signIn: "/login", error: "/login" },
    providers,
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider !== "peeringdb") return true;
        const pdbUser = user as PeeringDbUser;
        if (pdbUser.failure || !pdbUser.peeringDbId) {
          await recordAudit(getDb(), {
            actor: { type: "anonymous", label: "PeeringDB login" },
            action: "auth.login_failed",
            details: { method: "peeringdb", reason: pdbUser.failure?.code, detail: pdbUser.failure?.detail },
          });
          return `/login?error=${pdbUser.failure?.code ?? "pdb_profile"}`;
        }
        const userId = await syncPeeringDbUser(
          getDb(),
          { peeringDbId: pdbUser.peeringDbId, name: pdbUser.name, email: pdbUser.email, networks: pdbUser.networks ?? [] },
          null,
        );
        if (userId === null) return "/login?error=pdb_disabled";
        // The session carries our user id, not PeeringDB's.
        user.id = String(userId);
        return true;
      },
      async jwt({ token, user }) {
        if (user) {
          // A sign-in (after every factor): a new server-side session row.
          token.uid = Number(user.id);
          token.sid = await createSession(getDb(), Number(user.id));
        }
        return token;
      },
      async session({ session, token }) {
        // Only the ids travel; who the user is and may do is read from the database per request.
        return { ...session, user: { id: Number(token.uid), sid: typeof token.sid === "string" ? token.sid : null } } as typeof session;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await endSession(getDb(), token.sid);
      },
    },
  };
}

let cached: AuthOptions | undefined;
export function getAuthOptions(): AuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}
