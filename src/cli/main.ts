/**
 * The `utmp` command line: `who`, `users`, `last`, `lastb`, `lastlog` and
 * `dump`, whose text output is byte for byte that of coreutils and
 * util-linux (run with `TZ` and `LC_ALL` as you run those), plus `--json`
 * and `--ndjson` for machines.
 *
 * ```sh
 * deno run -A jsr:@utmp/utmp/cli last
 * npx utmp who -a
 * ```
 *
 * @module
 */

import process from "node:process";
import { type OptionSpec, parseArgs, type ParsedArgs, UsageError } from "./_args.ts";
import {
  type Command,
  COMMON_HELP,
  COMMON_OPTIONS,
  type Context,
  EXIT,
  has,
  jsonMode,
  type Output,
} from "./_command.ts";
import { VERSION } from "./_version.ts";
import { runtime, tryGetEnv } from "../_internal/runtime.ts";
import { UtmpFormatError } from "../errors.ts";
import { forgetLocale, forgetZone } from "./_text.ts";
import { terminalLine } from "../_internal/escape/terminal.ts";
import { cliMessage, writeErrorMessage } from "./_messages.ts";

export { EXIT, type Output };

/**
 * The commands, by name, each loaded when it runs. To add a command, write
 * src/cli/NAME.ts exporting `command: Command` (see _command.ts) and add
 * one line here.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  who: async () => (await import("./who.ts")).command,
  users: async () => (await import("./users.ts")).command,
  w: async () => (await import("./w.ts")).command,
  last: async () => (await import("./last.ts")).command,
  lastb: async () => (await import("./last.ts")).lastb,
  lastlog: async () => (await import("./lastlog.ts")).command,
  dump: async () => (await import("./dump.ts")).command,
  watch: async () => (await import("./watch.ts")).command,
};

/**
 * Options every command takes, before or after its name (`utmp --root /host
 * who`, `utmp who --root=/host`), handed to every command in
 * `Context.globals` by key. After the command name only the whole name is
 * accepted (no prefix: who's `--r` stays `--runlevel`), and a command's own
 * option of the same name wins (lastlog's `-R, --root`, which means the
 * same). To add one, add its spec here.
 */
const GLOBAL_OPTIONS: readonly { key: string; long: string; arg: boolean; value: string; help: string }[] = [
  {
    key: "root",
    long: "root",
    arg: true,
    value: "DIR",
    help: "read the system's files under DIR (a host's / mounted in a container)",
  },
];

/** The global options as option specs of a command, under keys that cannot clash with the command's. */
const GLOBAL_SPECS: readonly OptionSpec[] = GLOBAL_OPTIONS.map((o) => ({
  key: `global:${o.key}`,
  long: o.long,
  arg: o.arg,
  exact: true,
}));

const PROGRAM = "utmp";

async function usage(io: Output): Promise<void> {
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(9)} ${(await load()).summary}`),
  );
  const globals = GLOBAL_OPTIONS.map((o) => `  --${o.long}${o.arg ? ` ${o.value}` : ""}  ${o.help}\n`).join("");
  await io.out(
    `Usage: ${PROGRAM} ${GLOBAL_OPTIONS.length > 0 ? "[global options] " : ""}COMMAND [options] [arguments]

Read Unix login records: who is logged in (utmp), who logged in before (wtmp),
failed logins (btmp), last logins (lastlog).

Commands:
${lines.join("\n")}
${globals === "" ? "" : `\nGlobal options (before or after COMMAND):\n${globals}`}
Run '${PROGRAM} COMMAND --help' or '${PROGRAM} help COMMAND' for a command's options.
`,
  );
}

/**
 * A command's `--help`: its usage, its own help, and the options every
 * command shares, less those its own help already describes (last's `-f,
 * --file`, lastlog's `-R, --root`) and those it refuses.
 */
function commandHelp(command: Command): string {
  // An option line of the command's own help: "  -f, --file <file>  ...", "      --ndjson  ...".
  const described = (long: string): boolean => new RegExp(`^ +(-\\w, )?--${long}\\b`, "m").test(command.help);
  const refused = new Set(command.refuses ?? []);
  const common = COMMON_HELP.filter(([long]) => !described(long) && !refused.has(long)).map(([, line]) => line);
  const globals = GLOBAL_OPTIONS.filter((o) => !described(o.long)).map((o) =>
    `      ${`--${o.long}${o.arg ? ` ${o.value}` : ""}`.padEnd(16)} ${o.help}`
  );
  return `Usage: ${PROGRAM} ${command.name} ${command.usage}\n\n${command.help}\nEvery command:\n${
    [...common, ...globals].join("\n")
  }\n`;
}

/** The command of that name, loaded. */
async function loadCommand(name: string): Promise<Command> {
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")}`);
  }
  return await load();
}

/**
 * The global options before the command name, from `argv[0]` on.
 *
 * @returns The index of the first argument that is not one (the command name).
 */
function leadingGlobals(argv: readonly string[], globals: Record<string, string>): number {
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "--" || arg === "--help" || arg === "--version") break;
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = GLOBAL_OPTIONS.find((o) => o.long === flag);
    if (spec === undefined) throw new UsageError(`unrecognized option '${arg}'`);
    if (!spec.arg) {
      if (inline !== undefined) throw new UsageError(`option '--${spec.long}' doesn't allow an argument`);
      globals[spec.key] = "";
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option '--${spec.long}' requires an argument`);
    globals[spec.key] = value;
  }
  return i;
}

/**
 * Runs a command line.
 *
 * @example Listing a wtmp as utmpdump does
 * ```ts
 * import { main } from "@utmp/utmp/cli";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [{ ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 0 }]));
 * let text = "";
 * const code = await main(["dump", path], {
 *   out: (chunk) => void (text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
 *   err: () => {},
 * });
 * assert.equal(code, 0);
 * assert.equal(text, "[2] [00000] [    ] [reboot  ] [~           ] [                    ] [0.0.0.0        ] [1970-01-01T00:00:00,000000+00:00]\n");
 * ```
 *
 * @param argv Arguments after the program name (`["who", "/var/log/wtmp"]`).
 * @param given Where to write (and read, for `dump --reverse`); by default the process's standard streams, as
 *   {@link run} writes them. What goes to standard error is escaped for a terminal (controls, escapes and bidi
 *   characters from paths and files shown as `\x1b`, `\u202e`).
 * @returns The exit code: 0, 1 when a file cannot be read, 2 for a usage error.
 * @throws {TypeError} When `argv` is not an array of strings, or `given` has no `out()` and `err()`.
 */
export async function main(argv: readonly string[], given: Output = processStreams().io): Promise<number> {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")) {
    throw new TypeError(
      `Cannot run the command line: main() takes the arguments as an array of strings (["who", "-a"]); got ${
        Array.isArray(argv)
          ? "an array holding a non-string"
          : argv === null || argv === undefined
          ? String(argv)
          : `a ${typeof argv}`
      }`,
    );
  }
  if (typeof given?.out !== "function" || typeof given?.err !== "function") {
    throw new TypeError(
      "Cannot run the command line: main()'s second argument, where to write, needs out(chunk) and err(text) (leave it out for the process's standard streams)",
    );
  }
  forgetZone(); // the time zone (TZ) may have changed since the last run in this process
  forgetLocale(); // and the locale
  // Every message on standard error is one line, and may quote a path or a value from a file (a symbolic link's
  // target under --root, a name from btmp): whatever a terminal acts on in it is escaped, in one place.
  const io: Output = { ...given, err: (text) => given.err(terminalLine(text)) };
  const globals: Record<string, string> = {};
  let command: Command | undefined;
  try {
    const i = leadingGlobals(argv, globals);
    const name = argv[i];
    if (name === undefined) {
      if (i > 0) throw new UsageError("missing command");
      await usage(io);
      return EXIT.USAGE;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? argv[i + 1] : undefined;
      if (topic === undefined) await usage(io);
      else await io.out(commandHelp(await loadCommand(topic)));
      return EXIT.OK;
    }
    if (name === "--version" || name === "-V" || name === "-v") {
      await io.out(`${PROGRAM} ${VERSION}\n`);
      return EXIT.OK;
    }
    if (name.startsWith("--")) throw new UsageError(`unrecognized option '${name}'`);
    if (name.startsWith("-") && name !== "-") throw new UsageError(`invalid option -- '${name[1]}'`);
    command = await loadCommand(name);
    const args: ParsedArgs = parseArgs(argv.slice(i + 1), [...command.options, ...COMMON_OPTIONS, ...GLOBAL_SPECS], {
      ...(command.digits ? { digitsKey: "digit" } : {}),
    });
    args.options = args.options.filter(([key, value]) => {
      if (!key.startsWith("global:")) return true;
      globals[key.slice("global:".length)] = value;
      return false;
    });
    if (has(args, "help")) {
      await io.out(commandHelp(command));
      return EXIT.OK;
    }
    if (has(args, "version")) {
      await io.out(`${PROGRAM} ${command.name} ${VERSION}\n`);
      return EXIT.OK;
    }
    jsonMode(args); // --json with --ndjson is a usage error for every command
    const where = `${PROGRAM} ${command.name}`;
    forgetLocale((what, flag, instead) =>
      io.err(`${where}: cannot check ${what}: not allowed (Deno needs ${flag}); going on ${instead}\n`)
    );
    const ctx: Context = { io, command: command.name, globals };
    return await command.run(args, ctx);
  } catch (error) {
    const where = command === undefined ? PROGRAM : `${PROGRAM} ${command.name}`;
    if (error instanceof UsageError) {
      io.err(`${where}: ${error.message}\n`);
      io.err(`Try '${where} --help' for more information.\n`);
      return EXIT.USAGE;
    }
    if (error instanceof OutputError) {
      // The reader went away (`utmp last | head`): stop quietly. Any other failed write (a full disk, a terminal
      // gone, a descriptor that takes no writes) is said once, and the command fails, as coreutils' do.
      if (isClosedPipe(error.cause)) return EXIT.OK;
      io.err(`${where}: ${writeErrorMessage(error.cause)}\n`);
      return EXIT.CANNOT_READ;
    }
    if (tryGetEnv("UTMP_DEBUG")) {
      for (const line of String((error as Error)?.stack ?? error).split("\n")) io.err(`${line}\n`);
    }
    io.err(`${where}: ${await describe(error, command?.name)}\n`);
    return EXIT.CANNOT_READ;
  }
}

/** An error's message; a refused layout detection's advice in the command line's words (`--layout`). */
async function describe(error: unknown, command: string | undefined): Promise<string> {
  if (error instanceof UtmpFormatError && error.refusal !== undefined) {
    const { refusalMessage } = await import("../layouts/_refusal.ts");
    return refusalMessage(error.refusal, "cli");
  }
  return cliMessage(error, command);
}

/** A write to standard output failed; `cause` is the runtime's error (EPIPE, ENOSPC, EIO, EBADF, ...). */
class OutputError extends Error {
  override readonly name = "OutputError";
}

function isClosedPipe(error: unknown): boolean {
  const e = error as { code?: string; name?: string };
  return e?.code === "EPIPE" || e?.name === "BrokenPipe";
}

/**
 * Runs the command line of this process (`process.argv`) on its standard
 * streams and sets `process.exitCode`. Standard output is written with
 * back-pressure, so a large dump does not pile up in memory. A closed pipe
 * (`utmp last | head`) ends the command quietly; any other failed write
 * (ENOSPC, EIO, EBADF) ends it at once with one line on standard error and
 * exit code 1, in every runtime.
 *
 * @example The entry of a `utmp` executable
 * ```ts ignore
 * import { run } from "@utmp/utmp/cli";
 * await run();
 * ```
 *
 * @returns When the command has finished.
 */
export async function run(): Promise<void> {
  const streams = processStreams();
  process.exitCode = await main(process.argv.slice(2), streams.io);
  // The command is done. Deno's file watcher never lets go once a FIFO appears in the directory it watches
  // (`utmp watch` after its wtmp was replaced by one): end now, so that a supervisor sees the exit and restarts
  // the watch. (Deno writes standard output synchronously: nothing written is lost.) After a failed write, end
  // now in every runtime: a stream that failed may hold the process open, and nothing more can be written.
  if (runtime === "deno" || streams.failed()) process.exit(process.exitCode);
}

/**
 * The process's standard streams as an {@link Output}, with back-pressure.
 * Each write waits for its own callback, which gets its error; nothing is
 * written after one failed (Deno never calls back a write to a stream that
 * failed), each later write is refused with the same error. The stream's
 * "error" event, emitted as well, only records it: a handler that throws
 * leaves Bun retrying the write forever.
 */
function processStreams(): { io: Output; failed(): boolean } {
  const stdout = process.stdout;
  let failed: unknown;
  stdout.on?.("error", (error: unknown) => void (failed ??= error));
  const io: Output = {
    out: (chunk) =>
      new Promise<void>((resolve, reject) => {
        const fail = (error: unknown) => {
          failed ??= error;
          reject(new OutputError("Cannot write to standard output", { cause: failed }));
        };
        if (failed !== undefined) return fail(failed);
        try {
          stdout.write(chunk, (error?: Error | null) => error ? fail(error) : resolve());
        } catch (error) {
          fail(error);
        }
      }),
    err: (text) => void process.stderr.write(text),
    ...(stdout.isTTY && stdout.columns > 0 ? { columns: stdout.columns } : {}),
  };
  return { io, failed: () => failed !== undefined };
}

// No top-level await here: `require("@utmp/utmp/cli")` must work on Node >= 20.19.
if (import.meta.main) void run();
