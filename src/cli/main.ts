/**
 * The `utmp` command line.
 *
 * ```sh
 * deno run -A jsr:@utmp/utmp/cli who
 * ```
 *
 * @module
 */

import process from "node:process";
import { UtmpFile } from "../utmp_file.ts";
import { UtmpFileError, UtmpFormatError } from "../errors.ts";
import type { UtmpRecord } from "../record.ts";

/** Exit codes. */
export const EXIT = { OK: 0, CANNOT_READ: 1, USAGE: 2 } as const;

/** Where a command writes. */
export interface Output {
  /** Standard output. */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** coreutils uses "%b %e %H:%M" in the C/POSIX locale and "%Y-%m-%d %H:%M" in any other. */
function isCLocale(): boolean {
  const env = process.env;
  const locale = env.LC_ALL || env.LC_TIME || env.LANG || "C";
  return locale === "C" || locale === "POSIX";
}

/** coreutils `who`'s time column. */
export function whoTime(date: Date): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  if (isCLocale()) {
    return `${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, " ")} ${p2(date.getHours())}:${
      p2(date.getMinutes())
    }`;
  }
  return `${date.getFullYear()}-${p2(date.getMonth() + 1)}-${p2(date.getDate())} ${p2(date.getHours())}:${
    p2(date.getMinutes())
  }`;
}

/** One line of default `who` output. */
export function whoLine(u: UtmpRecord): string {
  const line = u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u.ut_line;
  const host = u.ut_host === "" ? "" : ` (${u.ut_host})`;
  return `${u.ut_user.padEnd(8)} ${line.padEnd(12)} ${whoTime(u.ut_time)}${host}`.trimEnd();
}

async function who(args: string[], io: Output): Promise<number> {
  const file = new UtmpFile(args[0]);
  for await (const u of file) {
    if (u.ut_user_process && u.ut_user !== "") io.out(whoLine(u) + "\n");
  }
  return EXIT.OK;
}

/**
 * Runs a command line.
 *
 * @param argv Arguments after the program name (`["who", "/var/log/wtmp"]`).
 * @param io Where to write.
 * @returns The exit code.
 */
export async function main(argv: string[], io: Output): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "who":
        return await who(rest, io);
      default:
        io.err(`utmp: unknown command "${command ?? ""}"; try: utmp who [FILE]\n`);
        return EXIT.USAGE;
    }
  } catch (error) {
    if (error instanceof UtmpFileError || error instanceof UtmpFormatError) {
      io.err(`utmp ${command}: ${error.message}\n`);
      return EXIT.CANNOT_READ;
    }
    throw error;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
}
