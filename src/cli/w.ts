/**
 * `utmp w`: procps-ng `w`, byte for byte: who is logged in and what they are
 * doing, from the live sessions of the utmp (as 4.0.2, Debian 12's, shows
 * them) or of systemd-logind (as 4.0.4, Debian 13's, shows them through
 * sd-login), and the processes of their terminals.
 *
 * @module
 */

import { byteString, p2, rawFields, stringBytes, utf8String } from "../_internal/bytes.ts";
import { terminalText } from "../_internal/escape/terminal.ts";
import { isPermissionDenial, tryGetEnv } from "../_internal/runtime.ts";
import { type Activity, type ActivityReport, readActivity } from "../_activity.ts";
import { loggedInUser } from "../logged_in.ts";
import { commandOf } from "../_internal/escape/procps.ts";
import type { ParsedArgs } from "./_args.ts";
import { type Command, type Context, EXIT, jsonMode, lastValue, Writer } from "./_command.ts";
import { layoutOption } from "./_read.ts";
import { rootOption } from "./_sources.ts";
import { DAYS, isUtf8Locale, left, localtime, MONTHS } from "./_text.ts";
import { terminalField } from "../_internal/escape/coreutils.ts";

const MAX_CMD_WIDTH = 512;
const MIN_CMD_WIDTH = 7;
const UT_NAMESIZE = 32;
const UT_HOSTSIZE = 256;

/** w.c's switches. */
interface WFlags {
  header: boolean;
  longform: boolean;
  from: boolean;
  ips: boolean;
  oldStyle: boolean;
  anyUser: boolean;
}

function flagsOf(args: ParsedArgs): WFlags {
  const f: WFlags = { header: true, longform: true, from: true, ips: false, oldStyle: false, anyUser: false };
  for (const [key] of args.options) {
    switch (key) {
      case "no-header":
        f.header = false;
        break;
      case "short":
        f.longform = false;
        break;
      case "from":
        f.from = !f.from;
        break;
      case "ip-addr":
        f.ips = f.from = true;
        break;
      case "old-style":
        f.oldStyle = true;
        break;
      case "no-current":
        f.anyUser = true;
        break;
    }
  }
  return f;
}

/** A byte string of UTF-8 as text. */
const textOf = (s: string): string => new TextDecoder().decode(stringBytes(s));

/** C `atoi`. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Math.trunc(Number(m[1])) | 0;
}

/** C `isprint` in the C locale (and, for single bytes, in a UTF-8 one). */
const isprint = (c: number): boolean => c >= 0x20 && c < 0x7f;

/** print_host: printable bytes up to the first other one (shown as "-"), at least "-", padded to `width`. */
function printHost(host: string, len: number, width: number): string {
  const n = Math.min(len, width);
  let out = "";
  for (let i = 0; i < n && i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0) break;
    if (isprint(c) && c !== 0x20) out += host[i];
    else {
      out += "-";
      break;
    }
  }
  if (out === "") out = "-";
  return out.length >= width ? out : out + " ".repeat(width - out.length);
}

/** Printable bytes from `at` up to a space or another byte (then "-" unless the field ends there), at most `len`. */
function printPart(host: string, at: number, len: number, rest: { n: number }): string {
  let out = "";
  let i = at;
  while (len > 0 && i < host.length && isprint(host.charCodeAt(i)) && host[i] !== " ") {
    out += host[i];
    len--;
    rest.n--;
    i++;
  }
  if (len > 0 && i < host.length) {
    rest.n--;
    out += "-";
  }
  return out;
}

/** print_display_or_interface: after an address, the display (":0") or an IPv6 zone ("%eth0") of the host. */
function displayOrInterface(host: string, restlen: number): string {
  if (restlen <= 0) return "";
  const end = Math.min(host.length, UT_HOSTSIZE);
  const rest = { n: restlen };
  let out = "";
  let disp = 0;
  while (disp < end && host[disp] !== ":" && isprint(host.charCodeAt(disp))) disp++;
  if (disp < end && host[disp] === ":") {
    let tmp = disp + 1;
    while (tmp < end && host[tmp] !== ":" && isprint(host.charCodeAt(tmp))) tmp++;
    if (tmp >= end || host[tmp] !== ":") {
      out = printPart(host.slice(0, end), disp, Math.min(UT_HOSTSIZE - disp, rest.n), rest);
    } else {
      while (tmp < end && host[tmp] !== "%" && isprint(host.charCodeAt(tmp))) tmp++;
      if (tmp < end && host[tmp] === "%") {
        out = printPart(host.slice(0, end), tmp, Math.min(UT_HOSTSIZE - tmp, rest.n), rest);
      }
    }
  }
  return out + (rest.n > 0 ? " ".repeat(rest.n) : "");
}

/** The address print_from shows with -i: "" when none (or it does not fit). */
function addressText(u: Activity["record"], fromlen: number): string {
  const a = u.ut_addr;
  if (a.length === 16) {
    const mapped = a.slice(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff;
    if (mapped) return quad(a.slice(12), fromlen);
    return u.ut_addr_text.slice(0, fromlen);
  }
  return quad(a, fromlen);
}

/** inet_ntop(AF_INET) into a buffer of `fromlen + 1` bytes, for a nonzero address. */
function quad(a: readonly number[], fromlen: number): string {
  if (a.every((b) => b === 0)) return "";
  const text = a.join(".");
  return text.length + 1 > fromlen + 1 ? "" : text;
}

/** print_from. */
function printFrom(u: Activity["record"], ips: boolean, fromlen: number): string {
  const host = byteString(rawFields(u).ut_host);
  if (!ips) return printHost(host, UT_HOSTSIZE, fromlen);
  const addr = addressText(u, fromlen);
  if (addr === "") return printHost(host, UT_HOSTSIZE, fromlen);
  return addr + displayOrInterface(host, fromlen - addr.length);
}

/** print_time_ival7: a duration in 7 columns. */
function ival7(t: number, centi: number, oldStyle: boolean): string {
  if (t < 0) return "   ?   ";
  const d2 = (n: number): string => String(n).padStart(2, " ");
  if (t >= 48 * 3600) return ` ${d2(Math.floor(t / 86400))}days`;
  if (oldStyle) {
    if (t >= 3600) return ` ${d2(Math.floor(t / 3600))}:${p2(Math.floor(t / 60) % 60)} `;
    if (t > 60) return ` ${d2(Math.floor(t / 60))}:${p2(t % 60)}m`;
    return "       ";
  }
  if (t >= 3600) return ` ${d2(Math.floor(t / 3600))}:${p2(Math.floor(t / 60) % 60)}m`;
  if (t > 60) return ` ${d2(Math.floor(t / 60))}:${p2(t % 60)} `;
  return ` ${d2(t)}.${p2(centi)}s`;
}

/** A CPU time in ticks as print_time_ival7 gets it: whole seconds and hundredths (truncated). */
function cpu(ticks: number, hertz: number, oldStyle: boolean): string {
  return ival7(Math.floor(ticks / hertz), Math.trunc((ticks % hertz) * (100 / hertz)), oldStyle);
}

/** The day of the year, 0 for January 1st (`tm_yday`). */
const yday = (year: number, mon: number, mday: number): number =>
  Math.round((Date.UTC(year, mon, mday) - Date.UTC(year, 0, 1)) / 86400000);

/** print_logintime: 7 columns, by how long ago. */
function loginTime(logt: number, now: number): string {
  const cur = localtime(now);
  const tm = localtime(logt);
  if (now - logt > 12 * 3600 && yday(tm.year, tm.mon, tm.mday) !== yday(cur.year, cur.mon, cur.mday)) {
    if (now - logt > 6 * 86400) {
      return ` ${p2(tm.mday)}${MONTHS[tm.mon]!.padStart(3, " ")}${p2(((tm.year - 1900) % 100 + 100) % 100)}`;
    }
    return ` ${DAYS[tm.wday]!.padStart(3, " ")}${p2(tm.hour)}  `;
  }
  return ` ${p2(tm.hour)}:${p2(tm.min)}  `;
}

/** procps_uptime_sprint: " 10:00:00 up 3 days,  2:05,  2 users,  load average: 0.00, 0.01, 0.05". */
function uptimeLine(report: ActivityReport): string {
  if (report.uptime === null) return "";
  const tm = localtime(report.now);
  const up = Math.trunc(report.uptime);
  const days = Math.floor(up / 86400);
  const hours = Math.floor(up / 3600) % 24;
  const minutes = Math.floor(up / 60) % 60;
  let s = ` ${p2(tm.hour)}:${p2(tm.min)}:${p2(tm.sec)} up `;
  if (days) s += `${days} ${days > 1 ? "days" : "day"}, `;
  s += hours ? `${String(hours).padStart(2, " ")}:${p2(minutes)}, ` : `${minutes} min, `;
  const users = report.userCount;
  const [a1, a5, a15] = report.loadAverage ?? [0, 0, 0];
  return s +
    `${String(users).padStart(2, " ")} ${users > 1 ? "users" : "user"},  load average: ${a1.toFixed(2)}, ${
      a5.toFixed(2)
    }, ${a15.toFixed(2)}`;
}

/** The width left for WHAT (main's maxcmd). */
function commandWidth(ctx: Context, f: WFlags, userlen: number, fromlen: number): number {
  const clamp = (n: number): number => Math.min(MAX_CMD_WIDTH, Math.max(MIN_CMD_WIDTH, n));
  const columns = ctx.io.columns;
  const env = tryGetEnv("COLUMNS");
  let max = columns !== undefined && columns > 0 ? columns : env !== undefined ? atoi(env) : MAX_CMD_WIDTH;
  max = clamp(max);
  return clamp(max - (21 + userlen + (f.from ? fromlen : 0) + (f.longform ? 20 : 0)));
}

/** A field width from the environment, checked as w.c checks it. */
function widthFromEnv(ctx: Context, name: string, fallback: number, most: number, what: string): number {
  const value = tryGetEnv(name);
  if (value === undefined) return fallback;
  const n = atoi(value);
  if (n < 8 || most < n) {
    ctx.io.err(`utmp w: ${what} environment ${name} must be between 8 and ${most}, ignoring\n`);
    return fallback;
  }
  return n;
}

/** showinfo: one session's line. */
function row(
  a: Activity,
  report: ActivityReport,
  f: WFlags,
  widths: { user: number; from: number; cmd: number },
): string {
  const u = a.record;
  // A session from no file's bytes (logind, wtmpdb): what a terminal acts on, escaped (procps reads utmp only).
  const fromFile = u.offset >= 0;
  const raw = fromFile ? rawFields(u) : undefined;
  const user = (raw !== undefined ? byteString(raw.ut_user) : terminalField(u, "ut_user")).slice(0, UT_NAMESIZE);
  // procps 4.0.4 over logind: the terminal it found, REMOTE_HOST (-i changes nothing), no idle time without a terminal.
  const sdLogin = a.tools === "debian-13";
  const line = raw !== undefined
    ? byteString(raw.ut_line)
    : sdLogin
    ? utf8String(terminalText(textOf(a.tty)))
    : terminalField(u, "ut_line");
  const p = a.processes;
  let s = left(user, widths.user + 1, widths.user) + left(line, 9, 8);
  if (f.from) {
    s += sdLogin
      ? printHost(utf8String(a.remoteHost ?? ""), UT_HOSTSIZE, widths.from)
      : printFrom(u, f.ips, widths.from);
  }
  const idle = a.display ? " ?xdm? " : sdLogin && a.tty === "" ? "       " : ival7(a.idle ?? 0, 0, f.oldStyle);
  if (f.longform) {
    s += loginTime(u.ut_tv.tv_sec, report.now) + idle;
    s += cpu(p === null ? 0 : p.jcpu, report.hertz, f.oldStyle);
    s += p !== null && p.pcpu > 0 ? cpu(p.pcpu, report.hertz, f.oldStyle) : "   ?   ";
  } else s += idle;
  const what = p === null || p.what === undefined
    ? "-"
    : commandOf(p.what, p.cmdline, isUtf8Locale()).slice(0, MAX_CMD_WIDTH);
  return s + " " + what.slice(0, widths.cmd) + "\n";
}

async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const f = flagsOf(args);
  const user = args.operands[0];
  const userlen = widthFromEnv(ctx, "PROCPS_USERLEN", 8, UT_NAMESIZE, "User length");
  const fromlen = widthFromEnv(ctx, "PROCPS_FROMLEN", 16, UT_HOSTSIZE, "from length");
  const cmd = commandWidth(ctx, f, userlen, fromlen);
  const file = lastValue(args, "file");
  let report: ActivityReport;
  try {
    report = await readActivity({
      ...rootOption(ctx),
      ...(file === undefined ? {} : { path: file }),
      ...(user === undefined ? {} : { user }),
      anyUser: f.anyUser,
      layout: layoutOption(args),
      passwdOnly: true,
    });
  } catch (error) {
    if (!isPermissionDenial(error)) throw error;
    // w cannot go without the processes and terminals: one line, naming the flag.
    ctx.io.err(
      `utmp w: cannot read the processes (/proc) and terminals (/dev): not allowed (Deno needs --allow-all)\n`,
    );
    return EXIT.CANNOT_READ;
  }
  for (const note of report.notes) ctx.io.err(`utmp w: ${note}\n`);
  const out = new Writer(ctx.io, jsonMode(args));
  if (out.json) {
    for (const a of report.sessions) await out.item(loggedInUser(a, report));
    await out.end();
    return EXIT.OK;
  }
  if (f.header) {
    let head = uptimeLine(report) + "\n" + left("USER", userlen) + " TTY      ";
    // procps 4.0.4 (Debian 13) pads FROM one column wider, and puts WHAT one column right, of where 4.0.2 does.
    const newer = report.tools === "debian-13";
    if (f.from) head += left("FROM", newer ? fromlen : fromlen - 1);
    if (newer) head += f.longform ? " LOGIN@   IDLE   JCPU   PCPU  WHAT\n" : "   IDLE WHAT\n";
    else head += f.longform ? "  LOGIN@   IDLE   JCPU   PCPU WHAT\n" : "   IDLE WHAT\n";
    await out.text(head);
  }
  for (const a of report.sessions) await out.text(row(a, report, f, { user: userlen, from: fromlen, cmd }));
  await out.end();
  return EXIT.OK;
}

/** `utmp w`. */
export const command: Command = {
  name: "w",
  summary: "who is logged in and what they are doing (procps w)",
  usage: "[options] [USER]",
  help: `Show who is logged on and what they are doing: the time, how long the
system has been up, how many users are logged on, the load averages; then
for each live session the user, terminal, remote host, login time, idle
time, JCPU (every process of the terminal), PCPU (the process shown) and
what it runs. Sessions whose process is gone are left out.

  -h, --no-header     do not print header
  -u, --no-current    ignore current process username
  -s, --short         short format
  -f, --from          show remote hostname field (on by default; -f turns it off)
  -o, --old-style     old style output
  -i, --ip-addr       display IP address instead of hostname (if possible)

The sessions come from the system's utmp (systemd-logind's sessions where
there is none), or from the utmp named with --file; under --root, from that
system's files, with its processes and terminals where its /proc and /dev
are mounted there (what cannot be read is said on standard error).
PROCPS_USERLEN and PROCPS_FROMLEN set the USER and FROM widths.
With --json/--ndjson: the loggedIn() objects, one per session
({ user, line, tty, host, addr, loginTime, idle, pid, command, jcpu, pcpu,
source }; times as ISO-8601 UTC text, seconds as numbers, unknown as null).
`,
  options: [
    { key: "no-header", short: "h", long: "no-header" },
    { key: "no-current", short: "u", long: "no-current" },
    { key: "short", short: "s", long: "short" },
    { key: "from", short: "f", long: "from" },
    { key: "old-style", short: "o", long: "old-style" },
    { key: "ip-addr", short: "i", long: "ip-addr" },
  ],
  run,
};
