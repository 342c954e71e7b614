/**
 * `utmp who`: coreutils `who` (9.1), byte for byte.
 *
 * @module
 */

import { p2, rawFields, storedString, utf8String } from "../_internal/bytes.ts";
import type { UtmpRecord } from "../record.ts";
import type { ParsedArgs } from "./_args.ts";
import { type Command, type Context, EXIT, fileOperands, jsonMode, Writer } from "./_command.ts";
import { openRecords } from "./_read.ts";
import { whoSource } from "./_sources.ts";
import { type System, systemFor } from "./_system.ts";
import { isCTimeLocale, left, right, terminalText, whoTime } from "./_text.ts";

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
    }
  }
  if (assumptions) f.users = f.short = true;
  if (f.exit) f.short = false;
  return f;
}

/** Formats `who` lines (who.c's print_* functions). */
class WhoPrinter {
  readonly #f: WhoFlags;
  readonly #system: System;
  readonly #cLocale = isCTimeLocale();
  readonly #timeWidth: number;
  #now: number | undefined;

  constructor(flags: WhoFlags, system: System) {
    this.#f = flags;
    this.#system = system;
    this.#timeWidth = this.#cLocale ? 12 : 16;
  }

  /** who.c print_line: the fixed columns, trailing spaces removed, newline added. */
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
  ): string {
    const f = this.#f;
    const xIdle = f.idle && !f.short && idle.length < 7 ? " " + left(idle, 6) : "";
    const xPid = !f.short && pid.length < 12 ? " " + right(pid, 10) : "";
    const xExit = f.exit ? " " + left(exit, 12) : "";
    const text = left(user, 8, userLen) + (f.mesg ? " " + state : "") + " " + left(line, 12, lineLen) + " " +
      left(time, this.#timeWidth) + xIdle + xPid + " " + left(comment, 8) + xExit;
    return text.replace(/ +$/, "") + "\n";
  }

  heading(): string {
    return this.line(-1, "NAME", " ", -1, "LINE", "TIME", "IDLE", "PID", "COMMENT", "EXIT");
  }

  time(u: UtmpRecord): string {
    return whoTime(u.ut_tv.tv_sec, this.#cLocale);
  }

  /** print_user. */
  user(u: UtmpRecord, bootTime: number): string {
    const raw = rawFields(u);
    const name = utf8.decode(raw.ut_line);
    const tty = this.#system.statTty(name.startsWith("/") ? name : "/dev/" + name);
    const mesg = tty === undefined ? "?" : (tty.mode & 0o020) !== 0 ? "+" : "-";
    const idle = tty === undefined || tty.atime === 0 ? "  ?" : this.#idle(tty.atime, bootTime).slice(0, 6);
    // who.c splits an X display off at the first ":" only to look the host up (--lookup); unlooked-up, it joins them back.
    const host = raw.ut_host.length > 0 ? `(${shown(u, "ut_host")})` : "";
    return this.line(
      32,
      shown(u, "ut_user"),
      mesg,
      32,
      shown(u, "ut_line"),
      this.time(u),
      idle,
      String(u.ut_pid),
      host,
      "",
    );
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

  boot(u: UtmpRecord): string {
    return this.line(-1, "", " ", -1, "system boot", this.time(u), "", "", "", "");
  }

  clock(u: UtmpRecord): string {
    return this.line(-1, "", " ", -1, "clock change", this.time(u), "", "", "", "");
  }

  /** print_deadprocs, print_login and print_initspawn: line, time, pid and "id=", with a name or an exit status. */
  #process(u: UtmpRecord, user: string, exit: string): string {
    const line = storedString(u, "ut_line");
    const id = "id=" + storedString(u, "ut_id");
    return this.line(-1, user, " ", 32, line, this.time(u), "", String(u.ut_pid), id, exit);
  }

  dead(u: UtmpRecord): string {
    return this.#process(u, "", `term=${u.ut_exit.e_termination} exit=${u.ut_exit.e_exit}`);
  }

  loginProcess(u: UtmpRecord): string {
    return this.#process(u, "LOGIN", "");
  }

  initProcess(u: UtmpRecord): string {
    return this.#process(u, "", "");
  }

  /** print_runlevel: the current level in the pid's low byte, the previous one in the next. */
  runlevel(u: UtmpRecord): string {
    const last = Math.trunc(u.ut_pid / 256) & 255;
    const curr = (u.ut_pid % 256) & 255;
    const line = "run-level " + String.fromCharCode(curr);
    const comment = last >= 0x20 && last < 0x7f ? "last=" + (last === 0x4e ? "S" : String.fromCharCode(last)) : "";
    return this.line(-1, "", " ", -1, line, this.time(u), "", "", comment, "");
  }
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
 * stored bytes, raw, as coreutils prints them. From a logind session (which
 * coreutils 9.1 never reads, so no output of its sets the bytes): the text
 * with whatever a terminal acts on escaped, since `cunescape()` has turned
 * the C escapes logind stores (`REMOTE_HOST=\033]0;...`) back into raw bytes.
 */
function shown(u: UtmpRecord, field: "ut_user" | "ut_line" | "ut_host"): string {
  if (u.layout !== "logind") return storedString(u, field);
  const text = field === "ut_line" && u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u[field];
  return utf8String(terminalText(text));
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
  system: System,
): AsyncGenerator<UtmpRecord[]> {
  // Without FILE: the system's utmp, or logind's sessions where there is none.
  // Under --root the pids are another system's: not checked.
  const source = file === undefined ? await whoSource(ctx) : undefined;
  if (source?.logind !== undefined) {
    // Say plainly why the output is not from a utmp file (stdout stays what who prints on such a system).
    ctx.io.err(
      `utmp ${ctx.command}: this system keeps no utmp file; showing systemd-logind's sessions ("${source.path}")\n`,
    );
  }
  const checkPids = file === undefined && ctx.globals.root === undefined;
  for await (const batch of source?.logind ?? openRecords(args, ctx, file ?? source?.path)) {
    yield checkPids ? liveOnly(batch, system) : batch;
  }
}

/**
 * Records without the user sessions whose process is gone (coreutils'
 * READ_UTMP_CHECK_PIDS: `kill(pid, 0)` failing with ESRCH).
 *
 * @param records Records.
 * @param system The live checks.
 * @returns The records kept.
 */
export function liveOnly(records: UtmpRecord[], system: System): UtmpRecord[] {
  return records.filter((u) => !(isUserProcess(u) && u.ut_pid > 0 && !system.pidAlive(u.ut_pid)));
}

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const f = flagsOf(args);
  const operands = fileOperands(args, 2);
  if (operands.length === 2) f.myLine = true;
  const file = operands.length === 1 ? operands[0] : undefined;
  const out = new Writer(ctx.io, jsonMode(args));
  const system = systemFor(ctx);
  const printer = new WhoPrinter(f, system);
  if (f.count) {
    let names = "";
    let count = 0;
    for await (const batch of whoRecords(args, ctx, file, system)) {
      for (const u of batch) {
        if (!isUserProcess(u)) continue;
        if (out.json) await out.item(u);
        else names += (count === 0 ? "" : " ") + trimmedName(u);
        count++;
      }
    }
    if (!out.json) await out.text(`${names}\n# users=${count}\n`);
    await out.end();
    return EXIT.OK;
  }
  if (f.heading && !out.json) await out.text(printer.heading());
  let tty: string | undefined;
  if (f.myLine) {
    tty = system.stdinTty();
    if (tty === undefined) {
      await out.end();
      return EXIT.OK;
    }
  }
  let bootTime = -Infinity;
  for await (const batch of whoRecords(args, ctx, file, system)) {
    for (const u of batch) {
      if (tty === undefined || storedString(u, "ut_line").slice(0, 32) === tty.slice(0, 32)) {
        const text = f.users && isUserProcess(u)
          ? printer.user(u, bootTime)
          : f.runlevel && u.ut_type === "RUN_LVL"
          ? printer.runlevel(u)
          : f.boot && u.ut_type === "BOOT_TIME"
          ? printer.boot(u)
          : f.clock && u.ut_type === "NEW_TIME"
          ? printer.clock(u)
          : f.initspawn && u.ut_type === "INIT_PROCESS"
          ? printer.initProcess(u)
          : f.login && u.ut_type === "LOGIN_PROCESS"
          ? printer.loginProcess(u)
          : f.dead && u.ut_type === "DEAD_PROCESS"
          ? printer.dead(u)
          : undefined;
        if (text !== undefined) await (out.json ? out.item(u) : out.text(text));
      }
      if (u.ut_type === "BOOT_TIME") bootTime = u.ut_tv.tv_sec;
    }
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
If ARG1 ARG2 are given, -m is presumed.
With --json/--ndjson the records shown are printed as JSON.
`,
  options: [
    { key: "all", short: "a", long: "all" },
    { key: "boot", short: "b", long: "boot" },
    { key: "count", short: "q", long: "count" },
    { key: "dead", short: "d", long: "dead" },
    { key: "heading", short: "H", long: "heading" },
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
