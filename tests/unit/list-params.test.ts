import { describe, expect, it } from "vitest";
import { pageInMemory } from "@/lib/lists/in-memory";
import { isRecordId, likePattern, listHref, parseListParams } from "@/lib/lists/list-params";

const spec = { sorts: ["id", "name"], defaultSort: "id", defaultDir: "desc", filters: { state: ["active", "requested"] } } as const;

describe("parseListParams", () => {
  it("reads a shared view from the URL", () => {
    expect(parseListParams(spec, { sort: "name", dir: "asc", q: " 64500 ", state: "active", page: "3", size: "100" })).toEqual({
      sort: "name",
      dir: "asc",
      q: "64500",
      filters: { state: "active" },
      page: 3,
      size: 100,
    });
  });

  it("falls back to the defaults for anything unknown instead of passing it on", () => {
    expect(parseListParams(spec, { sort: "id; drop table users", dir: "up", state: "bogus", page: "-2", size: "7", q: "x".repeat(500) })).toEqual({
      sort: "id",
      dir: "desc",
      q: "",
      filters: {},
      page: 1,
      size: 50,
    });
    expect(parseListParams(spec, { sort: ["name", "id"], page: "abc" })).toMatchObject({ sort: "name", page: 1 });
  });

  it("takes a filter naming a record by id when it is one, whether or not the record exists", () => {
    const byLan = { ...spec, filters: { lan: isRecordId } } as const;
    expect(parseListParams(byLan, { lan: "7" }).filters).toEqual({ lan: "7" });
    expect(parseListParams(byLan, { lan: "2147483647" }).filters).toEqual({ lan: "2147483647" });
    for (const lan of ["0", "-1", "07", "1e3", "7 ", "abc", "2147483648", "9".repeat(30)]) expect(parseListParams(byLan, { lan }).filters).toEqual({});
  });
});

describe("listHref", () => {
  const view = parseListParams(spec, { sort: "name", dir: "asc", q: "net", state: "active", page: "4" });
  it("keeps the view and goes back to page 1 when anything but the page changes", () => {
    expect(listHref(view, { page: 5 })).toBe("?q=net&state=active&sort=name&dir=asc&page=5&size=50");
    expect(listHref(view, { sort: "id", dir: "desc" })).toBe("?q=net&state=active&sort=id&dir=desc&size=50");
    expect(listHref(view, { filters: { state: undefined } }, { lan: "2" })).toBe("?lan=2&q=net&sort=name&dir=asc&size=50");
  });
});

describe("likePattern", () => {
  it("matches a user's % and _ literally", () => {
    expect(likePattern("50%_a\\b")).toBe("%50\\%\\_a\\\\b%");
  });
});

describe("pageInMemory", () => {
  const rows = [
    { id: 1, name: "beta", state: "active" },
    { id: 2, name: "alpha", state: "requested" },
    { id: 3, name: null, state: "active" },
  ];
  const how = { sortBy: { id: (row: (typeof rows)[number]) => row.id, name: (row: (typeof rows)[number]) => row.name }, searchIn: (row: (typeof rows)[number]) => [row.name, row.id], filterBy: { state: (row: (typeof rows)[number]) => row.state } };
  it("sorts with empty values last, filters, searches and pages", () => {
    expect(pageInMemory(rows, parseListParams(spec, { sort: "name", dir: "asc" }), how).rows.map((row) => row.id)).toEqual([2, 1, 3]);
    expect(pageInMemory(rows, parseListParams(spec, { sort: "name", dir: "desc" }), how).rows.map((row) => row.id)).toEqual([1, 2, 3]);
    expect(pageInMemory(rows, parseListParams(spec, { state: "active" }), how)).toMatchObject({ total: 2 });
    expect(pageInMemory(rows, parseListParams(spec, { q: "ALP" }), how).rows.map((row) => row.id)).toEqual([2]);
    expect(pageInMemory(rows, parseListParams(spec, { size: "25", page: "2" }), how)).toEqual({ rows: [], total: 3 });
  });
});
