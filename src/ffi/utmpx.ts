/**
 * One pass over a login database through the C library, the same for every
 * runtime's FFI: select the file the way this libc does, copy every record
 * `getutxent()` returns, and always end with `endutxent()` (FORMATS.md §15).
 *
 * libc's utmpx state (the open file, the cursor, the returned buffer) is
 * global to the process, so a pass runs synchronously from selection to
 * `endutxent()`: no other JavaScript can run in between, and no libc state
 * outlives it.
 *
 * @module
 */

import { LibcUnavailableError } from "../errors.ts";
import type { LibcProfile } from "../backends/_libc_profile.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { type UtmpxLibrary, UTXDB } from "./symbols.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/**
 * Opens the first candidate that loads. Permission denials pass through
 * untouched, so the user sees the runtime's own `--allow-ffi` hint.
 *
 * @param candidates Library names or paths, in order.
 * @param openOne Loads one candidate (throws when it cannot).
 * @returns The first library that loaded.
 * @throws {LibcUnavailableError} Listing every candidate when none loads.
 */
export function openFirst(candidates: readonly string[], openOne: (path: string) => UtmpxLibrary): UtmpxLibrary {
  let last: unknown;
  for (const path of candidates) {
    try {
      return openOne(path);
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      last = error;
    }
  }
  const tried = candidates.map((c) => `"${c}"`).join(", ");
  const why = last instanceof Error ? `: ${last.message}` : "";
  throw new LibcUnavailableError(
    candidates.length === 0
      ? `Cannot load the C library: no utmpx library is known for this system; use backend "file"`
      : `Cannot load the C library: tried ${tried}${why}; set UTMP_LIBC_PATH to the library or use backend "file"`,
    [...candidates],
    last,
  );
}

/** The records one pass returned, with where they sit in the file. */
export interface Snapshot {
  /** The in-memory structs, back to back. */
  readonly bytes: Uint8Array;
  /** How many records. */
  readonly count: number;
  /** File index of the first record: 1 when libc skipped a signature record. */
  readonly firstIndex: number;
  /** Size of a file record, or `undefined` when records have no fixed size (FreeBSD utx.log). */
  readonly fileStride: number | undefined;
}

/** What to read. */
export interface UtmpxTarget {
  /** The file. */
  readonly path: string;
  /** Its first bytes (at least one file record when the file has one), to check a signature before libc opens it. */
  readonly head: Uint8Array;
  /** The system's default database, selected again after the pass. */
  readonly defaultPath: string;
  /**
   * The most records the pass takes: what the file held when it was opened
   * (a file that grows during the pass, or one a hostile libc never ends,
   * cannot make it hold more). No limit when undefined.
   */
  readonly limit?: number;
}

const encoder = new TextEncoder();

/** A NUL-terminated copy of a string, owned by the caller for the duration of a C call. */
function cString(s: string): Uint8Array {
  return encoder.encode(s + "\0");
}

/**
 * Reads every record of a file through the C library in one synchronous
 * pass and returns copies of the structs. `endutxent()` runs whatever
 * happens, and the default database is selected again afterwards.
 *
 * @param lib The bound library.
 * @param profile Its profile.
 * @param target The file.
 * @returns The records.
 * @throws {LibcUnavailableError} When this libc cannot read the file (musl's stubs, a name `utmpxname` rejects,
 * a missing signature record, a file `setutxdb` refuses).
 */
export function readUtmpx(lib: UtmpxLibrary, profile: LibcProfile, target: UtmpxTarget): Snapshot {
  const { path } = target;
  const size = profile.layout.size;
  let firstIndex = 0;
  let fileStride: number | undefined = profile.fileRecordSize;
  if (profile.signatureTypeOffset !== undefined) {
    if (!hasSignature(target.head, profile.signatureTypeOffset)) {
      throw unavailable(
        lib,
        `${
          quotePath(path)
        } does not start with the utmpx signature record this C library requires (a wtmpx re-created by log rotation has none)`,
      );
    }
    firstIndex = 1;
  }
  let bytes = new Uint8Array(16 * size);
  let count = 0;
  try {
    const select = profile.select;
    if (select.fn === "setutxdb") {
      // FreeBSD: setutxdb opens the file; setutxent() would reopen utx.active instead.
      const type = freebsdDatabase(path);
      if (type === UTXDB.LOG) fileStride = undefined;
      if (lib.setutxdb === undefined) throw unavailable(lib, "it has no setutxdb()");
      if (lib.setutxdb(type, cString(path)) !== 0) {
        throw unavailable(
          lib,
          `setutxdb() refused ${
            quotePath(path)
          } (an unreadable file, or a utx.active or utx.lastlogin file whose size is not a multiple of 197 bytes)`,
        );
      }
    } else {
      if (lib.utmpxname === undefined) throw unavailable(lib, "it has no utmpxname()");
      const result = lib.utmpxname(cString(path));
      if (result === -1 && profile.libc === "glibc") {
        throw unavailable(lib, "utmpxname() returned -1, as musl's stubs do (musl keeps no utmp database)");
      }
      if (result !== select.ok) {
        throw unavailable(
          lib,
          `utmpxname() rejected ${
            quotePath(path)
          } (this C library accepts only names ending in "x" and shorter than its limit)`,
        );
      }
      lib.setutxent();
    }
    const limit = target.limit ?? Infinity;
    for (;;) {
      if ((count + 1) * size > bytes.length) {
        const grown = new Uint8Array(bytes.length * 2);
        grown.set(bytes);
        bytes = grown;
      }
      if (!lib.getutxent(bytes.subarray(count * size, (count + 1) * size))) break;
      // One more record than the file held when opened: it grew, or the library never ends. Not taken.
      if (count === limit) break;
      count++;
    }
  } finally {
    lib.endutxent();
    if (profile.select.fn === "utmpxname" && path !== target.defaultPath) lib.utmpxname?.(cString(target.defaultPath));
  }
  return { bytes: bytes.subarray(0, count * size), count, firstIndex, fileStride };
}

function unavailable(lib: UtmpxLibrary, why: string): LibcUnavailableError {
  return new LibcUnavailableError(
    `Cannot read login records through ${quotePath(lib.path)}: ${why}; use backend "file"`,
    [lib.path],
  );
}

/** "utmpx" at 0 and type 10 (SIGNATURE) at `typeOffset`, as macOS and NetBSD check before reading. */
function hasSignature(head: Uint8Array, typeOffset: number): boolean {
  if (head.length < typeOffset + 2) return false;
  const magic = [0x75, 0x74, 0x6d, 0x70, 0x78]; // "utmpx"
  return magic.every((b, i) => head[i] === b) && head[typeOffset] === 10 && head[typeOffset + 1] === 0;
}

/** The `setutxdb` type of a FreeBSD file, from its name (utx.log, utx.lastlogin, else utx.active). */
function freebsdDatabase(path: string): number {
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name.startsWith("utx.log")) return UTXDB.LOG;
  if (name.startsWith("utx.lastlogin")) return UTXDB.LASTLOGIN;
  return UTXDB.ACTIVE;
}
