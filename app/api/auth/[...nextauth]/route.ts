import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";

// Options are built on first request (they read the validated configuration), never at build.
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(request as never, { params: await context.params } as never, getAuthOptions());
}

export { handler as GET, handler as POST };
