/**
 * Runs the IRR simulator on its own for trying bgpq4 by hand (never for production), with a small
 * data set: `bgpq4 -h 127.0.0.1:8043 -4 -A -j AS-EXAMPLE`.
 */
import { startIrrSimulator } from "./server";

const port = Number(process.env.IRR_SIM_PORT ?? 8043);
const simulator = await startIrrSimulator({
  port,
  data: {
    sources: ["RIPE", "ARIN"],
    asSets: { "AS-EXAMPLE": ["AS1000", "AS-EXAMPLE-CUSTOMERS"], "AS-EXAMPLE-CUSTOMERS": ["AS1001"] },
    routes: [
      { prefix: "11.1.0.0/24", origin: 1000, source: "RIPE" },
      { prefix: "11.1.1.0/24", origin: 1000, source: "RIPE" },
      { prefix: "11.3.0.0/24", origin: 1001, source: "ARIN" },
      { prefix: "2a0a:1000::/32", origin: 1000, source: "RIPE" },
    ],
  },
});
console.log(`IRR simulator on ${simulator.host}:${simulator.port} (SIMULATOR, not an IRR database): ZTIX_IRR_SERVER=${simulator.host}:${simulator.port}`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
