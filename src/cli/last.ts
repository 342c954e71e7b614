/**
 * `utmp last` and `utmp lastb`: util-linux `last` and `lastb` (2.38.1 as
 * Debian 12 builds it), byte for byte.
 *
 * @module
 */

import { lookupService } from "node:dns";
import { byteString, p2, rawFields, storedString, utf8String } from "../_internal/bytes.ts";
import { formatAddress } from "../layouts/_addr.ts";
import type { LayoutName } from "../layouts/registry.ts";
import { lastType, readBackward, type Session, SessionPairing } from "../last.ts";
import type { UtmpRecord } from "../record.ts";
import { wtmpdbRecords } from "../sources/wtmpdb.ts";
import { UtmpFile } from "../utmp_file.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, jsonMode, Writer } from "./_command.ts";
import { layoutOption } from "./_read.ts";
import { beginsAt, isWtmpdb, lastSource, wtmpdbNewestFirst } from "./_sources.ts";
import { type System, systemFor } from "./_system.ts";
import { parseTimestamp } from "./_timestamp.ts";
import { careful, ctime, isoLocal, isUtf8Locale, left, localtime } from "./_text.ts";

/**
 * last.c's `timefmts`: the widths of the login and logout columns, how each
 * is written, and the format's place in last.c's enum (`rank`: it compares
 * `time_fmt > LAST_TIMEFTM_SHORT`).
 */
const TIME_FORMATS = {
  notime: { inLen: 0, outLen: 0, inFmt: "none", outFmt: "none", rank: 0 },
  short: { inLen: 16, outLen: 7, inFmt: "ctime", outFmt: "hhmm", rank: 1 },
  full: { inLen: 24, outLen: 26, inFmt: "ctime", outFmt: "ctime", rank: 2 },
  iso: { inLen: 25, outLen: 27, inFmt: "iso", outFmt: "iso", rank: 3 },
} as const;

type TimeFormat = keyof typeof TIME_FORMATS;

/** How last.c's time_formatter writes a time. */
type TimeFormatter = "none" | "hhmm" | "ctime" | "iso";

/** What list() is told about a line (last.c's R_* values). */
type What = "normal" | "crash" | "down" | "now" | "phantom" | "reboot" | "timechange";

/** The options of last.c's `struct last_control`. */
interface LastControl {
  lastb: boolean;
  extended: boolean;
  showHost: boolean;
  altList: boolean;
  useDns: boolean;
  useIp: boolean;
  nameLen: number;
  domainLen: number;
  maxRecs: number;
  show: string[] | undefined;
  since: number;
  until: number;
  present: number;
  timeFormat: TimeFormat;
  files: string[];
}

function controlOf(args: ParsedArgs, lastb: boolean): LastControl {
  const ctl: LastControl = {
    lastb,
    extended: false,
    showHost: true,
    altList: false,
    useDns: false,
    useIp: false,
    nameLen: 8,
    domainLen: 16,
    maxRecs: 0,
    show: undefined,
    since: 0,
    until: 0,
    present: 0,
    timeFormat: "short",
    files: [],
  };
  let fullTimes = false;
  let timeFormatGiven = false;
  const time = (value: string): number => {
    const t = parseTimestamp(value);
    if (t === undefined) throw new UsageError(`invalid time value "${value}"`);
    return t;
  };
  for (const [key, value] of args.options) {
    switch (key) {
      case "nohostname":
        ctl.showHost = false;
        break;
      case "system":
        ctl.extended = true;
        break;
      case "limit": {
        if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new UsageError(`failed to parse number: '${value}'`);
        ctl.maxRecs = Number(value) >>> 0;
        break;
      }
      case "digit":
        ctl.maxRecs = (10 * ctl.maxRecs + Number(value)) >>> 0;
        break;
      case "file":
        ctl.files.push(value);
        break;
      case "dns":
        ctl.useDns = true;
        break;
      case "ip":
        ctl.useIp = true;
        break;
      case "hostlast":
        ctl.altList = true;
        break;
      case "fulltimes":
        fullTimes = true;
        ctl.timeFormat = "full";
        break;
      case "present":
        ctl.present = time(value);
        break;
      case "since":
        ctl.since = time(value);
        break;
      case "until":
        ctl.until = time(value);
        break;
      case "fullnames":
        ctl.nameLen = Math.max(ctl.nameLen, 32);
        ctl.domainLen = Math.max(ctl.domainLen, 256);
        break;
      case "time-format":
        if (!Object.hasOwn(TIME_FORMATS, value)) throw new UsageError(`unknown time format: ${value}`);
        timeFormatGiven = true;
        ctl.timeFormat = value as TimeFormat;
        break;
    }
    if (fullTimes && timeFormatGiven) throw new UsageError("mutually exclusive arguments: --fulltimes --time-format");
  }
  if (args.operands.length > 0) ctl.show = args.operands.map(utf8String);
  return ctl;
}

/** Prints last.c's lines for one run over one or more files. */
class LastPrinter {
  readonly #ctl: LastControl;
  readonly #out: Writer;
  readonly #utf8 = isUtf8Locale();
  /** Logins whose user name `is_phantom` cut to 31 bytes (it writes a NUL into the record it then prints). */
  readonly cutUser = new WeakSet<UtmpRecord>();
  /** Lines listed so far, over every file (last.c `recsdone`). */
  #done = 0;
  /** last.c `currentdate`: when the file's processing started. */
  now = Math.floor(Date.now() / 1000);

  constructor(ctl: LastControl, out: Writer) {
    this.#ctl = ctl;
    this.#out = out;
  }

  /**
   * last.c list(): one line for a record, unless the operands or --present leave it out.
   *
   * @param u The login (or system) record.
   * @param logoutTime When it ended, 0 for never.
   * @param what How it ended.
   * @param lineName The line column, where last.c writes its own ("system boot").
   * @param json With --json/--ndjson: the value printed instead of the line.
   * @returns True when the line limit is reached (quit).
   */
  async list(u: UtmpRecord, logoutTime: number, what: What, lineName?: string, json?: unknown): Promise<boolean> {
    const ctl = this.#ctl;
    let line = lineName ?? storedString(u, "ut_line");
    if (line.startsWith("ftp") && /^ftp\d/.test(line)) line = "ftp";
    if (line.startsWith("uucp") && /^uucp\d/.test(line)) line = "uucp";
    const user = storedString(u, "ut_user");
    if (ctl.show !== undefined) {
      const show = ctl.show.some((s) =>
        user.slice(0, 32) === s.slice(0, 32) || line === s || (line.startsWith("tty") && line.slice(3) === s)
      );
      if (!show) return false;
    }
    const loginTime = u.ut_tv.tv_sec;
    if (ctl.present !== 0) {
      if (ctl.present < loginTime) return false;
      if (0 < logoutTime && logoutTime < ctl.present) return false;
    }
    if (json !== undefined) await this.#out.item(json);
    else await this.#out.text(this.#format(u, user, line, loginTime, logoutTime, what));
    this.#done++;
    return ctl.maxRecs !== 0 && ctl.maxRecs <= this.#done;
  }

  #format(
    u: UtmpRecord,
    user: string,
    line: string,
    loginTime: number,
    logoutTime: number,
    what: What,
  ): string {
    const ctl = this.#ctl;
    const fmt = TIME_FORMATS[ctl.timeFormat];
    const login = this.#time(loginTime, fmt.inFmt);
    let logout = "- " + this.#time(logoutTime, fmt.outFmt);
    const secs = logoutTime - loginTime;
    const mins = Math.trunc(secs / 60) % 60;
    const hours = Math.trunc(secs / 3600) % 24;
    const days = Math.trunc(secs / 86400);
    let length: string;
    if (logoutTime === this.now) {
      if (fmt.rank > 1) [logout, length] = ["  still running", ""];
      else [logout, length] = ["  still", "running"];
    } else if (days !== 0) length = `(${days}+${p2(Math.abs(hours))}:${p2(Math.abs(mins))})`;
    else if (hours !== 0) length = ` (${p2(hours)}:${p2(Math.abs(mins))})`;
    else if (secs >= 0) length = ` (${p2(hours)}:${p2(mins)})`;
    else length = ` (-00:${p2(Math.abs(mins))})`;
    switch (what) {
      case "crash":
        logout = "- crash";
        break;
      case "down":
        logout = "- down ";
        break;
      case "now":
        if (fmt.rank > 1) [logout, length] = ["  still logged in", ""];
        else [logout, length] = ["  still", "logged in"];
        break;
      case "phantom":
        if (fmt.rank > 1) [logout, length] = ["  gone - no logout", ""];
        else if (fmt.rank === 1) [logout, length] = ["   gone", "- no logout"];
        else [logout, length] = ["", "no logout"];
        break;
      case "timechange":
        logout = length = "";
        break;
    }
    const domain = this.#domain(u);
    if (this.cutUser.has(u)) user = user.slice(0, 31);
    const name = left(user, 8, ctl.nameLen);
    const tty = left(line, 12, 12);
    const times = `${left(login, fmt.inLen, fmt.inLen)} ${left(logout, fmt.outLen, fmt.outLen)}`;
    let final: string;
    if (!ctl.showHost) final = `${name} ${tty} ${times} ${length}\n`;
    else if (!ctl.altList) final = `${name} ${tty} ${left(domain, 16, ctl.domainLen)} ${times} ${length}\n`;
    else final = `${name} ${tty} ${times} ${left(length, 12, 12)} ${domain}\n`;
    const trimmed = trimTrailingSpaces(final);
    // Only the stored strings can hold what fputs_careful escapes; the rest of a line is printable ASCII.
    return printable(user) && printable(line) && printable(domain) ? trimmed : careful(trimmed, this.#utf8);
  }

  /** last.c time_formatter. */
  #time(t: number, format: TimeFormatter): string {
    switch (format) {
      case "none":
        return "";
      case "hhmm": {
        const tm = localtime(t);
        return `${p2(tm.hour)}:${p2(tm.min)}`;
      }
      case "ctime":
        return ctime(t);
      case "iso":
        return isoLocal(t);
    }
  }

  /** The host column: ut_host, or with -i/-d the address (looked up with -d). */
  #domain(u: UtmpRecord): string {
    const host = storedString(u, "ut_host").slice(0, 255);
    if (!this.#ctl.useDns && !this.#ctl.useIp) return host;
    const address = lastAddress(u.ut_addr);
    return (this.#ctl.useDns ? this.names.get(address) : undefined) ?? address;
  }

  /** Host names of addresses, looked up ahead for -d. */
  readonly names = new Map<string, string>();

  /**
   * "\nFILE begins TIME\n".
   *
   * @param path The file.
   * @param begin Time of its first record.
   */
  async begins(path: string, begin: number): Promise<void> {
    const format = this.#ctl.timeFormat;
    if (format === "notime" || this.#out.json) return;
    const base = path.replace(/\/+$/, "").replace(/^.*\//, "") || (path.startsWith("/") ? "/" : path);
    await this.#out.text(`\n${utf8String(base)} begins ${this.#time(begin, TIME_FORMATS[format].inFmt)}\n`);
  }
}

/** last.c trim_trailing_spaces: strip trailing white space (C isspace), end with one newline. */
function trimTrailingSpaces(s: string): string {
  let p = s.length;
  while (p > 0 && isSpace(s.charCodeAt(--p)));
  if (p > 0) p++;
  return s.slice(0, p) + "\n";
}

/** Whether every char is printable ASCII (what fputs_careful leaves as it is). */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** last.c dns_lookup's address: IPv4 when the last three words are zero or it is IPv4-mapped. */
function lastAddress(octets: readonly number[]): string {
  if (octets.length !== 16) return octets.join(".");
  const mapped = octets.slice(0, 10).every((b) => b === 0) && octets[10] === 0xff && octets[11] === 0xff;
  return mapped ? octets.slice(12).join(".") : formatAddress(octets);
}

/** Host names for -d, by getnameinfo (numeric when an address has no name). */
async function lookUp(addresses: Iterable<string>, names: Map<string, string>, system: System): Promise<void> {
  await Promise.all(
    [...new Set(addresses)].filter((a) => !names.has(a)).map((address) =>
      new Promise<void>((resolve) => {
        try {
          lookupService(address, 0, (error, host) => {
            if (error === null && host) names.set(address, host);
            // Deno without --allow-net refuses the lookup: the address stays numeric, and the user is told.
            else if ((error as { code?: string } | null)?.code === "EPERM") system.deny("host names", "--allow-net");
            resolve();
          });
        } catch {
          resolve();
        }
      })
    ),
  );
}

/** last.c is_phantom, as the inverse: is a login with no logout and no boot since still there? */
function aliveCheck(system: System, printer: LastPrinter): (u: UtmpRecord) => boolean {
  const bootTime = system.bootTime();
  return (u) => {
    if (u.ut_tv.tv_sec < bootTime) return false;
    printer.cutUser.add(u);
    const raw = rawFields(u);
    const uid = system.uidOf(byteString(raw.ut_user).slice(0, 31));
    if (uid === undefined) return false;
    const loginUid = system.loginUid(u.ut_pid);
    if (loginUid !== "absent") return loginUid === uid;
    const tty = system.statTty("/dev/" + new TextDecoder().decode(raw.ut_line));
    return tty !== undefined && tty.uid === uid;
  };
}

/** The session as last.c lists it: logout time and R_* value. */
function listing(s: Session, now: number): { logoutTime: number; what: What } {
  const end = s.logout === null ? undefined : s.logout.ut_tv.tv_sec;
  switch (s.kind) {
    case "login":
      switch (s.end) {
        case "crash":
          return { logoutTime: end!, what: "crash" };
        case "down":
          return { logoutTime: end!, what: "down" };
        case "still logged in":
          return { logoutTime: 0, what: "now" };
        case "gone - no logout":
          return { logoutTime: 0, what: "phantom" };
        default:
          return { logoutTime: end!, what: "normal" };
      }
    case "reboot":
      return { logoutTime: end ?? now, what: "reboot" };
    case "shutdown":
      return { logoutTime: end ?? 0, what: "normal" };
    case "runlevel":
      return { logoutTime: end ?? now, what: "normal" };
    case "clock":
      return { logoutTime: end ?? now, what: "timechange" };
  }
}

/** The line column last.c writes over ut_line for system pseudo-sessions. */
function lineName(s: Session): string | undefined {
  switch (s.kind) {
    case "reboot":
      return "system boot";
    case "shutdown":
      return "system down";
    case "clock":
      return lastType(s.login) === "NEW_TIME" ? "new time" : "old time";
    case "runlevel": {
      const level = s.login.ut_pid & 255;
      // last.c writes sprintf("(to lvl %c)", level): a level byte of 0 ends the C string there.
      return level === 0 ? "(to lvl " : `(to lvl ${String.fromCharCode(level)})`;
    }
  }
  return undefined;
}

async function run(args: ParsedArgs, ctx: Context, lastb: boolean): Promise<number> {
  const ctl = controlOf(args, lastb);
  // Without -f: the system's wtmp (btmp), or its wtmpdb where there is no wtmp.
  const chosen = ctl.files.length > 0 ? undefined : await lastSource(ctx, lastb);
  const files = chosen === undefined ? ctl.files : [chosen.path];
  const out = new Writer(ctx.io, jsonMode(args));
  const printer = new LastPrinter(ctl, out);
  const system = systemFor(ctx);
  for (const path of files) {
    printer.now = Math.floor(Date.now() / 1000);
    const wtmpdb = chosen?.wtmpdb ?? (!lastb && await isWtmpdb(path));
    const wtmp = wtmpdb
      ? undefined
      : new UtmpFile(path, { layout: layoutOption(args), backend: "file", keepInvalid: true });
    const begin = await beginsAt(wtmp ?? wtmpdbRecords(path), path);
    const pairing = new SessionPairing({
      isAlive: aliveCheck(system, printer),
      ...(ctl.since !== 0 ? { since: new Date(ctl.since * 1000) } : {}),
      ...(ctl.until !== 0 ? { until: new Date(ctl.until * 1000) } : {}),
    });
    // Each batch is printed before the next is read, and the pairing copies what it holds: buffers can be reused.
    const batches = wtmpdb ? wtmpdbNewestFirst(path) : readBackward(path, {
      reuseBuffers: true,
      // The layout the first record was read with: detected once.
      layout: (wtmp?.layout?.name as LayoutName | undefined) ?? layoutOption(args),
      onWarning: (w) => ctx.io.err(`utmp ${ctx.command}: "${path}": ${w.reason}; it is left out\n`),
    });
    let quit = false;
    for await (const batch of batches) {
      if (ctl.useDns) await lookUp(batch.map((u) => lastAddress(u.ut_addr)), printer.names, system);
      if (lastb) {
        for (const u of batch) {
          const t = u.ut_tv.tv_sec;
          if ((ctl.since !== 0 && t < ctl.since) || (ctl.until !== 0 && ctl.until < t)) continue;
          if ((quit = await printer.list(u, t, "normal", undefined, out.json ? u : undefined))) break;
        }
      } else {
        for (const s of pairing.feed(batch)) {
          if (s.kind !== "login" && s.kind !== "reboot" && !ctl.extended) continue;
          const { logoutTime, what } = listing(s, printer.now);
          if ((quit = await printer.list(s.login, logoutTime, what, lineName(s), out.json ? s : undefined))) break;
        }
      }
      if (quit) break;
    }
    await batches.return();
    await printer.begins(path, begin);
  }
  await out.end();
  return EXIT.OK;
}

const HELP = (file: string): string =>
  `${file.endsWith("btmp") ? "Show a listing of failed login attempts." : "Show a listing of last logged in users."}

 -<number>            how many lines to show
 -a, --hostlast       display hostnames in the last column
 -d, --dns            translate the IP number back into a hostname
 -f, --file <file>    use a specific file instead of ${file}
 -F, --fulltimes      print full login and logout times and dates
 -i, --ip             display IP numbers in numbers-and-dots notation
 -n, --limit <number> how many lines to show
 -R, --nohostname     don't display the hostname field
 -s, --since <time>   display the lines since the specified time
 -t, --until <time>   display the lines until the specified time
 -p, --present <time> display who were present at the specified time
 -w, --fullnames      display full user and domain names
 -x, --system         display system shutdown entries and run level changes
     --time-format <format>  show timestamps in the specified <format>:
                               notime|short|full|iso

With --json/--ndjson: ${
    file.endsWith("btmp") ? "the records" : "the sessions (login and logout records, end, duration)"
  } as JSON.
`;

const OPTIONS = [
  { key: "limit", short: "n", long: "limit", arg: true },
  { key: "help", short: "h", long: "help" },
  { key: "file", short: "f", long: "file", arg: true },
  { key: "nohostname", short: "R", long: "nohostname" },
  { key: "version", short: "V", long: "version" },
  { key: "hostlast", short: "a", long: "hostlast" },
  { key: "since", short: "s", long: "since", arg: true },
  { key: "until", short: "t", long: "until", arg: true },
  { key: "present", short: "p", long: "present", arg: true },
  { key: "system", short: "x", long: "system" },
  { key: "dns", short: "d", long: "dns" },
  { key: "ip", short: "i", long: "ip" },
  { key: "fulltimes", short: "F", long: "fulltimes" },
  { key: "fullnames", short: "w", long: "fullnames" },
  { key: "time-format", long: "time-format", arg: true },
];

/** `utmp last`. */
export const command: Command = {
  name: "last",
  summary: "login history from wtmp (util-linux last)",
  usage: "[options] [<username>...] [<tty>...]",
  help: HELP("/var/log/wtmp"),
  options: OPTIONS,
  digits: true,
  run: (args, ctx) => run(args, ctx, false),
};

/** `utmp lastb`. */
export const lastb: Command = {
  name: "lastb",
  summary: "failed logins from btmp (util-linux lastb)",
  usage: "[options] [<username>...] [<tty>...]",
  help: HELP("/var/log/btmp"),
  options: OPTIONS,
  digits: true,
  run: (args, ctx) => run(args, ctx, true),
};
