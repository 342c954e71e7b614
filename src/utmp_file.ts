/**
 * {@link UtmpFile}: an async-iterable login-record file.
 *
 * @module
 */

import { UtmpFormatError, type UtmpWarning } from "./errors.ts";
import { createSource } from "./backends/mod.ts";
import type { Layout } from "./layouts/schema.ts";
import type { Detection } from "./layouts/_plausible.ts";
import type { LayoutName } from "./layouts/registry.ts";
import { systemPaths } from "./paths.ts";
import { type Chunk, RecordView } from "./layouts/decode.ts";
import type { ProblemSink } from "./backends/_source.ts";
import type { UtmpRecord } from "./record.ts";
import { platform } from "./_internal/runtime.ts";
import type { RecordSource } from "./backends/_source.ts";
import { quotePath } from "./_internal/escape/terminal.ts";

/** Options of {@link UtmpFile}. */
export interface UtmpFileOptions {
  /**
   * Record layout: "auto" (default) detects it from the content (see
   * `detectLayout`), so a file copied from another machine reads right; or a
   * layout name ("linux", "linux64-be", ...).
   */
  layout?: "auto" | LayoutName;
  /**
   * How to read: "file" decodes the file's bytes; "ffi" asks the C library
   * (`getutxent()`, with its locking and its struct; Deno needs `--allow-ffi`,
   * Node and Bun the optional npm package koffi); "auto" (default) uses the C
   * library for the system's own utmp when FFI is permitted, and decodes every
   * other file (see the README's backend table).
   */
  backend?: "auto" | "file" | "ffi";
  /**
   * Throw a {@link UtmpFormatError} at the first problem (a bad record, a
   * partial tail, a file that shrank or was replaced while read, a FreeBSD
   * zero length: whatever would be a warning) instead of recording a warning
   * and going on; the records before it are yielded first.
   */
  strict?: boolean;
  /**
   * Yield records with an impossible type too (as `ut_type` "UNKNOWN", with
   * `ut_type_raw` holding the stored number), still with a warning. For tools
   * that must show every record, such as `dump`.
   */
  keepInvalid?: boolean;
  /**
   * Read the file into the same two buffers over and over instead of a new
   * one per chunk: faster, and memory stays flat even in a runtime slow to
   * free old buffers (Deno keeps tens of MiB of them). The price: a record
   * is sure to stay readable only while the loop is in its chunk (256 KiB of
   * records) or the next one; reading a field of an older record throws a
   * TypeError (its `index`, `offset` and `layout` still answer), and its
   * `raw` views show newer bytes. Keep `record.toJSON()` of the records you
   * hold on to. Default false: records stay readable as long as they are kept.
   */
  reuseBuffers?: boolean;
  /**
   * The C library backend "ffi" (and "auto") loads first, before the
   * system's own: a path or a name for `dlopen`. It takes the place of the
   * `UTMP_LIBC_PATH` environment variable, for this reader only.
   */
  libc?: string;
  /**
   * Refuse a symbolic link as the path's last component (`O_NOFOLLOW`, code
   * "ELOOP"), at every opening: for a path already resolved under a root
   * (`rootPath`), so that a link renamed over it since leads nowhere outside
   * the root. Reads with the file backend.
   */
  noFollow?: boolean;
}

export type { UtmpWarning };

const NO_UTMP_HINT =
  "this system keeps no utmp file (systemd systems without utmp support, such as Debian 13, keep sessions in systemd-logind instead)";

/**
 * A login-record file (utmp, wtmp, btmp, utmpx), read as it is iterated.
 *
 * - `for await` yields {@link UtmpRecord}s in file order. Iteration holds the
 *   file open only while it runs: breaking out of the loop, an exception in
 *   the loop body, or the end of the file release it. A later loop continues
 *   where the last one stopped, like reading a file; {@link rewind} starts
 *   again from the top.
 * - The file is read in chunks of 256 KiB (see the README's Performance
 *   section: synchronous positional reads from the page cache, the event loop
 *   let turn every few milliseconds): memory stays flat however large it is.
 *   Records stay readable as long as they are kept, each keeping its chunk;
 *   with `reuseBuffers` the chunks are read into the same two buffers
 *   instead (faster, and flat even where old buffers are freed late), and a
 *   record lasts only while the loop is in its chunk or the next.
 * - Bad records (an impossible type) and a trailing partial record are
 *   skipped and listed in {@link warnings} (the first thousand; all are
 *   counted in {@link warningCount}); with `strict: true` the first one
 *   throws a {@link UtmpFormatError} after the good records before it.
 *
 * @example Who is logged in
 * ```ts ignore
 * import { UtmpFile } from "@utmp/utmp";
 *
 * for await (const u of new UtmpFile()) {
 *   if (u.ut_user_process) console.log(u.ut_user, u.ut_line, u.ut_host, u.ut_time);
 * }
 * ```
 *
 * @example Reading a file and its warnings
 * ```ts
 * import { UtmpFile } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // Two glibc records (BOOT_TIME, then a USER_PROCESS for "alice") and 5 stray bytes.
 * const bytes = new Uint8Array(2 * 384 + 5);
 * const view = new DataView(bytes.buffer);
 * view.setInt16(0, 2, true);
 * bytes.set(new TextEncoder().encode("~"), 8);
 * bytes.set(new TextEncoder().encode("reboot"), 44);
 * view.setUint32(340, 1700000000, true);
 * view.setInt16(384, 7, true);
 * bytes.set(new TextEncoder().encode("pts/0"), 384 + 8);
 * bytes.set(new TextEncoder().encode("alice"), 384 + 44);
 * view.setUint32(384 + 340, 1700000060, true);
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, bytes);
 *
 * await using file = new UtmpFile(path);
 * const users = [];
 * for await (const u of file) users.push(`${u.ut_type} ${u.ut_user} ${u.ut_line}`);
 * assert.deepEqual(users, ["BOOT_TIME reboot ~", "USER_PROCESS alice /dev/pts/0"]);
 * assert.equal(file.layout?.name, "linux");
 * assert.equal(file.warnings[0]?.reason, "file ends 5 bytes into a 384-byte record");
 * ```
 */
export class UtmpFile implements AsyncIterable<UtmpRecord>, AsyncDisposable {
  /** The file's path. */
  readonly path: string;
  /**
   * Problems met so far, in file order: skipped records, partial tails, a file
   * that shrank or was replaced. At most the first thousand
   * (one bad record in a million keeps them all; a file of garbage keeps
   * memory flat): {@link warningCount} counts every one. Cleared by
   * {@link rewind}.
   */
  readonly warnings: UtmpWarning[] = [];
  #warningCount = 0;
  readonly #options: UtmpFileOptions;
  readonly #source: RecordSource;
  /** The chunk being yielded, the offset in it of the next record to look at, and its next problem. */
  #chunk: Chunk | undefined;
  #at = 0;
  #problem = 0;
  #failure: UtmpFormatError | undefined;
  /** A read of the next chunk under way: a second loop on this file waits for it rather than reading too. */
  #pending: Promise<boolean> | undefined;
  /** No loop holds the file open (detect() releases what it opened). */
  #idle = true;

  /**
   * Opens nothing yet: the file is opened when iteration starts.
   *
   * @param path The file; by default the system's utmp (`/var/run/utmp` on
   * Linux, `/var/run/utmpx` on macOS, see `systemPaths`).
   * @param options Layout, backend and strictness.
   * @throws {RangeError} For an unknown `backend`, or `backend: "ffi"` with a
   * `layout` other than the C library's own struct.
   */
  constructor(path?: string, options: UtmpFileOptions = {}) {
    const system = systemPaths(platform);
    this.path = path ?? system.utmp;
    this.#options = options;
    const backend = options.backend ?? "auto";
    if (backend !== "auto" && backend !== "file" && backend !== "ffi") {
      throw new RangeError(`Cannot use backend "${backend}": expected "auto", "ffi" or "file"`);
    }
    this.#source = createSource({
      path: this.path,
      backend,
      layout: options.layout ?? "auto",
      hint: this.path === system.utmp ? NO_UTMP_HINT : undefined,
      onProblem: this.#warn,
      reuseBuffers: options.reuseBuffers ?? false,
      libc: options.libc,
      noFollow: options.noFollow ?? false,
    });
  }

  /** The records' layout, once iteration (or {@link detect}) has started. */
  get layout(): Layout | undefined {
    return this.#source.layout;
  }

  /** How the layout was chosen (with a confidence), once known. */
  get detection(): Detection | undefined {
    return this.#source.detection;
  }

  /** The backend in use: "file" or "ffi". */
  get backend(): "file" | "ffi" {
    return this.#source.backend;
  }

  /** How many problems were met so far, including those past the ones {@link warnings} keeps. */
  get warningCount(): number {
    return this.#warningCount;
  }

  /**
   * Chooses the layout now, without yielding records. Outside a loop the
   * file is released again afterwards.
   *
   * @example What layout is this?
   * ```ts ignore
   * import { UtmpFile } from "@utmp/utmp";
   *
   * const d = await new UtmpFile("wtmp.from-a-pi").detect();
   * console.log(d.layout.name, d.confidence, d.reason);
   * ```
   *
   * @returns The detection.
   * @throws {UtmpFileError} When the file cannot be opened.
   * @throws {UtmpFormatError} When no layout fits.
   */
  async detect(): Promise<Detection> {
    const idle = this.#idle;
    const detection = await this.#source.detect();
    // Detecting alone leaves nothing open; during a loop the file stays open for it.
    if (idle && this.#idle) await this.#source.release();
    return detection;
  }

  /**
   * Starts again from the first record; clears {@link warnings}.
   *
   * @example Two passes
   * ```ts ignore
   * const file = new UtmpFile("/var/log/wtmp");
   * for await (const u of file) count++;
   * file.rewind();
   * for await (const u of file) print(u);
   * ```
   */
  rewind(): void {
    this.#chunk = undefined;
    this.#at = 0;
    this.#problem = 0;
    this.#failure = undefined;
    this.warnings.length = 0;
    this.#warningCount = 0;
    this.#source.rewind();
  }

  /**
   * Releases the file now. Safe to call more than once; a later loop
   * reopens it and continues where the last one stopped.
   *
   * @example Explicit close
   * ```ts ignore
   * const file = new UtmpFile("/var/log/wtmp");
   * try { for await (const u of file) if (u.ut_user === "root") break; }
   * finally { await file.close(); }
   * ```
   */
  close(): Promise<void> {
    return this.#release();
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Iterates records. A record of the chunk at hand, and the next chunk of a
   * quiet local file, come at once: `next()` returns an already resolved
   * promise, with no async function or generator in between.
   *
   * @returns The iterator.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<UtmpRecord> {
    const next = (): Promise<IteratorResult<UtmpRecord>> => {
      try {
        for (;;) {
          const record = this.#take();
          if (record !== undefined) return Promise.resolve({ done: false, value: record });
          const filled = this.#refill();
          if (filled === false) return END;
          if (filled !== true) return filled.then((more) => more ? next() : END);
        }
      } catch (error) {
        return Promise.reject(error);
      }
    };
    const iterator: AsyncIterableIterator<UtmpRecord> = {
      next,
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Iterates records a chunk at a time (an array per read of up to 256 KiB).
   * Filtering in a plain `for` loop over each array skips the per-record
   * promise of `for await`, which matters on multi-gigabyte files.
   *
   * @example Counting logins fast
   * ```ts ignore
   * let logins = 0;
   * for await (const batch of new UtmpFile("/var/log/wtmp").batches()) {
   *   for (const u of batch) if (u.ut_type === "USER_PROCESS") logins++;
   * }
   * ```
   *
   * @returns Arrays of records, in file order.
   */
  async *batches(): AsyncGenerator<UtmpRecord[], void, undefined> {
    try {
      for (;;) {
        const batch: UtmpRecord[] = [];
        for (let u = this.#take(); u !== undefined; u = this.#take()) batch.push(u);
        if (batch.length > 0) yield batch;
        const filled = this.#refill();
        if (!(filled === true || (filled !== false && await filled))) return;
      }
    } finally {
      await this.close();
    }
  }

  /**
   * Makes the next chunk the one at hand: true when it did, false at the end
   * (the file released), a promise of either when the source has to wait.
   * Throws a pending strict failure (the file released first).
   */
  #refill(): boolean | Promise<boolean> {
    if (this.#pending !== undefined) return this.#pending;
    // Another loop on this file may have read a chunk meanwhile.
    if (this.#chunk !== undefined && this.#at < this.#chunk.bytes.length) return true;
    this.#idle = false;
    if (this.#failure !== undefined) return this.#fail(this.#failure);
    let chunk;
    try {
      chunk = this.#source.next();
    } catch (error) {
      return this.#fail(error);
    }
    if (chunk === null || "bytes" in chunk) return this.#accept(chunk);
    const pending = chunk.then((c) => this.#accept(c), (error) => this.#fail(error));
    this.#pending = pending;
    return pending.finally(() => this.#pending = undefined);
  }

  #accept(chunk: Chunk | null): boolean | Promise<boolean> {
    if (chunk === null) {
      if (this.#failure !== undefined) return this.#fail(this.#failure);
      return this.#release().then(() => false);
    }
    this.#chunk = chunk;
    this.#at = 0;
    this.#problem = 0;
    return true;
  }

  /** Releases the file, then throws `error`. */
  async #fail(error: unknown): Promise<never> {
    await this.#release();
    throw error;
  }

  #release(): Promise<void> {
    this.#idle = true;
    return this.#source.release();
  }

  /**
   * The next record of the chunk at hand, made only now: records die young
   * when the loop drops them, instead of a chunk's worth living on in an
   * array. Impossible records and the chunk's own problems are reported (and
   * impossible records skipped, unless kept) as the loop reaches them; a
   * strict failure ends the chunk.
   */
  #take(): UtmpRecord | undefined {
    const chunk = this.#chunk;
    if (chunk === undefined) return undefined;
    const { bytes, view, codec, problems } = chunk;
    const size = codec.layout.size;
    while (this.#at < bytes.length) {
      const at = this.#at;
      if (problems !== undefined && !this.#reach(problems, at / size)) return undefined;
      this.#at += size;
      const name = codec.typeName(bytes, view, at);
      if (name !== undefined) return new RecordView(chunk, at, name);
      const record = new RecordView(chunk, at, "UNKNOWN");
      this.#warn({
        kind: "impossible-type",
        offset: record.offset,
        recordIndex: record.index,
        reason: `impossible ut_type ${codec.typeCode(view, at)} for layout "${codec.layout.name}"`,
      });
      if (this.#failure !== undefined) {
        this.#at = bytes.length;
        return undefined;
      }
      if (this.#options.keepInvalid) return record;
    }
    if (problems !== undefined) this.#reach(problems, bytes.length / size);
    return undefined;
  }

  /** Reports the chunk's problems before record `upTo`; false when one is a strict failure (the chunk ends). */
  #reach(problems: NonNullable<Chunk["problems"]>, upTo: number): boolean {
    for (; this.#problem < problems.length && problems[this.#problem]!.before <= upTo; this.#problem++) {
      this.#warn(problems[this.#problem]!.problem);
      if (this.#failure !== undefined) {
        this.#problem++;
        this.#at = this.#chunk!.bytes.length;
        return false;
      }
    }
    return true;
  }

  readonly #warn: ProblemSink = (problem) => {
    if (this.#warningCount++ < WARNINGS_KEPT) this.warnings.push(problem);
    if (this.#options.strict && this.#failure === undefined) {
      this.#failure = new UtmpFormatError(
        `Cannot decode record ${problem.recordIndex} of ${
          quotePath(this.path)
        } at byte offset ${problem.offset}: ${problem.reason}`,
        { offset: problem.offset, recordIndex: problem.recordIndex, layout: this.layout?.name ?? "auto" },
      );
    }
  };
}

/** How many warnings a reader keeps (`UtmpFile.warnings`); the rest are counted. */
export const WARNINGS_KEPT = 1000;

const END: Promise<IteratorResult<UtmpRecord>> = Promise.resolve({ done: true, value: undefined });
