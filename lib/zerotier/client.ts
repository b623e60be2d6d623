import "server-only";
import { getConfig } from "@/lib/config";
import { createZeroTierProvider } from "./index";

type Provider = ReturnType<typeof createZeroTierProvider>;
type ProviderGlobal = { ztixZeroTier?: Provider };
const holder = globalThis as ProviderGlobal;

/** The configured ZeroTier provider (self-hosted controller by default), one per process. */
export function getZeroTierProvider(): Provider {
  if (!holder.ztixZeroTier) {
    const config = getConfig();
    holder.ztixZeroTier = createZeroTierProvider({
      provider: config.ZT_PROVIDER,
      controllerUrl: config.ZT_CONTROLLER_URL,
      controllerToken: config.ZT_CONTROLLER_TOKEN,
      controllerTokenFile: config.ZT_CONTROLLER_TOKEN_FILE,
      centralUrl: config.ZT_CENTRAL_URL,
      centralToken: config.ZT_CENTRAL_API_TOKEN,
    });
  }
  return holder.ztixZeroTier;
}
