/**
 * `utmp last` over a wtmpdb database: what wtmpdb 0.73's `wtmpdb last`
 * (Debian 13's `last`) prints, byte for byte (`src/wtmpdb.c` `print_entry`,
 * `print_line`), over the library's sessions (`wtmpdbLastSessions()`): one
 * row, one line, newest first, no pairing. Its columns are not last.c's:
 * user 8 bytes, tty 12, host 16, then the service with `-S`, the login
 * time, " - ", the logout time and the length, and no trailing spaces
 * trimmed. Text from the database is escaped for the terminal (README,
 * Robustness), where wtmpdb prints it raw.
 *
 * @module
 */

import { lookup, lookupService } from "node:dns";
import { isIPv4, isIPv6 } from "node:net";
import { mktime, strptime, type TmFields } from "../_internal/strptime.ts";
import { p2, utf8String } from "../_internal/bytes.ts";
import { formatAddress } from "../layouts/_addr.ts";
import type { Session } from "../last.ts";
import type { UtmpRecord } from "../record.ts";
import { wtmpdbLastSessions, type WtmpdbRow, WtmpdbType } from "../sources/wtmpdb.ts";
import { type ParsedArgs, UsageError } from "./_args.ts";
import type { Context, Writer } from "./_command.ts";
import { ctime, DAYS, localtime, MONTHS } from "./_text.ts";
import { terminalText } from "../_internal/escape/terminal.ts";

/** wtmpdb.c's TIMEFMT_* and the widths `time_format()` gives them. */
type Format = "ctime" | "short" | "hhmm" | "notime" | "iso";

/** `wtmpdb last`'s options (wtmpdb.c's statics). */
interface Control {
  hostlast: boolean;
  nohostname: boolean;
  service: boolean;
  dns: boolean;
  ip: boolean;
  fullnames: boolean;
  system: boolean;
  loginFormat: Format;
  loginLength: number;
  logoutFormat: Format;
  logoutLength: number;
  /** The format of the "begins" line (`time_fmt`: ctime unless --time-format). */
  beginsFormat: Format;
  maxEntries: number;
  present: number;
  since: number;
  until: number;
  match: string[] | undefined;
}

/** wtmpdb.c `parse_time`: the formats it tries, then now, today, yesterday, tomorrow. */
function parseTime(text: string, now = Date.now()): number | undefined {
  const zero = (): TmFields => ({ year: 1900, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, wday: 0 });
  for (const format of ["%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]) {
    const tm = zero();
    if (strptime(text, format, tm) === text.length) return mktime(tm);
  }
  const today = (): TmFields => ({ ...localtime(Math.floor(now / 1000)) });
  for (const format of ["%H:%M:%S", "%H:%M"]) {
    const tm = today();
    if (strptime(text, format, tm) === text.length) return mktime(tm);
  }
  if (text === "now") return Math.floor(now / 1000);
  // As wtmpdb: the time of day reset on the fields the last strptime left.
  const tm = today();
  tm.hour = tm.min = tm.sec = 0;
  if (text === "yesterday") tm.mday--;
  else if (text === "tomorrow") tm.mday++;
  else if (text !== "today") return undefined;
  return mktime(tm);
}

/** The options of `wtmpdb last` in a `utmp last` command line. */
function controlOf(args: ParsedArgs): Control {
  const ctl: Control = {
    hostlast: false,
    nohostname: false,
    service: false,
    dns: false,
    ip: false,
    fullnames: false,
    system: false,
    loginFormat: "short",
    loginLength: 16,
    logoutFormat: "hhmm",
    logoutLength: 5,
    beginsFormat: "ctime",
    maxEntries: 0,
    present: 0,
    since: 0,
    until: 0,
    match: undefined,
  };
  const time = (value: string): number => {
    const t = parseTime(value);
    if (t === undefined) throw new UsageError(`Invalid time value '${value}'`);
    return t;
  };
  for (const [key, value] of args.options) {
    switch (key) {
      case "digit":
        ctl.maxEntries = ctl.maxEntries * 10 + Number(value);
        break;
      case "hostlast":
        ctl.hostlast = true;
        break;
      case "dns":
        ctl.dns = true;
        break;
      case "fulltimes":
        [ctl.loginFormat, ctl.loginLength, ctl.logoutFormat, ctl.logoutLength] = ["ctime", 24, "ctime", 24];
        break;
      case "ip":
        ctl.ip = true;
        break;
      case "limit": {
        // strtoul(optarg, NULL, 10): the leading digits, 0 for none.
        const m = /^\s*([+-]?)(\d*)/.exec(value)!;
        const n = Number(m[2] || "0");
        ctl.maxEntries = m[1] === "-" && n !== 0 ? Number.MAX_SAFE_INTEGER : n;
        break;
      }
      case "present":
        ctl.present = time(value);
        break;
      case "nohostname":
        ctl.nohostname = true;
        break;
      case "since":
        ctl.since = time(value);
        break;
      case "service":
        ctl.service = true;
        break;
      case "until":
        ctl.until = time(value);
        break;
      case "fullnames":
        ctl.fullnames = true;
        break;
      case "system":
        ctl.system = true;
        break;
      case "time-format": {
        const formats: Record<string, [Format, number, Format, number]> = {
          notime: ["notime", 0, "notime", 0],
          short: ["short", 16, "hhmm", 5],
          full: ["ctime", 24, "ctime", 24],
          iso: ["iso", 25, "iso", 25],
        };
        const f = formats[value];
        if (f === undefined) throw new UsageError(`Invalid time format '${value}'`);
        [ctl.loginFormat, ctl.loginLength, ctl.logoutFormat, ctl.logoutLength] = f;
        ctl.beginsFormat = f[0];
        break;
      }
    }
  }
  if (args.operands.length > 0) ctl.match = [...args.operands];
  const both = (a: boolean, b: boolean, x: string, y: string): void => {
    if (a && b) throw new UsageError(`The options -${x} and -${y} cannot be used together.`);
  };
  both(ctl.nohostname, ctl.hostlast, "a", "R");
  both(ctl.nohostname, ctl.dns, "d", "R");
  both(ctl.nohostname, ctl.ip, "i", "R");
  both(ctl.dns, ctl.ip, "d", "i");
  return ctl;
}

/** wtmpdb.c `format_time` (always the C locale: wtmpdb never calls setlocale). */
function formatTime(format: Format, t: number): string {
  switch (format) {
    case "ctime":
      return ctime(t);
    case "short": {
      const tm = localtime(t);
      return `${DAYS[tm.wday]} ${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} ${p2(tm.hour)}:${p2(tm.min)}`;
    }
    case "hhmm": {
      const tm = localtime(t);
      return `${p2(tm.hour)}:${p2(tm.min)}`;
    }
    case "iso": {
      // strftime "%FT%T%z": the offset without a colon.
      const tm = localtime(t);
      const off = Math.abs(tm.gmtoff);
      return `${tm.year}-${p2(tm.mon + 1)}-${p2(tm.mday)}T${p2(tm.hour)}:${p2(tm.min)}:${p2(tm.sec)}${
        tm.gmtoff < 0 ? "-" : "+"
      }${p2(Math.trunc(off / 60))}${p2(off % 60)}`;
    }
    case "notime":
      return "";
  }
}

/** µs to whole seconds as wtmpdb divides them (`uint64_t` / USEC_PER_SEC). */
const seconds = (us: number): number => Math.trunc(us / 1e6);

/** wtmpdb.c `calc_time_length`: `(stop - start)` in µs as an unsigned 64-bit number. */
function timeLength(start: number, stop: number): string {
  let secs: bigint = (BigInt(stop) - BigInt(start)) / 1_000_000n;
  if (stop < start) secs = ((1n << 64n) + BigInt(stop) - BigInt(start)) / 1_000_000n;
  const mins = Number((secs / 60n) % 60n);
  const hours = Number((secs / 3600n) % 24n);
  const days = secs / 86400n;
  if (days !== 0n) return `(${BigInt.asIntN(64, days)}+${p2(hours)}:${p2(mins)})`;
  if (hours !== 0) return ` (${p2(hours)}:${p2(mins)})`;
  return ` (00:${p2(mins)})`;
}

/** printf `%-W.Ps` on a byte string (`precision` -1: none). */
function field(text: string, width: number, precision = -1): string {
  const cut = precision >= 0 && text.length > precision ? text.slice(0, precision) : text;
  return cut.length >= width ? cut : cut + " ".repeat(width - cut.length);
}

/** Text from the database as the bytes printed: escaped for the terminal, as UTF-8 bytes. */
const printed = (text: string): string => utf8String(terminalText(text));

/** Looks up host names (-d) and addresses (-i) as wtmpdb does, each once. */
class Resolver {
  readonly #names = new Map<string, Promise<string>>();

  /** -d: getnameinfo(NI_NAMEREQD) of an address literal; anything else, or no name, as it is. */
  name(host: string): Promise<string> {
    if (!isIPv4(host) && !isIPv6(host)) return Promise.resolve(host);
    return this.#once(`d ${host}`, () =>
      new Promise((resolve) => {
        try {
          lookupService(host, 0, (error, name) => resolve(error === null && name ? name : host));
        } catch {
          resolve(host);
        }
      }));
  }

  /** -i: getaddrinfo's first address, as inet_ntop writes it; the host as it is when it has none. */
  address(host: string): Promise<string> {
    if (isIPv4(host)) return Promise.resolve(host);
    const v6 = ipv6Octets(host);
    if (v6 !== undefined) return Promise.resolve(formatAddress(v6));
    return this.#once(`i ${host}`, () =>
      new Promise((resolve) => {
        try {
          lookup(host, { verbatim: true }, (error, address) => resolve(error === null ? address : host));
        } catch {
          resolve(host);
        }
      }));
  }

  #once(key: string, make: () => Promise<string>): Promise<string> {
    let p = this.#names.get(key);
    if (p === undefined) this.#names.set(key, p = make());
    return p;
  }
}

/** The 16 octets of an IPv6 literal (its zone left out), or undefined. */
function ipv6Octets(text: string): number[] | undefined {
  const bare = text.replace(/%[^%]+$/, "");
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (dotted !== null) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    tail = [a * 256 + b, c * 256 + d];
    head = bare.slice(0, dotted.index + 1);
    if (head.endsWith("::")) head += "";
    else head = head.slice(0, -1);
  }
  const [l, r] = head.split("::") as [string, string | undefined];
  const words = (part: string | undefined): number[] =>
    part === undefined || part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16));
  const left = words(l);
  const right = [...words(r), ...tail];
  const all = r === undefined && !head.includes("::")
    ? [...left, ...tail]
    : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (all.length !== 8) return undefined;
  return all.flatMap((w) => [w >> 8, w & 255]);
}

/**
 * Prints one wtmpdb database as `wtmpdb last` prints it (or, with
 * `--json`/`--ndjson`, the sessions it would list, as the library gives
 * them).
 *
 * @param args The command line of `utmp last`.
 * @param ctx Where errors go.
 * @param out The output (its JSON mode decides).
 * @param path The database.
 * @param name What the "begins" line calls it: the path given with -f, else "wtmpdb".
 */
export async function printWtmpdb(
  args: ParsedArgs,
  ctx: Context,
  out: Writer,
  path: string,
  name: string,
): Promise<void> {
  const ctl = controlOf(args);
  const resolver = new Resolver();
  let start = Infinity;
  let afterReboot = false;
  let newerBoot = 0;
  let newerBootRecord: UtmpRecord | null = null;
  let count = 0;
  const onWarning = (w: { reason: string }) =>
    ctx.io.err(`utmp ${ctx.command}: "${terminalText(path)}": ${w.reason}\n`);
  for await (const s of wtmpdbLastSessions(path, { onWarning })) {
    if (s.kind === "shutdown") continue; // made again below, as wtmpdb makes them (after the filters)
    if (ctl.maxEntries !== 0 && count >= ctl.maxEntries) continue;
    const row = s.row;
    const loginUs = row.login ?? 0;
    const login = seconds(loginUs);
    if (loginUs < start) start = loginUs;
    if (ctl.since !== 0 && ctl.since > login) continue;
    if (ctl.until !== 0 && ctl.until < login) continue;
    if (ctl.present !== 0 && ctl.present < login) continue;
    const tty = row.tty ?? "?";
    if (ctl.match !== undefined && !ctl.match.some((m) => m === row.user || m === tty)) continue;
    const loginText = formatTime(ctl.loginFormat, login);
    let logoutText: string;
    let length: string;
    if (row.logout !== null) {
      const logout = seconds(row.logout);
      if (ctl.present !== 0 && 0 < logout && logout < ctl.present) continue;
      logoutText = formatTime(ctl.logoutFormat, logout);
      length = timeLength(loginUs, row.logout);
    } else if (afterReboot) [logoutText, length] = ["crash", ""];
    else {
      const short = ctl.logoutFormat === "hhmm";
      switch (row.type) {
        case WtmpdbType.USER_PROCESS:
          [logoutText, length] = short ? ["still", "logged in"] : ["still logged in", ""];
          break;
        case WtmpdbType.BOOT_TIME:
          [logoutText, length] = short ? ["still", "running"] : ["still running", ""];
          break;
        default:
          [logoutText, length] = ["ERROR", `Unknown: ${row.type}`];
      }
    }
    const boot = row.type === WtmpdbType.BOOT_TIME;
    if (boot) afterReboot = true;
    let host = row.remoteHost ?? "";
    if (ctl.dns && host !== "") host = await resolver.name(host);
    if (ctl.ip && host !== "") host = await resolver.address(host);
    const line = { user: row.user, tty: boot ? "system boot" : tty, host, service: row.service ?? "" };
    if (out.json) await out.item(s);
    else writeLine(out, ctl, line, loginText, logoutText, length);
    if (ctl.system && boot && newerBoot !== 0 && row.logout !== null) {
      const shutdownAt = seconds(row.logout);
      if (out.json) await out.item(shutdownSession(s, row, newerBoot, newerBootRecord));
      else {
        writeLine(
          out,
          ctl,
          { ...line, user: "shutdown", tty: "system down" },
          formatTime(ctl.loginFormat, shutdownAt),
          formatTime(ctl.logoutFormat, seconds(newerBoot)),
          timeLength(row.logout, newerBoot),
        );
      }
    }
    if (ctl.system && boot) [newerBoot, newerBootRecord] = [loginUs, s.login];
    count++;
    await out.flushIfFull();
  }
  if (start === Infinity) {
    if (!out.json) await out.text(`${printed(name)} has no entries\n`);
  } else if (ctl.beginsFormat !== "notime" && !out.json) {
    await out.text(`\n${printed(name)} begins ${formatTime(ctl.beginsFormat, seconds(start))}\n`);
  }
}

/** The "shutdown" session wtmpdb prints after a boot with -x: from its Logout to the newer boot. */
function shutdownSession(
  s: Session,
  row: WtmpdbRow,
  newerBoot: number,
  boot: UtmpRecord | null,
): Session & { row: WtmpdbRow } {
  const from = row.logout ?? 0;
  return {
    kind: "shutdown",
    login: s.logout ?? s.login,
    logout: boot,
    end: "logout",
    loginTime: new Date(Math.floor(from / 1000)),
    logoutTime: new Date(Math.floor(newerBoot / 1000)),
    duration: Math.trunc((newerBoot - from) / 1e6),
    row,
  };
}

/** wtmpdb.c `print_line` (text): printf's byte widths, nothing trimmed. */
function writeLine(
  out: Writer,
  ctl: Control,
  line: { user: string; tty: string; host: string; service: string },
  loginText: string,
  logoutText: string,
  length: string,
): void {
  let user = printed(line.user);
  if (!ctl.fullnames && line.user === "soft-reboot") user = "s-reboot";
  const tty = printed(line.tty);
  const host = printed(line.host);
  const service = ctl.service ? " " + field(printed(line.service), 12, 12) : "";
  const userField = field(user, 8, ctl.fullnames ? user.length : 8);
  const times = `${field(loginText, ctl.loginLength, ctl.loginLength)} - ${
    field(logoutText, ctl.logoutLength, ctl.logoutLength)
  } `;
  let text: string;
  if (ctl.nohostname) text = `${userField} ${field(tty, 12, 12)}${service} ${times}${length}\n`;
  else if (ctl.hostlast) {
    text = `${userField} ${field(tty, 12, 12)}${service} ${times}${field(length, 12, 12)} ${host}\n`;
  } else {
    text = `${userField} ${field(tty, 12, 12)} ${
      field(host, 16, ctl.fullnames ? host.length : 16)
    }${service} ${times}${length}\n`;
  }
  out.write(text);
}
