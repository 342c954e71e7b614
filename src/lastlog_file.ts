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
import { openRecordFile, readSettled, type RecordFile, shrankReason } from "./backends/_record_file.ts";
import { codecOf, isZero } from "./layouts/_engine.ts";
import type { Layout } from "./layouts/schema.ts";
import { readChars } from "./layouts/_text.ts";
import { recordsPerChunk } from "./layouts/decode.ts";
import { type Detection, detectLastlogLayout } from "./layouts/detect.ts";
import { getLayout, type LastlogLayoutName } from "./layouts/registry.ts";
import { nativeLastlogLayoutName } from "./layouts/native.ts";
import { systemPaths } from "./paths.ts";
import { arch, platform } from "./_internal/runtime.ts";

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

/** Options of {@link LastlogFile} and {@link lastlog}. */
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

/** How much of each end of the file layout detection reads. */
const DETECT_BYTES = 1 << 20;

/**
 * A lastlog file, read by uid.
 *
 * Iterating yields the used slots in uid order, reading the file in chunks
 * of 256 KiB. A file is scanned whole when it is at most
 * {@link LASTLOG_SCAN_BYTES} long, or when the file system has allocated at
 * least half of it (a dense file: its bytes are real data). A larger sparse
 * file is scanned only up to {@link LASTLOG_SCAN_BYTES}, plus its last slot
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
  /** Parts of the file the last scan skipped (a large sparse file). Cleared when a scan starts. */
  readonly warnings: UtmpWarning[] = [];
  readonly #options: LastlogOptions;
  #detection: Detection | undefined;

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
  }

  /** The slot layout, once known. */
  get layout(): Layout | undefined {
    return this.#detection?.layout;
  }

  /** How the layout was chosen, once known. */
  get detection(): Detection | undefined {
    return this.#detection;
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
    const file = await this.#open();
    await file.close();
    return this.#detection!;
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
    const file = await this.#open();
    try {
      return await readSlot(file, this.#detection!.layout, uid);
    } finally {
      await file.close();
    }
  }

  /**
   * Iterates the used slots in uid order (only the `uids` given, if any).
   *
   * @returns The iterator.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<LastlogEntry, void, undefined> {
    this.warnings.length = 0;
    const file = await this.#open();
    try {
      const layout = this.#detection!.layout;
      if (this.#options.uids !== undefined) {
        const uids = [...new Set(this.#options.uids)].sort((a, b) => a - b);
        uids.forEach(checkUid);
        for (const uid of uids) {
          const entry = await readSlot(file, layout, uid);
          if (entry !== undefined) yield entry;
        }
        return;
      }
      const slots = Math.floor(file.size / layout.size);
      // Allocation is asked of the open file: a file put in place of the path meanwhile cannot answer for it.
      const sparse = file.size > LASTLOG_SCAN_BYTES && (await file.stat()).allocated < file.size / 2;
      const scanned = sparse ? Math.floor(LASTLOG_SCAN_BYTES / layout.size) : slots;
      const warn = (w: UtmpWarning) => this.warnings.push(w);
      yield* scan(file, layout, 0, scanned, warn);
      if (scanned < slots - 1) {
        this.warnings.push({
          kind: "sparse",
          offset: scanned * layout.size,
          recordIndex: scanned,
          reason: `skipped the sparse slots of uids ${scanned} to ${slots - 2} (${
            (slots - 1 - scanned) * layout.size
          } bytes the file system has not allocated in full); pass the uids option to look users up there`,
        });
      }
      if (scanned < slots) yield* scan(file, layout, Math.max(scanned, slots - 1), slots, warn);
    } finally {
      await file.close();
    }
  }

  /** Opens the file and chooses the layout on first use. */
  async #open(): Promise<RecordFile> {
    const file = await openRecordFile(this.path);
    try {
      this.#detection ??= await this.#detect(file);
      return file;
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  async #detect(file: RecordFile): Promise<Detection> {
    const layout = this.#options.layout ?? "auto";
    if (layout !== "auto") {
      const given = getLayout(layout);
      if (given.kind !== "lastlog") {
        throw new RangeError(`Cannot read "${this.path}" with layout "${layout}": it is not a lastlog layout`);
      }
      return { layout: given, confidence: 1, reason: "given by the layout option" };
    }
    const head = new Uint8Array(Math.min(file.size, DETECT_BYTES));
    const tailOffset = Math.max(head.length, file.size - DETECT_BYTES);
    const tail = new Uint8Array(file.size - tailOffset);
    const samples = [
      { offset: 0, bytes: head.subarray(0, await file.read(head, 0)) },
      { offset: tailOffset, bytes: tail.subarray(0, tail.length === 0 ? 0 : await file.read(tail, tailOffset)) },
    ];
    return detectLastlogLayout(samples, file.size, {
      path: this.path,
      prefer: nativeLastlogLayoutName(platform, arch),
    });
  }
}

function checkUid(uid: number): void {
  if (!Number.isInteger(uid) || uid < 0 || uid > 0xffffffff) {
    throw new RangeError(`Cannot look up uid ${uid}: expected an integer from 0 to 4294967295`);
  }
}

/** Reads slot `uid` if the file holds it; never reads beyond the end of the file. */
async function readSlot(file: RecordFile, layout: Layout, uid: number): Promise<LastlogEntry | undefined> {
  const offset = uid * layout.size;
  if (offset + layout.size > file.size) return undefined;
  const bytes = new Uint8Array(layout.size);
  if (await readSettled(file, bytes, offset, layout.size) < layout.size) return undefined;
  return entryAt(bytes, layout, 0, uid);
}

/**
 * Yields the used slots from `first` to `end` (exclusive), a chunk at a
 * time; says so when the file turns out shorter than when it was opened.
 */
async function* scan(
  file: RecordFile,
  layout: Layout,
  first: number,
  end: number,
  warn: (warning: UtmpWarning) => void,
): AsyncGenerator<LastlogEntry> {
  const size = layout.size;
  const perChunk = recordsPerChunk(size);
  const bytes = new Uint8Array(perChunk * size);
  for (let slot = first; slot < end; slot += perChunk) {
    const count = Math.min(perChunk, end - slot);
    const n = await readSettled(file, bytes.subarray(0, count * size), slot * size, size);
    for (let i = 0; (i + 1) * size <= n; i++) {
      const entry = entryAt(bytes, layout, i * size, slot + i);
      if (entry !== undefined) yield entry;
    }
    if (n < count * size) {
      const { size: now } = await file.stat();
      const gone = slot + Math.floor(n / size);
      warn({
        kind: "shrank",
        offset: gone * size,
        recordIndex: gone,
        reason: `${shrankReason(file.size, now)} (the slots from uid ${gone} on)`,
      });
      return;
    }
  }
}

/** The entry of the slot at `at`, or `undefined` when it is all zero. */
function entryAt(bytes: Uint8Array, layout: Layout, at: number, uid: number): LastlogEntry | undefined {
  if (isZero(bytes, at, layout.size)) return undefined;
  const codec = codecOf(layout);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    uid,
    time: new Date(codec.sec(view, at) * 1000),
    line: readChars(bytes, at, layout.fields.ut_line),
    host: readChars(bytes, at, layout.fields.ut_host),
  };
}
