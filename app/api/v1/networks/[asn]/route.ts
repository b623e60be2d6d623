import { getDb } from "@/db";
import { apiRoute } from "@/lib/api/route";
import { getNetworkDto, ZAsnParams } from "@/lib/api/v1";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read", params: ZAsnParams }, async ({ params }) => ({ data: await getNetworkDto(getDb(), params.asn) }));
