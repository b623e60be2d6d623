import "server-only";
import { CentralProvider } from "./central-provider";
import { ControllerProvider } from "./controller-provider";
import type { RetryEvent, RetryPolicy } from "./http";
import type { ZeroTierProvider } from "./types";

export type {
  IpPool,
  MemberInfo,
  MemberUpsert,
  NetworkConfig,
  NetworkInfo,
  PeerInfo,
  PeerPath,
  ProviderKind,
  Readiness,
  ReadinessFailureKind,
  Route,
  V6AssignMode,
  ZeroTierProvider,
} from "./types";
export type { RetryEvent, RetryPolicy } from "./http";
export { ZeroTierError, isZeroTierError, type ZeroTierErrorKind } from "./errors";
export { normalizeNetworkId, normalizeNodeId } from "./ids";

export type ZeroTierProviderOptions = {
  provider: "self_hosted_controller" | "central";
  /** The controller API, e.g. http://127.0.0.1:9993/controller (the service root is accepted too). */
  controllerUrl: string;
  controllerToken?: string;
  /** authtoken.secret: read when needed (not at start) and trimmed. */
  controllerTokenFile?: string;
  centralUrl: string;
  centralToken?: string;
  /** Per request, default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  onRetry?: (event: RetryEvent) => void;
};

/** The provider ZT_PROVIDER names. A release configuration never needs Central credentials. */
export function createZeroTierProvider(options: ZeroTierProviderOptions): ZeroTierProvider {
  const common = { timeoutMs: options.timeoutMs, retry: options.retry, onRetry: options.onRetry };
  if (options.provider === "central") return new CentralProvider({ url: options.centralUrl, token: options.centralToken, ...common });
  return new ControllerProvider({ url: options.controllerUrl, token: options.controllerToken, tokenFile: options.controllerTokenFile, ...common });
}
