/**
 * What a member reads about their connection. The stored reason is written for operators (it
 * can name the controller's URL or quote an internal error), so members see a plain sentence
 * chosen by state; only a rejection's reason, which an operator wrote for them, is shown as is.
 */
export function memberReason(connection: { state: string; reason: string | null }, staff: boolean): string | null {
  if (staff || connection.state === "rejected") return connection.reason;
  if (!connection.reason) return null;
  switch (connection.state) {
    case "approved":
    case "provisioning":
      return "The exchange's controller is unavailable; we retry automatically.";
    case "removing":
      return "The exchange's controller is unavailable; we retry the removal automatically.";
    case "failed":
      return "Setting up or removing this connection failed on the exchange's side. The operators can see why and will retry it.";
    default:
      return "The exchange is working on this connection.";
  }
}
