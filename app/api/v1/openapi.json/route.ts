import { apiRoute } from "@/lib/api/route";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ scope: "read" }, async () => openApiDocument(`${process.env.NEXTAUTH_URL ?? ""}/api/v1`));
