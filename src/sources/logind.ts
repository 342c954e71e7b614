/**
 * systemd-logind's session files, `/run/systemd/sessions/<ID>` (FORMATS.md
 * §14.1), read as login records: who is logged in on systems that keep no
 * utmp (Debian 13, openSUSE, RHEL 10).
 *
 * The files are logind's private state, written by `session_save()` in
 * `src/login/logind-session.c` (systemd): a comment line, then `KEY=value`
 * lines; REMOTE_HOST, REMOTE_USER, SERVICE and DESKTOP are C-escaped
 * (`cescape`). They are replaced atomically (written to a temporary file,
 * then renamed), so a file read whole is consistent.
 *
 * @module
 */

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { UtmpFileError } from "../errors.ts";
import { fileError, readRegularFile } from "../backends/_record_file.ts";
import { devicePath, type UtmpRecord } from "../record.ts";
import { addressOctets, PlainRecord, whole } from "./_plain.ts";

/**
 * Where logind keeps its session files.
 *
 * @example
 * ```ts
 * import { LOGIND_SESSIONS_DIR } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LOGIND_SESSIONS_DIR, "/run/systemd/sessions");
 * ```
 */
export const LOGIND_SESSIONS_DIR = "/run/systemd/sessions";

/** One logind session: its id (the file name) and every key of its file. */
export interface LogindSession {
  /** Session id ("3", "c1", ...): the file name, and `ut_id` of its record. */
  id: string;
  /**
   * Every `KEY=value` of the file (UID, USER, CLASS, TYPE, STATE, TTY, SEAT,
   * DISPLAY, REMOTE_HOST, LEADER, REALTIME, ...), with the C-escaped ones
   * (REMOTE_HOST, REMOTE_USER, SERVICE, DESKTOP) unescaped.
   */
  values: Readonly<Record<string, string>>;
}

/**
 * Why an entry of the session directory is passed over: gone, a directory, a
 * FIFO, device or socket, a symbolic link (logind writes regular files only,
 * and a link could lead anywhere: `/etc/shadow`, out of a mounted root), or
 * larger than a session file can be.
 */
const SKIPPED = new Set(["ENOENT", "EISDIR", "EFTYPE", "ELOOP", "EFBIG"]);

/**
 * The most a session file is read: logind's are a few hundred bytes
 * (`session_save()` writes some 30 short keys); a larger one is no session
 * file and is passed over, never read whole.
 */
export const SESSION_FILE_LIMIT = 64 * 1024;

/** Keys `session_save()` writes through `cescape()`. */
const ESCAPED_KEYS = new Set(["REMOTE_HOST", "REMOTE_USER", "SERVICE", "DESKTOP"]);

/** A session id as logind makes them (`session_id_valid`): letters and digits. Skips `.#3abc` temporaries and `3.ref` FIFOs. */
const SESSION_ID = /^[A-Za-z0-9]+$/;

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 0x5c,
  '"': 0x22,
  "'": 0x27,
  "?": 0x3f,
};

const utf8 = new TextEncoder();
const text = new TextDecoder();

/**
 * Undoes C escaping as systemd's `cunescape()` reads it: `\n`, `\t`, `\\`,
 * `\"`, ..., `\xNN` and `\NNN` (octal) bytes, `\uNNNN` and `\UNNNNNNNN` code
 * points. Escaped bytes are joined and read as UTF-8 (invalid sequences
 * become U+FFFD); an unknown or cut escape is kept as written.
 *
 * @example A host name with a tab and a UTF-8 "é"
 * ```ts
 * import { cunescape } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cunescape("caf\\xc3\\xa9\\tbar"), "café\tbar");
 * ```
 *
 * @param escaped The escaped text.
 * @returns The text.
 */
export function cunescape(escaped: string): string {
  if (!escaped.includes("\\")) return escaped;
  // Bytes out: at most 3 per UTF-16 unit of literal text, fewer for an escape (2 to 10 units for 1 to 4 bytes).
  const out = new Uint8Array(escaped.length * 3);
  let n = 0;
  const literal = (s: string): void => void (n += utf8.encodeInto(s, out.subarray(n)).written);
  let from = 0;
  for (let i = escaped.indexOf("\\"); i !== -1 && i + 1 < escaped.length; i = escaped.indexOf("\\", i)) {
    literal(escaped.slice(from, i));
    const e = escaped[i + 1]!;
    const simple = SIMPLE_ESCAPES[e];
    const hex = e === "x" ? digits(escaped, i + 2, 2, HEX) : undefined;
    const octal = digits(escaped, i + 1, 3, OCTAL);
    const code = e === "u" ? digits(escaped, i + 2, 4, HEX) : e === "U" ? digits(escaped, i + 2, 8, HEX) : undefined;
    if (simple !== undefined) {
      out[n++] = simple;
      i += 2;
    } else if (hex !== undefined) {
      out[n++] = parseInt(hex, 16);
      i += 4;
    } else if (octal !== undefined) {
      out[n++] = parseInt(octal, 8);
      i += 4;
    } else if (code !== undefined && parseInt(code, 16) <= 0x10ffff) {
      literal(String.fromCodePoint(parseInt(code, 16)));
      i += 2 + code.length;
    } else {
      literal("\\");
      i += 1;
    }
    from = i;
  }
  literal(escaped.slice(from));
  return text.decode(out.subarray(0, n));
}

const HEX = /^[0-9a-fA-F]+$/;
const OCTAL = /^[0-3][0-7][0-7]$/;

/** The `n` characters at `from` when they match `re`. */
function digits(s: string, from: number, n: number, re: RegExp): string | undefined {
  const d = s.slice(from, from + n);
  return d.length === n && re.test(d) ? d : undefined;
}

/**
 * Parses a session file: `KEY=value` lines after the leading comment, the
 * C-escaped keys unescaped.
 *
 * @example A remote session
 * ```ts
 * import { parseSessionFile } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * const values = parseSessionFile("# This is private data. Do not parse.\nUSER=alice\nTTY=pts/0\nREMOTE_HOST=198.51.100.4\n");
 * assert.deepEqual(values, { USER: "alice", TTY: "pts/0", REMOTE_HOST: "198.51.100.4" });
 * ```
 *
 * @param content The file's text.
 * @returns Its keys and values.
 */
export function parseSessionFile(content: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of content.split("\n")) {
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    values[key] = ESCAPED_KEYS.has(key) ? cunescape(value) : value;
  }
  return values;
}

/**
 * Reads every session file in a directory, ordered by start time (then id).
 * Files that vanish while being read (a session that just ended) are left
 * out, and so are entries logind never writes: a directory, a FIFO, a
 * device, a socket, a symbolic link (never followed: opened with
 * `O_NOFOLLOW`, so a link cannot lead out of the directory or of a mounted
 * root) and a file of more than 64 KiB.
 *
 * @example Listing sessions with their class
 * ```ts
 * import { readLogindSessions } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "sessions-"));
 * writeFileSync(join(dir, "4"), "# This is private data. Do not parse.\nUSER=alice\nCLASS=user\nTTY=pts/0\n");
 * writeFileSync(join(dir, "c1"), "# This is private data. Do not parse.\nUSER=alice\nCLASS=manager\n");
 * const sessions = await readLogindSessions(dir); // the system's: readLogindSessions()
 * assert.deepEqual(sessions.map((s) => `${s.id} ${s.values.CLASS}`), ["4 user", "c1 manager"]);
 * ```
 *
 * @param dir The sessions directory (default {@link LOGIND_SESSIONS_DIR}).
 * @returns The sessions, including the ones `who` leaves out (see {@link isUserSession}).
 * @throws {UtmpFileError} When the directory cannot be read ("ENOENT" where logind does not run).
 */
export async function readLogindSessions(dir: string = LOGIND_SESSIONS_DIR): Promise<LogindSession[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw fileError(error, dir, "systemd-logind is not running here (no session directory)");
  }
  const sessions: LogindSession[] = [];
  for (const id of names.filter((n) => SESSION_ID.test(n))) {
    let content: string;
    try {
      content = text.decode(await readRegularFile(join(dir, id), { maxBytes: SESSION_FILE_LIMIT, noFollow: true }));
    } catch (error) {
      // Gone since the listing, or not a session file (logind writes regular files only): skipped, never read.
      if (error instanceof UtmpFileError && SKIPPED.has(error.code)) continue;
      throw error;
    }
    sessions.push({ id, values: parseSessionFile(content) });
  }
  return sessions.sort((a, b) => startUsec(a) - startUsec(b) || a.id.localeCompare(b.id, "en", { numeric: true }));
}

/** REALTIME in µs: a whole number within what a number holds exactly, 0 when it is not a number. */
function startUsec(session: LogindSession): number {
  const n = Number(session.values.REALTIME ?? 0);
  return Number.isFinite(n) ? whole(n) ?? 0 : 0;
}

/**
 * Whether `who` lists a session: class `user` or `user-*` (not `greeter`,
 * `lock-screen`, `background` or the `manager` sessions of `user@.service`),
 * with a tty, a seat or a display — the filter of GNU coreutils and uutils
 * `who` over sd-login (FORMATS.md §14.1).
 *
 * @example A manager session is not a login
 * ```ts
 * import { isUserSession } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isUserSession({ id: "2", values: { CLASS: "user", TTY: "pts/0" } }), true);
 * assert.equal(isUserSession({ id: "c1", values: { CLASS: "manager" } }), false);
 * ```
 *
 * @param session A session.
 * @returns True for a user's login session.
 */
export function isUserSession(session: LogindSession): boolean {
  const v = session.values;
  const cls = v.CLASS ?? "user";
  if (cls !== "user" && !cls.startsWith("user-")) return false;
  return Boolean(v.TTY || v.SEAT || v.DISPLAY);
}

/**
 * A session as a login record (FORMATS.md §14.1, from `thkukuk/utmpx`'s
 * utmp-to-logind mapping): `ut_type` "USER_PROCESS" (`ut_type_raw` -1, logind
 * has no type numbers), USER → `ut_user`, TTY → `ut_line` as a device path
 * ("/dev/pts/0"; the seat, then the display, for a session without a tty),
 * REMOTE_HOST → `ut_host` (the display for a local graphical session, as
 * GNU `who` shows it), LEADER → `ut_pid`, REALTIME (µs) → `ut_tv`/`ut_time`,
 * the session id → `ut_id`, SERVICE → `ut_service`, and REMOTE_HOST → `ut_addr`/`ut_addr_text`
 * when it is an IPv4 or IPv6 address literal (the octets and `inet_ntop`
 * text a utmp record holds; 0.0.0.0 for a host name). logind keeps no exit
 * status or session id: those are 0.
 *
 * @example One ssh session
 * ```ts
 * import { sessionRecord } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * const u = sessionRecord({
 *   id: "7",
 *   values: { USER: "alice", TTY: "pts/1", REMOTE_HOST: "198.51.100.4", LEADER: "4242", REALTIME: "1700000000123456" },
 * }, 0);
 * assert.equal(u.ut_line, "/dev/pts/1");
 * assert.equal(u.ut_pid, 4242);
 * assert.equal(u.ut_id, "7");
 * assert.deepEqual(u.ut_addr, [198, 51, 100, 4]);
 * assert.equal(u.ut_addr_text, "198.51.100.4");
 * assert.deepEqual(u.ut_tv, { tv_sec: 1700000000, tv_usec: 123456 });
 * assert.equal(u.layout, "logind");
 * ```
 *
 * @param session The session.
 * @param index Its position among the records yielded.
 * @returns The record.
 */
export function sessionRecord(session: LogindSession, index: number): UtmpRecord {
  const v = session.values;
  const pid = Number(v.LEADER ?? 0);
  const addr = addressOctets(v.REMOTE_HOST ?? "");
  return new PlainRecord({
    ...(addr === undefined ? {} : { ut_addr: addr }),
    ut_type: "USER_PROCESS",
    ut_type_raw: -1,
    ut_user: v.USER ?? "",
    ut_service: v.SERVICE ?? "",
    ut_line: v.TTY ? devicePath(v.TTY) : v.SEAT || v.DISPLAY || "",
    ut_id: session.id,
    ut_host: v.REMOTE_HOST || v.DISPLAY || "",
    ut_pid: Number.isSafeInteger(pid) ? pid : 0,
    usec: startUsec(session),
    layout: "logind",
    index,
  });
}

/**
 * The logged-in users' sessions ({@link isUserSession}) as login records
 * ({@link sessionRecord}), ordered by start time.
 *
 * @example Who is logged in, from logind
 * ```ts
 * import { logindRecords } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "sessions-"));
 * writeFileSync(
 *   join(dir, "4"),
 *   "# This is private data. Do not parse.\nUSER=alice\nCLASS=user\nTTY=pts/0\nREMOTE_HOST=192.0.2.7\nREALTIME=1700000000000000\n",
 * );
 * writeFileSync(join(dir, "c1"), "# This is private data. Do not parse.\nUSER=alice\nCLASS=manager\n");
 * const who = [];
 * for await (const u of logindRecords(dir)) who.push(`${u.ut_user} ${u.ut_line} ${u.ut_host} ${u.ut_time.toISOString()}`);
 * assert.deepEqual(who, ["alice /dev/pts/0 192.0.2.7 2023-11-14T22:13:20.000Z"]);
 * ```
 *
 * @param dir The sessions directory (default {@link LOGIND_SESSIONS_DIR}).
 * @returns The records.
 * @throws {UtmpFileError} When the directory cannot be read.
 */
export async function* logindRecords(dir: string = LOGIND_SESSIONS_DIR): AsyncGenerator<UtmpRecord> {
  let index = 0;
  for (const session of await readLogindSessions(dir)) {
    if (isUserSession(session)) yield sessionRecord(session, index++);
  }
}
