import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { ZBgpPasswordSet, ZIdParams } from "@/lib/api/v1";
import { bgpPasswordStatus, setBgpPassword } from "@/lib/connections/bgp-password";

export const dynamic = "force-dynamic";

async function status(id: number) {
  const current = await bgpPasswordStatus(getDb(), id);
  return { data: { connectionId: id, set: current.set, setAt: current.setAt ? new Date(current.setAt).toISOString() : null, shownToMember: current.shownAt !== null } };
}

export const POST = apiRoute({ scope: "admin", params: ZIdParams, body: ZBgpPasswordSet }, async ({ actor, params, body }) => {
  await setBgpPassword(getDb(), actor, params.id, body.password);
  return status(params.id);
});

export const DELETE = apiRoute({ scope: "admin", params: ZIdParams }, async ({ actor, params }) => {
  await setBgpPassword(getDb(), actor, params.id, null);
  return status(params.id);
});
