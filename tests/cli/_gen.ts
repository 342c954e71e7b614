/**
 * Generated login-record files for the differential tests: seeded random
 * histories (wtmp), snapshots (utmp) and failed-login logs (btmp) with the
 * awkward cases the tools must agree on — reboots with and without a
 * shutdown, run-level changes, clock changes, sessions left open, logouts
 * that never came, odd record types, 32-byte names with no NUL, non-ASCII
 * and control bytes, IPv6 and IPv4-mapped addresses, full-width hosts.
 *
 * Each file is made two ways: with the layout encoder, and as utmpdump text
 * that `utmpdump -r` turns into the binary file.
 *
 * @module
 */

import { encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { bytesOf, utmpdumpR } from "./_run.ts";

const enc = new TextEncoder();

/** A record to generate: encoder fields with the strings as bytes. */
export interface GenRecord {
  ut_type_raw: number;
  ut_pid: number;
  ut_line: Uint8Array;
  ut_id: Uint8Array;
  ut_user: Uint8Array;
  ut_host: Uint8Array;
  e_termination: number;
  e_exit: number;
  ut_session: number;
  tv_sec: number;
  tv_usec: number;
  ut_addr: number[];
}

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b = (s: string): Uint8Array => enc.encode(s);

/** Random numbers, integers in a range and picks from a list, from one seed. */
function dice(
  seed: number,
): { r: () => number; int: (lo: number, hi: number) => number; pick: <T>(l: readonly T[]) => T } {
  const r = random(seed);
  return {
    r,
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(r() * list.length)]!,
  };
}

/** A record with every field zero or empty but those given. */
function record(fields: Partial<GenRecord> & { tv_sec: number }): GenRecord {
  return {
    ut_type_raw: 0,
    ut_pid: 0,
    ut_line: b(""),
    ut_id: b(""),
    ut_user: b(""),
    ut_host: b(""),
    e_termination: 0,
    e_exit: 0,
    ut_session: 0,
    tv_usec: 0,
    ut_addr: [0, 0, 0, 0],
    ...fields,
  };
}
const bytes = (...v: number[]): Uint8Array => new Uint8Array(v);

const USERS: Uint8Array[] = [
  b("root"),
  b("alice"),
  b("bob"),
  b("carol"),
  b("dave"),
  b("kerolasa"),
  b("jürgen"),
  b("日本語ユーザ"),
  b("a".repeat(32)),
  b("abcdefghijklmnopq"),
  b("user_process"),
  b("runlevel"),
  b("x\x01y"),
  bytes(0x66, 0xe9, 0x6c, 0x69, 0x78), // "félix" in Latin-1: invalid UTF-8
  b("ftp"),
];
const LINES: Uint8Array[] = [
  b("pts/0"),
  b("pts/1"),
  b("pts/2"),
  b("pts/3"),
  b("pts/10"),
  b("tty1"),
  b("tty2"),
  b("tty"),
  b("console"),
  b(":0"),
  b(":1"),
  b("ftp1234"),
  b("uucp7"),
  b("ssh:notty"),
  b("l".repeat(32)),
];
const HOSTS: Uint8Array[] = [
  b(""),
  b(""),
  b("10.0.0.5"),
  b("192.168.100.200"),
  b("example.org"),
  b("a-very-long-host-name.example.com"),
  b("2001:db8::1"),
  b(":0"),
  b(":0.0"),
  b("localhost:10.0"),
  b("höst"),
  b("h".repeat(256)),
  b("5.10.0-8-amd64"),
];

/** Options of {@link scenario}. */
export interface ScenarioOptions {
  /** How many events. */
  events: number;
  /** Time of the first event. */
  start: number;
  /** Latest time (kept below 2^31 for the signed-time oracles). */
  end?: number;
  /** Longest usual gap between events in seconds (default: 4 days). */
  gap?: number;
}

/**
 * A random wtmp history.
 *
 * @param seed PRNG seed.
 * @param options Size and time range.
 * @returns Records in file order.
 */
export function wtmpScenario(seed: number, options: ScenarioOptions): GenRecord[] {
  const { r, int, pick } = dice(seed);
  const end = options.end ?? 2 ** 31 - 1;
  let t = options.start;
  let level = "3";
  const open = new Map<string, { user: Uint8Array; pid: number; id: Uint8Array }>();
  const out: GenRecord[] = [];
  const push = (rec: Partial<GenRecord>): void => void out.push(record({ tv_sec: t, tv_usec: int(0, 999999), ...rec }));
  const kernel = pick(HOSTS.slice(-1));
  const boot = (): void => {
    push({ ut_type_raw: 2, ut_line: b("~"), ut_id: b("~~"), ut_user: b("reboot"), ut_host: kernel });
    open.clear();
  };
  for (let i = 0; i < options.events; i++) {
    const step = r();
    const gap = options.gap ?? 4 * 86400;
    t += step < 0.05 ? -int(1, gap / 48) : step < 0.1 ? 0 : step < 0.8 ? int(1, gap / 96) : int(gap / 96, gap);
    t = Math.max(0, Math.min(end, t));
    const e = r();
    if (e < 0.4) {
      const line = pick(LINES);
      const user = pick(USERS);
      const pid = int(1, 99999);
      const id = line.subarray(Math.max(0, line.length - 4));
      open.set(new TextDecoder().decode(line), { user, pid, id });
      push({ ut_type_raw: 7, ut_pid: pid, ut_line: line, ut_id: id, ut_user: user, ...address(r, pick) });
    } else if (e < 0.68) {
      const lines = [...open.keys()];
      if (lines.length === 0) continue;
      const line = pick(lines);
      const s = open.get(line)!;
      open.delete(line);
      push({
        ut_type_raw: 8,
        ut_pid: s.pid,
        ut_line: b(line),
        ut_id: s.id,
        ut_user: r() < 0.7 ? b("") : s.user,
        e_exit: int(0, 2),
      });
    } else if (e < 0.74) {
      if (r() < 0.6) {
        push({
          ut_type_raw: 1,
          ut_pid: r() < 0.5 ? 0x30 : 0x36,
          ut_line: b("~"),
          ut_id: b("~~"),
          ut_user: b("shutdown"),
          ut_host: kernel,
        });
        t += int(1, 600);
      }
      boot();
    } else if (e < 0.79) {
      const next = pick(["1", "2", "3", "5", "S", "0", "6"]);
      push({
        ut_type_raw: 1,
        ut_pid: next.charCodeAt(0) + level.charCodeAt(0) * 256,
        ut_line: b("~"),
        ut_id: b("~~"),
        ut_user: b("runlevel"),
        ut_host: kernel,
      });
      level = next;
    } else if (e < 0.82) {
      push({ ut_type_raw: 4, ut_line: b("|"), ut_user: b("date") });
      t += int(-3600, 3600);
      push({ ut_type_raw: 3, ut_line: b("{"), ut_user: b("date") });
    } else if (e < 0.88) {
      push({ ut_type_raw: 6, ut_pid: int(1, 9999), ut_line: pick(LINES), ut_id: b("1"), ut_user: b("LOGIN") });
    } else if (e < 0.92) {
      push({ ut_type_raw: 5, ut_pid: int(1, 9999), ut_line: pick(LINES), ut_id: b("si") });
    } else if (e < 0.94) {
      push({ ut_type_raw: 0 });
    } else if (e < 0.96) {
      push({ ut_type_raw: pick([0, 5, 6, 9]), ut_line: pick(LINES), ut_user: pick(USERS), ut_host: pick(HOSTS) });
    } else if (e < 0.98) {
      push({ ut_type_raw: 7, ut_pid: int(1, 999), ut_line: pick(LINES), ut_user: b("") });
    } else {
      push({ ut_type_raw: 8, ut_pid: int(1, 999), ut_line: b(""), ut_user: pick(USERS) });
    }
  }
  return out;
}

/**
 * A random utmp snapshot: a boot and run level, getty and init processes,
 * logged-in users (some whose process is this test's own, alive), dead
 * sessions, a clock change.
 *
 * @param seed PRNG seed.
 * @param start Boot time.
 * @returns Records in file order.
 */
export function utmpScenario(seed: number, start: number): GenRecord[] {
  const { r, int, pick } = dice(seed);
  let t = start;
  const out: GenRecord[] = [];
  const push = (rec: Partial<GenRecord>): void => {
    t += int(0, 5000);
    out.push(record({ tv_sec: Math.min(t, 2 ** 31 - 1), tv_usec: int(0, 999999), ...rec }));
  };
  if (r() < 0.9) {
    push({ ut_type_raw: 2, ut_line: b("~"), ut_id: b("~~"), ut_user: b("reboot"), ut_host: b("6.1.0-9-amd64") });
  }
  push({
    ut_type_raw: 1,
    ut_pid: pick(["3", "5", "2"]).charCodeAt(0) + pick(["N", "S", "3", "\0"]).charCodeAt(0) * 256,
    ut_line: b("~"),
    ut_id: b("~~"),
    ut_user: b("runlevel"),
  });
  const n = int(3, 25);
  for (let i = 0; i < n; i++) {
    const e = r();
    const line = pick(LINES);
    if (e < 0.45) {
      push({
        ut_type_raw: 7,
        // Some sessions belong to live processes (1, this one), the others to gone ones.
        ut_pid: pick([1, int(2, 99999), int(2, 99999), -int(1, 99), 0]),
        ut_line: line,
        ut_id: line.subarray(Math.max(0, line.length - 4)),
        ut_user: pick(USERS),
        ut_host: pick(HOSTS),
        ...address(r, pick),
      });
    } else if (e < 0.6) {
      push({ ut_type_raw: 6, ut_pid: int(1, 9999), ut_line: line, ut_id: b("tty" + int(1, 9)), ut_user: b("LOGIN") });
    } else if (e < 0.7) push({ ut_type_raw: 5, ut_pid: int(1, 9999), ut_line: line, ut_id: b("si") });
    else if (e < 0.85) {
      push({
        ut_type_raw: 8,
        ut_pid: int(1, 9999),
        ut_line: line,
        ut_id: b("ts/" + int(0, 9)),
        e_termination: int(0, 15),
        e_exit: int(0, 255),
      });
    } else if (e < 0.9) push({ ut_type_raw: 3, ut_line: b("{"), ut_user: b("date") });
    else if (e < 0.95) push({ ut_type_raw: 2, ut_line: b("~"), ut_id: b("~~"), ut_user: b("reboot") });
    else push({ ut_type_raw: 0 });
  }
  return out;
}

/**
 * A random btmp: failed logins (LOGIN_PROCESS) from addresses near and far.
 *
 * @param seed PRNG seed.
 * @param start Time of the first attempt.
 * @param count How many attempts.
 * @returns Records in file order.
 */
export function btmpScenario(seed: number, start: number, count: number): GenRecord[] {
  const { r, int, pick } = dice(seed);
  const out: GenRecord[] = [];
  let t = start;
  for (let i = 0; i < count; i++) {
    t += int(0, 900);
    out.push(record({
      ut_type_raw: r() < 0.9 ? 6 : pick([7, 0]),
      ut_pid: int(1000, 3999999),
      ut_line: r() < 0.7 ? b("ssh:notty") : pick(LINES),
      ut_user: pick(USERS),
      ut_host: pick(HOSTS),
      tv_sec: t,
      tv_usec: r() < 0.5 ? 0 : int(0, 999999),
      ...address(r, pick),
    }));
  }
  return out;
}

/** A random remote address: none, IPv4, IPv6, IPv4-mapped, loopback. */
function address(r: () => number, pick: <T>(l: readonly T[]) => T): { ut_addr: number[] } {
  const o = (): number => Math.floor(r() * 256);
  const kind = r();
  if (kind < 0.3) return { ut_addr: [0, 0, 0, 0] };
  if (kind < 0.6) return { ut_addr: [o(), o(), o(), o()] };
  if (kind < 0.8) return { ut_addr: [0x20, 0x01, 0x0d, 0xb8, ...Array.from({ length: 12 }, () => pick([0, 0, o()]))] };
  if (kind < 0.9) return { ut_addr: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, o(), o(), o(), o()] };
  return { ut_addr: pick([[127, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]) };
}

/**
 * The binary file, written with the layout encoder (glibc x86_64).
 *
 * @param records The records.
 * @returns The file image.
 */
export function encode(records: readonly GenRecord[]): Uint8Array {
  return encodeRecords(LAYOUTS.linux, records as readonly RecordInput[]);
}

const p2 = (n: number): string => String(n).padStart(2, "0");

/** A field as `utmpdump -r` can read it back: no spaces, brackets or newlines. */
function textField(v: Uint8Array, width: number): string {
  let s = "";
  for (const c of v) {
    s += c === 0x20 || c === 0x5b || c === 0x5d || c === 0x0a || c === 0 ? "_" : String.fromCharCode(c);
  }
  return s.padEnd(width, " ");
}

/**
 * The records as utmpdump text (a byte string: one char per byte), for
 * `utmpdump -r`; addresses as inet_ntop text, fields that utmpdump cannot
 * carry (spaces, brackets) replaced by "_".
 *
 * @param records The records.
 * @returns The text.
 */
export function utmpdumpText(records: readonly GenRecord[]): string {
  return records.map((u) => {
    const d = new Date(u.tv_sec * 1000);
    const time = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${
      p2(d.getUTCMinutes())
    }:${p2(d.getUTCSeconds())},${String(u.tv_usec).padStart(6, "0")}+00:00`;
    const addr = u.ut_addr.length === 4 ? u.ut_addr.join(".") : ipv6(u.ut_addr);
    return `[${u.ut_type_raw}] [${String(u.ut_pid).padStart(5, "0")}] [${textField(u.ut_id, 4).slice(0, 4)}] [${
      textField(u.ut_user, 8)
    }] [${textField(u.ut_line, 12)}] [${textField(u.ut_host, 20)}] [${addr.padEnd(15)}] [${time}]\n`;
  }).join("");
}

function ipv6(o: readonly number[]): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((o[i]! * 256 + o[i + 1]!).toString(16));
  return words.join(":");
}

/**
 * Writes a scenario both ways into `dir`: NAME.enc (encoder) and NAME.txt +
 * NAME.rev (`utmpdump -r` of the text).
 *
 * @param file Makes a path in the test's directory and writes data to it.
 * @param name Base name.
 * @param records The records.
 * @returns The two binary files.
 */
export function writeBoth(
  file: (name: string, data?: Uint8Array | string) => string,
  name: string,
  records: readonly GenRecord[],
): { encoded: string; reversed: string; text: string } {
  const encoded = file(`${name}.enc`, encode(records));
  const textBytes = utmpdumpText(records);
  const text = file(`${name}.txt`, bytesOf(textBytes));
  const reversed = utmpdumpR(textBytes, file(`${name}.rev`));
  return { encoded, reversed, text };
}
