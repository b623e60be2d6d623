import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import type { TRole } from "./roles";
import { canAccessAsn } from "./access";
import { getCurrentUser } from "./session";

/** For pages: the signed-in user, or a redirect to the login page that comes back here. */
export const TWO_FACTOR_ENROLMENT_PATH = "/account/two-factor";

export async function requirePageUser(path: string, roles?: TRole[]) {
  const user = await getCurrentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  // Until an account the policy covers has enrolled, the enrolment page is all it gets.
  if (user.mustEnrolTwoFactor && path !== TWO_FACTOR_ENROLMENT_PATH) redirect(TWO_FACTOR_ENROLMENT_PATH);
  if (roles && !roles.includes(user.role)) forbidden();
  return user;
}

export async function requirePageAsn(path: string, asn: number) {
  const user = await requirePageUser(path);
  // Another network's page answers like an unknown one (404), not 403: no existence oracle.
  if (!canAccessAsn(user, asn, "read")) notFound();
  return user;
}
