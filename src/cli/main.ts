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
import { parseArgs, type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, COMMON_HELP, COMMON_OPTIONS, type Context, EXIT, has, type Output } from "./_command.ts";
import { VERSION } from "./_version.ts";
import { forgetZone, terminalLine } from "./_text.ts";

export { EXIT, type Output };

/**
 * The commands, by name, each loaded when it runs. To add a command, write
 * src/cli/NAME.ts exporting `command: Command` (see _command.ts) and add
 * one line here.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  who: async () => (await import("./who.ts")).command,
  users: async () => (await import("./users.ts")).command,
  last: async () => (await import("./last.ts")).command,
  lastb: async () => (await import("./last.ts")).lastb,
  lastlog: async () => (await import("./lastlog.ts")).command,
  dump: async () => (await import("./dump.ts")).command,
  watch: async () => (await import("./watch.ts")).command,
};

/**
 * Options given before the command name (`utmp --root /host who`), handed
 * to every command in `Context.globals` by key. To add one, add its spec here.
 */
const GLOBAL_OPTIONS: { key: string; long: string; arg: boolean; help: string }[] = [
  {
    key: "root",
    long: "root",
    arg: true,
    help: "read the system's files under this directory (a host's / mounted in a container)",
  },
];

const PROGRAM = "utmp";

async function usage(io: Output): Promise<void> {
  const lines = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(9)} ${(await load()).summary}`),
  );
  const globals = GLOBAL_OPTIONS.map((o) => `  --${o.long}${o.arg ? " VALUE" : ""}  ${o.help}\n`).join("");
  await io.out(
    `Usage: ${PROGRAM} ${GLOBAL_OPTIONS.length > 0 ? "[global options] " : ""}COMMAND [options] [arguments]

Read Unix login records: who is logged in (utmp), who logged in before (wtmp),
failed logins (btmp), last logins (lastlog).

Commands:
${lines.join("\n")}
${globals === "" ? "" : `\nGlobal options:\n${globals}`}
Run '${PROGRAM} COMMAND --help' for a command's options.
`,
  );
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
 * @param given Where to write (and read, for `dump --reverse`); what goes to standard error is escaped for a
 *   terminal (controls, escapes and bidi characters from paths and files shown as `\x1b`, `\u202e`).
 * @returns The exit code: 0, 1 when a file cannot be read, 2 for a usage error.
 */
export async function main(argv: readonly string[], given: Output): Promise<number> {
  forgetZone(); // the time zone (TZ) may have changed since the last run in this process
  // Every message on standard error is one line, and may quote a path or a value from a file (a symbolic link's
  // target under --root, a name from btmp): whatever a terminal acts on in it is escaped, in one place.
  const io: Output = { ...given, err: (text) => given.err(terminalLine(text)) };
  const globals: Record<string, string> = {};
  let i = 0;
  let name: string | undefined;
  try {
    for (; i < argv.length && argv[i]!.startsWith("--") && argv[i] !== "--help" && argv[i] !== "--version"; i++) {
      const [flag, inline] = argv[i]!.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const spec = GLOBAL_OPTIONS.find((o) => o.long === flag);
      if (spec === undefined) throw new UsageError(`unrecognized option '${argv[i]}'`);
      globals[spec.key] = spec.arg ? inline ?? argv[++i] ?? "" : "";
    }
    name = argv[i];
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      await usage(io);
      return name === undefined ? EXIT.USAGE : EXIT.OK;
    }
    if (name === "--version" || name === "-V") {
      await io.out(`${PROGRAM} ${VERSION}\n`);
      return EXIT.OK;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (load === undefined) {
      throw new UsageError(`unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")}`);
    }
    const command = await load();
    const args: ParsedArgs = parseArgs(argv.slice(i + 1), [...command.options, ...COMMON_OPTIONS], {
      ...(command.digits ? { digitsKey: "digit" } : {}),
    });
    if (has(args, "help")) {
      await io.out(`Usage: ${PROGRAM} ${command.name} ${command.usage}\n\n${command.help}${COMMON_HELP}`);
      return EXIT.OK;
    }
    if (has(args, "version")) {
      await io.out(`${PROGRAM} ${command.name} ${VERSION}\n`);
      return EXIT.OK;
    }
    const ctx: Context = { io, command: command.name, globals };
    return await command.run(args, ctx);
  } catch (error) {
    const where = name === undefined || name.startsWith("-") ? PROGRAM : `${PROGRAM} ${name}`;
    if (error instanceof UsageError) {
      io.err(`${where}: ${error.message}\n`);
      io.err(`Try '${where} --help' for more information.\n`);
      return EXIT.USAGE;
    }
    if (error instanceof OutputClosed) return EXIT.OK;
    if (process.env.UTMP_DEBUG) { for (const line of String((error as Error).stack).split("\n")) io.err(`${line}\n`); }
    io.err(`${where}: ${(error as Error).message ?? String(error)}\n`);
    return EXIT.CANNOT_READ;
  }
}

/** Standard output was closed by the reader (`utmp last | head`): stop quietly. */
class OutputClosed extends Error {
  override readonly name = "OutputClosed";
}

function isClosedPipe(error: unknown): boolean {
  const e = error as { code?: string; name?: string };
  return e?.code === "EPIPE" || e?.name === "BrokenPipe";
}

/**
 * Runs the command line of this process (`process.argv`) on its standard
 * streams and sets `process.exitCode`. Standard output is written with
 * back-pressure, so a large dump does not pile up in memory, and a closed
 * pipe (`utmp last | head`) ends the command quietly.
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
  const stdout = process.stdout;
  stdout.on?.("error", (error: unknown) => {
    if (isClosedPipe(error)) process.exit(EXIT.OK);
    throw error;
  });
  process.exitCode = await main(process.argv.slice(2), {
    out: (chunk) =>
      new Promise<void>((resolve, reject) => {
        try {
          if (stdout.write(chunk)) resolve();
          else stdout.once("drain", () => resolve());
        } catch (error) {
          reject(isClosedPipe(error) ? new OutputClosed() : error);
        }
      }),
    err: (text) => void process.stderr.write(text),
  });
}

// No top-level await here: `require("@utmp/utmp/cli")` must work on Node >= 20.19.
if (import.meta.main) void run();
