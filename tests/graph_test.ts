/**
 * The module graph is one-way: no module imports, directly or through
 * others, a module that imports it, type imports included (`deno info`
 * lists both). A cycle is where a layer stops being a layer (README, How
 * the code is laid out).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "./_harness.ts";
import { MODULE_ROOT } from "./_util.ts";

interface Graph {
  modules: { specifier: string; dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[] }[];
}

/** The project's own modules reachable from `entry`, each with the own modules it imports (code or type). */
function graphOf(entry: string): Map<string, string[]> {
  const ran = spawnSync(process.execPath, ["info", "--json", entry], { cwd: MODULE_ROOT, encoding: "utf8" });
  assert.equal(ran.status, 0, ran.stderr);
  const graph = JSON.parse(ran.stdout) as Graph;
  const own = (s: string) => s.startsWith("file:");
  return new Map(
    graph.modules.filter((m) => own(m.specifier)).map((m) => [
      m.specifier,
      (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier]).filter((s): s is string =>
        s !== undefined && own(s)
      ),
    ]),
  );
}

/** Every cycle through the project's own modules reachable from `entry` (or in `edges`), each as a list of paths. */
function cycles(entry: string | Map<string, string[]>): string[][] {
  const edges = typeof entry === "string" ? graphOf(entry) : entry;
  const state = new Map<string, "open" | "done">();
  const found: string[][] = [];
  const visit = (at: string, path: string[]): void => {
    state.set(at, "open");
    path.push(at);
    for (const next of edges.get(at) ?? []) {
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next, path);
    }
    path.pop();
    state.set(at, "done");
  };
  for (const specifier of edges.keys()) if (state.get(specifier) === undefined) visit(specifier, []);
  return found.map((c) => c.map((s) => s.slice(s.indexOf("/src/") + 1)));
}

/** Every `.ts` module under `dir` (relative to the module root), as a file URL. */
function modulesUnder(dir: string): string[] {
  return readdirSync(join(MODULE_ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => pathToFileURL(join(MODULE_ROOT, dir, f)).href)
    .sort();
}

test("the module graph of the library and the command line holds no cycle, type imports included", () => {
  for (const entry of ["mod.ts", "src/cli/main.ts", "src/sources/mod.ts", "src/layouts/mod.ts"]) {
    assert.deepEqual(cycles(entry), [], entry);
  }
}, { ignore: !("Deno" in globalThis) });

test("no module under src/ is in a cycle, type imports included, whether the entry points reach it or not", () => {
  const edges = new Map<string, string[]>();
  for (const entry of ["mod.ts", "src/cli/main.ts"]) for (const [m, to] of graphOf(entry)) edges.set(m, to);
  const all = modulesUnder("src");
  for (const m of all) if (!edges.has(m)) { for (const [n, to] of graphOf(m)) edges.set(n, to); }
  assert.deepEqual(all.filter((m) => !edges.has(m)), [], "every module looked at");
  assert.deepEqual(cycles(edges), []);
}, { ignore: !("Deno" in globalThis) });
