import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrations } from "@/db/migrations";

describe("migrations", () => {
  it("lists every migration file of db/migrations, under its file name, in timestamp order", () => {
    const files = readdirSync("db/migrations")
      .filter((file) => file !== "index.ts")
      .map((file) => file.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
    for (const name of files) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_[a-z0-9-]+$/);
  });
});
