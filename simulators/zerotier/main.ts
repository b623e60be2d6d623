/**
 * Runs the ZeroTier controller simulator on its own (demo, manual testing). Never for production.
 *   ZT_SIM_PORT (default 9393), ZT_SIM_TOKEN (random when unset), ZT_SIM_MODE (controller|central),
 *   ZT_SIM_NODE_ID (default c771ace7ed), ZT_SIM_HOST (default 127.0.0.1).
 */
import { startZeroTierSimulator } from "./server";

const mode = process.env.ZT_SIM_MODE === "central" ? "central" : "controller";
const simulator = await startZeroTierSimulator({
  port: Number(process.env.ZT_SIM_PORT ?? 9393),
  host: process.env.ZT_SIM_HOST || undefined,
  token: process.env.ZT_SIM_TOKEN || undefined,
  nodeId: process.env.ZT_SIM_NODE_ID || undefined,
  mode,
});
// The simulator's own token, printed so the portal can be pointed at it.
console.log(`ZeroTier ${mode === "central" ? "Central" : "controller"} simulator on ${simulator.url} (SIMULATOR, not ZeroTier)`);
if (mode === "central") {
  console.log(`  ZT_PROVIDER=central`);
  console.log(`  ZT_CENTRAL_URL=${simulator.controllerUrl}`);
  console.log(`  ZT_CENTRAL_API_TOKEN=${simulator.token}`);
} else {
  console.log(`  ZT_CONTROLLER_URL=${simulator.controllerUrl}`);
  console.log(`  ZT_CONTROLLER_TOKEN=${simulator.token}`);
}
console.log(`  switches: GET ${simulator.url}/_sim/state, POST ${simulator.url}/_sim/faults {"rate429":0.2}`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
