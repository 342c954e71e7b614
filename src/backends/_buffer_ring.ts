/**
 * The buffers a {@link RecordCursor} reads into: a new one per read, or with
 * `reuseBuffers` the two of a ring in turn (the chunk being read and the
 * one before), the chunk made over a buffer retired when the buffer is
 * taken again.
 *
 * @module
 */

import type { Chunk } from "../layouts/decode.ts";

/** Buffers a ring holds: the chunk being read and the one before. */
const RING = 2;

/** Buffers to read into, new or reused. */
export class BufferRing {
  readonly #reuse: boolean;
  readonly #buffers: Uint8Array[] = [];
  readonly #chunks: (Chunk | undefined)[] = [];
  #turn = 0;

  /** @param reuse Read into the same two buffers in turn (`reuseBuffers`). */
  constructor(reuse: boolean) {
    this.#reuse = reuse;
  }

  /** Whether buffers are reused. */
  get reuses(): boolean {
    return this.#reuse;
  }

  /**
   * A buffer for `length` bytes: a new one, or the next of the ring (its chunk retired).
   *
   * @param length Bytes wanted.
   * @returns The buffer, and its slot in the ring (-1 for a new one).
   */
  take(length: number): { bytes: Uint8Array; slot: number } {
    if (!this.#reuse) return { bytes: new Uint8Array(length), slot: -1 };
    const slot = this.#turn++ % RING;
    const previous = this.#chunks[slot];
    if (previous !== undefined) previous.retired = true;
    this.#chunks[slot] = undefined;
    let buffer = this.#buffers[slot];
    if (buffer === undefined || buffer.length < length) buffer = this.#buffers[slot] = new Uint8Array(length);
    return { bytes: buffer.subarray(0, length), slot };
  }

  /**
   * Notes the chunk made over the buffer of `slot`, to retire it when the buffer is taken again.
   *
   * @param slot What {@link take} gave.
   * @param chunk The chunk.
   * @returns The chunk.
   */
  hold(slot: number, chunk: Chunk): Chunk {
    if (slot >= 0) this.#chunks[slot] = chunk;
    return chunk;
  }
}
