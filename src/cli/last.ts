/**
 * `utmp last` and `utmp lastb`: util-linux `last` and `lastb` (2.38.1 as
 * Debian 12 builds it), byte for byte.
 *
 * @module
 */

import { lookupService } from "node:dns";
import { byteString, p2, rawFields, storedSeconds, storedString, utf8String } from "../_internal/bytes.ts";
import { makeChunk, recordsOf, RecordView } from "../layouts/decode.ts";
import { LINUX } from "../layouts/linux.ts";
import { lastType, Pairing, type Session, SessionPairing } from "../last.ts";
import { historySources } from "../sources/history.ts";
import { ChainedHistory, type HistoryBatch, type NewestFirst } from "../sources/_history.ts";
import { factsOf, openHistory } from "../sources/_readers.ts";
import { rootOption } from "./_sources.ts";
import { printFailureSummary } from "./_summary.ts";
import type { UtmpRecord } from "../record.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, jsonMode, Writer } from "./_command.ts";
import { layoutOption } from "./_read.ts";
import { sourceOf } from "./_sources.ts";
import { type GuardedMachine, systemFor } from "./_system.ts";
import { Root } from "../sources/_root.ts";
import { parseTimestamp } from "./_timestamp.ts";
import { isUtf8Locale, TimeText } from "./_text.ts";
import { careful } from "../_internal/escape/util_linux.ts";
import { terminalField } from "../_internal/escape/coreutils.ts";

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
  readonly #format: (typeof TIME_FORMATS)[TimeFormat];
  readonly #login: TimeText;
  readonly #logout: TimeText;
  /** The alive check cut the next line's user name to 31 bytes (`is_phantom` writes a NUL into the record it prints). */
  cutUser = false;
  /** Lines listed so far, over every file (last.c `recsdone`). */
  #done = 0;
  /** last.c `currentdate`: when the file's processing started. */
  now = Math.floor(Date.now() / 1000);

  constructor(ctl: LastControl, out: Writer) {
    this.#ctl = ctl;
    this.#out = out;
    this.#format = TIME_FORMATS[ctl.timeFormat];
    this.#login = timeText(this.#format.inFmt, this.#format.inLen);
    this.#logout = timeText(this.#format.outFmt, this.#format.outLen);
  }

  /**
   * last.c list(): one line for a record, unless the operands or --present
   * leave it out, written into the output buffer (the caller flushes it).
   *
   * @param u The login (or system) record.
   * @param logoutTime When it ended, 0 for never.
   * @param what How it ended.
   * @param lineName The line column, where last.c writes its own ("system boot").
   * @param json With --json/--ndjson: the value printed instead of the line.
   * @returns True when the line limit is reached (quit); a promise of it for JSON.
   */
  list(u: UtmpRecord, logoutTime: number, what: What, lineName?: string, json?: unknown): boolean | Promise<boolean> {
    const ctl = this.#ctl;
    let line = lineName ?? shown(u, "ut_line");
    if (line.startsWith("ftp") && /^ftp\d/.test(line)) line = "ftp";
    if (line.startsWith("uucp") && /^uucp\d/.test(line)) line = "uucp";
    const user = shown(u, "ut_user");
    if (ctl.show !== undefined) {
      const show = ctl.show.some((s) =>
        user.slice(0, 32) === s.slice(0, 32) || line === s || (line.startsWith("tty") && line.slice(3) === s)
      );
      if (!show) return false;
    }
    const loginTime = storedSeconds(u);
    if (ctl.present !== 0) {
      if (ctl.present < loginTime) return false;
      if (0 < logoutTime && logoutTime < ctl.present) return false;
    }
    this.#done++;
    const quit = ctl.maxRecs !== 0 && ctl.maxRecs <= this.#done;
    if (json !== undefined) {
      this.cutUser = false;
      return this.#out.item(json).then(() => quit);
    }
    this.#write(u, user, line, loginTime, logoutTime, what);
    this.cutUser = false;
    return quit;
  }

  /** last.c list()'s printf of one line, into the output buffer; then trim_trailing_spaces, fputs_careful. */
  #write(u: UtmpRecord, user: string, line: string, loginTime: number, logoutTime: number, what: What): void {
    const ctl = this.#ctl;
    const fmt = this.#format;
    /** What last.c writes in the logout column, when it is not a time. */
    let logout: string | undefined;
    /** The length column, when it is not the duration. */
    let length: string | undefined;
    if (logoutTime === this.now) {
      if (fmt.rank > 1) [logout, length] = ["  still running", ""];
      else [logout, length] = ["  still", "running"];
    }
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
    if (this.cutUser) user = user.slice(0, 31);
    const out = this.#out;
    const start = out.position;
    out.pad(user, 8, ctl.nameLen);
    out.write(" ");
    out.pad(line, 12, 12);
    out.write(" ");
    if (ctl.showHost && !ctl.altList) {
      out.pad(domain, 16, ctl.domainLen);
      out.write(" ");
    }
    this.#login.writeTo(out, loginTime, fmt.inLen);
    out.write(" ");
    if (logout !== undefined) out.pad(logout, fmt.outLen, fmt.outLen);
    else if (fmt.outLen > 0) {
      out.write("- ");
      this.#logout.writeTo(out, logoutTime, fmt.outLen - 2);
    }
    out.write(" ");
    if (ctl.showHost && ctl.altList) {
      out.pad(length ?? duration(logoutTime - loginTime), 12, 12);
      out.write(" ");
      out.write(domain);
    } else if (length !== undefined) out.write(length);
    else writeDuration(out, logoutTime - loginTime);
    out.trimLine(start);
    // Only the stored strings can hold what fputs_careful escapes; the rest of a line is printable ASCII.
    if (!(printable(user) && printable(line) && printable(domain))) out.write(careful(out.takeFrom(start), this.#utf8));
  }

  /** The host column: ut_host, or with -i/-d the address (looked up with -d). */
  #domain(u: UtmpRecord): string {
    const host = shown(u, "ut_host");
    if (!this.#ctl.useDns && !this.#ctl.useIp) return host.length > 255 ? host.slice(0, 255) : host;
    const address = lastAddress(u.ut_addr_text);
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
    // The whole time, seconds included, whatever the format's width.
    await this.#out.text(`\n${utf8String(base)} begins ${timeText(this.#format.inFmt, Infinity).of(begin)}\n`);
  }
}

/** last.c's length column: "(days+hh:mm)", " (hh:mm)", " (-00:mm)". */
function duration(secs: number): string {
  const mins = Math.trunc(secs / 60) % 60;
  const hours = Math.trunc(secs / 3600) % 24;
  const days = Math.trunc(secs / 86400);
  if (days !== 0) return `(${days}+${p2(Math.abs(hours))}:${p2(Math.abs(mins))})`;
  if (hours !== 0) return ` (${p2(hours)}:${p2(Math.abs(mins))})`;
  if (secs >= 0) return ` (${p2(hours)}:${p2(mins)})`;
  return ` (-00:${p2(Math.abs(mins))})`;
}

/** {@link duration}, written in pieces for the common case (under a day): no string made per line. */
function writeDuration(out: Writer, secs: number): void {
  if (secs < 0 || secs >= 86400) return out.write(duration(secs));
  out.write(" (");
  out.write(p2(Math.trunc(secs / 3600)));
  out.write(":");
  out.write(p2(Math.trunc(secs / 60) % 60));
  out.write(")");
}

/** last.c time_formatter, for many times: `width` says how much of ctime is shown. */
function timeText(format: TimeFormatter, width: number): TimeText {
  switch (format) {
    case "none":
      return new TimeText("none");
    case "hhmm":
      return new TimeText("hhmm");
    case "ctime":
      // The short format shows ctime's first 16 characters: up to the minute.
      return new TimeText(width <= 16 ? "ctime-minutes" : "ctime");
    case "iso":
      return new TimeText("iso");
  }
}

/** Whether every char is printable ASCII (what fputs_careful leaves as it is). */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/**
 * last.c dns_lookup's address, from the record's `inet_ntop` text: IPv4 when
 * the last three words are zero (the text already is) or it is IPv4-mapped
 * ("::ffff:192.0.2.7" is shown as "192.0.2.7").
 */
function lastAddress(text: string): string {
  return text.startsWith("::ffff:") && text.includes(".") ? text.slice(7) : text;
}

/** Host names for -d, by getnameinfo (numeric when an address has no name). */
async function lookUp(addresses: Iterable<string>, names: Map<string, string>, system: GuardedMachine): Promise<void> {
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
function aliveCheck(system: GuardedMachine, printer: LastPrinter): (u: UtmpRecord) => boolean {
  const bootTime = system.bootTime();
  return (u) => {
    if (storedSeconds(u) < bootTime) return false;
    printer.cutUser = true;
    const raw = rawFields(u);
    const uid = system.uidOf(byteString(raw.ut_user).slice(0, 31));
    if (uid === undefined) return false;
    const loginUid = system.loginUid(u.ut_pid);
    if (loginUid !== "absent") return loginUid === uid;
    const tty = system.statTty("/dev/" + new TextDecoder().decode(raw.ut_line));
    return tty !== undefined && tty.uid === uid;
  };
}

/** last.c's R_* value for a session, from how the pairing ended it. */
function lastEnd(kind: Session["kind"], end: Session["end"]): What {
  switch (kind) {
    case "login":
      switch (end) {
        case "crash":
          return "crash";
        case "down":
          return "down";
        case "still logged in":
          return "now";
        case "gone - no logout":
          return "phantom";
        default:
          return "normal";
      }
    case "reboot":
      return "reboot";
    case "clock":
      return "timechange";
    default:
      return "normal";
  }
}

/** The logout time last.c lists for a session: its end's, else now (0 for a login or a shutdown never ended). */
function logoutTimeOf(kind: Session["kind"], logout: number | null, now: number): number {
  if (logout !== null) return logout;
  return kind === "login" || kind === "shutdown" ? 0 : now;
}

/** The line column last.c writes over ut_line for system pseudo-sessions. */
function lineName(kind: Session["kind"], u: UtmpRecord): string | undefined {
  switch (kind) {
    case "reboot":
      return "system boot";
    case "shutdown":
      return "system down";
    case "clock":
      return lastType(u) === "NEW_TIME" ? "new time" : "old time";
    case "runlevel": {
      const level = u.ut_pid & 255;
      // last.c writes sprintf("(to lvl %c)", level): a level byte of 0 ends the C string there.
      return level === 0 ? "(to lvl " : `(to lvl ${String.fromCharCode(level)})`;
    }
  }
  return undefined;
}

/**
 * What a run does with each record, newest first: list it, or pair it and
 * list a completed session; true to quit. `file`: the file it came from, when
 * a rotated set is read (JSON says it).
 */
type Visit = (u: UtmpRecord, file?: string) => boolean | Promise<boolean>;

async function run(args: ParsedArgs, ctx: Context, lastb: boolean): Promise<number> {
  const kind = lastb ? "failures" : "history";
  // Without -f: the system's wtmp (or wtmpdb where there is no wtmp), or its btmp.
  const named = args.options.filter(([key]) => key === "file").map(([, value]) => value);
  const files = named.length > 0 ? named : [undefined];
  const out = new Writer(ctx.io, jsonMode(args));
  // last.c's options are read once a wtmp (or btmp) is met: a wtmpdb is printed as wtmpdb last prints it.
  let ctl: LastControl | undefined;
  let printer: LastPrinter | undefined;
  // The reader of processes and terminals is loaded at the first open login (a file whose logins all ended needs
  // none), at once under a root (its notes are said before any output) and for JSON (the library's pairing).
  const system = await systemFor(ctx, ctx.globals.root, Root.of(ctx.globals.root).confines || out.json);
  const layout = layoutOption(args);
  // --rotated: each file (or the system's) with the rotated set it heads, read as one history, oldest named last.
  const rotated = args.options.some(([key]) => key === "rotated");
  if (lastb && args.options.some(([key]) => key === "summary")) {
    // lastb --summary: the failures of every file named (or the system's btmp) counted together.
    await printFailureSummary(out, {
      ...(named.length > 0 ? { paths: named } : rootOption(ctx)),
      rotated,
      ...(layout !== "auto" ? { layout } : {}),
    });
    await out.end();
    return EXIT.OK;
  }
  for (const file of files) {
    const set = rotated
      ? await historySources({
        ...(file !== undefined ? { path: file } : rootOption(ctx)),
        ...(lastb ? { source: "btmp" as const } : {}),
        rotated,
      })
      : undefined;
    const chosen = set?.at(-1) ?? await sourceOf(ctx, kind, file);
    // A wtmpdb's rows are sessions already: each member as wtmpdb last prints it, newest first.
    if (!lastb && (set ?? [chosen]).every((m) => factsOf(m.source).keepsSessions)) {
      const { printWtmpdb } = await import("./wtmpdb_last.ts");
      if (set === undefined) await printWtmpdb(args, ctx, out, chosen.path, file ?? "wtmpdb");
      else for (const m of set.toReversed()) await printWtmpdb(args, ctx, out, m.path, m.name);
      continue;
    }
    ctl ??= controlOf(args, lastb);
    printer ??= new LastPrinter(ctl, out);
    printer.now = Math.floor(Date.now() / 1000);
    const warn = (path: string, reason: string) =>
      ctx.io.err(`utmp ${ctx.command}: "${path}": ${reason}; it is left out\n`);
    // Each batch is printed before the next is read, and the pairing keeps times only: buffers can be reused.
    const history: NewestFirst = set !== undefined
      ? new ChainedHistory(lastb ? set.map((m) => ({ ...m, source: "btmp" })) : set, openHistory, {
        layout,
        reuseBuffers: !out.json,
        onWarning: (m, w) => warn(m.path, w.reason),
      })
      : await openHistory(chosen, {
        layout,
        reuseBuffers: !out.json,
        onWarning: (w) => warn(chosen.path, w.reason),
      });
    const begins = set?.[0] ?? chosen;
    try {
      const visit = lastb
        ? failures(ctl, printer, out)
        : out.json
        ? sessionsJson(ctl, printer, system)
        : sessions(ctl, printer, system);
      const view = new RecordView(EMPTY, 0);
      read: for await (const batch of history.batches()) {
        const from = (batch as { member?: { path: string } }).member?.path;
        if (ctl.useDns) await lookUp(addresses(batch), printer.names, system);
        if (batch.chunk !== undefined) {
          // JSON keeps records past their visit (the pairing holds them): a view each; text, one view moved along.
          for (const u of recordsOf(batch.chunk, { reverse: true, reuse: out.json ? undefined : view })) {
            const quit = visit(u, from);
            if (quit === true || (quit !== false && await quit)) break read;
          }
        } else {
          for (let i = batch.records.length - 1; i >= 0; i--) {
            const quit = visit(batch.records[i]!, from);
            if (quit === true || (quit !== false && await quit)) break read;
            await out.flushIfFull();
          }
        }
        await out.flushIfFull();
      }
      // After the records: a wtmpdb read to its oldest record needs no pass of its own to say when it begins.
      await printer.begins(begins.name, (await history.begins()) ?? printer.now);
    } finally {
      await history.close();
    }
  }
  await out.end();
  return EXIT.OK;
}

/** An empty chunk for the one record view a run moves over its records. */
const EMPTY = makeChunk(new Uint8Array(384), LINUX, 0, 0);

/** The addresses of a batch's records (for -d, looked up ahead). */
function addresses(batch: HistoryBatch): string[] {
  if (batch.records !== undefined) return batch.records.map((u) => lastAddress(u.ut_addr_text));
  const { bytes, view, codec } = batch.chunk;
  const all: string[] = [];
  for (let at = 0; at < bytes.length; at += codec.layout.size) all.push(lastAddress(codec.addrText(bytes, view, at)));
  return all;
}

/**
 * A string field as last prints it: a file's stored bytes (fputs_careful
 * escapes them as util-linux does); a record that is no file's (offset -1:
 * the journal's failed logins) with whatever a terminal acts on escaped.
 */
function shown(u: UtmpRecord, field: "ut_user" | "ut_line" | "ut_host"): string {
  return u.offset < 0 ? terminalField(u, field) : storedString(u, field);
}

/** lastb: every record listed as a login that ended at once (last.c with R_NORMAL and its own time). */
function failures(ctl: LastControl, printer: LastPrinter, out: Writer): Visit {
  return (u, file) => {
    const t = storedSeconds(u);
    if ((ctl.since !== 0 && t < ctl.since) || (ctl.until !== 0 && ctl.until < t)) return false;
    const json = !out.json ? undefined : file === undefined ? u : { ...u.toJSON(), file };
    return printer.list(u, t, "normal", undefined, json);
  };
}

/** last: each record paired as last.c pairs it; a completed session listed. The pairing keeps times only. */
function sessions(ctl: LastControl, printer: LastPrinter, system: GuardedMachine): Visit {
  const pairing = new Pairing<number>(ctl.since, ctl.until);
  const isAlive = aliveCheck(system, printer);
  return (u) => {
    if (!pairing.stepRecord(u, storedSeconds(u))) return false;
    const kind = pairing.kind;
    if (kind !== "login" && kind !== "reboot" && !ctl.extended) return false;
    const list = (): boolean | Promise<boolean> => {
      const end = pairing.endOf(() => isAlive(u));
      return printer.list(u, logoutTimeOf(kind, pairing.logout, printer.now), lastEnd(kind, end), lineName(kind, u));
    };
    // The record stays where it is until the run has awaited this visit.
    return pairing.end === "open" && !system.loaded ? system.load().then(list) : list();
  };
}

/** last --json: the library's sessions (records kept, not times), each listed as JSON. */
function sessionsJson(ctl: LastControl, printer: LastPrinter, system: GuardedMachine): Visit {
  const pairing = new SessionPairing({
    isAlive: aliveCheck(system, printer),
    ...(ctl.since !== 0 ? { since: new Date(ctl.since * 1000) } : {}),
    ...(ctl.until !== 0 ? { until: new Date(ctl.until * 1000) } : {}),
  });
  return async (u, file) => {
    for (const s of pairing.feed([u], file)) {
      if (s.kind !== "login" && s.kind !== "reboot" && !ctl.extended) continue;
      const logoutTime = logoutTimeOf(s.kind, s.logout?.ut_tv.tv_sec ?? null, printer.now);
      if (await printer.list(s.login, logoutTime, lastEnd(s.kind, s.end), lineName(s.kind, s.login), s)) return true;
    }
    return false;
  };
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
     --rotated        read the file with its rotated set (${file.split("/").pop()}.1, ${
    file.split("/").pop()
  }.2.gz, ...) as one
                        history, in time order
${
    file.endsWith("btmp")
      ? `     --summary        count the failures per source address and per user, with
                        the first and last time, most first
`
      : ""
  }${
    file.endsWith("btmp") ? "" : `
Over a wtmpdb database (-f FILE.db, or the system's where it keeps no wtmp),
the lines are wtmpdb last's (Debian 13's last), which also takes:
 -S, --service        display the PAM service used to log in
`
  }
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
  { key: "service", short: "S", long: "service" },
  { key: "rotated", long: "rotated" },
  { key: "summary", long: "summary" },
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
