/**
 * `utmp lastlog` over a lastlog2 database: what util-linux 2.41's `lastlog2`
 * prints (`misc-utils/lastlog2.c` `print_entry`), byte for byte: every row
 * of the database by name (`ORDER BY Name`, not the password file's users),
 * or with `-u` the one user (who must be in the password file), and its
 * reading options `-a -b -s -t -u`. Text from the database is escaped for
 * the terminal (README, Robustness), where lastlog2 prints it raw.
 *
 * @module
 */

import { utf8String } from "../_internal/bytes.ts";
import type { PasswdEntry } from "../_internal/passwd.ts";
import { lastlog2Entries, type LastLogin } from "../sources/lastlog2.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { lastValue, type Writer } from "./_command.ts";
import { terminalText } from "../_internal/escape/terminal.ts";

/** The maximum width of an IPv6 address with a zone (lastlog2.c `maxIPv6Addrlen`). */
const HOST_WIDTH = 42;

/** printf `%-Ws` (or `%-W.Ps`) on a byte string. */
function field(text: string, width: number, precision = -1): string {
  const cut = precision >= 0 && text.length > precision ? text.slice(0, precision) : text;
  return cut.length >= width ? cut : cut + " ".repeat(width - cut.length);
}

/** Text from the database as the bytes printed: escaped for the terminal, as UTF-8 bytes. */
const printed = (text: string): string => utf8String(terminalText(text));

/** lastlog2's `strtoul_or_err(optarg, "Cannot parse days")`, in seconds. */
function days(args: ParsedArgs, key: string): number | undefined {
  const value = lastValue(args, key);
  if (value === undefined) return undefined;
  if (!/^\s*\d+$/.test(value)) throw new UsageError(`Cannot parse days: '${value}'`);
  return Number(value) * 86400;
}

/** How a lastlog2 run reads the database and the password file. */
export interface Lastlog2Run {
  /** The database. */
  path: string;
  /** The password file (for -u, and the uids of --json). */
  passwd: string;
  /** Open the database and password file without following a link at their last component (under a root). */
  noFollow: boolean;
  /** The password file's users. */
  users: readonly PasswdEntry[];
  /** strftime("%a %b %e %H:%M:%S %z %Y") of a time, or "(unknown)". */
  time: (t: number) => string;
}

/**
 * Prints a lastlog2 database as `lastlog2` prints it (or, with
 * `--json`/`--ndjson`, the entries it would list, as `lastlogs()` gives them).
 *
 * @param args The command line of `utmp lastlog`.
 * @param out The output.
 * @param run The database, the password file and the time format.
 */
export async function printLastlog2(args: ParsedArgs, out: Writer, run: Lastlog2Run): Promise<void> {
  const active = args.options.some(([key]) => key === "active");
  const service = args.options.some(([key]) => key === "service");
  const before = days(args, "before");
  const recent = days(args, "time");
  const user = lastValue(args, "user");
  const now = Math.floor(Date.now() / 1000);
  let header = false;
  const entry = async (e: LastLogin | undefined, name: string): Promise<void> => {
    const t = e === undefined ? 0 : Math.floor(e.time.getTime() / 1000);
    if (before !== undefined && now - t < before) return;
    if (recent !== undefined && now - t > recent) return;
    let when = Number.isNaN(t) ? "(unknown)" : run.time(t);
    if (t === 0) {
      if (active) return;
      when = "**Never logged in**";
    }
    if (out.json) {
      await out.item({
        user: name,
        uid: e?.uid ?? -1,
        time: t === 0 ? null : e!.time,
        line: e?.line ?? "",
        host: e?.host ?? "",
        service: e?.service ?? "",
      });
      return;
    }
    if (!header) {
      const latest = service ? field(" ", when.length - 5) + "Service" : " ";
      await out.text(`Username         Port     From${" ".repeat(HOST_WIDTH - 4)} Latest${latest}\n`);
      header = true;
    }
    const svc = service ? field(e?.service ? " " : "", 31 - when.length) + printed(e?.service ?? "") : "";
    // The TTY as pam_lastlog2 stores it, without "/dev/" (a "/dev/" written by another hand is left out too).
    const tty = printed(e?.line ?? "");
    await out.text(
      `${field(printed(name), 16)} ${field(tty, 8, 8)} ${field(printed(e?.host ?? ""), HOST_WIDTH)} ${when}${svc}\n`,
    );
  };
  if (user !== undefined) {
    // lastlog2 -u: the user must be in the password file (getpwnam), whether or not the database has them.
    if (!run.users.some((u) => u.name === utf8String(user))) throw new UserError(`User '${user}' does not exist.`);
    let found: LastLogin | undefined;
    for await (const e of lastlog2Entries(run.path, { passwd: run.passwd, noFollow: run.noFollow })) {
      if (e.user === user) found ??= e;
    }
    await entry(found, user);
    return;
  }
  for await (const e of lastlog2Entries(run.path, { passwd: run.passwd, noFollow: run.noFollow })) {
    await entry(e, e.user);
  }
}

/** A user that `-u` names is not in the password file: lastlog2 says so and exits 1. */
export class UserError extends Error {
  /** Always "UserError". */
  override readonly name = "UserError";
}
