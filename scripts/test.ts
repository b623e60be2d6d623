/**
 * `npm test`: lint, type check, unit + integration tests (Vitest, real PostgreSQL) and
 * end-to-end tests (Playwright, Debian's chromium, production build). Every step runs even when
 * an earlier one failed; the last line sums them all: "N passed, N failed".
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres } from "../db/embedded";

const outputDir = path.resolve(".test-output");
const bin = (name: string) => path.resolve("node_modules", ".bin", name);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<number>((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    child.once("error", () => resolve(1));
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null;
  } catch {
    return null;
  }
}

type StepResult = { name: string; passed: number; failed: number; exitCode: number; failures?: string[] };

type VitestReport = {
  numPassedTests?: number;
  numFailedTests?: number;
  testResults?: { name: string; status: string; message?: string; assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[] }[];
};

/** "file > test: first line of the error", for the summary: CI shows its last lines only. */
function vitestFailures(report: VitestReport | null) {
  const failures: string[] = [];
  for (const file of report?.testResults ?? []) {
    const name = path.relative(process.cwd(), file.name);
    const failed = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failed) failures.push(`${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (failed.length === 0 && file.status === "failed") failures.push(`${name}: ${firstLine(file.message)}`);
  }
  return failures;
}

type PlaywrightSuite = { title?: string; file?: string; specs?: { title: string; ok: boolean; tests?: { results?: { error?: { message?: string } }[] }[] }[]; suites?: PlaywrightSuite[] };

function playwrightFailures(report: { suites?: PlaywrightSuite[] } | null) {
  const failures: string[] = [];
  const visit = (suite: PlaywrightSuite, file: string | undefined) => {
    for (const spec of suite.specs ?? []) {
      if (spec.ok) continue;
      const results = spec.tests?.flatMap((test) => test.results ?? []) ?? [];
      failures.push(`${suite.file ?? file ?? ""} > ${spec.title}: ${firstLine(results.at(-1)?.error?.message)}`);
    }
    for (const child of suite.suites ?? []) visit(child, suite.file ?? file);
  };
  for (const suite of report?.suites ?? []) visit(suite, suite.file);
  return failures;
}

function firstLine(text: string | undefined) {
  return (text ?? "no message").replace(/\x1b\[[0-9;]*m/g, "").split("\n").find((line) => line.trim() !== "")?.trim().slice(0, 300) ?? "no message";
}

async function main() {
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  const results: StepResult[] = [];
  const check = async (name: string, command: string, args: string[]) => {
    console.log(`\n== ${name} ==`);
    const exitCode = await run(command, args);
    results.push({ name, passed: exitCode === 0 ? 1 : 0, failed: exitCode === 0 ? 0 : 1, exitCode });
  };

  await check("lint", bin("eslint"), ["--max-warnings=0", "."]);
  await check("typecheck", bin("tsc"), ["--noEmit"]);

  // One PostgreSQL server for the whole run; every suite creates and drops its own databases on it.
  let stopDatabase = async () => undefined as void;
  const env = { ...process.env };
  if (!env.DATABASE_URL) {
    console.log("\n== embedded PostgreSQL for the tests (.data/test) ==");
    const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(".data", "test") });
    env.DATABASE_URL = embedded.url;
    stopDatabase = embedded.stop;
  }

  try {
    console.log("\n== unit and integration tests (vitest) ==");
    const vitestJson = path.join(outputDir, "vitest.json");
    const vitestExit = await run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`], env);
    const vitest = readJson(vitestJson) as VitestReport | null;
    results.push({
      name: "vitest",
      passed: vitest?.numPassedTests ?? 0,
      failed: (vitest?.numFailedTests ?? 0) + (vitestExit !== 0 && !vitest?.numFailedTests ? 1 : 0),
      exitCode: vitestExit,
      failures: vitestFailures(vitest),
    });

    // Other Node majors (ZTIX_TEST_NODE_VERSIONS=24, as .ci/run sets): the same vitest run under each.
    for (const major of (env.ZTIX_TEST_NODE_VERSIONS ?? "").split(/[\s,]+/).filter((entry) => /^\d+$/.test(entry))) {
      console.log(`\n== unit and integration tests under Node ${major} (vitest) ==`);
      const json = path.join(outputDir, `vitest-node${major}.json`);
      const exit = await run("npx", ["-y", `node@${major}`, path.resolve("node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${json}`], env);
      const report = readJson(json) as VitestReport | null;
      results.push({
        name: `vitest@${major}`,
        passed: report?.numPassedTests ?? 0,
        failed: (report?.numFailedTests ?? 0) + (exit !== 0 && !report?.numFailedTests ? 1 : 0),
        exitCode: exit,
        failures: vitestFailures(report),
      });
    }

    console.log("\n== end-to-end tests (playwright) ==");
    const playwrightJson = path.join(outputDir, "playwright.json");
    const playwrightExit = await run(bin("playwright"), ["test"], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson });
    const playwright = readJson(playwrightJson);
    const stats = (playwright?.stats ?? null) as { expected?: number; unexpected?: number; flaky?: number } | null;
    results.push({
      name: "playwright",
      passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
      failed: (stats?.unexpected ?? 0) + (playwrightExit !== 0 && !stats?.unexpected ? 1 : 0),
      exitCode: playwrightExit,
      failures: playwrightFailures(playwright as { suites?: PlaywrightSuite[] } | null),
    });
  } finally {
    await stopDatabase();
  }

  console.log("");
  // What failed, by name, just above the summary (the part of a long log a CI page shows).
  for (const result of results) for (const failure of result.failures ?? []) console.log(`failed in ${result.name}: ${failure}`);
  for (const result of results) {
    console.log(`${result.name.padEnd(11)} ${result.exitCode === 0 ? "ok    " : "FAILED"} ${result.passed} passed, ${result.failed} failed`);
  }
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const anyFailed = results.some((result) => result.exitCode !== 0) || failed > 0;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(anyFailed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`npm test: ${error instanceof Error ? error.message : String(error)}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
