/**
 * Counting what a reader reads: every read any `FileHandle` is asked for
 * while a body runs (where, how much, how much came), by wrapping the
 * prototype's `read` for the duration. The same in Deno, Node and Bun.
 *
 * @module
 */

import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** One read a FileHandle was asked for. */
export interface Read {
  position: number;
  length: number;
  bytesRead: number;
}

/** Every read any FileHandle is asked for while `body` runs. */
export async function countingReads(body: () => Promise<void>): Promise<Read[]> {
  const probe = await open(fileURLToPath(import.meta.url));
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
  await probe.close();
  const read = proto.read;
  const reads: Read[] = [];
  proto.read = async function (this: unknown, ...args: unknown[]): Promise<{ bytesRead: number }> {
    const result = await read.apply(this, args);
    reads.push({ position: args[3] as number, length: args[2] as number, bytesRead: result.bytesRead });
    return result;
  };
  try {
    await body();
  } finally {
    proto.read = read;
  }
  return reads;
}

/** The bytes the reads brought in, in all. */
export function bytesRead(reads: readonly Read[]): number {
  return reads.reduce((n, r) => n + r.bytesRead, 0);
}
