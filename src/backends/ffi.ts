/**
 * The libc backend as a {@link RecordSource}: the C library reads its own
 * database, with its locking and its struct, and this source hands the
 * copied structs to `UtmpFile` as raw record bytes.
 *
 * The first read of a loop takes a snapshot of the whole file in one
 * synchronous pass (utmp is small): two files iterated at the same time each
 * get their own complete sequence, and no libc state or lock is held across
 * a yield. When the loop ends the snapshot is dropped; a later loop takes a
 * fresh one and continues at the record where the last one stopped, as the
 * file backend does.
 *
 * @module
 */

import { openLiveFile } from "./_byte_source.ts";
import { LibcUnavailableError, UtmpFileError } from "../errors.ts";
import type { Layout } from "../layouts/schema.ts";
import { recordsPerChunk } from "../layouts/decode.ts";
import type { Detection } from "../layouts/_plausible.ts";
import type { RecordProblem } from "./_source.ts";
import { systemPaths } from "../paths.ts";
import { type Chunk, makeChunk } from "../layouts/decode.ts";
import { partialProblem, type ProblemSink, type RecordSource } from "./_source.ts";
import type { FfiBackend } from "../ffi/symbols.ts";
import { readUtmpx, type Snapshot } from "../ffi/utmpx.ts";
import { type LibcProfile, libcProfile } from "./_libc_profile.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/** Options of {@link FfiSource}. */
export interface FfiSourceOptions {
  /** Operating system, as `process.platform` names it. */
  os: string;
  /** CPU architecture, as `process.arch` names it. */
  arch: string;
  /** The runtime's FFI, if it has one. */
  ffi: FfiBackend | undefined;
  /** Libraries to try (see `libcCandidates`); asked for on first use. */
  candidates: () => readonly string[];
  /** What to tell the user when the file is missing. */
  hint: string | undefined;
  /** Where to report a partial tail. */
  onProblem: ProblemSink;
}

/** Reads records through the C library's utmpx functions. */
export class FfiSource implements RecordSource {
  readonly backend = "ffi" as const;
  readonly #path: string;
  readonly #options: FfiSourceOptions;
  readonly #profile: LibcProfile | undefined;
  #snapshot: Snapshot | undefined;
  #detection: Detection | undefined;
  /** A partial last record libc left out, reported when the records are used up. */
  #tail: RecordProblem | undefined;
  /** The partial tail was reported: the position is past it. */
  #pastTail = false;
  /** Number of libc records already handed out. */
  #at = 0;

  /**
   * Loads nothing yet: the library is loaded on first use.
   *
   * @param path File path.
   * @param options Platform, FFI and problem reporting.
   */
  constructor(path: string, options: FfiSourceOptions) {
    this.#path = path;
    this.#options = options;
    this.#profile = libcProfile(options.os, options.arch);
  }

  /** The in-memory struct's layout, once the first pass ran. */
  get layout(): Layout | undefined {
    return this.#detection?.layout;
  }

  get detection(): Detection | undefined {
    return this.#detection;
  }

  async detect(): Promise<Detection> {
    await this.#load();
    return this.#detection!;
  }

  async next(): Promise<Chunk | null> {
    const snapshot = await this.#load();
    const layout = this.#detection!.layout;
    if (this.#at >= snapshot.count) {
      if (this.#tail !== undefined && !this.#pastTail) {
        this.#pastTail = true;
        this.#options.onProblem(this.#tail);
      }
      return null;
    }
    const size = layout.size;
    const n = Math.min(recordsPerChunk(size), snapshot.count - this.#at);
    const bytes = snapshot.bytes.subarray(this.#at * size, (this.#at + n) * size);
    const index = snapshot.firstIndex + this.#at;
    this.#at += n;
    const stride = snapshot.fileStride;
    if (stride === size) return makeChunk(bytes, layout, index * size, index);
    // The file record differs from the struct (or has no fixed size): give each record's file offset.
    const offsets = Array.from({ length: n }, (_, i) => stride === undefined ? -1 : (index + i) * stride);
    return makeChunk(bytes, layout, -1, index, offsets);
  }

  rewind(): void {
    this.#snapshot = undefined;
    this.#pastTail = false;
    this.#at = 0;
  }

  /** Drops the snapshot; libc state was released when the pass ended (`endutxent()`, library unloaded). */
  release(): Promise<void> {
    this.#snapshot = undefined;
    return Promise.resolve();
  }

  async #load(): Promise<Snapshot> {
    if (this.#snapshot !== undefined) return this.#snapshot;
    const { os, arch, ffi } = this.#options;
    const profile = this.#profile;
    if (profile === undefined || ffi === undefined) {
      throw new LibcUnavailableError(
        profile === undefined
          ? `Cannot read login records through the C library: no utmpx C API is known for "${os}" on "${arch}"; use backend "file"`
          : `Cannot read login records through the C library: this runtime has no FFI (Deno, or Node and Bun with the npm package "koffi"); use backend "file"`,
        [],
      );
    }
    const path = this.#path;
    // Open the file first: a missing path fails here instead of being created
    // by libcs that open for writing (macOS, NetBSD, illumos).
    const file = await openLiveFile(path, this.#options.hint);
    try {
      const head = new Uint8Array(Math.min(file.size, profile.fileRecordSize));
      if (head.length > 0) await file.read(head, 0);
      const lib = await ffi.open(this.#options.candidates(), os);
      let snapshot: Snapshot;
      try {
        // At most what the file held when opened: one record per file record (or, framed, per 3 bytes).
        const limit = Math.ceil(file.size / (profile.libc === "freebsd" ? 3 : profile.fileRecordSize));
        snapshot = readUtmpx(lib, profile, { path, head, defaultPath: systemPaths(os).utmp, limit });
      } finally {
        lib.close();
      }
      const { size } = await file.stat();
      this.#check(snapshot, profile, Math.min(file.size, size));
      this.#tail = partialTail(snapshot, size);
      this.#snapshot = snapshot;
      this.#detection = {
        layout: profile.layout,
        confidence: 1,
        reason: `the C library's struct utmpx, read through ${quotePath(lib.path)}`,
      };
      return snapshot;
    } finally {
      await file.close();
    }
  }

  /**
   * glibc's `getutxent()` returns NULL when it waited 10 s for another
   * process's write lock, the same as at the end: fewer records than the
   * file held throughout means the pass was cut short.
   */
  #check(snapshot: Snapshot, profile: LibcProfile, size: number): void {
    const stride = snapshot.fileStride;
    if (profile.libc !== "glibc" || stride === undefined) return;
    const expected = Math.floor(size / stride) - snapshot.firstIndex;
    if (snapshot.count >= expected) return;
    throw new UtmpFileError(
      `Cannot read all of ${
        quotePath(this.#path)
      } through the C library: getutxent() stopped after ${snapshot.count} of ${expected} records (glibc gives up after 10 s waiting for another process's lock); try again or use backend "file"`,
      "EINTR",
      this.#path,
    );
  }
}

/** The partial record at the end of a file of `size` bytes, which libc skips silently. */
function partialTail(snapshot: Snapshot, size: number): RecordProblem | undefined {
  const stride = snapshot.fileStride;
  if (stride === undefined || size % stride === 0) return undefined;
  const tail = size % stride;
  return partialProblem(size - tail, Math.floor(size / stride), tail, `a ${stride}-byte record`);
}
