import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import pg from "pg";

/** What tests/e2e/server.ts started, for tests to reach behind the portal's back. */
export type E2eState = { databaseUrl: string; peeringDbUrl: string; zerotierUrl: string; zerotierToken: string };

export const e2eStatePath = path.resolve(".data", "e2e", "state.json");

export function e2eState(): E2eState {
  return JSON.parse(readFileSync(e2eStatePath, "utf8")) as E2eState;
}

/** Runs the real CLI against the e2e database. */
export function cli(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "cli/index.ts", ...args], {
    input: stdin,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: e2eState().databaseUrl, ZTIX_DATA_DIR: path.resolve(".data", "e2e") },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Drives a simulator's /_sim/ control API. */
export async function simControl(which: "peeringdb" | "zerotier", path: string, body: unknown = {}) {
  const base = which === "peeringdb" ? e2eState().peeringDbUrl : e2eState().zerotierUrl;
  const response = await fetch(`${base}/_sim/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status, `${which} /_sim/${path}`).toBe(200);
  return response.json();
}

let counter = 0;
/** A unique local account made with the CLI, as an operator would. */
export function createUser(role: "admin" | "operator" | "member", prefix: string = role) {
  const username = `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const password = `correct horse ${counter} battery staple`;
  const result = cli(["users", "create", "--username", username, "--role", role, "--password-stdin"], `${password}\n`);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return { username, password };
}

export async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: e2eState().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function signIn(page: Page, user: { username: string; password: string }, target = "/") {
  await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(user.username);
}
