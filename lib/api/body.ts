import "server-only";
import { ApiError } from "./errors";

function tooLarge(maxBytes: number) {
  return new ApiError(413, "payload_too_large", `The request body is larger than ${maxBytes} bytes.`, { maxBytes });
}

/**
 * The body as text, refused with 413 as soon as it is known to be too large: at once when
 * Content-Length says so, else when the running count passes the limit. The rest is never
 * buffered (Node discards what the client still sends).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.releaseLock();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiError(400, "invalid_json", "The request body is not valid UTF-8 JSON.");
  }
}
