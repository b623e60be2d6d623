import { errorResponse, ApiError } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

/** Unknown API paths answer the API's error shape, not the portal's HTML 404 page. */
const notFound = async () => errorResponse(new ApiError(404, "not_found", "There is no such API endpoint; see /api/v1/openapi.json."));

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
