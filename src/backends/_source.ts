/**
 * The one interface between backends and {@link UtmpFile}: a source hands
 * out runs of raw record bytes ({@link Chunk}s); it never decodes fields.
 *
 * @module
 */

import type { UtmpWarning } from "../errors.ts";
import type { Chunk } from "../layouts/decode.ts";
import type { Detection } from "../layouts/_plausible.ts";
import type { Layout } from "../layouts/schema.ts";

/** The backend a source reads through. */
export type BackendName = "file" | "ffi";

/** A backend: the file reader or the C library. */
export interface RecordSource {
  /** Which backend this is. */
  readonly backend: BackendName;
  /** The records' layout, once known (after the first {@link next}). */
  readonly layout: Layout | undefined;
  /** How the layout was chosen, once known. */
  readonly detection: Detection | undefined;
  /** Chooses the layout now if not yet known (opens the file if needed). */
  detect(): Promise<Detection>;
  /**
   * The next run of whole records, or `null` at the end: at once when the
   * source has it at hand (a quiet local file), else a promise.
   */
  next(): Chunk | null | Promise<Chunk | null>;
  /** Starts again from the first record. */
  rewind(): void;
  /** Releases OS resources; a later {@link next} reopens and continues where it stopped. */
  release(): Promise<void>;
}

/** Receives problems a source finds between records (a partial tail, a shrunk file). */
export type ProblemSink = (problem: RecordProblem) => void;

/** A problem a source finds: a warning of the reader (see `UtmpWarning`). */
export type RecordProblem = UtmpWarning;

/**
 * What a partial-record warning says: how far into what the file ends.
 *
 * @param n Bytes of the record the file holds.
 * @param what The record ("a 384-byte record", "a length-prefixed record").
 * @returns The reason.
 */
function partialReason(n: number, what: string): string {
  return `file ends ${n} ${n === 1 ? "byte" : "bytes"} into ${what}`;
}

/**
 * The warning for a partial record where a file ends, the same from every
 * backend and direction.
 *
 * @param offset Where the partial record starts.
 * @param recordIndex The index it would have.
 * @param n How many bytes of it there are.
 * @param what What it is part of ("a 384-byte record").
 * @returns The warning.
 */
export function partialProblem(offset: number, recordIndex: number, n: number, what: string): RecordProblem {
  return { kind: "partial-record", offset, recordIndex, reason: partialReason(n, what) };
}
