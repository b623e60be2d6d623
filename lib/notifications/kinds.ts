/** Every kind of e-mail ztix sends, who gets it, and how the preferences page names it. */
export const NOTIFICATION_KINDS = {
  request_received: { audience: "member", label: "My connection request was received" },
  request_approved: { audience: "member", label: "My connection request was approved (with the addresses)" },
  request_rejected: { audience: "member", label: "My connection request was rejected (with the reason)" },
  connection_provisioned: { audience: "member", label: "My router is authorized on the exchange (with the addresses)" },
  session_down: { audience: "member", label: "A BGP session with the route servers has been down for a while" },
  new_request: { audience: "operator", label: "A network asks to connect" },
  job_failed: { audience: "operator", label: "Provisioning or removing a connection failed" },
  deployment_failed: { audience: "operator", label: "A route-server deployment failed" },
  drift: { audience: "operator", label: "The controller has an authorized member ztix does not know (drift)" },
} as const;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

/** The kinds a user of this role can receive: members theirs, staff both (staff may hold networks too). */
export function kindsFor(role: string): NotificationKind[] {
  return NOTIFICATION_KIND_NAMES.filter((kind) => NOTIFICATION_KINDS[kind].audience === "member" || role === "admin" || role === "operator");
}
