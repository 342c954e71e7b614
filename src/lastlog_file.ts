/**
 * lastlog: the last login of each user, in a file indexed by uid (slot N is
 * at N × slot size). Never-used slots are all zero; a file whose highest
 * logged-in uid is large is sparse (`nfsnobody`, uid 4294967294, made
 * 1.2 TB lastlog files on RHEL), so this reader never walks a whole sparse
 * file: it seeks to the slots it needs.
 *
 * @module
 */

import { UtmpFileError, type UtmpWarning } from "./errors.ts";
import { shrankReason } from "./backends/_settled.ts";
import { RecordCursor } from "./backends/file.ts";
import { isZero } from "./layouts/_engine.ts";
import { type Chunk, recordsPerChunk } from "./layouts/decode.ts";
import type { Detection } from "./layouts/_plausible.ts";
import type { LastlogLayoutName } from "./layouts/registry.ts";
import type { Layout } from "./layouts/schema.ts";
import { systemPaths } from "./paths.ts";
import { platform } from "./_internal/runtime.ts";

/** One used lastlog slot. */
export interface LastlogEntry {
  /** The user id: the slot's index. */
  uid: number;
  /** When the user last logged in. */
  time: Date;
  /** The terminal line as stored ("pts/0", "tty1", ":0"), without "/dev/". */
  line: string;
  /** Remote host, or "" for a local login. */
  host: string;
}

/** Options of {@link LastlogFile}. */
export interface LastlogOptions {
  /**
   * Slot layout: "auto" (default) detects it from the file (see
   * `detectLastlogLayout`), or a lastlog layout name.
   */
  layout?: "auto" | LastlogLayoutName;
  /**
   * Read only these uids' slots, each by a direct seek, instead of scanning
   * the file. The way to reach users whose slots lie in the middle of a large
   * sparse file (see {@link LastlogFile}).
   */
  uids?: Iterable<number>;
  /**
   * Refuse a symbolic link as the path's last component (`O_NOFOLLOW`, code
   * "ELOOP"): for a path resolved under a root (`rootPath`).
   */
  noFollow?: boolean;
}

/**
 * Files up to this apparent size are scanned whole; 64 MiB holds the slots of
 * uids up to about 230 000 (292-byte slots), beyond the system, user and
 * container sub-uid ranges of a usual machine. A larger file that the file
 * system has not allocated at least half of (a sparse one) is scanned only
 * this far, and its last slot.
 *
 * @example The uids a scan reaches in a sparse x86_64 lastlog
 * ```ts
 * import { LASTLOG_SCAN_BYTES } from "./lastlog_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(Math.floor(LASTLOG_SCAN_BYTES / 292), 229_824);
 * ```
 */
export const LASTLOG_SCAN_BYTES = 64 << 20;

/**
 * A lastlog file, read by uid.
 *
 * Iterating yields the used slots in uid order, reading the file in chunks
 * of 256 KiB. A file is scanned whole when it is at most 64 MiB long, or
 * when the file system has allocated at least half of it (a dense file: its
 * bytes are real data). A larger sparse file is scanned only up to 64 MiB,
 * plus its last slot
 * (which the file's size says is in use); the part in between is listed in
 * {@link warnings}, and the `uids` option reaches users there by direct
 * seeks. Each pass opens the file and closes it when done.
 *
 * @example The last logins in a file
 * ```ts
 * import { LastlogFile } from "@utmp/utmp";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // glibc lastlog: uid 1000 logged in on pts/0 from 192.0.2.7.
 * const slot = encodeRecord(LAYOUTS["lastlog-linux"], { ut_line: "pts/0", ut_host: "192.0.2.7", tv_sec: 1700000000 });
 * const bytes = new Uint8Array(1001 * 292);
 * bytes.set(slot, 1000 * 292);
 * const path = join(mkdtempSync(join(tmpdir(), "lastlog-")), "lastlog");
 * writeFileSync(path, bytes);
 *
 * const entries = [];
 * for await (const e of new LastlogFile(path)) entries.push(e);
 * assert.deepEqual(entries, [
 *   { uid: 1000, time: new Date("2023-11-14T22:13:20Z"), line: "pts/0", host: "192.0.2.7" },
 * ]);
 * ```
 */
export class LastlogFile implements AsyncIterable<LastlogEntry> {
  /** The file's path. */
  readonly path: string;
  /**
   * What the last scan passed over: the slots of a large sparse file it left
   * out ("sparse"), a file that shrank while being read ("shrank").
   * Cleared when a scan starts.
   */
  readonly warnings: UtmpWarning[] = [];
  readonly #options: LastlogOptions;
  readonly #cursor: RecordCursor;

  /**
   * Opens nothing yet.
   *
   * @param path The file; by default the system's lastlog (`/var/log/lastlog`).
   * @param options Layout and uids.
   * @throws {UtmpFileError} When no path is given and the system keeps no lastlog file.
   */
  constructor(path?: string, options: LastlogOptions = {}) {
    const system = systemPaths(platform).lastlog;
    if (path === undefined && system === undefined) {
      throw new UtmpFileError(
        `Cannot find the lastlog file: this system ("${platform}") keeps none; pass the path of one`,
        "ENOENT",
        "",
      );
    }
    this.path = path ?? system!;
    this.#options = options;
    this.#cursor = new RecordCursor(this.path, {
      layout: options.layout ?? "auto",
      kind: "lastlog",
      onProblem: (problem) => this.warnings.push(problem),
      noFollow: options.noFollow ?? false,
    });
  }

  /** The slot layout, once known. */
  get layout(): Layout | undefined {
    return this.#cursor.layout;
  }

  /** How the layout was chosen, once known. */
  get detection(): Detection | undefined {
    return this.#cursor.detection;
  }

  /**
   * Chooses the slot layout now.
   *
   * @example Which layout?
   * ```ts ignore
   * const d = await new LastlogFile("lastlog.from-a-pi").detect();
   * console.log(d.layout.name, d.reason);
   * ```
   *
   * @returns The detection.
   * @throws {UtmpFileError} When the file cannot be opened.
   * @throws {UtmpFormatError} When no lastlog layout fits.
   */
  async detect(): Promise<Detection> {
    try {
      return await this.#cursor.detect();
    } finally {
      await this.#cursor.release();
    }
  }

  /**
   * Looks one uid up by a direct seek.
   *
   * @example Root's last login
   * ```ts ignore
   * const root = await new LastlogFile().get(0);
   * console.log(root?.time, root?.line, root?.host);
   * ```
   *
   * @param uid A user id (0 .. 2^32 - 1).
   * @returns The entry, or `undefined` when the slot is unused or beyond the end of the file.
   * @throws {RangeError} When `uid` is not an integer in range.
   * @throws {UtmpFileError} When the file cannot be opened.
   * @throws {UtmpFormatError} When no lastlog layout fits.
   */
  async get(uid: number): Promise<LastlogEntry | undefined> {
    checkUid(uid);
    try {
      const slot = await this.#cursor.slots(uid, 1);
      return slot === null ? undefined : entryAt(slot, 0);
    } finally {
      await this.#cursor.release();
    }
  }

  /**
   * Iterates the used slots in uid order (only the `uids` given, if any).
   *
   * @returns The iterator.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<LastlogEntry, void, undefined> {
    this.warnings.length = 0;
    const cursor = this.#cursor;
    try {
      await cursor.detect();
      if (this.#options.uids !== undefined) {
        const uids = [...new Set(this.#options.uids)].sort((a, b) => a - b);
        uids.forEach(checkUid);
        for (const uid of uids) {
          const slot = await cursor.slots(uid, 1);
          const entry = slot === null ? undefined : entryAt(slot, 0);
          if (entry !== undefined) yield entry;
        }
        return;
      }
      const file = cursor.file!;
      const size = cursor.layout!.size;
      const slots = Math.floor(file.size / size);
      // Allocation is asked of the open file: a file put in place of the path meanwhile cannot answer for it.
      const sparse = file.size > LASTLOG_SCAN_BYTES && file.statNow().allocated < file.size / 2;
      const scanned = sparse ? Math.floor(LASTLOG_SCAN_BYTES / size) : slots;
      if (!(yield* this.#scan(0, scanned))) return;
      if (scanned < slots - 1) {
        this.warnings.push({
          kind: "sparse",
          offset: scanned * size,
          recordIndex: scanned,
          reason: `skipped the sparse slots of uids ${scanned} to ${slots - 2} (${
            (slots - 1 - scanned) * size
          } bytes the file system has not allocated in full); pass the uids option to look users up there`,
        });
      }
      if (scanned < slots) yield* this.#scan(Math.max(scanned, slots - 1), slots);
    } finally {
      await cursor.release();
    }
  }

  /**
   * The used slots from `first` to `end` (exclusive), a chunk at a time;
   * false (and a warning) when the file turned out shorter than when opened.
   */
  async *#scan(first: number, end: number): AsyncGenerator<LastlogEntry, boolean, undefined> {
    const cursor = this.#cursor;
    const size = cursor.layout!.size;
    const perChunk = recordsPerChunk(size);
    for (let slot = first; slot < end; slot += perChunk) {
      const count = Math.min(perChunk, end - slot);
      const chunk = await cursor.slots(slot, count);
      const got = chunk === null ? 0 : chunk.bytes.length / size;
      for (let i = 0; i < got; i++) {
        const entry = entryAt(chunk!, i * size);
        if (entry !== undefined) yield entry;
      }
      if (got < count) {
        const file = cursor.file!;
        const gone = slot + got;
        this.warnings.push({
          kind: "shrank",
          offset: gone * size,
          recordIndex: gone,
          reason: `${shrankReason(file.size, file.statNow().size)} (the slots from uid ${gone} on)`,
        });
        return false;
      }
    }
    return true;
  }
}

function checkUid(uid: number): void {
  if (!Number.isInteger(uid) || uid < 0 || uid > 0xffffffff) {
    throw new RangeError(`Cannot look up uid ${uid}: expected an integer from 0 to 4294967295`);
  }
}

/** The entry of the slot at `at` of a chunk, or `undefined` when it is all zero. */
function entryAt(chunk: Chunk, at: number): LastlogEntry | undefined {
  const { bytes, view, codec } = chunk;
  if (isZero(bytes, at, codec.layout.size)) return undefined;
  return {
    uid: chunk.firstIndex + at / codec.layout.size,
    time: new Date(codec.sec(view, at) * 1000),
    line: codec.text.ut_line(bytes, view, at),
    host: codec.text.ut_host(bytes, view, at),
  };
}
