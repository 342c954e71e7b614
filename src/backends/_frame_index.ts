/**
 * FreeBSD utx.log under the cursor: its records are length-prefixed, so a
 * record's place depends on all before it. A chunk of a scan is made here
 * ({@link framedChunk}: zero-filled slots, each zero-length run a problem
 * before its next record); reading backward first indexes the file by a
 * forward scan ({@link indexFrames}: one entry per chunk), then reads each
 * chunk again from the last ({@link readFramed}).
 *
 * @module
 */

import { type Chunk, type ChunkProblem, makeChunk, recordsPerChunk } from "../layouts/decode.ts";
import { scanFrames, unframe } from "../layouts/_framing.ts";
import type { Layout } from "../layouts/schema.ts";
import type { ByteSource } from "./_byte_source.ts";
import type { ProblemSink } from "./_source.ts";

/** Where a chunk of a framed file is: its bytes `[position, end)`, its first record's index. */
export interface FramedChunk {
  position: number;
  end: number;
  index: number;
}

/**
 * The chunk of a framed scan of `data`, which starts at file offset `position`.
 *
 * @param data The bytes scanned.
 * @param scan What `scanFrames` found in them.
 * @param layout The layout.
 * @param position File offset of `data[0]`.
 * @param index Index of the first record.
 * @returns The chunk, each zero-length run a problem before its next record.
 */
export function framedChunk(
  data: Uint8Array,
  scan: ReturnType<typeof scanFrames>,
  layout: Layout,
  position: number,
  index: number,
): Chunk {
  const offsets = scan.frames.map((f) => position + f.start);
  const problems: ChunkProblem[] = [];
  let before = 0;
  for (const skip of scan.skipped) {
    while (before < scan.frames.length && scan.frames[before]!.start < skip.start) before++;
    problems.push({
      before,
      problem: {
        kind: "zero-length",
        offset: position + skip.start,
        recordIndex: index + before,
        reason: `zero record length: skipped ${skip.length} ${skip.length === 1 ? "byte" : "bytes"} to the next length`,
      },
    });
  }
  return makeChunk(unframe(data, scan.frames, layout.size), layout, position, index, offsets, problems);
}

/** A forward reader from the start of the file: where it is, and its next chunk. */
export interface ForwardReader {
  /** Where the next chunk starts: its file offset and its first record's index. */
  at(): { position: number; index: number };
  next(): Chunk | null | Promise<Chunk | null>;
}

/**
 * Where each chunk of a framed file is, by a forward scan (memory: one
 * entry per chunk). The scan reports the file's problems, in file order
 * (zero lengths, a partial tail, a shrink), so the backward reads do not.
 *
 * @param forward The cursor, at the start of the file.
 * @param report Where the problems go.
 * @returns The chunks, in file order.
 */
export async function indexFrames(forward: ForwardReader, report: ProblemSink): Promise<FramedChunk[]> {
  const chunks: FramedChunk[] = [];
  for (;;) {
    const { position, index } = forward.at();
    const chunk = await forward.next();
    if (chunk === null) break;
    for (const p of chunk.problems ?? []) report(p.problem);
    chunks.push({ position, end: forward.at().position, index });
  }
  return chunks;
}

/**
 * A chunk {@link indexFrames} found, read again (its problems were reported then).
 *
 * @param file The file.
 * @param layout Its layout.
 * @param at The chunk.
 * @returns The chunk's records.
 */
export async function readFramed(file: ByteSource, layout: Layout, at: FramedChunk): Promise<Chunk> {
  const bytes = new Uint8Array(at.end - at.position);
  const n = file.slow ? await file.read(bytes, at.position) : file.readNow(bytes, at.position);
  const data = bytes.subarray(0, n);
  return framedChunk(data, scanFrames(data, layout.size, recordsPerChunk(layout.size)), layout, at.position, at.index);
}
