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

import type { UtmpWarning } from "./errors.ts";
import { storedSeconds, storedString } from "./_internal/bytes.ts";
import { detach, recordsOf } from "./layouts/decode.ts";
import type { LayoutName } from "./layouts/registry.ts";
import type { UtmpRecord } from "./record.ts";
import { type HistoryOptions, historySources } from "./sources/history.ts";
import { type BackwardOptions, ChainedHistory, FileHistory, type HistoryBatch } from "./sources/_history.ts";
import { factsOf, openHistory, readerOf } from "./sources/_readers.ts";
import type { UtTypeName } from "./types.ts";
import type { Session } from "./session.ts";

export type { Session };

type SessionKind = Session["kind"];
type SessionEnd = Session["end"];

/**
 * Options of {@link lastSessions}: which history (as {@link HistoryOptions}
 * choose it: the system's wtmp or wtmpdb, under `root`), how to read it, and
 * what to pair.
 */
export interface LastOptions extends Omit<HistoryOptions, "path"> {
  /** Record layout of a wtmp: "auto" (default) detects it. */
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
  /** Called for what the reader passes over: a trailing partial record, a file that shrank while being read. */
  onWarning?: (warning: UtmpWarning) => void;
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

/**
 * The pairing of util-linux `last` (last.c), fed records from the newest
 * back, one at a time, with no object made per record: what it keeps of a
 * record is an `R` its caller chooses — the record itself for
 * {@link lastSessions}, just its time for the command line. After a
 * {@link step} that completes a session, {@link kind}, {@link logout} and
 * {@link end} describe it (the record stepped is its login); "open" is a
 * login with no logout and no boot since, which the caller calls still
 * logged in or gone.
 */
export class Pairing<R> {
  /** What the completed session stands for. */
  kind: SessionKind = "login";
  /** What was kept of the record that ended it, or null. */
  logout: R | null = null;
  /** How it ended; "open" for a login still open (see the class notes). */
  end: SessionEnd | "open" = "logout";
  readonly #since: number;
  readonly #until: number;
  readonly #keep: (r: R) => R;
  /** The latest record per terminal line (USER_PROCESS or DEAD_PROCESS) since the last boot. */
  readonly #open = new Map<string, R>();
  /** Lines whose latest record came in the current batch: kept ({@link endBatch}) if still held at its end. */
  readonly #held = new Set<string>();
  /** The next boot, shutdown or run-level 0/6 record after the current one (last.c `lastboot`). */
  #lastBoot: R | null = null;
  /** The next shutdown (last.c `lastdown`). */
  #lastDown: R | null = null;
  /** The next run-level change or shutdown (last.c `lastrch`). */
  #lastRunlevel: R | null = null;
  #whyDown: "crash" | "down" = "crash";

  /**
   * @param since Ignore records before this time (seconds; 0 for none).
   * @param until Ignore records after this time (seconds; 0 for none).
   * @param keep Makes what is held past the record's batch last (a copy of the record); identity by default.
   */
  constructor(since = 0, until = 0, keep: (r: R) => R = (r) => r) {
    this.#since = since;
    this.#until = until;
    this.#keep = keep;
  }

  /**
   * Takes the next record back in time.
   *
   * @param type Its type as `last` sees it ({@link lastType}).
   * @param sec Its time in seconds.
   * @param line Its line, as a byte string without "/dev/".
   * @param level Its run level (`ut_pid & 255`), for a RUN_LVL record.
   * @param r What to keep of it.
   * @returns True when it completes a session (then see {@link kind}, {@link logout}, {@link end}).
   */
  step(type: UtTypeName | "SHUTDOWN", sec: number, line: string, level: number, r: R): boolean {
    if (this.#since !== 0 && sec < this.#since) return false;
    if (this.#until !== 0 && this.#until < sec) return false;
    let done = false;
    let down: "crash" | "down" | undefined;
    /** What is kept of the record as a boot, shutdown or run level: once. */
    let kept: R | undefined;
    switch (type) {
      case "SHUTDOWN":
      case "SHUTDOWN_TIME":
        done = this.#pseudo("shutdown", this.#lastBoot);
        this.#lastDown = this.#lastRunlevel = kept = this.#keep(r);
        down = "down";
        break;
      case "OLD_TIME":
      case "NEW_TIME":
        done = this.#completed("clock", this.#lastDown, "none");
        break;
      case "BOOT_TIME":
        done = this.#pseudo("reboot", this.#lastDown);
        down = "crash";
        break;
      case "RUN_LVL":
        done = this.#pseudo("runlevel", this.#lastRunlevel);
        kept = this.#keep(r);
        // Run level 0 (halt) or 6 (reboot) is a shutdown.
        if (level === 0x30 || level === 0x36) {
          this.#lastDown = kept;
          down = "down";
        }
        this.#lastRunlevel = kept;
        break;
      case "USER_PROCESS": {
        const logout = this.#open.get(line);
        if (logout !== undefined) done = this.#completed("login", logout, "logout");
        else if (this.#lastBoot === null) done = this.#completed("login", null, "open");
        else done = this.#completed("login", this.#lastBoot, this.#whyDown);
        if (line !== "") this.#hold(line, r);
        break;
      }
      case "DEAD_PROCESS":
        if (line !== "") this.#hold(line, r);
        break;
    }
    if (down !== undefined) {
      // A boot or shutdown ends every session still open before it.
      this.#lastBoot = kept ?? this.#keep(r);
      this.#whyDown = down;
      this.#open.clear();
      this.#held.clear();
    }
    return done;
  }

  /**
   * Takes the next record back in time, read as `last` reads it: {@link step}
   * with its type ({@link lastType}), time, stored line and run level. The
   * one front end of the library's pairing and the command line's.
   *
   * @param u The record.
   * @param r What to keep of it.
   * @returns True when it completes a session.
   */
  stepRecord(u: UtmpRecord, r: R): boolean {
    const line = storedString(u, "ut_line");
    return this.step(lastType(u, storedString(u, "ut_user"), line), storedSeconds(u), line, u.ut_pid & 255, r);
  }

  /**
   * How the session just completed ended, an open login said as `last`
   * says it: "still logged in" when its login is alive, else "gone - no
   * logout".
   *
   * @param alive Whether the login is still there (asked only for an open one).
   * @returns The end.
   */
  endOf(alive: () => boolean): SessionEnd {
    return this.end !== "open" ? this.end : alive() ? "still logged in" : "gone - no logout";
  }

  /** Keeps what is still held of the records of the batch that ends (they may not outlive it). */
  endBatch(): void {
    for (const line of this.#held) {
      const r = this.#open.get(line);
      if (r !== undefined) this.#open.set(line, this.#keep(r));
    }
    this.#held.clear();
  }

  #hold(line: string, r: R): void {
    this.#open.set(line, r);
    this.#held.add(line);
  }

  /** A system pseudo-session, ended by the next event of its kind if there is one. */
  #pseudo(kind: SessionKind, next: R | null): boolean {
    return this.#completed(kind, next, next === null ? "still running" : "logout");
  }

  #completed(kind: SessionKind, logout: R | null, end: SessionEnd | "open"): boolean {
    this.kind = kind;
    this.logout = logout;
    this.end = end;
    return true;
  }
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
 * @param options Layout, warnings and buffers.
 * @returns Batches of records, newest first.
 * @throws {UtmpFileError} When the file cannot be opened or read.
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 */
export async function* readBackward(
  path: string,
  options: BackwardOptions = {},
): AsyncGenerator<UtmpRecord[], void, undefined> {
  const reader = new FileHistory(path, options);
  try {
    for await (const batch of reader.batches()) yield newestFirst(batch);
  } finally {
    await reader.close();
  }
}

/** A batch's records, newest first (a chunk's made into records, impossible types as "UNKNOWN"). */
function newestFirst(batch: HistoryBatch): UtmpRecord[] {
  if (batch.records !== undefined) return batch.records.toReversed();
  return [...recordsOf(batch.chunk, { reverse: true })];
}

/**
 * Pairs records fed newest first into {@link Session}s: {@link Pairing}
 * keeping the records themselves (copies of the ones it holds past their
 * batch), with `isAlive` deciding the open logins.
 */
export class SessionPairing {
  readonly #pairing: Pairing<UtmpRecord>;
  readonly #isAlive: ((login: UtmpRecord) => boolean) | undefined;
  /** The file each record held came from, when records come from several ({@link feed}'s `file`). */
  readonly #fileOf = new WeakMap<UtmpRecord, string>();
  #file: string | undefined;

  /** @param options The time window and the alive check. */
  constructor(options: Pick<LastOptions, "since" | "until" | "isAlive"> = {}) {
    const seconds = (d: Date | undefined) => d === undefined ? 0 : Math.floor(d.getTime() / 1000);
    const keep = (u: UtmpRecord): UtmpRecord => {
      const kept = detach(u);
      if (this.#file !== undefined) this.#fileOf.set(kept, this.#file);
      return kept;
    };
    this.#pairing = new Pairing(seconds(options.since), seconds(options.until), keep);
    this.#isAlive = options.isAlive;
  }

  /**
   * Takes a batch of records, newest first, and yields the sessions they complete.
   *
   * @param records Records in reverse file order.
   * @param file The file they come from, when the history is read from several: each session then says its
   *   login's and logout's ({@link Session.files}).
   * @returns The sessions, newest first.
   */
  *feed(records: Iterable<UtmpRecord>, file?: string): Generator<Session> {
    this.#file = file;
    const p = this.#pairing;
    try {
      for (const u of records) {
        if (!p.stepRecord(u, u)) continue;
        const session = new PairedSession(p.kind, u, p.logout, p.endOf(() => this.#isAlive?.(u) ?? true));
        if (file !== undefined) {
          const logout = p.logout === null ? null : this.#fileOf.get(p.logout) ?? file;
          session.files = { login: file, logout };
        }
        yield session;
      }
    } finally {
      p.endBatch();
    }
  }
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
  files?: { login: string; logout: string | null };

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
    const { kind, login, logout, end, loginTime, logoutTime, duration, files } = this;
    return { kind, login, logout, end, loginTime, logoutTime, duration, ...(files !== undefined ? { files } : {}) };
  }
}

/**
 * The login history as `last -x` lists it, newest first: each login paired
 * with its logout, or with the reboot or shutdown that ended it, and the
 * reboot, shutdown, run-level and clock-change pseudo-sessions. Read from the
 * end of the history back, so the newest arrive at once and memory stays
 * small: a wtmp a chunk at a time. Without a path, the system's history
 * (its wtmp, or its wtmpdb: see `history()`), under `root`.
 *
 * A wtmpdb keeps each session in one row: its sessions are those
 * `wtmpdb last -x` lists (`wtmpdbLastSessions()` of `@utmp/utmp/sources`),
 * not paired again; an open session is "crash" when a boot came after it,
 * else "still logged in" (`isAlive` is not asked).
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
 * const sessions = [];
 * for await (const s of lastSessions(path)) sessions.push(s);
 * assert.equal(sessions.length, 1);
 * assert.equal(sessions[0]!.login.ut_user, "ann");
 * assert.equal(sessions[0]!.end, "logout");
 * assert.equal(sessions[0]!.duration, 3600);
 * assert.equal(sessions[0]!.logoutTime?.toISOString(), "2023-11-14T23:13:20.000Z");
 * ```
 *
 * @example The system's history
 * ```ts ignore
 * import { lastSessions } from "@utmp/utmp";
 *
 * for await (const s of lastSessions()) if (s.kind === "login") console.log(s.login.ut_user, s.end, s.duration);
 * ```
 *
 * Several files (`paths`, or `rotated: true` for the rotated set the file
 * heads: `wtmp.2.gz`, `wtmp.1`, `wtmp`) are read as one history, newest
 * first through every member, a login in one file paired with its logout in
 * the next; each session then says which files its records came from
 * (`files`).
 *
 * @param path The wtmp (or wtmpdb) file; by default the system's history.
 * @param options Source, root, paths or rotated sets, layout, time window and the alive check.
 * @returns Sessions, newest first.
 * @throws {UtmpFileError} When the history cannot be opened or read ("ENOENT" naming both files when the system
 * keeps neither).
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 */
export async function* lastSessions(
  path?: string,
  options: LastOptions = {},
): AsyncGenerator<Session, void, undefined> {
  const members = await historySources({ ...options, ...(path !== undefined ? { path } : {}) });
  const several = members.length > 1;
  if (members.every((m) => factsOf(m.source).keepsSessions)) {
    // wtmpdb keeps each session in one row: its sessions as wtmpdb last lists them, not paired again.
    for (const member of members.toReversed()) {
      for await (const s of (await readerOf(member)).sessions!(member, options)) {
        if (several) (s as Session).files = { login: member.path, logout: s.logout === null ? null : member.path };
        yield s;
      }
    }
    return;
  }
  const pairing = new SessionPairing(options);
  const read: ConstructorParameters<typeof ChainedHistory>[2] = { layout: options.layout ?? "auto" };
  const onWarning = options.onWarning;
  if (onWarning !== undefined) read.onWarning = (_, w) => onWarning(w);
  const chain = new ChainedHistory(members, openHistory, read);
  try {
    for await (const batch of chain.batches()) {
      yield* pairing.feed(newestFirst(batch), several ? batch.member.path : undefined);
    }
  } finally {
    await chain.close();
  }
}
