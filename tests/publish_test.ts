/**
 * What `deno publish` puts on JSR, from its dry run over the tracked files
 * (`git ls-files`, as a fresh clone has them, copied as they are now): the
 * library and the command line (`mod.ts`, `src/`, README.md, LICENSE,
 * deno.json), never the tests, the conformance suite over ../shared/fixtures,
 * the scripts, the benchmark, nor the npm-only modules. A developer's
 * untracked scratch file (the README's example.ts) is not what ships from
 * the repository, and does not fail the check. Deno only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { test } from "./_harness.ts";
import { tempDir, TESTS_DIR } from "./_util.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const ROOT = join(TESTS_DIR, "..");

/** The tracked files of the checkout, relative to its root; undefined where it is not a git checkout. */
function trackedFiles(): string[] | undefined {
  const ran = spawnSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" });
  if (ran.status !== 0) return undefined;
  return ran.stdout.split("\0").filter((f) => f !== "" && existsSync(join(ROOT, f)));
}

/** The files `deno publish --dry-run` lists for the project in `dir`, relative to it. */
function published(dir: string): string[] {
  const ran = spawnSync(deno!.execPath(), ["publish", "--dry-run", "--allow-dirty", "--no-check"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(ran.status, 0, ran.stderr);
  return [...`${ran.stdout}${ran.stderr}`.matchAll(/file:\/\/(\S+) \(/g)].map((m) =>
    m[1]!.slice(dir.length).replace(/^\//, "")
  );
}

const tracked = deno === undefined ? undefined : trackedFiles();

test(
  "deno publish --dry-run ships mod.ts, src/, README.md and LICENSE, and no tests, conformance, scripts or npm-only files",
  () => {
    using t = tempDir("utmp-publish-");
    const copy = t.dir;
    for (const file of tracked!) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(copy, file));
    }
    const files = published(copy);
    assert.ok(files.includes("mod.ts") && files.includes("README.md") && files.includes("LICENSE"), files.join(" "));
    assert.ok(files.some((f) => f.startsWith("src/cli/")), "the command line");
    for (const file of files) {
      assert.match(file, /^(mod\.ts|deno\.json|README\.md|LICENSE|src\/.+\.ts)$/, file);
      assert.doesNotMatch(file, /\.node\.ts$|^src\/ffi\/koffi\.ts$/, `${file} is for npm only`);
    }
  },
  { ignore: tracked === undefined },
);

test("deno publish --dry-run leaves out scratch/, the git-ignored place the README names for a scratch example", () => {
  const scratch = join(ROOT, "scratch");
  const made = !existsSync(scratch);
  const file = join(scratch, `publish-test-${process.pid}.ts`);
  mkdirSync(scratch, { recursive: true });
  try {
    copyFileSync(join(ROOT, "mod.ts"), file);
    const files = published(ROOT);
    assert.ok(files.includes("mod.ts"), files.join(" "));
    assert.ok(!files.some((f) => f.startsWith("scratch/")), files.join(" "));
  } finally {
    rmSync(made ? scratch : file, { recursive: true, force: true });
  }
}, { ignore: deno === undefined });
