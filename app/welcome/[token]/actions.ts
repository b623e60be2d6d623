"use server";

import { z } from "zod";
import { getDb } from "@/db";
import type { FormState } from "@/lib/actions/form-state";
import { redeemSignInToken } from "@/lib/auth/sign-in-links";
import { DomainError } from "@/lib/errors";
import { createLogger } from "@/lib/log";

const log = createLogger("action");
const ZWelcome = z.object({ token: z.string().max(100), password: z.string().max(300), confirm: z.string().max(300) });

/**
 * Sets the first password with a one-time sign-in link. The one action that runs without a
 * session (so not through formAction): the token is the authorization, checked and spent inside.
 */
export async function setPasswordWithLinkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const parsed = ZWelcome.safeParse(Object.fromEntries(formData.entries()));
  if (!parsed.success) return { status: "error", message: "Fill in both password fields." };
  if (parsed.data.password !== parsed.data.confirm) return { status: "error", message: "Check the highlighted fields.", fieldErrors: { confirm: ["the two passwords differ"] } };
  try {
    const { username } = await redeemSignInToken(getDb(), parsed.data.token, parsed.data.password);
    return { status: "ok", message: `Password set for ${username}. Sign in with it now.` };
  } catch (error) {
    if (error instanceof DomainError) return { status: "error", message: error.message, fieldErrors: error.fieldErrors };
    log.error("setting a password by link failed", { error: error instanceof Error ? error.message : String(error) });
    return { status: "error", message: "Something went wrong on our side; try again, or ask an administrator for a new link." };
  }
}
