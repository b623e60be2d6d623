import net from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that a test can cut ("down": refuses connections),
 * freeze ("hang": accepts and never answers) or restore, without touching the real server.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: "up" | "down" | "hang" = "up";
  const sockets = new Set<net.Socket>();
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
    async up() {
      await closeAll();
      mode = "up";
      await listen();
    },
    close: closeAll,
  };
}
