/**
 * `utmp who`: coreutils `who`, byte for byte: 9.1 (Debian 12) over a utmp,
 * 9.7 (Debian 13, through sd-login) over logind's sessions
 * (`sessionTools`).
 *
 * @module
 */

import { p2, storedSeconds, storedString, stringBytes, utf8String } from "../_internal/bytes.ts";
import type { UtmpRecord, UtmpRecordObject } from "../record.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import { type Command, type Context, EXIT, jsonMode, lastValue, Writer } from "./_command.ts";
import { openRecords } from "./_read.ts";
import { sourceOf } from "./_sources.ts";
import { factsOf, readerOf, type SessionTools } from "../sources/_readers.ts";
import { type GuardedMachine, systemFor } from "./_system.ts";
import { formatAddress } from "../layouts/_addr.ts";
import { isCTimeLocale, right, TimeText } from "./_text.ts";
import { terminalField } from "../_internal/escape/coreutils.ts";
import { quotePath, terminalText } from "../_internal/escape/terminal.ts";
import { safeJson } from "../_internal/escape/json.ts";

const utf8 = new TextDecoder();

/** What to print, from the options (coreutils who.c's flags). */
interface WhoFlags {
  boot: boolean;
  dead: boolean;
  login: boolean;
  initspawn: boolean;
  runlevel: boolean;
  clock: boolean;
  users: boolean;
  mesg: boolean;
  idle: boolean;
  exit: boolean;
  heading: boolean;
  count: boolean;
  short: boolean;
  myLine: boolean;
  ips: boolean;
}

function flagsOf(args: ParsedArgs): WhoFlags {
  const f: WhoFlags = {
    boot: false,
    dead: false,
    login: false,
    initspawn: false,
    runlevel: false,
    clock: false,
    users: false,
    mesg: false,
    idle: false,
    exit: false,
    heading: false,
    count: false,
    short: false,
    myLine: false,
    ips: false,
  };
  let assumptions = true;
  for (const [key] of args.options) {
    switch (key) {
      case "all":
        f.boot =
          f.dead =
          f.login =
          f.initspawn =
          f.runlevel =
          f.clock =
          f.users =
            true;
        f.mesg = f.idle = f.exit = true;
        assumptions = false;
        break;
      case "boot":
        f.boot = true;
        assumptions = false;
        break;
      case "dead":
        f.dead = f.idle = f.exit = true;
        assumptions = false;
        break;
      case "heading":
        f.heading = true;
        break;
      case "login":
        f.login = f.idle = true;
        assumptions = false;
        break;
      case "m":
        f.myLine = true;
        break;
      case "process":
        f.initspawn = true;
        assumptions = false;
        break;
      case "count":
        f.count = true;
        break;
      case "runlevel":
        f.runlevel = f.idle = true;
        assumptions = false;
        break;
      case "short":
        f.short = true;
        break;
      case "time":
        f.clock = true;
        assumptions = false;
        break;
      case "mesg":
        f.mesg = true;
        break;
      case "users":
        f.users = f.idle = true;
        assumptions = false;
        break;
      case "ips":
        f.ips = true;
        break;
    }
  }
  if (assumptions) f.users = f.short = true;
  if (f.exit) f.short = false;
  return f;
}

/** Formats `who` lines (who.c's print_* functions). */
class WhoPrinter {
  readonly #f: WhoFlags;
  readonly #system: GuardedMachine;
  readonly #time: TimeText;
  readonly #timeWidth: number;
  readonly #out: Writer;
  #now: number | undefined;
  /** Whose `who` the lines are: 9.1 cuts user and line at utmp's 32 bytes and stats the line; 9.7 cuts nothing and stats what follows its first space. */
  tools: SessionTools = "debian-12";

  constructor(flags: WhoFlags, system: GuardedMachine, out: Writer) {
    this.#f = flags;
    this.#system = system;
    this.#out = out;
    const cLocale = isCTimeLocale();
    this.#time = new TimeText(cLocale ? "who-c" : "who");
    this.#timeWidth = cLocale ? 12 : 16;
  }

  /** who.c print_line: the fixed columns, written into the output buffer; trailing spaces removed, newline added. */
  line(
    userLen: number,
    user: string,
    state: string,
    lineLen: number,
    line: string,
    time: string,
    idle: string,
    pid: string,
    comment: string,
    exit: string,
  ): void {
    const f = this.#f;
    const out = this.#out;
    const start = out.position;
    out.pad(user, 8, userLen);
    if (f.mesg) {
      out.write(" ");
      out.write(state);
    }
    out.write(" ");
    out.pad(line, 12, lineLen);
    out.write(" ");
    out.pad(time, this.#timeWidth);
    if (f.idle && !f.short && idle.length < 7) {
      out.write(" ");
      out.pad(idle, 6);
    }
    if (!f.short && pid.length < 12) out.write(right(pid, 11));
    out.write(" ");
    out.pad(comment, 8);
    if (f.exit) {
      out.write(" ");
      out.pad(exit, 12);
    }
    out.trimSpaces(start);
  }

  heading(): void {
    this.line(-1, "NAME", " ", -1, "LINE", "TIME", "IDLE", "PID", "COMMENT", "EXIT");
  }

  time(u: UtmpRecord): string {
    return this.#time.of(storedSeconds(u));
  }

  /** print_user. */
  user(u: UtmpRecord, bootTime: number): void {
    const stored = storedString(u, "ut_line");
    const cut = this.#cut;
    // 9.7: a line holding a space ("sshd pts/0") has its device after the space.
    const line = cut < 0 && stored.includes(" ") ? stored.slice(stored.indexOf(" ") + 1) : stored;
    // Only -T and -u show what the terminal's stat says: without them, no look (and no note under --root).
    const f = this.#f;
    const tty = f.mesg || (f.idle && !f.short) ? this.#system.statTty(ttyPath(line)) : undefined;
    const mesg = tty === undefined ? "?" : (tty.mode & 0o020) !== 0 ? "+" : "-";
    const idle = tty === undefined || tty.atime === 0 ? "  ?" : this.#idle(tty.atime, bootTime).slice(0, 6);
    // who.c splits an X display off at the first ":" only to look the host up (--lookup); unlooked-up, it joins them back.
    // With --ips (Debian's 61_whoips.patch), a recorded address takes the host's place, without parentheses.
    const ip = f.ips ? ipsText(u.ut_addr) : undefined;
    const hostText = shown(u, "ut_host");
    const host = ip ?? (hostText.length > 0 ? `(${hostText})` : "");
    this.line(cut, shown(u, "ut_user"), mesg, cut, shown(u, "ut_line"), this.time(u), idle, String(u.ut_pid), host, "");
  }

  /** The width user and line are cut at: utmp's 32 bytes (9.1), none (9.7). */
  get #cut(): number {
    return this.tools === "debian-13" ? -1 : 32;
  }

  /**
   * The idle time `who -u --json` gives a user session: seconds since its
   * terminal was last used, or null when the terminal cannot be statted.
   */
  idleSeconds(u: UtmpRecord): number | null {
    const tty = this.#system.statTty(ttyPath(storedString(u, "ut_line")));
    if (tty === undefined || tty.atime === 0) return null;
    this.#now ??= Math.floor(Date.now() / 1000);
    return this.#now - tty.atime;
  }

  /**
   * What `--json` prints for a record shown: its `toJSON()`, with `idle`
   * for a user session where the IDLE column is printed.
   */
  json(u: UtmpRecord): UtmpRecord | (UtmpRecordObject & { idle: number | null }) {
    const f = this.#f;
    if (!(f.users && f.idle && !f.short && isUserProcess(u))) return u;
    return { ...u.toJSON(), idle: this.idleSeconds(u) };
  }

  /** who.c idle_string. */
  #idle(when: number, bootTime: number): string {
    this.#now ??= Math.floor(Date.now() / 1000);
    const now = this.#now;
    if (bootTime < when && now - 86400 < when && when <= now) {
      const idle = now - when;
      if (idle < 60) return "  .  ";
      return `${p2(Math.floor(idle / 3600))}:${p2(Math.floor((idle % 3600) / 60))}`;
    }
    return " old ";
  }

  boot(u: UtmpRecord): void {
    this.line(-1, "", " ", -1, "system boot", this.time(u), "", "", "", "");
  }

  clock(u: UtmpRecord): void {
    this.line(-1, "", " ", -1, "clock change", this.time(u), "", "", "", "");
  }

  /** print_deadprocs, print_login and print_initspawn: line, time, pid and "id=", with a name or an exit status. */
  #process(u: UtmpRecord, user: string, exit: string): void {
    const line = u.offset >= 0 ? storedString(u, "ut_line") : shown(u, "ut_line");
    const id = "id=" + (u.offset >= 0 ? storedString(u, "ut_id") : utf8String(terminalText(u.ut_id)));
    this.line(-1, user, " ", this.#cut, line, this.time(u), "", String(u.ut_pid), id, exit);
  }

  dead(u: UtmpRecord): void {
    this.#process(u, "", `term=${u.ut_exit.e_termination} exit=${u.ut_exit.e_exit}`);
  }

  loginProcess(u: UtmpRecord): void {
    this.#process(u, "LOGIN", "");
  }

  initProcess(u: UtmpRecord): void {
    this.#process(u, "", "");
  }

  /** print_runlevel: the current level in the pid's low byte, the previous one in the next. */
  runlevel(u: UtmpRecord): void {
    const last = Math.trunc(u.ut_pid / 256) & 255;
    const curr = (u.ut_pid % 256) & 255;
    const line = "run-level " + String.fromCharCode(curr);
    const comment = last >= 0x20 && last < 0x7f ? "last=" + (last === 0x4e ? "S" : String.fromCharCode(last)) : "";
    this.line(-1, "", " ", -1, line, this.time(u), "", "", comment, "");
  }
}

/**
 * `who --ips` (Debian's 61_whoips.patch): a nonzero `ut_addr_v6` as
 * `getnameinfo(NI_NUMERICHOST)` writes it, read as IPv6 only when its first
 * 16 bits are in 2000-3fff, fc00-fdff or fec0-feff and its last 96 bits are
 * not zero and it is not IPv4-mapped; else as the IPv4 address of its first
 * (or, mapped, its last) 32 bits.
 *
 * @param addr The record's address octets (4 or 16).
 * @returns The text, or undefined for an address of zeros.
 */
export function ipsText(addr: readonly number[]): string | undefined {
  const a = addr.length === 16 ? addr : [...addr, ...new Array<number>(12).fill(0)];
  if (a.every((b) => b === 0)) return undefined;
  const zero = (from: number, to: number): boolean => a.slice(from, to).every((b) => b === 0);
  const mapped = zero(0, 10) && a[10] === 0xff && a[11] === 0xff;
  const top = a[0]! * 256 + a[1]!;
  const v6 = (top >= 0x2000 && top <= 0x3fff) || (top >= 0xfc00 && top <= 0xfdff) || (top >= 0xfec0 && top <= 0xfeff);
  if (!v6 || mapped || zero(4, 16)) return (mapped ? a.slice(12, 16) : a.slice(0, 4)).join(".");
  return formatAddress(a);
}

/** The terminal of a stored line (a byte string) as who.c stats it: "/dev/" + the line, unless absolute. */
function ttyPath(line: string): string {
  const name = /[\u0080-\u00ff]/.test(line) ? utf8.decode(stringBytes(line)) : line;
  return name.startsWith("/") ? name : "/dev/" + name;
}

/** IS_USER_PROCESS: a USER_PROCESS record with a user name. */
export function isUserProcess(u: UtmpRecord): boolean {
  return u.ut_type === "USER_PROCESS" && storedString(u, "ut_user") !== "";
}

/** coreutils extract_trimmed_name: the user name without trailing spaces. */
export function trimmedName(u: UtmpRecord): string {
  return shown(u, "ut_user").replace(/ +$/, "");
}

/**
 * A string field as `who` prints it (a byte string). From a utmp file: its
 * stored bytes, raw, as coreutils prints them. From a record that is no
 * file's bytes (offset -1: a logind session, a wtmpdb row, which coreutils
 * 9.1 never reads, so no output of its sets the bytes): the text with
 * whatever a terminal acts on escaped ({@link terminalField}).
 */
function shown(u: UtmpRecord, field: "ut_user" | "ut_line" | "ut_host"): string {
  if (u.offset >= 0) return storedString(u, field);
  return terminalField(u, field);
}

/**
 * The records `who` and `users` read: every record of the file, without the
 * user processes whose PID is gone when the file is the system's own
 * (coreutils' READ_UTMP_CHECK_PIDS).
 */
export async function* whoRecords(
  args: ParsedArgs,
  ctx: Context,
  file: string | undefined,
  system: GuardedMachine,
  read: { tools?: SessionTools } = {},
): AsyncGenerator<UtmpRecord[]> {
  // Without FILE: the system's utmp, or logind's sessions where there is none.
  const chosen = await sourceOf(ctx, "sessions", file);
  const { path, root: { noFollow } } = chosen;
  const facts = factsOf(chosen.source);
  read.tools = facts.tools;
  if (facts.fallback !== undefined && file === undefined) {
    // Say plainly why the output is not from a utmp file (stdout stays what who prints on such a system).
    ctx.io.err(`utmp ${ctx.command}: this system's utmp is missing or empty; showing ${facts.fallback} ("${path}")\n`);
  }
  // Under --root the pids are another system's: checked in its /proc where one is mounted there (see GuardedMachine).
  const checkPids = file === undefined;
  if (checkPids) await system.load();
  const root = file === undefined ? ctx.globals.root : undefined;
  // A directory named as FILE that holds no session file at all (`who /var/log`) is said on standard error; the
  // output is what coreutils prints for it (nothing; exit 0).
  const empty = (): void =>
    ctx.io.err(
      `utmp ${ctx.command}: ${
        quotePath(path)
      } holds no systemd-logind session files (a directory is read as logind's session directory)\n`,
    );
  const batches = facts.recordFile
    ? openRecords(args, ctx, path, false, noFollow)
    : (await readerOf(chosen)).batches!(chosen, { root, named: file !== undefined, empty });
  for await (const batch of batches) yield checkPids ? liveOnly(batch, system) : batch;
}

/**
 * Records without the user sessions whose process is gone (coreutils'
 * READ_UTMP_CHECK_PIDS: `kill(pid, 0)` failing with ESRCH), as the
 * library's `who()` leaves them out (`isStale`).
 *
 * @param records Records.
 * @param system The live checks.
 * @returns The records kept.
 */
export function liveOnly(records: UtmpRecord[], system: GuardedMachine): UtmpRecord[] {
  return records.filter((u) => !system.isStale(u));
}

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const f = flagsOf(args);
  // who FILE, or who ARG1 ARG2 ("am i"): with --file FILE, at most ARG1 ARG2 besides.
  const given = lastValue(args, "file");
  if (args.operands.length > 2) throw new UsageError(`extra operand '${args.operands[2]}'`);
  if (given !== undefined && args.operands.length === 1) throw new UsageError(`extra operand '${args.operands[0]}'`);
  if (args.operands.length === 2) f.myLine = true;
  const file = given ?? (args.operands.length === 1 ? args.operands[0] : undefined);
  const out = new Writer(ctx.io, jsonMode(args));
  // The reader of processes and terminals only where a check needs it: not for a FILE shown without -T, -u or JSON.
  const system = await systemFor(ctx, ctx.globals.root, file === undefined || f.mesg || f.idle || out.json);
  const printer = new WhoPrinter(f, system, out);
  if (f.count) {
    const names: string[] = [];
    for await (const batch of whoRecords(args, ctx, file, system)) {
      for (const u of batch) if (isUserProcess(u)) names.push(trimmedName(u));
    }
    if (out.json) {
      // One summary, not a list: { users, count } on one line, for --json and --ndjson alike.
      const users = names.map((n) => utf8.decode(stringBytes(n)));
      await out.text(utf8String(safeJson(JSON.stringify({ users, count: names.length }))) + "\n");
      await out.flush();
      return EXIT.OK;
    }
    await out.text(`${names.join(" ")}\n# users=${names.length}\n`);
    await out.end();
    return EXIT.OK;
  }
  if (f.heading && !out.json) printer.heading();
  let tty: string | undefined;
  if (f.myLine) {
    tty = system.stdinTty();
    if (tty === undefined) {
      await out.end();
      return EXIT.OK;
    }
  }
  let bootTime = -Infinity;
  for await (const batch of whoRecords(args, ctx, file, system, printer)) {
    for (const u of batch) {
      // who -m: 9.1 compares the line's 32 bytes, 9.7 whether the line ends with the terminal's name.
      const line = tty === undefined ? "" : storedString(u, "ut_line");
      const mine = tty === undefined ||
        (printer.tools === "debian-13" ? line.endsWith(tty) : line.slice(0, 32) === tty.slice(0, 32));
      if (mine) {
        const type = u.ut_type;
        const print = f.users && isUserProcess(u)
          ? "user"
          : f.runlevel && type === "RUN_LVL"
          ? "runlevel"
          : f.boot && type === "BOOT_TIME"
          ? "boot"
          : f.clock && type === "NEW_TIME"
          ? "clock"
          : f.initspawn && type === "INIT_PROCESS"
          ? "initProcess"
          : f.login && type === "LOGIN_PROCESS"
          ? "loginProcess"
          : f.dead && type === "DEAD_PROCESS"
          ? "dead"
          : undefined;
        if (print === undefined) {
          // not shown
        } else if (out.json) await out.item(printer.json(u));
        else if (print === "user") printer.user(u, bootTime);
        else printer[print](u);
      }
      if (u.ut_type === "BOOT_TIME") bootTime = storedSeconds(u);
    }
    await out.flushIfFull();
  }
  await out.end();
  return EXIT.OK;
}

/** `utmp who`. */
export const command: Command = {
  name: "who",
  summary: "who is logged in (coreutils who)",
  usage: "[options] [FILE | ARG1 ARG2]",
  help: `Print information about users who are currently logged in.

  -a, --all         same as -b -d --login -p -r -t -T -u
  -b, --boot        time of last system boot
  -d, --dead        print dead processes
  -H, --heading     print line of column headings
      --ips         print ips instead of hostnames
  -l, --login       print system login processes
  -m                only hostname and user associated with stdin
  -p, --process     print active processes spawned by init
  -q, --count       all login names and number of users logged on
  -r, --runlevel    print current runlevel
  -s, --short       print only name, line, and time (default)
  -t, --time        print last system clock change
  -T, -w, --mesg    add user's message status as +, - or ?
  -u, --users       list users logged in
      --message     same as -T
      --writable    same as -T

If FILE is not given, the system's utmp is read (systemd-logind's sessions
where there is none) and entries whose process is gone are left out.
A FILE that is a directory is read as systemd-logind's session directory
(/run/systemd/sessions, or a copy of it); an SQLite FILE as a wtmpdb database
(its open sessions).
If ARG1 ARG2 are given, -m is presumed.
With --json/--ndjson the records shown are printed as JSON (C field names,
times as ISO-8601 UTC text); where the IDLE column is shown (-u, -a) a user
session's record also has "idle": seconds since its terminal was used, or
null. With -q: one object, {"users": [names], "count": N}.
`,
  options: [
    { key: "all", short: "a", long: "all" },
    { key: "boot", short: "b", long: "boot" },
    { key: "count", short: "q", long: "count" },
    { key: "dead", short: "d", long: "dead" },
    { key: "heading", short: "H", long: "heading" },
    { key: "ips", long: "ips" },
    { key: "login", short: "l", long: "login" },
    { key: "m", short: "m" },
    { key: "mesg", short: "T", long: "mesg" },
    { key: "mesg", short: "w", long: "message" },
    { key: "mesg", long: "writable" },
    { key: "process", short: "p", long: "process" },
    { key: "runlevel", short: "r", long: "runlevel" },
    { key: "short", short: "s", long: "short" },
    { key: "time", short: "t", long: "time" },
    { key: "users", short: "u", long: "users" },
  ],
  run,
};
