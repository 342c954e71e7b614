/**
 * Counting what a reader reads: every read the library's record files make
 * while a body runs (where, how much, how much came), through the probe
 * `backends/_byte_source.ts` calls. The same in Deno, Node and Bun.
 *
 * @module
 */

import { readProbe } from "../../src/backends/_byte_source.ts";

/** One read a record file was asked for. */
export interface Read {
  position: number;
  length: number;
  bytesRead: number;
}

/** Every read the library's record files make while `body` runs (see `readProbe`). */
export async function countingReads(body: () => Promise<void>): Promise<Read[]> {
  const reads: Read[] = [];
  const before = readProbe.onRead;
  readProbe.onRead = (position, length, bytesRead) => reads.push({ position, length, bytesRead });
  try {
    await body();
  } finally {
    readProbe.onRead = before;
  }
  return reads;
}

/** The bytes the reads brought in, in all. */
export function bytesRead(reads: readonly Read[]): number {
  return reads.reduce((n, r) => n + r.bytesRead, 0);
}
