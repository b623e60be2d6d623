/**
 * Loaded into the web server process before Next.js (`node --import ./scripts/socket-address.mjs
 * next start`, see scripts/start.ts). Next.js only fills X-Forwarded-For when a request has none,
 * so a client could name its own address. Here every request gets the TCP peer's address in an
 * internal header, and any copy the client sent is dropped; lib/auth/client-ip.ts trusts that
 * header only when this module has marked the process.
 */
import http from "node:http";

export const SOCKET_ADDRESS_HEADER = "x-ztix-socket-address";

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitWithSocketAddress(event, ...args) {
  if (event === "request" || event === "checkContinue" || event === "checkExpectation") {
    const request = args[0];
    delete request.headers[SOCKET_ADDRESS_HEADER];
    const address = request.socket?.remoteAddress;
    if (address) request.headers[SOCKET_ADDRESS_HEADER] = address;
  }
  return emit.call(this, event, ...args);
};

globalThis[Symbol.for("ztix.socketAddressHeader")] = SOCKET_ADDRESS_HEADER;
