import { describe, expect, it } from "vitest";
import { ConfigError, parseEnvironment } from "@/lib/config";

function problemsOf(env: Record<string, string>) {
  try {
    parseEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("configuration", () => {
  it("works with no variables at all, with the documented defaults", () => {
    const config = parseEnvironment({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.ZT_PROVIDER).toBe("self_hosted_controller");
    expect(config.ZT_CONTROLLER_URL).toBe("http://127.0.0.1:9993/controller");
    expect(config.ZT_CENTRAL_URL).toBe("https://api.zerotier.com/api/v1");
    expect(config.PEERINGDB_AUTH_URL).toBe("https://auth.peeringdb.com");
    expect(config.PEERINGDB_API_URL).toBe("https://www.peeringdb.com/api");
  });

  it("names every malformed variable in one message", () => {
    const error = problemsOf({ DATABASE_URL: "not-a-url", ZT_PROVIDER: "foo" });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(error.message).toContain("ZT_PROVIDER: must be self_hosted_controller or central");
  });

  it("requires the Central token only for the Central provider", () => {
    expect(problemsOf({ ZT_PROVIDER: "central" }).message).toContain("ZT_CENTRAL_API_TOKEN: is required");
    expect(parseEnvironment({ ZT_PROVIDER: "central", ZT_CENTRAL_API_TOKEN: "t" }).ZT_PROVIDER).toBe("central");
  });

  it("never echoes a secret back in an error", () => {
    const error = problemsOf({ NEXTAUTH_SECRET: "short-secret-value", DATABASE_URL: "mysql://u:hunter2@db/x" });
    expect(error.message).not.toContain("short-secret-value");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain("NEXTAUTH_SECRET");
  });

  it("rejects a port that is not a port", () => {
    expect(problemsOf({ PORT: "80a" }).message).toContain("PORT");
    expect(problemsOf({ PORT: "70000" }).message).toContain("PORT: must be between 1 and 65535");
  });

  it("treats empty variables as unset", () => {
    expect(parseEnvironment({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  it("reads the exchange's IX-F identity and names malformed parts", () => {
    const config = parseEnvironment({ ZTIX_IX_SHORTNAME: "EX-IX", ZTIX_IXF_ID: "42", ZTIX_IX_COUNTRY: "de", ZTIX_PUBLIC_PARTICIPANTS: "true" });
    expect(config).toMatchObject({ ZTIX_IX_SHORTNAME: "EX-IX", ZTIX_IXF_ID: 42, ZTIX_IX_COUNTRY: "DE", ZTIX_PUBLIC_PARTICIPANTS: true });
    expect(parseEnvironment({}).ZTIX_PUBLIC_PARTICIPANTS).toBe(false);
    const error = problemsOf({ ZTIX_IXF_ID: "x", ZTIX_IX_COUNTRY: "Germany", ZTIX_IX_SUPPORT_EMAIL: "noc", ZTIX_PUBLIC_PARTICIPANTS: "yes" });
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain("ZTIX_IX_COUNTRY: must be a two-letter ISO 3166 country code");
  });
});
