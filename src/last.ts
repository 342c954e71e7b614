/**
 * Login history as `last` shows it: each login paired with its logout, or
 * with the reboot or shutdown that ended it, plus reboot, shutdown,
 * run-level and clock-change pseudo-sessions. The pairing is util-linux
 * `last`'s (login-utils/last.c): it reads wtmp from the newest record back
 * and keeps only what it must — the latest record per terminal line since
 * the last boot — so memory stays small on a multi-gigabyte wtmp.
 *
 * @module
 */

import { openRecordFile, shrankReason } from "./backends/_record_file.ts";
import { ChunkReader } from "./backends/file.ts";
import { storedString } from "./_internal/bytes.ts";
import type { Layout } from "./layouts/schema.ts";
import { recordsPerChunk } from "./layouts/decode.ts";
import type { LayoutName } from "./layouts/registry.ts";
import { detach, makeChunk, RecordView } from "./layouts/decode.ts";
import type { UtmpRecord } from "./record.ts";
import type { UtTypeName } from "./types.ts";
import { UtmpFile, type UtmpWarning } from "./utmp_file.ts";

/** One line of `last`: a login and how it ended, or a system pseudo-session. */
export interface Session {
  /**
   * What the session stands for:
   * - "login": a user's session (a USER_PROCESS record);
   * - "reboot": the system up from a boot (BOOT_TIME) to the next shutdown;
   * - "shutdown": the system down from a shutdown to the next boot;
   * - "runlevel": a run level from its change to the next one;
   * - "clock": a clock change (OLD_TIME / NEW_TIME); it has no end.
   */
  kind: "login" | "reboot" | "shutdown" | "runlevel" | "clock";
  /** The record that opened it: USER_PROCESS, BOOT_TIME, the shutdown or run-level record, a clock change. */
  login: UtmpRecord;
  /** The record whose time ended it, or null when nothing did. */
  logout: UtmpRecord | null;
  /**
   * How it ended, in `last`'s words:
   * - "logout": at the time of its `logout` record: for a login a DEAD_PROCESS
   *   on its line, or the next login on that line; for a reboot the shutdown;
   *   for a run level the next change; for a shutdown the next boot;
   * - "crash": a login cut by the next boot, with no shutdown before it (`logout` is the boot);
   * - "down": a login cut by a shutdown (`logout` is the shutdown or run-level 0/6 record);
   * - "still logged in": a login with no logout and no boot since, whose process is alive;
   * - "gone - no logout": the same, but the session is gone (see {@link LastOptions.isAlive});
   * - "still running": a reboot, run level or shutdown with nothing after it;
   * - "none": a clock change (its `logout` is the next shutdown, which `last --present` compares with).
   */
  end:
    | "logout"
    | "crash"
    | "down"
    | "still logged in"
    | "gone - no logout"
    | "still running"
    | "none";
  /** When it started (`login.ut_time`). */
  loginTime: Date;
  /** When it ended (`logout.ut_time`), or null. */
  logoutTime: Date | null;
  /** Whole seconds from login to logout (as `last` counts them), or null when it has not ended. */
  duration: number | null;
}

type SessionKind = Session["kind"];
type SessionEnd = Session["end"];

/**
 * Options of {@link lastSessions}, {@link pairSessions} and
 * {@link SessionPairing}; `layout` and `onWarning` concern reading a file,
 * so only {@link lastSessions} uses them.
 */
export interface LastOptions {
  /** Record layout of the file: "auto" (default) detects it. */
  layout?: "auto" | LayoutName;
  /** Ignore records before this time (as `last --since`: they take no part in the pairing either). */
  since?: Date;
  /** Ignore records after this time (as `last --until`). */
  until?: Date;
  /**
   * Decides whether a login with no logout and no boot since is still
   * there ("still logged in") or gone ("gone - no logout"). Called only for
   * such logins. Default: every such login is "still logged in". The
   * command line passes `last`'s check (boot time, /proc/PID/loginuid, tty owner).
   */
  isAlive?: (login: UtmpRecord) => boolean;
  /** Called for a trailing partial record, which is skipped. */
  onWarning?: (warning: UtmpWarning) => void;
}

/**
 * The pairing state of util-linux `last`, fed records from the newest back.
 * {@link lastSessions} and {@link pairSessions} drive it; use it directly to
 * feed records in batches without a promise per record.
 *
 * @example Feeding records by hand
 * ```ts
 * import { SessionPairing } from "./last.ts";
 * import { decodeRecords, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const wtmp = encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "USER_PROCESS", ut_line: "pts/0", ut_user: "ann", tv_sec: 1000 },
 *   { ut_type: "DEAD_PROCESS", ut_line: "pts/0", tv_sec: 1600 },
 * ]);
 * const pairing = new SessionPairing();
 * const sessions = [...pairing.feed([...decodeRecords(wtmp, LAYOUTS.linux)].reverse())];
 * assert.equal(sessions[0]?.end, "logout");
 * assert.equal(sessions[0]?.duration, 600);
 * ```
 */
export class SessionPairing {
  readonly #options: LastOptions;
  readonly #since: number;
  readonly #until: number;
  /** The latest record per terminal line (USER_PROCESS or DEAD_PROCESS) since the last boot. */
  readonly #open = new Map<string, UtmpRecord>();
  /** The next boot, shutdown or run-level 0/6 record after the current one (last.c `lastboot`). */
  #lastBoot: UtmpRecord | null = null;
  /** The next shutdown (last.c `lastdown`). */
  #lastDown: UtmpRecord | null = null;
  /** The next run-level change or shutdown (last.c `lastrch`). */
  #lastRunlevel: UtmpRecord | null = null;
  #whyDown: "crash" | "down" = "crash";

  /**
   * Starts with no open sessions.
   *
   * @param options Time window and the alive check.
   */
  constructor(options: LastOptions = {}) {
    this.#options = options;
    this.#since = options.since === undefined ? 0 : Math.floor(options.since.getTime() / 1000);
    this.#until = options.until === undefined ? 0 : Math.floor(options.until.getTime() / 1000);
  }

  /**
   * Takes records, newest first, and yields the sessions they complete.
   *
   * @param records Records in reverse file order.
   * @returns The sessions, newest first.
   */
  *feed(records: Iterable<UtmpRecord>): Generator<Session> {
    /** Lines whose latest record came in this call: held as the records themselves until the call ends. */
    const held = new Set<string>();
    try {
      yield* this.#pair(records, held);
    } finally {
      // What stays held is kept as a copy: a record keeps its whole read chunk (up to 256 KiB) alive.
      for (const line of held) {
        const u = this.#open.get(line);
        if (u !== undefined) this.#open.set(line, detach(u));
      }
    }
  }

  #hold(line: string, u: UtmpRecord, held: Set<string>): void {
    this.#open.set(line, u);
    held.add(line);
  }

  *#pair(records: Iterable<UtmpRecord>, held: Set<string>): Generator<Session> {
    for (const u of records) {
      const t = u.ut_tv.tv_sec;
      if (this.#since !== 0 && t < this.#since) continue;
      if (this.#until !== 0 && this.#until < t) continue;
      const user = storedString(u, "ut_user");
      const line = storedString(u, "ut_line");
      const type = lastType(u, user, line);
      let down: "crash" | "down" | undefined;
      /** The copy of `u` kept as a boot, shutdown or run level: one per record. */
      let kept: UtmpRecord | undefined;
      switch (type) {
        case "SHUTDOWN":
        case "SHUTDOWN_TIME":
          yield pseudo("shutdown", u, this.#lastBoot);
          this.#lastDown = this.#lastRunlevel = kept = detach(u);
          down = "down";
          break;
        case "OLD_TIME":
        case "NEW_TIME":
          yield session("clock", u, this.#lastDown, "none");
          break;
        case "BOOT_TIME":
          yield pseudo("reboot", u, this.#lastDown);
          down = "crash";
          break;
        case "RUN_LVL": {
          yield pseudo("runlevel", u, this.#lastRunlevel);
          const level = u.ut_pid & 255;
          // Run level 0 (halt) or 6 (reboot) is a shutdown.
          kept = detach(u);
          if (level === 0x30 || level === 0x36) {
            this.#lastDown = kept;
            down = "down";
          }
          this.#lastRunlevel = kept;
          break;
        }
        case "USER_PROCESS": {
          const logout = this.#open.get(line);
          if (logout !== undefined) yield session("login", u, logout, "logout");
          else if (this.#lastBoot === null) {
            const alive = this.#options.isAlive?.(u) ?? true;
            yield session("login", u, null, alive ? "still logged in" : "gone - no logout");
          } else yield session("login", u, this.#lastBoot, this.#whyDown);
          if (line !== "") this.#hold(line, u, held);
          break;
        }
        case "DEAD_PROCESS":
          if (line !== "") this.#hold(line, u, held);
          break;
      }
      if (down !== undefined) {
        // A boot or shutdown ends every session still open before it.
        this.#lastBoot = kept ?? detach(u);
        this.#whyDown = down;
        this.#open.clear();
      }
    }
  }
}

/** A system pseudo-session, ended by the next event of its kind if there is one. */
function pseudo(kind: SessionKind, u: UtmpRecord, next: UtmpRecord | null): Session {
  return session(kind, u, next, next === null ? "still running" : "logout");
}

/**
 * The type `last` gives a record: boot, shutdown and run-level records are
 * known by their "~" line and user name, any other record with a user and a
 * line (but "LOGIN") is a login, one without a user a logout, and "date" on
 * "|" or "{" a clock change.
 *
 * @param u A record.
 * @param user Its user name as a byte string (default: from its bytes).
 * @param line Its line as a byte string, without "/dev/" (default: from its bytes).
 * @returns The type; "SHUTDOWN" for a shutdown record.
 */
export function lastType(u: UtmpRecord, user?: string, line?: string): UtTypeName | "SHUTDOWN" {
  user ??= storedString(u, "ut_user");
  line ??= storedString(u, "ut_line");
  const stored = u.ut_type;
  if (line.startsWith("~")) {
    if (user.startsWith("shutdown")) return "SHUTDOWN";
    if (user.startsWith("reboot")) return "BOOT_TIME";
    if (user.startsWith("runlevel")) return "RUN_LVL";
    return stored;
  }
  let type: UtTypeName | "SHUTDOWN" = stored;
  if (type !== "DEAD_PROCESS" && user !== "" && line !== "" && !user.startsWith("LOGIN")) type = "USER_PROCESS";
  if (user === "") type = "DEAD_PROCESS";
  if (user.startsWith("date")) {
    if (line[0] === "|") type = "OLD_TIME";
    if (line[0] === "{") type = "NEW_TIME";
  }
  return type;
}

function session(kind: SessionKind, login: UtmpRecord, logout: UtmpRecord | null, end: SessionEnd): Session {
  return new PairedSession(kind, login, logout, end);
}

/**
 * A {@link Session} whose times are read from its records when asked for:
 * `last` prints most sessions without making a `Date`.
 */
class PairedSession implements Session {
  readonly kind: SessionKind;
  readonly login: UtmpRecord;
  readonly logout: UtmpRecord | null;
  readonly end: SessionEnd;

  constructor(kind: SessionKind, login: UtmpRecord, logout: UtmpRecord | null, end: SessionEnd) {
    this.kind = kind;
    this.login = login;
    this.logout = logout;
    this.end = end;
  }

  get loginTime(): Date {
    return this.login.ut_time;
  }

  get logoutTime(): Date | null {
    return this.logout === null ? null : this.logout.ut_time;
  }

  get duration(): number | null {
    return this.logout === null ? null : this.logout.ut_tv.tv_sec - this.login.ut_tv.tv_sec;
  }

  /** The session as a plain object, every field included (what JSON shows). */
  toJSON(): Session {
    const { kind, login, logout, end, loginTime, logoutTime, duration } = this;
    return { kind, login, logout, end, loginTime, logoutTime, duration };
  }
}

/** Options of {@link readBackward}. */
export interface ReadBackwardOptions {
  /** Record layout: "auto" (default) detects it from the content. */
  layout?: "auto" | LayoutName;
  /** Called for a trailing partial record, which is skipped. */
  onWarning?: (warning: UtmpWarning) => void;
  /**
   * Read into the same three buffers over and over, as `UtmpFile`'s
   * `reuseBuffers` does: a record stays readable only while the loop is in
   * its batch or the next.
   */
  reuseBuffers?: boolean;
}

/**
 * Reads a login-record file from its last record back to its first, a
 * batch (up to 256 KiB of records) at a time, each batch newest first.
 * Records are aligned to the start of the file; a trailing partial record
 * is skipped (and reported to `onWarning`). Records of every type are
 * yielded, impossible ones as "UNKNOWN".
 *
 * @example The newest record first
 * ```ts
 * import { readBackward } from "./last.ts";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1000 },
 *   { ut_type: "USER_PROCESS", ut_line: "tty1", ut_user: "ann", tv_sec: 2000 },
 * ]));
 * const users = [];
 * for await (const batch of readBackward(path)) for (const u of batch) users.push(u.ut_user);
 * assert.deepEqual(users, ["ann", "reboot"]);
 * ```
 *
 * @param path The file.
 * @param options Layout and warnings.
 * @returns Batches of records, newest first.
 * @throws {UtmpFileError} When the file cannot be opened or read.
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 */
export async function* readBackward(
  path: string,
  options: ReadBackwardOptions = {},
): AsyncGenerator<UtmpRecord[], void, undefined> {
  const probe = new UtmpFile(path, { layout: options.layout ?? "auto", backend: "file", keepInvalid: true });
  let layout: Layout;
  try {
    layout = (await probe.detect()).layout;
  } finally {
    await probe.close();
  }
  if ((layout.framing ?? "fixed") !== "fixed") {
    // Records of varying length cannot be found from the end: read them forward, keep copies.
    yield await readAllReversed(probe, options);
    return;
  }
  const file = await openRecordFile(path);
  const reader = new ChunkReader(options.reuseBuffers ?? false);
  try {
    const size = layout.size;
    const count = Math.floor(file.size / size);
    if (file.size % size !== 0) {
      options.onWarning?.({
        kind: "partial-record",
        offset: count * size,
        recordIndex: count,
        reason: `file ends ${file.size % size} bytes into a ${size}-byte record`,
      });
    }
    const per = recordsPerChunk(size);
    let shrank = false;
    for (let end = count; end > 0;) {
      const start = Math.max(0, end - per);
      const { bytes, n: got, slot } = await reader.read(file, start * size, (end - start) * size, size);
      // The batch before this one is read while this one is used.
      const before = Math.max(0, start - per);
      if (start > 0) reader.readAhead(file, before * size, (start - before) * size, size);
      if (got < bytes.length && !shrank) {
        // Truncated while being read: the records still there, and a word about the rest.
        shrank = true;
        const now = (await file.stat()).size;
        options.onWarning?.({
          kind: "shrank",
          offset: now - now % size,
          recordIndex: Math.floor(now / size),
          reason: shrankReason(file.size, now),
        });
      }
      const whole = got - got % size;
      const chunk = makeChunk(bytes.subarray(0, whole), layout, start * size, start);
      reader.made(slot, chunk);
      const batch: UtmpRecord[] = [];
      for (let at = whole - size; at >= 0; at -= size) {
        batch.push(new RecordView(chunk, at, chunk.codec.typeName(chunk.bytes, chunk.view, at) ?? "UNKNOWN"));
      }
      end = start;
      yield batch;
    }
  } finally {
    await reader.settle();
    await file.close();
  }
}

/** Every record of `file` (its layout detected already), newest first, as copies. */
async function readAllReversed(file: UtmpFile, options: ReadBackwardOptions): Promise<UtmpRecord[]> {
  const all: UtmpRecord[] = [];
  for await (const u of file) all.push(detach(u));
  for (const w of file.warnings) options.onWarning?.(w);
  return all.reverse();
}

/**
 * Pairs records into sessions as `last` does. The records must come newest
 * first (reverse file order), as {@link readBackward} yields them.
 *
 * @example Records from any source
 * ```ts
 * import { pairSessions } from "./last.ts";
 * import { decodeRecords, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const wtmp = encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1000 },
 *   { ut_type: "USER_PROCESS", ut_line: "tty1", ut_user: "ann", tv_sec: 2000 },
 *   { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 5000 },
 * ]);
 * const records = [...decodeRecords(wtmp, LAYOUTS.linux)].reverse();
 * const ends = [];
 * for await (const s of pairSessions(records)) ends.push(`${s.kind} ${s.end}`);
 * assert.deepEqual(ends, ["reboot still running", "login crash", "reboot still running"]);
 * ```
 *
 * @param records Records, newest first.
 * @param options Time window and the alive check.
 * @returns Sessions, newest first.
 */
export async function* pairSessions(
  records: Iterable<UtmpRecord> | AsyncIterable<UtmpRecord>,
  options: LastOptions = {},
): AsyncGenerator<Session, void, undefined> {
  const pairing = new SessionPairing(options);
  if (Symbol.asyncIterator in records) {
    for await (const u of records) yield* pairing.feed([u]);
  } else yield* pairing.feed(records);
}

/**
 * The sessions of a wtmp file as `last -f FILE -x` lists them, newest first,
 * read from the end of the file back so the newest arrive at once and memory
 * stays small (see {@link readBackward}, {@link SessionPairing}).
 *
 * @example A login and its logout
 * ```ts
 * import { lastSessions } from "@utmp/utmp";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "USER_PROCESS", ut_pid: 42, ut_line: "pts/0", ut_user: "ann", ut_host: "10.0.0.5", tv_sec: 1700000000 },
 *   { ut_type: "DEAD_PROCESS", ut_pid: 42, ut_line: "pts/0", tv_sec: 1700003600 },
 * ]));
 * for await (const s of lastSessions(path)) {
 *   assert.equal(s.login.ut_user, "ann");
 *   assert.equal(s.end, "logout");
 *   assert.equal(s.duration, 3600);
 *   assert.equal(s.logoutTime?.toISOString(), "2023-11-14T23:13:20.000Z");
 * }
 * ```
 *
 * @param path The wtmp file.
 * @param options Layout, time window and the alive check.
 * @returns Sessions, newest first.
 * @throws {UtmpFileError} When the file cannot be opened or read.
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 */
export async function* lastSessions(path: string, options: LastOptions = {}): AsyncGenerator<Session, void, undefined> {
  const pairing = new SessionPairing(options);
  const read: ReadBackwardOptions = { layout: options.layout ?? "auto" };
  if (options.onWarning !== undefined) read.onWarning = options.onWarning;
  for await (const batch of readBackward(path, read)) yield* pairing.feed(batch);
}
