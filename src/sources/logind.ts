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

import { lstatSync, readdirSync, statSync } from "node:fs";
import { opendir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { UtmpFileError } from "../errors.ts";
import { fileError } from "../backends/_open.ts";
import { devicePath, type UtmpRecord } from "../record.ts";
import { addressOctets, PlainRecord, whole } from "./_plain.ts";
import { Root } from "./_root.ts";
import { Machine } from "./_proc.ts";

import { LOGIND_SESSIONS_DIR } from "../paths.ts";

export { LOGIND_SESSIONS_DIR };

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
  // Runs of text and code points are written in place: no view or string made for an empty run or an escape.
  const literal = (s: string): void => {
    if (s !== "") n += utf8.encodeInto(s, out.subarray(n)).written;
  };
  const codePoint = (cp: number): void => {
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // a lone surrogate, as encodeInto writes it
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (size === 1) {
      out[n++] = cp;
      return;
    }
    out[n] = UTF8_LEAD[size]! | (cp >> (6 * (size - 1)));
    for (let k = 1; k < size; k++) out[n + k] = 0x80 | ((cp >> (6 * (size - 1 - k))) & 63);
    n += size;
  };
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
      codePoint(parseInt(code, 16));
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

/** UTF-8's lead byte marks, by sequence length. */
const UTF8_LEAD = [0, 0, 0xc0, 0xe0, 0xf0] as const;

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
 * @param options Whether `dir` may be a symbolic link (not under a root: see {@link LogindOptions.noFollow}).
 * @returns The sessions, including the ones `who` leaves out (see {@link isUserSession}).
 * @throws {UtmpFileError} When the directory cannot be read ("ENOENT" where logind does not run; "ELOOP" for a
 *   link with `noFollow`).
 */
export async function readLogindSessions(
  dir: string = LOGIND_SESSIONS_DIR,
  options: LogindOptions = {},
): Promise<LogindSession[]> {
  const sessions = await readSessions(dir, "name", Root.opening(options.noFollow));
  return sessions.sort((a, b) => startUsec(a) - startUsec(b) || a.id.localeCompare(b.id, "en", { numeric: true }));
}

/** Options of {@link readLogindSessions}. */
export interface LogindOptions {
  /**
   * The directory was resolved under a root: it is opened without following
   * a symbolic link (`O_NOFOLLOW`, "ELOOP"), at every look, and listed and
   * read through that descriptor (`/proc/self/fd/N`), so a directory swapped
   * for a link since leads nowhere outside the root.
   */
  noFollow?: boolean | undefined;
}

/** What a missing session directory means. */
const NO_LOGIND = "systemd-logind is not running here (no session directory)";

/**
 * The session files of a directory, in the order asked: "directory" is the
 * order the directory lists them in (`readdir(3)`, as sd-login's
 * `sd_get_sessions()` gives them to coreutils and procps), "name" any.
 */
async function readSessions(dir: string, order: "directory" | "name", opens: Root): Promise<LogindSession[]> {
  const opened = await opens.openDirectory(dir, NO_LOGIND);
  try {
    let names: string[];
    try {
      if (order === "name") names = await readdir(opened.path);
      else {
        // opendir, not readdir: readdir sorts the names in Node (libuv's scandir), opendir keeps the directory's
        // order.
        names = [];
        for await (const entry of await opendir(opened.path)) names.push(entry.name);
      }
    } catch (error) {
      throw fileError(error, dir, NO_LOGIND);
    }
    const sessions: LogindSession[] = [];
    for (const id of names.filter((n) => SESSION_ID.test(n))) {
      let content: string;
      try {
        // Never through a link, under a root or not: logind writes regular files only.
        const bytes = await Root.resolved.read(join(opened.path, id), { maxBytes: SESSION_FILE_LIMIT });
        content = text.decode(bytes);
      } catch (error) {
        // Gone since the listing, or not a session file (logind writes regular files only): skipped, never read.
        if (error instanceof UtmpFileError && SKIPPED.has(error.code)) continue;
        // Named by the path the caller knows, not the descriptor's.
        throw error instanceof UtmpFileError && opened.path !== dir ? fileError(error.cause, join(dir, id)) : error;
      }
      sessions.push({ id, values: parseSessionFile(content) });
    }
    return sessions;
  } finally {
    await opened.close();
  }
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
 * The records coreutils 9.7 makes of logind's sessions ({@link LogindEntry}:
 * a seat's and a terminal's, TTY-less ssh and web sessions named as it
 * names them), in the directory's order; sessions with a dead leader are
 * not left out here.
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
 * @param options Where the machine's `/` is (its `/dev/pts`), and whether `dir` may be a symbolic link.
 * @returns The records.
 * @throws {UtmpFileError} When the directory cannot be read.
 */
export async function* logindRecords(
  dir: string = LOGIND_SESSIONS_DIR,
  options: LogindSessionsOptions = {},
): AsyncGenerator<UtmpRecord> {
  for await (const entry of logindSessions(dir, options)) yield* entry.records;
}

/**
 * One logind session as the tools of a system without utmp see it (Debian
 * 13: coreutils 9.7's `read_utmp()` over sd-login, procps 4.0.4's `w`): the
 * lines `who` makes of it, and what `w` needs.
 */
export interface LogindEntry {
  /** The session file. */
  session: LogindSession;
  /**
   * The records coreutils 9.7 makes of it, in its order: one for the seat,
   * one for the terminal (none, one or both). USER_PROCESS, or
   * LOGIN_PROCESS for a `manager` class. The terminal's line is TTY (a
   * device, "/dev/pts/0"); without one, for TYPE=tty, SERVICE and the pty
   * guessed from the session's start ("sshd pts/0"; SERVICE or the pty
   * alone when there is only one), for TYPE=web (Cockpit) SERVICE. The host
   * is REMOTE_USER@REMOTE_HOST, REMOTE_HOST, or the display of an x11
   * session.
   */
  records: UtmpRecord[];
  /**
   * The session as one record: its terminal's record, else its seat's,
   * else (a session `who` does not list, which `w` may) a USER_PROCESS
   * record with an empty line.
   */
  record: UtmpRecord;
  /** Whether its class starts with "user" (`user`, `user-early`, ...): a session `w` shows and counts. */
  user: boolean;
  /** UID, or undefined when the file has none that parses. */
  uid: number | undefined;
  /** LEADER, 0 when none. */
  leader: number;
  /** REMOTE_HOST alone ("" when none): what `w` shows as FROM. */
  remoteHost: string;
  /** TTY as the file gives it ("" when none). */
  tty: string;
}

/** Options of {@link logindSessions}. */
export interface LogindSessionsOptions extends LogindOptions {
  /**
   * The machine's `/`: the pty of a session without TTY is looked for in
   * its `/dev/pts` (default: this machine's).
   */
  root?: string;
}

/**
 * Every session of logind's directory, in the directory's order (as
 * sd-login lists them to coreutils and procps), as {@link LogindEntry}s:
 * the one reading of logind's sessions behind `utmp who`, `users`, `w`,
 * `watch`, `who()` and `loggedIn()`. Sessions are not checked for a live
 * leader here.
 *
 * @example A session sshd left without a TTY, and one with both a seat and a tty
 * ```ts
 * import { logindSessions } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "sessions-"));
 * const head = "# This is private data. Do not parse.\nUID=1000\nUSER=alice\nCLASS=user\n";
 * writeFileSync(join(dir, "4"), head + "TYPE=tty\nSERVICE=sshd\nREMOTE_HOST=192.0.2.7\nREALTIME=1700000000000000\n");
 * writeFileSync(join(dir, "5"), head + "TYPE=x11\nSEAT=seat0\nTTY=tty7\nDISPLAY=:0\nREALTIME=1700000000000000\n");
 * const lines = [];
 * for await (const e of logindSessions(dir)) for (const u of e.records) lines.push(`${u.ut_line} ${u.ut_host}`);
 * assert.deepEqual(lines.sort(), ["/dev/tty7 :0", "seat0 :0", "sshd 192.0.2.7"]);
 * ```
 *
 * @param dir The sessions directory (default {@link LOGIND_SESSIONS_DIR}).
 * @param options Where the machine's `/` is, and whether `dir` may be a symbolic link.
 * @returns The sessions.
 * @throws {UtmpFileError} When the directory cannot be read.
 */
export async function* logindSessions(
  dir: string = LOGIND_SESSIONS_DIR,
  options: LogindSessionsOptions = {},
): AsyncGenerator<LogindEntry> {
  const pts = Root.of(options.root).pathSync("/dev/pts");
  let ptys: Map<number, Pty[]> | undefined;
  let index = 0;
  for (const session of await readSessions(dir, "directory", Root.opening(options.noFollow))) {
    const entry = logindEntry(session, index, (uid, usec) => guessPty(ptys ??= listPtys(pts), uid, usec));
    index += Math.max(1, entry.records.length);
    yield entry;
  }
}

/** A decimal id as systemd's `parse_uid`/`parse_pid` take it, else undefined. */
function decimal(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n < 4294967295 ? n : undefined;
}

/**
 * coreutils 9.7's `read_utmp_from_systemd` for one session (gnulib
 * `readutmp.c`, February 2025).
 */
function logindEntry(
  session: LogindSession,
  index: number,
  guess: (uid: number, usec: number) => string | undefined,
): LogindEntry {
  const v = session.values;
  const usec = startUsec(session);
  const uid = decimal(v.UID);
  const type = v.TYPE ?? "";
  let tty: string | undefined = v.TTY || undefined;
  if (tty === undefined && type === "tty") {
    const pty = uid === undefined ? undefined : guess(uid, usec);
    const service = v.SERVICE || undefined;
    tty = service !== undefined && pty !== undefined ? `${service} ${pty}` : service ?? pty;
  } else if (tty === undefined && type === "web") tty = v.SERVICE || undefined;
  const remote = v.REMOTE_HOST ?? "";
  const host = remote === ""
    ? (type === "x11" ? v.DISPLAY ?? "" : "")
    : v.REMOTE_USER
    ? `${v.REMOTE_USER}@${remote}`
    : remote;
  const leader = decimal(v.LEADER) ?? 0;
  const addr = addressOctets(remote);
  const make = (line: string, kind: "USER_PROCESS" | "LOGIN_PROCESS", at: number): UtmpRecord =>
    new PlainRecord({
      ...(addr === undefined ? {} : { ut_addr: addr }),
      ut_type: kind,
      ut_type_raw: -1,
      ut_user: v.USER ?? "",
      ut_service: v.SERVICE ?? "",
      ut_line: line,
      ut_id: session.id,
      ut_host: host,
      ut_pid: leader,
      usec,
      layout: "logind",
      index: at,
    });
  const kind = (v.CLASS ?? "").startsWith("manager") ? "LOGIN_PROCESS" : "USER_PROCESS";
  const records: UtmpRecord[] = [];
  if (v.SEAT) records.push(make(v.SEAT, kind, index + records.length));
  // A TTY logind keeps is a device ("pts/0" → "/dev/pts/0"); a line made of SERVICE and a guessed pty is not.
  if (tty !== undefined) records.push(make(v.TTY ? devicePath(tty) : tty, kind, index + records.length));
  return {
    session,
    records,
    record: records.at(-1) ?? make("", "USER_PROCESS", index),
    user: (v.CLASS ?? "").startsWith("user"),
    uid,
    leader,
    remoteHost: remote,
    tty: v.TTY ?? "",
  };
}

/**
 * gnulib's `guess_pty_name`: the pty of `/dev/pts` owned by `uid` whose
 * status changed first at or after the session's start, and at most 5
 * seconds after it ("pts/3"), as coreutils 9.7 names a session sshd left
 * without a TTY.
 *
 * @param dir The `/dev/pts` directory.
 * @param uid The session's user.
 * @param usec The session's start, µs since the epoch.
 * @returns "pts/N", or undefined.
 */
function guessPty(ptys: Map<number, Pty[]>, uid: number, usec: number): string | undefined {
  const owned = ptys.get(uid);
  if (owned === undefined) return undefined;
  const at = BigInt(usec) * 1000n;
  // The first whose status changed at or after the start (the list is in change-time order).
  let low = 0;
  let high = owned.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (owned[mid]!.ctime < at) low = mid + 1;
    else high = mid;
  }
  const best = owned[low];
  return best !== undefined && best.ctime <= at + 5_000_000_000n ? `pts/${best.name}` : undefined;
}

/** A pty of `/dev/pts`: its name and status change time (ns). */
interface Pty {
  name: string;
  ctime: bigint;
}

/**
 * The most entries of `/dev/pts` looked at: the kernel's default limit of
 * ptys (`/proc/sys/kernel/pty/max`) is 4096; a root's `/dev/pts` of more is
 * looked at this far.
 */
const PTYS_LISTED = 65_536;

/**
 * The ptys of a `/dev/pts` directory by owner, each owner's in change-time
 * order: listed once per reading of the sessions, however many need a
 * guess (each listing it again cost sessions × entries).
 */
function listPtys(dir: string): Map<number, Pty[]> {
  const byUid = new Map<number, Pty[]>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return byUid;
  }
  let looked = 0;
  for (const name of names) {
    if (name.startsWith(".") || name.length > 10) continue;
    if (++looked > PTYS_LISTED) break;
    try {
      // lstat, not stat: a pty is a device, never a link (under a root, one could lead out of it).
      const s = lstatSync(join(dir, name), { bigint: true });
      const uid = Number(s.uid);
      let owned = byUid.get(uid);
      if (owned === undefined) byUid.set(uid, owned = []);
      owned.push({ name, ctime: s.ctimeNs });
    } catch {
      continue;
    }
  }
  for (const owned of byUid.values()) owned.sort((a, b) => (a.ctime < b.ctime ? -1 : a.ctime > b.ctime ? 1 : 0));
  return byUid;
}

/**
 * The files whose time coreutils takes for the boot time where the utmp
 * holds none (gnulib `get_linux_boot_time_fallback`): touched only at boot.
 */
const BOOT_TOUCHED = [
  "/var/lib/systemd/random-seed",
  "/var/lib/urandom/random-seed",
  "/var/lib/random-seed",
  "/var/run/utmp",
];

/**
 * The boot record coreutils 9.7 makes where there is no utmp to hold one
 * (`who -b`, `who -a`): BOOT_TIME, user "reboot", line "~", at the time of
 * the first of the files only boot touches (systemd's random seed, ...,
 * from 2005-07-25 on), else now less the uptime.
 *
 * @example The boot time of this machine, as coreutils 9.7 finds it
 * ```ts no-assert
 * import { logindBootRecord } from "@utmp/utmp/sources";
 *
 * console.log(logindBootRecord()?.ut_time);
 * ```
 *
 * @param root The machine's `/` (default: this machine).
 * @returns The record, or undefined when neither a file nor the uptime tells.
 */
export function logindBootRecord(root?: string): UtmpRecord | undefined {
  let usec: number | undefined;
  const system = Root.of(root);
  for (const file of BOOT_TOUCHED) {
    try {
      const s = statSync(system.pathSync(file), { bigint: true });
      if (s.mtimeNs >= 1122334455n * 1_000_000_000n) {
        usec = Number(s.mtimeNs / 1000n);
        break;
      }
    } catch {
      // not there
    }
  }
  if (usec === undefined) {
    const up = new Machine(system).uptime();
    if (up === undefined) return undefined;
    usec = Date.now() * 1000 - Math.round(up * 1e6);
  }
  return new PlainRecord({
    ut_type: "BOOT_TIME",
    ut_type_raw: -1,
    ut_user: "reboot",
    ut_line: "~",
    ut_id: "",
    ut_host: "",
    ut_pid: 0,
    usec,
    layout: "logind",
    index: 0,
  });
}
