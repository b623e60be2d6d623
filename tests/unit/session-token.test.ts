import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { decodeSessionToken, sessionCookieName, sessionTokenFrom } from "@/lib/auth/session-token";

const secret = "a test secret that is long enough for next-auth";

describe("reading next-auth's session cookie without getServerSession", () => {
  it("reads the user and session from a token next-auth made, and nothing from a forged, other-key or expired one", async () => {
    const token = await encode({ token: { uid: 42, sid: "0b0c1c44-6f1e-4a4e-9a55-9f5a4f0f6a11" }, secret, maxAge: 3600 });
    expect(await decodeSessionToken(token, secret)).toEqual({ userId: 42, sessionId: "0b0c1c44-6f1e-4a4e-9a55-9f5a4f0f6a11" });

    expect(await decodeSessionToken(token, `${secret}!`)).toBeNull();
    const [header, key, iv, ciphertext, tag] = token.split(".");
    // The last character but one: always whole bits of the ciphertext (the last may carry padding bits).
    const flipped = `${ciphertext!.slice(0, -2)}${ciphertext!.at(-2) === "A" ? "B" : "A"}${ciphertext!.slice(-1)}`;
    expect(await decodeSessionToken([header, key, iv, flipped, tag].join("."), secret)).toBeNull();
    expect(await decodeSessionToken("not a token", secret)).toBeNull();
    // Past its lifetime (beyond next-auth's 15 s clock tolerance).
    expect(await decodeSessionToken(await encode({ token: { uid: 42, sid: "x" }, secret, maxAge: -60 }), secret)).toBeNull();
    // A token without our claims (someone else's next-auth) names nobody.
    expect(await decodeSessionToken(await encode({ token: { sub: "42" }, secret, maxAge: 3600 }), secret)).toBeNull();
  });

  it("finds the cookie under next-auth's name, __Secure- on https, and joins next-auth's chunks in order", () => {
    expect(sessionCookieName("http://localhost:3000")).toBe("next-auth.session-token");
    expect(sessionCookieName("https://ix.example.net")).toBe("__Secure-next-auth.session-token");
    const name = "next-auth.session-token";
    expect(sessionTokenFrom([{ name: "other", value: "x" }, { name, value: "whole" }], name)).toBe("whole");
    expect(sessionTokenFrom([{ name: `${name}.1`, value: "second" }, { name: `${name}.0`, value: "first-" }, { name: `${name}.x`, value: "no" }], name)).toBe("first-second");
    expect(sessionTokenFrom([{ name: "__Secure-next-auth.session-token", value: "elsewhere" }], name)).toBeNull();
  });
});
