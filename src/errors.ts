/**
 * Errors callers are expected to catch.
 *
 * @module
 */

/** Where in a file a format problem was found. */
export interface UtmpFormatErrorOptions {
  /** Byte offset in the file. */
  offset: number;
  /** Index of the record in the file. */
  recordIndex: number;
  /** Layout name in use (or "auto" while detecting). */
  layout: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Why layout detection refused the file, when it did. */
  refusal?: Refusal;
}

/** What one layout gave when layout detection refused a file (an entry of {@link Refusal.tried}). */
export interface Trial {
  /** The layout's name. */
  readonly layout: string;
  /** Whole records (for a lastlog: slots) of that layout in the part of the file sampled; 0 when it is shorter. */
  readonly records: number;
  /** Of those, the non-zero ones judged. */
  readonly sampled: number;
  /** Of those, the ones that look right under the layout. */
  readonly plausible: number;
  /** The share of plausible records, 0..1 (blank slots count against it). */
  readonly share: number;
  /** Whether the layout's record size divides the file size (for FreeBSD's utx.log: whether its lengths chain). */
  readonly fits: boolean;
}

/**
 * Why layout detection refused a file: the parts of the error's message, for
 * a caller that words its own advice (the command line says `--layout`
 * where the library says the `layout` option).
 *
 * @example Advice in a caller's own words
 * ```ts
 * import { detectLayout, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import { UtmpFormatError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecords(LAYOUTS.bsd, [{ ut_line: "~", ut_user: "reboot", tv_sec: 5e8 }]);
 * assert.throws(() => detectLayout(bytes, bytes.length), (e) => {
 *   if (!(e instanceof UtmpFormatError) || e.refusal === undefined) return false;
 *   const { summary, suggested, tried } = e.refusal;
 *   const advice = `${summary}; try --layout ${suggested.join(" or --layout ")}`;
 *   assert.match(advice, /never chooses .*; try --layout bsd/);
 *   return tried.some((t) => t.layout === "bsd" && t.share === 1 && t.fits);
 * });
 * ```
 */
export interface Refusal {
  /** The message without its advice and without the list of layouts tried ("Cannot tell the layout of ..."). */
  readonly summary: string;
  /** The layouts worth passing as the `layout` option, best first; empty when none reads the file plausibly. */
  readonly suggested: readonly string[];
  /** Every layout tried, with what it gave, best first (none when the file's first bytes said what it is). */
  readonly tried: readonly Trial[];
  /**
   * What the file is, when its first bytes say so whatever layout it is read
   * in (then no layout was tried): compressed ("gzip", "xz", "zstd",
   * "bzip2"), "utmpdump" text, other "text", or an SQLite database:
   * "wtmpdb", "lastlog2", or another "sqlite" one.
   */
  readonly content?: FileContent;
}

/** What a file is, by its first bytes, when that is not login records of any layout (see {@link Refusal.content}). */
export type FileContent = "gzip" | "xz" | "zstd" | "bzip2" | "utmpdump" | "text" | "wtmpdb" | "lastlog2" | "sqlite";

/**
 * A record a reader did not yield, or what happened to the file while it
 * was read: where, what kind, and the reason in words. Readers keep them in
 * their `warnings` (or throw a {@link UtmpFormatError} with the same
 * `offset` and `recordIndex` in strict mode).
 */
export interface UtmpWarning {
  /**
   * What kind of problem, for code that handles some kinds:
   * - "impossible-type": a record whose type number its layout does not define (not yielded, unless `keepInvalid`);
   * - "partial-record": the file ends part-way into a record (a later pass reads it once it is whole);
   * - "zero-length": a FreeBSD utx.log length of 0, stepped over;
   * - "shrank": the file got shorter while it was read;
   * - "replaced": the path now names another file (rotated) than the one read;
   * - "sparse": slots of a large sparse lastlog a scan left out (see `LastlogFile`), or of a utmp of more than
   *   64 MiB that `watch()` compares slot by slot;
   * - "bad-value": a database row (wtmpdb, lastlog2) holding a value its column cannot hold as the reader takes it
   *   (an ID that is no integer, a time that is no number, a text too long): the row is read, the reason says how.
   */
  kind: "impossible-type" | "partial-record" | "zero-length" | "shrank" | "replaced" | "sparse" | "bad-value";
  /** Byte offset in the file (-1 for a database row, which has none). */
  offset: number;
  /** Record index in the file (for a lastlog: the uid of the slot). */
  recordIndex: number;
  /** What is wrong, in words. */
  reason: string;
}

/**
 * The bytes do not decode as the layout says: in `strict` mode, the first
 * problem a warning would report (an impossible record type, a trailing
 * partial record, a file that shrank or was replaced while read); or a file
 * whose layout cannot be recognised.
 *
 * @example Catching it
 * ```ts
 * import { UtmpFormatError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const e = new UtmpFormatError("Cannot decode record 3", { offset: 1152, recordIndex: 3, layout: "linux" });
 * assert.equal(e.offset, 1152);
 * assert.ok(e instanceof Error);
 * ```
 */
export class UtmpFormatError extends Error {
  /** Always "UtmpFormatError". */
  override readonly name = "UtmpFormatError";
  /** Byte offset in the file. */
  readonly offset: number;
  /** Index of the record in the file. */
  readonly recordIndex: number;
  /** Layout name in use. */
  readonly layout: string;
  /**
   * When layout detection refused the file (`layout` is "auto"): the summary,
   * the layouts to try and what each layout tried gave. Undefined for every
   * other error, including a file that detection names as a lastlog.
   *
   * @example The layouts to try
   * ```ts
   * import { detectLayout, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
   * import { UtmpFormatError } from "@utmp/utmp";
   * import assert from "node:assert/strict";
   *
   * const bytes = encodeRecords(LAYOUTS.svr4, [{ ut_type: "USER_PROCESS", ut_line: "tty1", ut_user: "ann", tv_sec: 5e8 }]);
   * try {
   *   detectLayout(bytes, bytes.length);
   *   assert.fail("36-byte records are never guessed");
   * } catch (e) {
   *   assert.ok(e instanceof UtmpFormatError);
   *   assert.ok(e.refusal?.suggested.includes("svr4"));
   *   assert.equal(e.refusal?.tried.find((t) => t.layout === "svr4")?.fits, true);
   * }
   * ```
   */
  readonly refusal?: Refusal;

  /**
   * Makes the error.
   *
   * @param message What is wrong.
   * @param options Where.
   */
  constructor(message: string, options: UtmpFormatErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.offset = options.offset;
    this.recordIndex = options.recordIndex;
    this.layout = options.layout;
    if (options.refusal !== undefined) this.refusal = options.refusal;
  }
}

/**
 * A login-record file cannot be opened or read. `code` is the system's
 * error code ("ENOENT", "EACCES", "ELOOP", "EISDIR", ...), the same in Deno,
 * Node and Bun; for a path that is not a regular file (a FIFO, a device, a
 * socket) it is "EFTYPE", for a path holding a NUL byte "EINVAL", and
 * "EAGAIN" when a file was being rewritten
 * without a pause long enough to read its records whole. With `backend:
 * "ffi"`, "EINTR" when glibc gave up waiting for another process's lock
 * part-way through the file. "ENOSYS" when the runtime cannot read the
 * file's kind at all: a wtmpdb or lastlog2 database without a built-in
 * SQLite (Node before 22.5).
 *
 * @example Telling "missing" from "not allowed"
 * ```ts
 * import { UtmpFile, UtmpFileError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(async () => {
 *   for await (const _ of new UtmpFile("/nonexistent/wtmp")) break;
 * }, (e) => e instanceof UtmpFileError && e.code === "ENOENT" && e.path === "/nonexistent/wtmp");
 * ```
 */
export class UtmpFileError extends Error {
  /** Always "UtmpFileError". */
  override readonly name = "UtmpFileError";
  /** System error code. */
  readonly code: string;
  /** The path that failed. */
  readonly path: string;
  /**
   * Where a source was looked for, in the order looked at, when none was
   * found ("ENOENT" from `chooseSource`: the file first, then the
   * directory or database taken in its place); empty otherwise.
   */
  readonly lookedAt: readonly string[];

  /**
   * Makes the error.
   *
   * @param message What failed and what to do.
   * @param code System error code.
   * @param path The path.
   * @param cause The runtime's own error.
   * @param lookedAt The paths looked at, for "nothing found".
   */
  constructor(message: string, code: string, path: string, cause?: unknown, lookedAt: readonly string[] = []) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.path = path;
    this.lookedAt = lookedAt;
  }
}

/**
 * The C library's utmpx functions cannot be used: no candidate library
 * loaded, or FFI is not available in this runtime.
 *
 * @example Falling back to the file decoder
 * ```ts
 * import { LibcUnavailableError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const e = new LibcUnavailableError("Cannot load libc", ["libc.so.6"]);
 * assert.deepEqual(e.candidates, ["libc.so.6"]);
 * ```
 */
export class LibcUnavailableError extends Error {
  /** Always "LibcUnavailableError". */
  override readonly name = "LibcUnavailableError";
  /** Libraries that were tried, in order. */
  readonly candidates: string[];

  /**
   * Makes the error.
   *
   * @param message What failed and how to fix it.
   * @param candidates Libraries that were tried.
   * @param cause The last loader error.
   */
  constructor(message: string, candidates: string[], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.candidates = candidates;
  }
}
