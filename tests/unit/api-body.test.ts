import { describe, expect, it } from "vitest";
import { readBodyText } from "@/lib/api/body";
import { memberReason } from "@/lib/connections/member-reason";

/** A request whose body is produced on demand, counting how many chunks were pulled. */
function streamingRequest(chunks: number, chunkBytes: number, headers: Record<string, string> = {}) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count >= chunks) return controller.close();
      pulled.count++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
  }, { highWaterMark: 0 });
  return { pulled, request: new Request("http://x/api/v1/connections", { method: "POST", body, headers, duplex: "half" } as RequestInit) };
}

describe("API request bodies", () => {
  it("refuses a body whose Content-Length is over the limit without reading any of it", async () => {
    const { pulled, request } = streamingRequest(100, 1024, { "content-length": String(100 * 1024) });
    await expect(readBodyText(request, 64 * 1024)).rejects.toMatchObject({ status: 413, code: "payload_too_large", details: { maxBytes: 65536 } });
    expect(pulled.count).toBe(0);
  });

  it("counts a body without a length while reading and stops just past the limit", async () => {
    const { pulled, request } = streamingRequest(10_000, 1024);
    await expect(readBodyText(request, 64 * 1024)).rejects.toMatchObject({ status: 413 });
    // The stream may read ahead a little; it never reads the whole 10 MB.
    expect(pulled.count).toBeLessThan(100);
  });

  it("reads a body within the limit, and refuses one that is not UTF-8", async () => {
    expect(await readBodyText(new Request("http://x", { method: "POST", body: '{"asn":64500}' }), 1024)).toBe('{"asn":64500}');
    await expect(readBodyText(new Request("http://x", { method: "POST", body: new Uint8Array([0x7b, 0xff, 0x7d]) }), 1024)).rejects.toMatchObject({ status: 400, code: "invalid_json" });
  });
});

describe("what members read about their connection", () => {
  const technical = "ZeroTier controller not ready: http://10.0.0.5:9993/controller: connect ECONNREFUSED (attempt 2 of 25; retrying)";

  it("never the stored technical reason, whatever the state", () => {
    for (const state of ["approved", "provisioning", "provisioned", "active", "removing", "removed", "failed"]) {
      const shown = memberReason({ state, reason: technical }, false);
      expect(shown, state).not.toContain("10.0.0.5");
      expect(shown, state).not.toContain("ECONNREFUSED");
    }
    expect(memberReason({ state: "provisioning", reason: technical }, false)).toBe("The exchange's controller is unavailable; we retry automatically.");
    expect(memberReason({ state: "provisioned", reason: null }, false)).toBeNull();
  });

  it("an operator's rejection reason as written; operators everything", () => {
    expect(memberReason({ state: "rejected", reason: "not an RIR-assigned ASN" }, false)).toBe("not an RIR-assigned ASN");
    expect(memberReason({ state: "failed", reason: technical }, true)).toBe(technical);
  });
});
