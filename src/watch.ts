/**
 * {@link watch}: login, logout and boot events as wtmp or utmp change.
 *
 * @module
 */

import { type FSWatcher, watch as watchDir } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { RecordCursor } from "./backends/file.ts";
import { assertFollowable } from "./backends/_resolved.ts";
import { fileIdentity } from "./backends/_byte_source.ts";
import type { UtmpWarning } from "./errors.ts";
import { isPermissionDenial } from "./_internal/runtime.ts";
import { isZero, sameBytes } from "./layouts/_engine.ts";
import { type Chunk, detach, recordsOf, recordsPerChunk, RecordView } from "./layouts/decode.ts";
import { getLayout } from "./layouts/registry.ts";
import type { UtmpRecord } from "./record.ts";
import { PlainRecord } from "./sources/_plain.ts";
import { logindSessions } from "./sources/logind.ts";
import { journalRecords } from "./sources/journal.ts";
import { chooseFollowed, type Followed } from "./sources/choose.ts";
import { WARNINGS_KEPT } from "./utmp_file.ts";
import { quotePath } from "./_internal/escape/terminal.ts";

/** One change seen by {@link watch}. */
export interface WatchEvent {
  /**
   * "login" (USER_PROCESS), "logout" (DEAD_PROCESS), "boot" (BOOT_TIME),
   * "shutdown" (the RUN_LVL record of user "shutdown", SHUTDOWN_TIME,
   * DOWN_TIME), or "other" (run levels, getty and init processes, clock
   * changes, every btmp record).
   */
  type: "login" | "logout" | "boot" | "shutdown" | "other";
  /** The new record. */
  record: UtmpRecord;
  /**
   * In a utmp ("slots" mode): what the slot held before, when it held a
   * record; for logind: the session's login record on its logout.
   */
  previous?: UtmpRecord;
}

/** Options of {@link watch}. */
export interface WatchOptions {
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
  /** The directory the system's `/` is at (see `sessions`): prefixed to the default path. */
  root?: string;
  /** "end" (default): only what is written from now on; "start": the records already there first. */
  from?: "end" | "start";
  /**
   * "log": an append-only file (wtmp, btmp), followed by offset; "slots": a
   * file rewritten in place (utmp), compared slot by slot; "logind":
   * systemd-logind's session directory, compared session by session;
   * "journal": the failed logins of the systemd journal (sshd's and PAM's
   * lines, as `journalRecords` reads them: a directory or a journal file;
   * without a path, the system's journal), each new one an event of type
   * "other" as a btmp record is; "auto" (default): "slots" for files named
   * utmp, utmpx or utx.active, "journal" for a journal file or a directory
   * holding journal files, "logind" for another directory, else "log" — and
   * without a path, the system's wtmp, or logind's sessions where there is
   * no wtmp ("slots" without a path: the system's utmp).
   */
  mode?: "auto" | "log" | "slots" | "logind" | "journal";
  /** Record layout: "auto" (default) detects it from the first records; or a layout name. */
  layout?: string;
  /** Milliseconds between checks when no file-change notice comes (default 1000): notices can be missed on network and container file systems. */
  interval?: number;
}

/** What {@link watch} returns: the events, and when watching began. */
export interface WatchIterator extends AsyncGenerator<WatchEvent, void, undefined> {
  /**
   * Resolves once iteration has begun and the starting point is taken (for
   * `from: "end"`, the end of the file as it was then; a missing file is
   * waited for from then on), or the iteration has ended. What is written
   * after it resolves is yielded.
   */
  readonly ready: Promise<void>;
  /**
   * What the watch passed over, as it happened (the first thousand): a
   * followed file rotated more than once between two looks (the records of
   * the files in between were never seen), a problem reading a record.
   */
  readonly warnings: readonly UtmpWarning[];
}

/**
 * Follows a login-record file and yields an event for each record written
 * to it, as it is written:
 *
 * - a wtmp or btmp ("log" mode) is followed by offset, reading only whole
 *   records (a record half-written is read once complete). When the file is
 *   truncated (`> wtmp`, logrotate's `copytruncate`: noticed by its size or
 *   by the last record read no longer being there) it is read again from
 *   the start; when it is rotated (renamed and replaced) the old file is read
 *   to its end before the new one is read from its start. Each record is
 *   yielded exactly once.
 * - a utmp ("slots" mode), which is rewritten in place, is compared slot by
 *   slot with what it held before: each changed slot is an event, with the
 *   record it replaced as `previous`. A slot changed twice between two
 *   looks shows only its last state.
 * - systemd-logind's session directory ("logind" mode, where there is no
 *   wtmp) is compared session by session: a new user session is a "login"
 *   (its record as `logindRecords` makes it), a session gone is a "logout"
 *   (a DEAD_PROCESS record on its line, timed when it was seen gone, with
 *   the login as `previous`).
 *
 * The file is looked at whenever the file system reports a change in its
 * directory, and every `interval` ms. The iteration ends cleanly on `break`
 * (or `return()`) and when `signal` aborts; either releases the file and
 * the watcher.
 *
 * @example Printing logins as they happen
 * ```ts ignore
 * import { watch } from "@utmp/utmp";
 *
 * for await (const e of watch()) { // the system's wtmp
 *   if (e.type === "login") console.log(e.record.ut_user, e.record.ut_line, e.record.ut_host);
 * }
 * ```
 *
 * @example Following a file until told to stop
 * ```ts
 * import { watch } from "@utmp/utmp";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, new Uint8Array(0));
 * const stop = new AbortController();
 * const seen = [];
 * setTimeout(() => appendFileSync(path, encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_user: "alice", ut_line: "pts/0" })));
 * for await (const e of watch(path, { from: "start", layout: "linux", signal: stop.signal })) {
 *   seen.push(`${e.type} ${e.record.ut_user} ${e.record.ut_line}`);
 *   stop.abort();
 * }
 * assert.deepEqual(seen, ["login alice /dev/pts/0"]);
 * ```
 *
 * @param path The file (default: the system's wtmp, under `root`).
 * @param options Signal, root, start, mode, layout and interval.
 * @returns The events, and a promise of when watching has begun.
 * @throws {UtmpFileError} When the file exists but cannot be read (a missing file is waited for).
 * @throws {UtmpFormatError} When its layout cannot be recognised.
 * @throws {RangeError} For an unknown `mode` or `layout`, or a layout whose records cannot be followed one by one
 * (a lastlog layout, FreeBSD's length-prefixed utx.log).
 */
export function watch(path?: string, options: WatchOptions = {}): WatchIterator {
  let started!: () => void;
  const ready = new Promise<void>((resolve) => started = resolve);
  const warnings: UtmpWarning[] = [];
  return Object.assign(follow(path, options, started, warnings), { ready, warnings });
}

async function* follow(
  path: string | undefined,
  options: WatchOptions,
  started: () => void,
  warnings: UtmpWarning[],
): AsyncGenerator<WatchEvent> {
  // The first WARNINGS_KEPT are kept, as every reader keeps them.
  const warn = (warning: UtmpWarning): void => {
    if (warnings.length < WARNINGS_KEPT) warnings.push(warning);
  };
  try {
    const mode = options.mode ?? "auto";
    if (!MODES.includes(mode)) {
      throw new RangeError(`Cannot watch in mode "${mode}": expected ${MODES.map((m) => `"${m}"`).join(", ")}`);
    }
    const { path: file, kind, locate } = await chooseFollowed(path, mode, options.root);
    // A wrong layout fails now, not at the first record.
    const layout = kind === "logind" || kind === "journal" ? "auto" : givenLayout(file, options.layout);
    const dir = kind === "logind" || (kind === "journal" && await isDirectory(file));
    const waiter = new Waiter(file, dir, options.interval ?? 1000, options.signal);
    try {
      if (kind === "logind") yield* followLogind(file, locate, options, waiter, started);
      else if (kind === "journal") yield* followJournal(file, locate, options, waiter, started, warn);
      else {
        const cursor = new RecordCursor(file, {
          layout,
          follow: true,
          onProblem: warn,
          noFollow: locate !== undefined,
          locate,
        });
        try {
          yield* (kind === "slots" ? followSlots : followLog)(cursor, options, waiter, started, warn);
        } finally {
          await cursor.release();
        }
      }
    } finally {
      waiter.close();
    }
  } finally {
    started();
  }
}

/** Bytes of a utmp's slots compared at each look at most: 64 MiB, 170 000 glibc slots (a utmp holds a few KiB). */
const SLOTS_COMPARED = 64 << 20;

/** The modes of {@link WatchOptions.mode}. */
const MODES = ["auto", "log", "slots", "logind", "journal"] as const;

/** Whether a path is a directory (false when it is not there). */
async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The journal's failed logins, new ones since the last look: each look reads
 * the records newest first and stops at the first older than the newest one
 * seen (so a look costs what was written since, plus opening the files);
 * those of that same microsecond already seen are told apart by their
 * fields.
 */
async function* followJournal(
  path: string,
  locate: Followed["locate"],
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
  warn: (warning: UtmpWarning) => void,
): AsyncGenerator<WatchEvent> {
  const usecOf = (u: UtmpRecord) => u.ut_tv.tv_sec * 1e6 + u.ut_tv.tv_usec;
  const keyOf = (u: UtmpRecord) => `${u.ut_pid} ${u.ut_user} ${u.ut_host} ${u.ut_line}`;
  /** The newest time seen and the records seen at it: undefined before the first look. */
  let mark: { usec: number; keys: Set<string> } | undefined;
  while (!options.signal?.aborted) {
    const fresh: UtmpRecord[] = [];
    try {
      const at = locate === undefined ? path : await locate();
      const read = { newestFirst: true, noFollow: locate !== undefined, onWarning: warn };
      for await (const u of journalRecords(at, read)) {
        const usec = usecOf(u);
        if (mark !== undefined && usec < mark.usec) break;
        if (mark !== undefined && usec === mark.usec && mark.keys.has(keyOf(u))) continue;
        fresh.push(u);
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    }
    const first = mark === undefined;
    const newest = fresh[0];
    if (newest !== undefined) {
      const usec = usecOf(newest);
      if (mark === undefined || usec > mark.usec) mark = { usec, keys: new Set() };
      for (const u of fresh) if (usecOf(u) === mark.usec) mark.keys.add(keyOf(u));
    }
    mark ??= { usec: -Infinity, keys: new Set() };
    started();
    if (!first || (options.from ?? "end") === "start") {
      for (const u of fresh.reverse()) {
        if (options.signal?.aborted) return;
        yield { type: eventType(u), record: u };
      }
    }
    await waiter.wait();
  }
}

/** The meaning of a record. */
function eventType(u: UtmpRecord): WatchEvent["type"] {
  switch (u.ut_type) {
    case "USER_PROCESS":
      return "login";
    case "DEAD_PROCESS":
      return "logout";
    case "BOOT_TIME":
      return "boot";
    case "RUN_LVL":
      return u.ut_user === "shutdown" ? "shutdown" : "other";
    case "SHUTDOWN_TIME":
    case "DOWN_TIME":
      return "shutdown";
    default:
      return "other";
  }
}

/**
 * The `layout` option, checked now as every reader checks it, and for
 * fixed-size records: a framed layout cannot be followed record by record.
 */
function givenLayout(path: string, name: string | undefined): string {
  if (name === undefined || name === "auto") return "auto";
  assertFollowable(getLayout(name, "utmp", path), path);
  return name;
}

/** A file's identity ({@link fileIdentity}), or undefined when there is none. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return fileIdentity(s);
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return undefined;
  }
}

/** Opens the cursor's file, or says it is missing (ENOENT: waited for). */
async function opened(cursor: RecordCursor): Promise<boolean> {
  try {
    await cursor.detect();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return false;
    throw error;
  }
}

/** The records of a chunk as events (of fixed-size records: see `assertFollowable`). */
function* events(chunk: Chunk, signal: AbortSignal | undefined): Generator<WatchEvent> {
  for (const record of recordsOf(chunk)) {
    if (signal?.aborted) return;
    yield { type: eventType(record), record };
  }
}

/** An append-only file followed by offset, through truncation and rotation. */
async function* followLog(
  cursor: RecordCursor,
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
  warn: (warning: UtmpWarning) => void,
): AsyncGenerator<WatchEvent> {
  /** Bytes of the first file to pass over ("from end"), until its layout is known; then null. */
  let skip: number | null | undefined = (options.from ?? "end") === "end" ? undefined : null;
  while (!options.signal?.aborted) {
    const open = await opened(cursor);
    if (skip === undefined) skip = open ? cursor.file!.size : null;
    started();
    if (open && cursor.layout !== undefined) {
      if (skip !== null) {
        if (cursor.file!.size > 0 && !cursor.position) cursor.skipTo(skip);
        skip = null;
      }
      cursor.truncated(); // read again from the start if so
      for (let chunk = await cursor.next(); chunk !== null; chunk = await cursor.next()) {
        yield* events(chunk, options.signal);
        if (options.signal?.aborted) return;
      }
    }
    // Checked whether or not the layout is known yet: an empty file can be rotated too (a quiet btmp).
    if (open && await cursor.replaced()) {
      // Rotated: the old file was read to its end above (writes that reached it before the rename); the new one
      // is read from its start. A file rotated away and replaced again between two looks is never seen: where
      // the rotation kept logrotate's name (FILE.1), a file there that is not the one read says so.
      const rotated = await identity(`${cursor.path}.1`);
      if (rotated !== undefined && rotated !== cursor.file!.identity) {
        warn({
          kind: "replaced",
          offset: cursor.position,
          recordIndex: -1,
          reason: `${quotePath(cursor.path)} was rotated more than once since the last look: the records of ${
            quotePath(cursor.path + ".1")
          } were not seen`,
        });
      }
      await cursor.restart();
      skip = null;
      continue;
    }
    await waiter.wait();
  }
}

/**
 * A file rewritten in place (utmp), compared slot by slot with what it held
 * at the last look: each slot that changed and holds a record is an event.
 * Read a chunk at a time through the cursor (each slot one a writer had
 * finished: a slot rewritten while being read would otherwise show as a
 * change, and again when whole); only the slots in use are kept between
 * looks, so a large sparse file costs its used slots, not its size.
 */
async function* followSlots(
  cursor: RecordCursor,
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
  warn: (warning: UtmpWarning) => void,
): AsyncGenerator<WatchEvent> {
  /** The used slots at the last look, by index: at first, what the file held when the watch began ("from end"). */
  let before: Map<number, UtmpRecord> | undefined = (options.from ?? "end") === "end" ? undefined : new Map();
  /**
   * The file, its size and change time at the last look: a look at the same
   * is no read, unless it changed in the last second (a write in the same
   * clock tick as the last look leaves the time as it was).
   */
  let seen: string | undefined;
  let cut = false;
  while (!options.signal?.aborted) {
    let now = new Map<number, UtmpRecord>();
    // Released after every look, whatever it found: a utmp replaced meanwhile is opened anew at the next.
    if (await opened(cursor)) {
      try {
        const { size, changed } = cursor.file!.statNow();
        const state = `${cursor.file!.identity} ${size} ${changed}`;
        // A change time in the future (set by hand: no write makes one) stays as it was until the next write.
        const settled = Date.now() - changed > 1000 || changed > Date.now();
        if (state === seen && before !== undefined && settled) now = before;
        else if (cursor.layout !== undefined) {
          seen = state;
          // The slots the file holds now, a chunk at a time: no read past its end, nor past SLOTS_COMPARED.
          const per = recordsPerChunk(cursor.layout.size);
          const slots = Math.min(
            Math.floor(size / cursor.layout.size),
            Math.floor(SLOTS_COMPARED / cursor.layout.size),
          );
          if (slots * cursor.layout.size < size - cursor.layout.size && !cut) {
            cut = true;
            warn({
              kind: "sparse",
              offset: slots * cursor.layout.size,
              recordIndex: slots,
              reason:
                `${quotePath(cursor.path)} holds ${size} bytes: only its first ${SLOTS_COMPARED} bytes of slots ` +
                "are compared at each look (a utmp holds a slot per terminal: a few KiB)",
            });
          }
          for (let first = 0; first < slots; first += per) {
            const chunk = await cursor.slots(first, Math.min(per, slots - first));
            if (chunk === null) break;
            const { bytes, codec } = chunk;
            const size = codec.layout.size;
            for (let at = 0; at < bytes.length; at += size) {
              if (isZero(bytes, at, size)) continue;
              const index = chunk.firstIndex + at / size;
              const had = before?.get(index);
              if (had !== undefined && sameBytes(bytes, at, had.raw!.record, 0, size)) {
                now.set(index, had);
                continue;
              }
              const record = new RecordView(chunk, at);
              now.set(index, detach(record));
              if (before === undefined || options.signal?.aborted) continue;
              const event: WatchEvent = { type: eventType(record), record };
              if (had !== undefined) event.previous = had;
              yield event;
            }
          }
        }
      } finally {
        await cursor.release();
      }
    }
    before = now;
    started();
    await waiter.wait();
  }
}

/** logind's user sessions, compared session by session. */
async function* followLogind(
  dir: string,
  locate: Followed["locate"],
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
): AsyncGenerator<WatchEvent> {
  /** The sessions as last seen, by id and start time (a reused id is a new session). */
  let before: Map<string, UtmpRecord> | undefined;
  let index = 0;
  while (!options.signal?.aborted) {
    const now = new Map<string, UtmpRecord>();
    try {
      // Under a root, resolved again and opened without following a link, at every look.
      const at = locate === undefined ? dir : await locate();
      const read = { noFollow: locate !== undefined, ...(options.root === undefined ? {} : { root: options.root }) };
      // The user sessions' lines as who lists them (coreutils 9.7: a seat's and a terminal's, TTY-less ones named).
      for await (const s of logindSessions(at, read)) {
        for (const u of s.records) {
          if (u.ut_type !== "USER_PROCESS") continue;
          const key = `${s.session.id} ${s.session.values.REALTIME ?? ""} ${u.ut_line}`;
          if (!now.has(key)) now.set(key, before?.get(key) ?? relabel(u, index++));
        }
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") throw error;
    }
    before ??= (options.from ?? "end") === "end" ? now : new Map();
    started();
    const seen = Date.now() * 1000;
    for (const [key, login] of before) {
      if (now.has(key)) continue;
      if (options.signal?.aborted) return;
      yield { type: "logout", record: loggedOut(login, seen, index++), previous: login };
    }
    for (const [key, login] of now) {
      if (before.has(key)) continue;
      if (options.signal?.aborted) return;
      yield { type: "login", record: login };
    }
    before = now;
    await waiter.wait();
  }
}

/** A session's record numbered in the order watch yields it. */
function relabel(u: UtmpRecord, index: number): UtmpRecord {
  return new PlainRecord({
    ...(u.ut_addr.every((b) => b === 0) ? {} : { ut_addr: u.ut_addr }),
    ut_type: u.ut_type,
    ut_type_raw: -1,
    ut_user: u.ut_user,
    ut_line: u.ut_line,
    ut_id: u.ut_id,
    ut_host: u.ut_host,
    ut_pid: u.ut_pid,
    usec: u.ut_tv.tv_sec * 1e6 + u.ut_tv.tv_usec,
    layout: "logind",
    index,
  });
}

/** The DEAD_PROCESS record of a logind session seen gone at `usec`. */
function loggedOut(login: UtmpRecord, usec: number, index: number): UtmpRecord {
  return new PlainRecord({
    ut_type: "DEAD_PROCESS",
    ut_type_raw: -1,
    ut_user: "",
    ut_line: login.ut_line,
    ut_id: login.ut_id,
    ut_host: "",
    ut_pid: login.ut_pid,
    usec,
    layout: "logind",
    index,
  });
}

/**
 * Wakes the follower when the file's directory reports a change, every
 * `interval` ms, or when the signal aborts. A change reported while the
 * follower is busy is remembered, so none is missed.
 */
class Waiter {
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending = false;
  readonly #interval: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.#notify();

  /**
   * @param path The file (changes in its directory to names starting with its name count), or a directory.
   * @param isDir Whether `path` is a directory (any change in it counts).
   * @param interval Milliseconds between checks without a notice.
   * @param signal Wakes the follower for good when aborted.
   */
  constructor(path: string, isDir: boolean, interval: number, signal: AbortSignal | undefined) {
    this.#interval = interval;
    this.#signal = signal;
    signal?.addEventListener("abort", this.#onAbort);
    const name = basename(path);
    try {
      this.#watcher = watchDir(isDir ? path : dirname(path), (_event, changed) => {
        if (isDir || changed === null || String(changed).startsWith(name)) this.#notify();
      });
      this.#watcher.on("error", () => this.#watcher?.close());
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      // No notices here (a missing directory, no inotify): checking every interval still works.
    }
  }

  /** Resolves at the next change, after `interval` ms, or at once if a change came since the last wait. */
  wait(): Promise<void> {
    if (this.#pending || this.#signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => this.#notify(), this.#interval);
    });
  }

  #notify(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake === undefined) this.#pending = true;
    else wake();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#wake?.();
  }
}
