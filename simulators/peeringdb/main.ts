/** Runs the PeeringDB simulator on its own (demo mode, manual testing). Never for production. */
import { startPeeringDbSimulator } from "./server";

const port = Number(process.env.PDB_SIM_PORT ?? 8190);
const portal = process.env.NEXTAUTH_URL ?? "http://localhost:3000";
const simulator = await startPeeringDbSimulator({ port, redirectUris: [`${portal}/api/auth/callback/peeringdb`] });
console.log(`PeeringDB simulator on ${simulator.url} (SIMULATOR, not PeeringDB)`);
console.log(`  PEERINGDB_AUTH_URL=${simulator.authUrl}`);
console.log(`  PEERINGDB_API_URL=${simulator.apiUrl}`);
console.log(`  PEERINGDB_CLIENT_ID=${simulator.clientId}`);
console.log(`  PEERINGDB_CLIENT_SECRET=${simulator.clientSecret}`);
const stop = () => void simulator.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
