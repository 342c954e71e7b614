/**
 * The one interface between backends and {@link UtmpFile}: a source hands
 * out runs of raw record bytes ({@link Chunk}s); it never decodes fields.
 *
 * @module
 */

import type { Layout } from "./layouts/_engine.ts";
import type { Detection, RecordProblem } from "./layouts/mod.ts";
import type { Chunk } from "./record.ts";

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
  /** The next run of whole records, or `null` at the end. */
  next(): Promise<Chunk | null>;
  /** Starts again from the first record. */
  rewind(): void;
  /** Releases OS resources; a later {@link next} reopens and continues where it stopped. */
  release(): Promise<void>;
}

/** Receives problems a source finds between records (a partial tail, a shrunk file). */
export type ProblemSink = (problem: RecordProblem) => void;
