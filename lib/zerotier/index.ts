import "server-only";
import { CentralProvider } from "./central-provider";
import { ControllerProvider } from "./controller-provider";
import type { RetryPolicy } from "./http";
import type { ZeroTierProvider } from "./types";

export type { MemberInfo, NetworkConfig, NetworkInfo, Readiness, ZeroTierProvider } from "./types";
export { ZeroTierError } from "./errors";
export { normalizeNetworkId, normalizeNodeId } from "./ids";

export type ZeroTierProviderOptions = {
  provider: "self_hosted_controller" | "central";
  controllerUrl: string;
  controllerToken?: string;
  controllerTokenFile?: string;
  centralUrl: string;
  centralToken?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onRetry?: (info: { attempt: number; status: number | null; delayMs: number }) => void;
};

/** The provider ZT_PROVIDER names. A release configuration never needs Central credentials. */
export function createZeroTierProvider(options: ZeroTierProviderOptions): ZeroTierProvider {
  const common = { timeoutMs: options.timeoutMs, retry: options.retry, onRetry: options.onRetry };
  if (options.provider === "central") return new CentralProvider({ url: options.centralUrl, token: options.centralToken, ...common });
  return new ControllerProvider({ url: options.controllerUrl, token: options.controllerToken, tokenFile: options.controllerTokenFile, ...common });
}
