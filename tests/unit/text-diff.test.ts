import { describe, expect, it } from "vitest";
import { diffLines } from "@/lib/text-diff";

describe("config diff", () => {
  it("shows removed and added lines with context", () => {
    const before = ["a", "b", "c", "d", "e"].join("\n");
    const after = ["a", "b", "C", "d", "e", "f"].join("\n");
    expect(diffLines(before, after, 1)).toEqual([
      { kind: " ", text: "b" },
      { kind: "-", text: "c" },
      { kind: "+", text: "C" },
      { kind: " ", text: "d" },
      { kind: " ", text: "e" },
      { kind: "+", text: "f" },
    ]);
  });

  it("is empty for identical texts", () => {
    expect(diffLines("x\ny", "x\ny")).toEqual([]);
  });
});
