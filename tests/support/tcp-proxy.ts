import net from "node:net";

/**
 * A TCP proxy in front of a real server (PostgreSQL, sshd) that a test can cut ("down": refuses
 * connections), make unresponsive ("hang": accepts and never answers), freeze (established
 * connections stop carrying bytes either way, their sockets left open: a black-holed network, a
 * frozen VM) or restore, without touching the real server.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: "up" | "down" | "hang" = "up";
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        sockets.add(client);
        client.on("close", () => sockets.delete(client));
        client.on("error", () => undefined);
        if (mode === "hang") return;
        const upstream = net.connect(target.port, target.host);
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        const pair: [net.Socket, net.Socket] = [client, upstream];
        pairs.add(pair);
        client.on("close", () => pairs.delete(pair));
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server!.address();
        if (typeof address === "object" && address) port = address.port;
        resolve();
      });
    });

  const closeAll = async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    pairs.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    async down() {
      mode = "down";
      await closeAll();
    },
    async hang() {
      await closeAll();
      mode = "hang";
      await listen();
    },
    /** Established connections stop forwarding (nothing is read, so nothing, not even a close, gets through); new ones hang. */
    freeze() {
      mode = "hang";
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async up() {
      await closeAll();
      mode = "up";
      await listen();
    },
    close: closeAll,
  };
}
