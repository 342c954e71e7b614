/**
 * {@link watch}: login, logout and boot events as wtmp or utmp change.
 *
 * @module
 */

import { type FSWatcher, watch as watchDir } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { openRecordFile, readSettled, type RecordFile } from "./backends/_record_file.ts";
import { arch, isPermissionDenial, platform } from "./_internal/runtime.ts";
import { isZero, sameBytes } from "./layouts/_engine.ts";
import type { Layout } from "./layouts/schema.ts";
import { recordsPerChunk } from "./layouts/decode.ts";
import { DETECT_BYTES, detectLayout } from "./layouts/detect.ts";
import { getLayout } from "./layouts/registry.ts";
import { nativeLayoutName } from "./layouts/native.ts";
import { systemPaths } from "./paths.ts";
import { makeChunk, RecordView } from "./layouts/decode.ts";
import type { UtmpRecord } from "./record.ts";
import { rootPath } from "./sources/_root.ts";
import { PlainRecord } from "./sources/_plain.ts";
import { isUserSession, LOGIND_SESSIONS_DIR, readLogindSessions, sessionRecord } from "./sources/logind.ts";

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
   * "auto" (default): "slots" for files named utmp, utmpx or utx.active,
   * "logind" for a directory, else "log" — and without a path, the
   * system's wtmp, or logind's sessions where there is no wtmp ("slots"
   * without a path: the system's utmp).
   */
  mode?: "auto" | "log" | "slots" | "logind";
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
}

const SLOT_FILES = new Set(["utmp", "utmpx", "utx.active"]);

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
  return Object.assign(follow(path, options, started), { ready });
}

async function* follow(
  path: string | undefined,
  options: WatchOptions,
  started: () => void,
): AsyncGenerator<WatchEvent> {
  try {
    const mode = options.mode ?? "auto";
    if (mode !== "auto" && mode !== "log" && mode !== "slots" && mode !== "logind") {
      throw new RangeError(`Cannot watch in mode "${mode}": expected "auto", "log", "slots" or "logind"`);
    }
    const [file, kind] = await target(path, mode, options.root);
    // A wrong layout fails now, not at the first record.
    const layout = kind === "logind" ? undefined : givenLayout(file, options.layout);
    const waiter = new Waiter(file, kind === "logind", options.interval ?? 1000, options.signal);
    try {
      if (kind === "logind") yield* followLogind(file, options, waiter, started);
      else yield* (kind === "slots" ? followSlots : followLog)(file, options, waiter, started, layout);
    } finally {
      waiter.close();
    }
  } finally {
    started();
  }
}

/** What to follow, and how. */
async function target(
  path: string | undefined,
  mode: "auto" | "log" | "slots" | "logind",
  root: string | undefined,
): Promise<[string, "log" | "slots" | "logind"]> {
  if (path === undefined) {
    // A utmp is the system's file rewritten in place; the other modes follow its log.
    if (mode === "slots") return [await rootPath(root, systemPaths(platform).utmp), "slots"];
    const wtmp = await rootPath(root, systemPaths(platform).wtmp ?? "/var/log/wtmp");
    if (mode === "logind" || (mode === "auto" && !await exists(wtmp))) {
      const sessions = await rootPath(root, LOGIND_SESSIONS_DIR);
      if (mode === "logind" || await exists(sessions)) return [sessions, "logind"];
    }
    return [wtmp, "log"];
  }
  if (mode !== "auto") return [path, mode];
  if (SLOT_FILES.has(basename(path))) return [path, "slots"];
  return [path, (await stat(path).catch(() => undefined))?.isDirectory() ? "logind" : "log"];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return false;
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
 * The `layout` option's layout (undefined for "auto"), checked as `UtmpFile` checks it, and for fixed-size
 * records: a lastlog layout or a framed one cannot be followed record by record.
 */
function givenLayout(path: string, name: string | undefined): Layout | undefined {
  if (name === undefined || name === "auto") return undefined;
  const layout = getLayout(name);
  if (layout.kind !== "utmp") {
    throw new RangeError(`Cannot watch "${path}" with layout "${name}": it is a lastlog layout; use LastlogFile`);
  }
  fixedSize(layout);
  return layout;
}

/** Detects the layout from the file's first records (no `layout` option given); undefined while the file holds none. */
function chooseLayout(head: Uint8Array, size: number, path: string): Layout | undefined {
  const detection = detectLayout(head, size, { path, prefer: nativeLayoutName(platform, arch) });
  return detection.confidence === 0 ? undefined : detection.layout;
}

/** The largest record of any layout: how much to read to detect one. */
function fixedSize(layout: Layout): number {
  if ((layout.framing ?? "fixed") !== "fixed") {
    throw new RangeError(`Cannot watch a "${layout.name}" file: only files of fixed-size records can be followed`);
  }
  return layout.size;
}

async function openIfThere(path: string): Promise<RecordFile | undefined> {
  try {
    return await openRecordFile(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return undefined;
    throw error;
  }
}

/** An append-only file followed by offset, through truncation and rotation. */
async function* followLog(
  path: string,
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
  given: Layout | undefined,
): AsyncGenerator<WatchEvent> {
  let file: RecordFile | undefined;
  let layout = given;
  /** Bytes of the first file to pass over ("from end"), until its layout is known or it is rotated away; then null. */
  let skip: number | null | undefined = (options.from ?? "end") === "end" ? undefined : 0;
  /** Offset and index of the next record to read in `file`. */
  let offset = 0;
  let index = 0;
  /** The last record read, to notice the file being truncated and written again past it. */
  let last: Uint8Array | undefined;

  /** Reads the whole records after `offset`. */
  async function* drain(f: RecordFile, l: Layout): AsyncGenerator<WatchEvent> {
    const size = fixedSize(l);
    const most = recordsPerChunk(size) * size;
    for (;;) {
      const ready = (await f.stat()).size - offset;
      if (ready < size) return;
      const bytes = new Uint8Array(Math.min(most, ready - ready % size));
      const n = await readSettled(f, bytes, offset, size);
      const whole = n - n % size;
      if (whole === 0) return;
      const chunk = makeChunk(bytes.subarray(0, whole), l, offset, index);
      offset += whole;
      index += whole / size;
      last = bytes.slice(whole - size, whole);
      for (let at = 0; at < whole; at += size) {
        if (options.signal?.aborted) return;
        const record = new RecordView(chunk, at);
        yield { type: eventType(record), record };
      }
    }
  }

  /** Reads what the open file holds past `offset`: its layout first (once it holds a record), a truncation noticed. */
  async function* catchUp(f: RecordFile): AsyncGenerator<WatchEvent> {
    const { size } = await f.stat();
    if (layout === undefined && size > 0) {
      const head = new Uint8Array(Math.min(size, DETECT_BYTES));
      const n = await f.read(head, 0);
      layout = chooseLayout(head.subarray(0, n), size, path);
    }
    if (layout === undefined) return;
    const recordSize = fixedSize(layout);
    if (skip !== null && skip !== undefined) {
      offset = skip - skip % recordSize;
      index = offset / recordSize;
      skip = null;
      if (offset > 0) {
        last = new Uint8Array(recordSize);
        if (await f.read(last, offset - recordSize) !== recordSize) last = undefined;
      }
    }
    if (size < offset || (last !== undefined && !await holds(f, offset - recordSize, last))) {
      offset = index = 0; // truncated (and perhaps written again)
      last = undefined;
    }
    yield* drain(f, layout);
  }

  try {
    while (!options.signal?.aborted) {
      if (file === undefined) {
        file = await openIfThere(path);
        offset = index = 0;
        last = undefined;
        if (skip === undefined) skip = file?.size ?? 0;
        started();
      }
      if (file !== undefined) {
        yield* catchUp(file);
        // Checked whether or not the layout is known yet: an empty file can be rotated too (a quiet btmp).
        if (await file.replaced()) {
          // Rotated: finish the old file (writes that reached it before the rename), then start the new one.
          yield* catchUp(file);
          await file.close();
          file = undefined;
          skip = null; // the new file is read from its start
          continue;
        }
      }
      await waiter.wait();
    }
  } finally {
    await file?.close();
  }
}

/** Whether the file still holds `record` at `at`. */
async function holds(file: RecordFile, at: number, record: Uint8Array): Promise<boolean> {
  const bytes = new Uint8Array(record.length);
  return await file.read(bytes, at) === record.length && sameBytes(bytes, 0, record, 0, record.length);
}

/** A file rewritten in place (utmp), compared slot by slot. */
async function* followSlots(
  path: string,
  options: WatchOptions,
  waiter: Waiter,
  started: () => void,
  given: Layout | undefined,
): AsyncGenerator<WatchEvent> {
  let layout = given;
  /** The file as last compared; at first, what it held when the watch began ("from end") or nothing ("from start"). */
  let before: Uint8Array | undefined;
  while (!options.signal?.aborted) {
    let now = await readIfThere(path, layout);
    if (layout === undefined && now.length > 0) {
      layout = chooseLayout(now, now.length, path);
      if (layout !== undefined) now = await readIfThere(path, layout);
    }
    before ??= (options.from ?? "end") === "end" ? now : new Uint8Array(0);
    started();
    if (layout !== undefined) {
      const size = fixedSize(layout);
      const chunk = makeChunk(now.subarray(0, now.length - now.length % size), layout, 0, 0);
      const old = makeChunk(before.subarray(0, before.length - before.length % size), layout, 0, 0);
      for (let at = 0; at < chunk.bytes.length; at += size) {
        // Both are cut to whole records: a slot the old file had is whole in it.
        const had = at < old.bytes.length;
        if (isZero(chunk.bytes, at, size) || (had && sameBytes(chunk.bytes, at, old.bytes, at, size))) continue;
        if (options.signal?.aborted) return;
        const record = new RecordView(chunk, at);
        const event: WatchEvent = { type: eventType(record), record };
        if (had && !isZero(old.bytes, at, size)) event.previous = new RecordView(old, at);
        yield event;
      }
      before = now;
    }
    await waiter.wait();
  }
}

/**
 * The whole file (none when missing). Once the layout is known, each slot
 * is one a writer had finished (see `readSettled`): a slot rewritten while
 * being read would otherwise show as a change, and again when whole.
 */
async function readIfThere(path: string, layout: Layout | undefined): Promise<Uint8Array> {
  const file = await openIfThere(path);
  if (file === undefined) return new Uint8Array(0);
  try {
    const bytes = new Uint8Array((await file.stat()).size);
    const n = layout === undefined ? await file.read(bytes, 0) : await readSettled(file, bytes, 0, fixedSize(layout));
    return bytes.subarray(0, n);
  } finally {
    await file.close();
  }
}

/** logind's user sessions, compared session by session. */
async function* followLogind(
  dir: string,
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
      for (const s of await readLogindSessions(dir)) {
        const key = `${s.id} ${s.values.REALTIME ?? ""}`;
        if (isUserSession(s)) now.set(key, before?.get(key) ?? sessionRecord(s, index++));
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
