import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareStatements } from "@/db/prepared-statements";
import { resetDatabase } from "../support/db";

/** What PostgreSQL holds prepared on this connection. */
const preparedOn = async (client: pg.Client) => (await client.query<{ statement: string }>("select statement from pg_prepared_statements order by prepare_time")).rows.map((row) => row.statement);

describe("prepared statements on a database connection", () => {
  let client: pg.Client;
  beforeEach(resetDatabase);
  beforeEach(async () => {
    client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query("create temporary table things (id int primary key, name text)");
    await client.query("insert into things values (1, 'one'), (2, 'two')");
  });
  afterEach(async () => {
    await client.end();
  });

  it("prepares a query once and runs it again from the plan, with any parameters", async () => {
    prepareStatements(client, 10);
    const select = "select name from things where id = $1";
    expect((await client.query(select, [1])).rows).toEqual([{ name: "one" }]);
    expect((await client.query(select, [2])).rows).toEqual([{ name: "two" }]);
    expect(await preparedOn(client)).toEqual([select]);
  });

  it("leaves several statements in one text, and other calls, as they came", async () => {
    prepareStatements(client, 10);
    await client.query("update things set name = 'uno' where id = 1; update things set name = 'dos' where id = 2", []);
    const viaCallback = await new Promise((resolve, reject) => client.query("select count(*)::int as n from things where id > $1", [0], (error, result) => (error ? reject(error) : resolve(result.rows))));
    expect(viaCallback).toEqual([{ n: 2 }]);
    expect((await client.query("select name from things order by id")).rows).toEqual([{ name: "uno" }, { name: "dos" }]);
    expect(await preparedOn(client)).toEqual([]);
  });

  it("prepares at most its limit of statements per connection, and none at 0", async () => {
    prepareStatements(client, 2);
    for (const id of [1, 2, 3]) await client.query(`select ${id} as n from things where id = $1`, [1]);
    expect(await preparedOn(client)).toHaveLength(2);

    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      prepareStatements(other, 0);
      await other.query("select $1::int as n", [1]);
      expect(await preparedOn(other)).toEqual([]);
    } finally {
      await other.end();
    }
  });

  it("answers a prepared query whose table changed its columns (a migration while the portal runs)", async () => {
    prepareStatements(client, 10);
    const select = "select * from things where id = $1";
    expect((await client.query(select, [1])).rows).toEqual([{ id: 1, name: "one" }]);
    await client.query("alter table things add column note text");
    expect((await client.query(select, [1])).rows).toEqual([{ id: 1, name: "one", note: null }]);
    expect((await client.query(select, [2])).rows).toEqual([{ id: 2, name: "two", note: null }]);
  });
});
