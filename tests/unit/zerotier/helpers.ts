import http from "node:http";
import type { AddressInfo } from "node:net";
import { createZeroTierProvider, type RetryEvent, type RetryPolicy, type ZeroTierProvider } from "@/lib/zerotier";
import type { ZeroTierSimulator } from "@/simulators/zerotier/server";

/** A clock that only moves when the code under test sleeps: waits are recorded, nothing really waits. */
export function fakeClock(start = 1_800_000_000_000) {
  let time = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => time,
    sleep: async (ms: number) => {
      waits.push(ms);
      time += ms;
    },
  };
}

/** A provider of the simulator's kind, pointed at it, with small retry bounds and no real waiting. */
export function providerFor(
  sim: ZeroTierSimulator,
  options: { token?: string; url?: string; retry?: Partial<RetryPolicy>; timeoutMs?: number; onRetry?: (event: RetryEvent) => void } = {},
): ZeroTierProvider {
  const clock = fakeClock();
  const url = options.url ?? sim.controllerUrl;
  const token = options.token ?? sim.token;
  return createZeroTierProvider({
    provider: sim.mode === "central" ? "central" : "self_hosted_controller",
    controllerUrl: url,
    controllerToken: token,
    centralUrl: url,
    centralToken: token,
    timeoutMs: options.timeoutMs ?? 2_000,
    retry: { maxAttempts: 8, maxTotalMs: 60_000, baseDelayMs: 100, maxDelayMs: 2_000, sleep: clock.sleep, now: clock.now, ...options.retry },
    onRetry: options.onRetry,
  });
}

export type Intercepted = { method: string; path: string; body: string };

/**
 * An HTTP proxy in front of a simulator that can answer for it or rewrite what is forwarded:
 * it plays the misbehaving middle (an older controller, another writer) the simulator has no switch for.
 */
export async function startProxy(target: string, intercept: (request: Intercepted) => { status: number; body?: string } | { forwardBody: string } | undefined) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { method: req.method ?? "GET", path: req.url ?? "/", body: Buffer.concat(chunks).toString("utf8") };
    const decision = intercept(request);
    if (decision && "status" in decision) {
      res.writeHead(decision.status, decision.body ? { "Content-Type": "application/json" } : {}).end(decision.body);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !["host", "content-length", "connection"].includes(name)) as [string, string][]);
    const body = decision ? decision.forwardBody : request.body;
    const response = await fetch(`${target}${request.path}`, { method: request.method, headers, body: ["GET", "HEAD"].includes(request.method) ? undefined : body });
    const text = await response.text();
    res.writeHead(response.status, response.headers.get("content-type") ? { "Content-Type": response.headers.get("content-type")! } : {}).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const LAN = { name: "ix-lan", ipv4Prefix: "192.0.2.0/24", ipv6Prefix: "2001:db8:ffff::/64", mtu: 2800 };
