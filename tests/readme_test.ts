/**
 * README.md's TypeScript examples, as a reader copies them: every block
 * fenced as `ts` type-checks against the project (`@utmp/utmp` and its
 * subpaths through deno.json's import map) and runs on this machine with
 * `deno run -A`, from a directory of its own, without error or a word on
 * standard error; a block fenced as `ts no-run` type-checks only (see
 * tests/_readme.ts for the convention). Deno only: `deno check` is the
 * checker, and the README's examples are Deno programs (the npm README's
 * are checked in Node by scripts/npm_package_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./_harness.ts";
import { ORACLE_ENV, tempDir, TESTS_DIR } from "./_util.ts";
import { codeBlocks, runs } from "./_readme.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const ROOT = join(TESTS_DIR, "..");
const CONFIG = join(ROOT, "deno.json");

interface DenoCommand {
  Command: new (cmd: string, options: { args: string[]; cwd: string; env: Record<string, string> }) => {
    output(): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }>;
  };
}

/** Runs `deno ARGS` in `cwd`: exit code and the text of both outputs. */
async function denoIn(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { Command } = (globalThis as unknown as { Deno: DenoCommand }).Deno;
  const ran = await new Command(deno!.execPath(), { args, cwd, env: { ...ORACLE_ENV, NO_COLOR: "1" } }).output();
  const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  return { code: ran.code, out: text(ran.stdout), err: text(ran.stderr) };
}

test(
  "README.md's ts and js blocks type-check, and those not marked no-run run on this machine without an error",
  async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const blocks = codeBlocks(readme).filter((b) => b.lang === "ts" || b.lang === "js");
    assert.ok(blocks.length >= 5, `README.md has ${blocks.length} ts blocks`);
    // The first example is one that runs anywhere: it reads the live system and copes with one that keeps nothing.
    assert.ok(runs(blocks[0]!), "the first ts block runs");
    assert.match(blocks[0]!.code, /\bloggedIn\(\)/);
    using tmp = tempDir();
    // A js block is checked as JavaScript is (--check-js would ask for types plain JavaScript has not), then run.
    const files = blocks.map((b) => tmp.file(`readme_line${b.line}.${b.lang}`, b.code));
    const typed = files.filter((f) => f.endsWith(".ts"));
    const checked = await denoIn(tmp.dir, ["check", "--quiet", "--no-lock", "--config", CONFIG, ...typed]);
    assert.equal(checked.code, 0, `deno check of README.md's ts blocks:\n${checked.err}${checked.out}`);
    for (const [i, block] of blocks.entries()) {
      if (!runs(block)) continue;
      const ran = await denoIn(tmp.dir, ["run", "-A", "--quiet", "--no-lock", "--config", CONFIG, files[i]!]);
      assert.equal(ran.code, 0, `README.md line ${block.line}:\n${ran.err}`);
      assert.equal(ran.err, "", `README.md line ${block.line}`);
    }
  },
  { ignore: deno === undefined },
);

test(
  "README.md's $ utmp examples over the fixtures print what it shows when run as it says in the repository (deno task CMD)",
  async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    assert.match(readme, /In this repository, `utmp CMD` below is `npx deno task CMD`/);
    const examples: { argv: string[]; shown: string[] }[] = [];
    for (const block of codeBlocks(readme).filter((b) => b.lang === "text")) {
      let current: { argv: string[]; shown: string[] } | undefined;
      for (const line of block.code.split("\n")) {
        const command = /^\$ utmp (.*?)(?:\s+#.*)?$/.exec(line);
        if (command !== null) {
          // Only those that read a fixture and print to the terminal: the others need a machine's files or jq.
          const args = command[1]!;
          current = /tests\/fixtures\//.test(args) && !args.includes("|")
            ? { argv: args.split(/\s+/), shown: [] }
            : undefined;
          if (current !== undefined) examples.push(current);
        } else if (line.startsWith("$ ")) current = undefined;
        else if (current !== undefined && line !== "…" && line !== "") current.shown.push(line);
      }
    }
    assert.ok(examples.length >= 5, `${examples.length} examples`);
    for (const { argv, shown } of examples) {
      const ran = await denoIn(ROOT, ["task", "--quiet", ...argv]);
      assert.equal(ran.code, 0, `deno task ${argv.join(" ")}: ${ran.err}`);
      // The lines shown, in order, among those printed ("…" marks lines left out).
      const printed = ran.out.split("\n");
      let at = 0;
      for (const line of shown) {
        const found = printed.indexOf(line, at);
        assert.ok(found >= 0, `deno task ${argv.join(" ")} does not print, where the README shows it:\n${line}`);
        at = found + 1;
      }
    }
  },
  { ignore: deno === undefined },
);
