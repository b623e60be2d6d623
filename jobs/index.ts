import type { CronItem, TaskList } from "graphile-worker";
import { collect_router_states } from "./tasks/collect_router_states";
import { collect_session_states } from "./tasks/collect_session_states";
import { deploy_route_servers } from "./tasks/deploy_route_servers";
import { housekeeping } from "./tasks/housekeeping";
import { provision_connection } from "./tasks/provision_connection";
import { prune_worker_heartbeats } from "./tasks/prune_worker_heartbeats";
import { reconcile_controller } from "./tasks/reconcile_controller";
import { reconcile_lan } from "./tasks/reconcile_lan";
import { refresh_irr, refresh_irr_all } from "./tasks/refresh_irr";
import { refresh_network } from "./tasks/refresh_network";
import { refresh_networks } from "./tasks/refresh_networks";
import { remove_connection } from "./tasks/remove_connection";
import { sync_route_server_node } from "./tasks/sync_route_server_node";
import { send_email } from "./tasks/send_email";
import { ROUTER_STATES_JOB_KEY, SESSION_STATES_JOB_KEY } from "./keys";

/** Every task the worker runs, by identifier (library mode: no runtime TS loading). */
export const taskList: TaskList = {
  prune_worker_heartbeats,
  provision_connection,
  remove_connection,
  deploy_route_servers,
  refresh_network,
  collect_session_states,
  reconcile_controller,
  reconcile_lan,
  refresh_networks,
  housekeeping,
  sync_route_server_node,
  refresh_irr,
  refresh_irr_all,
  collect_router_states,
  send_email,
};

/** Tasks that run only in a worker's deployment slots (jobs/runner.ts), never in the others. */
export const DEPLOYMENT_TASKS: readonly string[] = ["deploy_route_servers"];

/**
 * Recurring work, in UTC. Identifiers are stable forever: graphile-worker keys its
 * "last run" bookkeeping on them.
 */
export const cronItems: CronItem[] = [
  {
    task: "prune_worker_heartbeats",
    match: "17 3 * * *",
    identifier: "prune_worker_heartbeats",
    options: { maxAttempts: 3, backfillPeriod: 0 },
    payload: { olderThanDays: 7 },
  },
  {
    task: "reconcile_controller",
    match: "*/5 * * * *",
    identifier: "reconcile_controller",
    options: { maxAttempts: 1, backfillPeriod: 0 },
    payload: {},
  },
  {
    task: "refresh_networks",
    match: "40 4 * * *",
    identifier: "refresh_networks",
    options: { maxAttempts: 3, backfillPeriod: 0 },
    payload: { spacingSeconds: 3 },
  },
  {
    // Daily IRR prefix lists, spread over six hours so the IRR server never sees a burst.
    task: "refresh_irr_all",
    match: "10 1 * * *",
    identifier: "refresh_irr_all",
    options: { maxAttempts: 3, backfillPeriod: 0 },
    payload: { spreadMinutes: 360 },
  },
  {
    task: "housekeeping",
    match: "23 * * * *",
    identifier: "housekeeping",
    options: { maxAttempts: 3, backfillPeriod: 0 },
    payload: {},
  },
  {
    task: "collect_session_states",
    match: "* * * * *",
    identifier: "collect_session_states",
    options: { maxAttempts: 1, backfillPeriod: 0, jobKey: SESSION_STATES_JOB_KEY, jobKeyMode: "replace" },
    payload: {},
  },
  {
    task: "collect_router_states",
    match: "* * * * *",
    identifier: "collect_router_states",
    options: { maxAttempts: 1, backfillPeriod: 0, jobKey: ROUTER_STATES_JOB_KEY, jobKeyMode: "replace" },
    payload: {},
  },
];
