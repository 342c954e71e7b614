/**
 * Running a command two ways for the differential tests: ours through
 * `main()` in this process, and the installed coreutils/util-linux tool,
 * both with TZ=UTC and LC_ALL=C.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { main } from "../../src/cli/main.ts";
import { join } from "node:path";
import { FIXTURES, ORACLE_ENV } from "../_util.ts";

// The tools' text depends on the zone and the locale: fix both for our side too.
process.env.TZ = "UTC";
process.env.LC_ALL = "C";
delete process.env.LANG;
delete process.env.LC_TIME;
delete process.env.LC_CTYPE;

/** What a run printed. */
export interface Ran {
  /** Exit code. */
  code: number;
  /** Standard output, as a byte string (one char per byte) so diffs show every byte. */
  out: string;
  /** Standard error. */
  err: string;
}

const latin1 = (bytes: Uint8Array): string => {
  let s = "";
  for (const c of bytes) s += String.fromCharCode(c);
  return s;
};

/**
 * A byte string (as {@link Ran.out} holds) back to its bytes.
 *
 * @param s A byte string.
 * @returns The bytes.
 */
export const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/**
 * A byte string's bytes read as UTF-8 (the text of `--json` output).
 *
 * @param s A byte string.
 * @returns The text.
 */
export const utf8Of = (s: string): string => new TextDecoder().decode(bytesOf(s));

async function* once(chunk: Uint8Array): AsyncGenerator<Uint8Array> {
  yield chunk;
}

/**
 * Runs our command line in this process.
 *
 * @param argv Arguments after "utmp".
 * @param stdin Standard input.
 * @returns Exit code and output.
 */
export async function ours(argv: string[], stdin?: Uint8Array): Promise<Ran> {
  const out: Uint8Array[] = [];
  let err = "";
  const code = await main(argv, {
    out: (chunk) => void out.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk.slice()),
    err: (text) => void (err += text),
    ...(stdin === undefined ? {} : { stdin: once(stdin) }),
  });
  return { code, out: out.map(latin1).join(""), err };
}

/**
 * Runs an installed tool.
 *
 * @param cmd The tool.
 * @param args Its arguments.
 * @param stdin Standard input.
 * @returns Exit code and output.
 */
export function oracle(cmd: string, args: string[], stdin?: Uint8Array): Ran {
  const r = spawnSync(cmd, args, { env: ORACLE_ENV, input: stdin ?? new Uint8Array(0), maxBuffer: 1 << 28 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status ?? -1, out: latin1(r.stdout), err: r.stderr.toString() };
}

/**
 * Runs `tool args` both ways and compares standard output and the exit code.
 *
 * @param tool The installed tool, and our command of the same name.
 * @param args Arguments of both.
 */
export async function same(tool: string, args: string[]): Promise<void> {
  const theirs = oracle(tool, args);
  const mine = await ours([tool, ...args]);
  assert.equal(mine.code, theirs.code, `exit code of ${tool} ${args.join(" ")}`);
  if (mine.out === theirs.out) return;
  // The clock moves on between the two runs: a column counted from now (who's idle time, the time since a
  // terminal was last used) may turn over a minute in between. Each line must then be the one the tool printed
  // just before ours or the one it prints just after.
  const after = oracle(tool, args);
  if (!withinTick(mine.out, theirs.out, after.out)) assert.equal(mine.out, after.out, `${tool} ${args.join(" ")}`);
}

/**
 * Whether an output made between two runs of the oracle is, line by line,
 * what the oracle printed in one of them: for columns counted from now,
 * which may turn over while the runs follow one another.
 *
 * @param mine Our output.
 * @param before The oracle's output just before.
 * @param after The oracle's output just after.
 * @returns True when every line of ours is the same line of `before` or of `after`.
 */
export function withinTick(mine: string, before: string, after: string): boolean {
  const [m, b, a] = [mine, before, after].map((text) => text.split("\n")) as [string[], string[], string[]];
  return m.length === b.length && b.length === a.length && m.every((line, i) => line === b[i] || line === a[i]);
}

/**
 * `utmpdump -r` of text given as bytes, written to `path`.
 *
 * @param text utmpdump text (a byte string).
 * @param path Where to write the binary.
 * @returns The path.
 */
export function utmpdumpR(text: string, path: string): string {
  const r = spawnSync("utmpdump", ["-r"], { env: ORACLE_ENV, input: bytesOf(text) });
  writeFileSync(path, r.stdout);
  return path;
}

/** The copied fixtures written by glibc on x86_64 (what the installed tools read natively). */
export const NATIVE_FIXTURES: readonly string[] = [
  "plaso/utmp",
  "plaso/utmp_x86_64",
  "plaso/wtmp.1",
  "plaso/utmp_corrupted",
  "dtformats/utmp-linux_libc6",
  "utmp-rs/basic32.utmp",
  "utmp-rs/with_host_32.utmp",
  "utmp-rs/long_user_32.utmp",
  "utmp-rs/empty.utmp",
  "linux-utmpx-rb/utmpx_dummy.dump",
  "linux-utmpx-rb/utmpx_ipv4.dump",
].map((f) => join(FIXTURES, f));

/** What a program started by {@link spawnDeno} printed: exit code, and its output as byte strings. */
export interface DenoRan {
  /** Exit code. */
  code: number;
  /** Standard output (a byte string). */
  out: string;
  /** Standard error (a byte string). */
  err: string;
}

interface DenoCommand {
  Command: new (
    cmd: string,
    options: { args: string[]; env?: Record<string, string>; clearEnv?: boolean; cwd?: string },
  ) => {
    outputSync(): { code: number; stdout: Uint8Array; stderr: Uint8Array };
  };
  execPath(): string;
}

/**
 * Runs a program (Deno only) so that a `deno` it is or starts gets exactly
 * the permissions its flags give: through `Deno.Command`, because Deno's
 * `node:child_process` gives a spawned `deno run` without a permission flag
 * `-A`, as Node would run a script (denoland/deno#35443), and would hide
 * what a user without the flags sees.
 *
 * @param cmd The program; `deno` for this Deno.
 * @param args Its arguments.
 * @param env The whole environment of the process.
 * @param cwd Its working directory.
 * @returns Exit code and output.
 */
export function spawnDeno(
  cmd: string,
  args: string[],
  env: Record<string, string> = ORACLE_ENV,
  cwd?: string,
): DenoRan {
  const deno = (globalThis as { Deno?: DenoCommand }).Deno;
  if (deno === undefined) throw new Error("Cannot run a program through Deno.Command: not running in Deno");
  const ran = new deno.Command(cmd === "deno" ? deno.execPath() : cmd, {
    args,
    env: { ...env, NO_COLOR: "1" },
    clearEnv: true,
    ...(cwd === undefined ? {} : { cwd }),
  }).outputSync();
  return { code: ran.code, out: latin1(ran.stdout), err: latin1(ran.stderr) };
}

/**
 * How to run our command line as a program in this runtime, through `run()`
 * on the process's own streams: Deno runs main.ts, Node and Bun a two-line
 * wrapper written into `dir`.
 *
 * @param dir A scratch directory (for the wrapper).
 * @returns The program and its first arguments.
 */
export function cliProgram(dir: string): string[] {
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const main = new URL(`../../src/cli/main.${ext}`, import.meta.url);
  if ("Deno" in globalThis) return [process.execPath, "run", "-A", fileURLToPath(main)];
  const wrapper = join(dir, "utmp.mjs");
  writeFileSync(wrapper, `import { run } from ${JSON.stringify(main.href)};\nawait run();\n`);
  return [process.execPath, wrapper];
}
