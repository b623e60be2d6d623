/**
 * An IRR server simulator for tests (never production): a TCP server answering the IRRd query
 * commands bgpq4 sends, over the data set a test gives it. What bgpq4 1.x sends and expects
 * (read from its expander.c):
 *
 * - `!!` keeps the connection open for several commands (no answer);
 * - `!n<client>` names the client (answered `C`);
 * - `!a` alone is a probe: the answer "F Missing required set name for A query" tells bgpq4 that
 *   `!a4<set>` / `!a6<set>` (all prefixes of a set's members) are supported;
 * - `!s-lc` lists the current sources, `!s<list>` selects sources (`C`, or `D` for an unknown one);
 * - `!i<set>` lists a set's direct members, `!i<set>,1` its ASNs recursively;
 * - `!gas<n>` / `!6as<n>` list the IPv4 / IPv6 route objects with origin n;
 * - `!q` ends the connection.
 *
 * Answers: `A<length>\n<data>\nC\n` (length counts the data and its newline), `C\n` (no data),
 * `D\n` (key not found), `F <message>\n` (error).
 */
import net from "node:net";
import type { AddressInfo } from "node:net";

export type IrrRoute = { prefix: string; origin: number; source?: string };
export type IrrDataSet = {
  /** Sources this server knows, in its default order. */
  sources: string[];
  /** as-set name (upper case, without SOURCE::) → members: "AS64500" or other set names. */
  asSets: Record<string, string[]>;
  routes: IrrRoute[];
};

export type IrrSimulator = {
  port: number;
  host: string;
  /** Commands received, in order (for tests that check what a client asked). */
  commands: string[];
  /** Replaces the data set (the next query sees it). */
  setData(data: IrrDataSet): void;
  /** When set, every connection is closed at once, as by a broken server. */
  setBroken(broken: boolean): void;
  close(): Promise<void>;
};

function answer(items: string[]) {
  if (items.length === 0) return "C\n";
  const data = `${items.join(" ")}\n`;
  return `A${Buffer.byteLength(data)}\n${data}C\n`;
}

export async function startIrrSimulator(options: { port?: number; host?: string; data: IrrDataSet }): Promise<IrrSimulator> {
  let data = options.data;
  let broken = false;
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();

  const setName = (raw: string) => raw.replace(/^[A-Za-z0-9-]+::/, "").toUpperCase();

  function expand(name: string, seen: Set<string>): string[] {
    if (seen.has(name)) return [];
    seen.add(name);
    const asns: string[] = [];
    for (const entry of data.asSets[name] ?? []) {
      const member = entry.toUpperCase();
      if (/^AS\d+$/.test(member)) asns.push(member);
      else asns.push(...expand(member, seen));
    }
    return asns;
  }

  function routesOf(origins: Set<number>, family: 4 | 6, sources: string[]) {
    const prefixes = data.routes
      .filter((route) => origins.has(route.origin) && route.prefix.includes(":") === (family === 6))
      .filter((route) => !route.source || sources.includes(route.source))
      .map((route) => route.prefix);
    return [...new Set(prefixes)];
  }

  function reply(command: string, state: { sources: string[] }): string | null {
    if (command === "!!") return null;
    if (command.startsWith("!n")) return "C\n";
    if (command === "!q") return null;
    if (command === "!a") return "F Missing required set name for A query\n";
    if (command === "!s-lc") return answer([state.sources.join(",")]);
    if (command.startsWith("!s")) {
      const wanted = command.slice(2).split(",").map((source) => source.trim().toUpperCase()).filter(Boolean);
      if (wanted.length === 0 || wanted.some((source) => !data.sources.includes(source))) return "D\n";
      state.sources = wanted;
      return "C\n";
    }
    const aQuery = /^!a([46])(.+)$/.exec(command);
    if (aQuery) {
      const name = setName(aQuery[2]!);
      if (!data.asSets[name]) return "D\n";
      const origins = new Set(expand(name, new Set()).map((asn) => Number(asn.slice(2))));
      return answer(routesOf(origins, Number(aQuery[1]) as 4 | 6, state.sources));
    }
    const iQuery = /^!i([^,]+)(,1)?$/.exec(command);
    if (iQuery) {
      const name = setName(iQuery[1]!);
      if (!data.asSets[name]) return "D\n";
      return answer(iQuery[2] ? [...new Set(expand(name, new Set()))] : data.asSets[name]!.map((entry) => entry.toUpperCase()));
    }
    const gQuery = /^!(g|6)as(\d+)$/i.exec(command);
    if (gQuery) return answer(routesOf(new Set([Number(gQuery[2])]), gQuery[1] === "6" ? 6 : 4, state.sources));
    return `F Unrecognized command ${command.slice(0, 20)}\n`;
  }

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    if (broken) {
      socket.destroy();
      return;
    }
    const state = { sources: [...data.sources] };
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const command = buffer.slice(0, newline).replace(/\r$/, "").trim();
        buffer = buffer.slice(newline + 1);
        if (command === "") continue;
        commands.push(command);
        if (command === "!q") {
          socket.end();
          return;
        }
        const text = reply(command, state);
        if (text !== null) socket.write(text);
      }
      // A line longer than any real query is not one: refuse it rather than buffer forever.
      if (buffer.length > 4096) socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    host: address.address,
    commands,
    setData(next) {
      data = next;
    },
    setBroken(next) {
      broken = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
