/**
 * Compressed record files (logrotate's `wtmp.1.gz`, `btmp.2.zst`), read as
 * they are: a stage under the one record cursor, not a reader of its own.
 * {@link decompressed} sniffs the open file's magic bytes and, for a
 * compressed one, decodes it as a stream into memory, a byte source
 * (`memorySource` of `_byte_source.ts`) the cursor reads by position like any other (forward, backward, by slot;
 * layout detection unchanged).
 *
 * - gzip: `node:zlib`'s gunzip, in Deno, Node and Bun alike (not
 *   `DecompressionStream`, which in Deno fails on a file of several gzip
 *   members, as `cat a.gz b.gz` makes);
 * - zstd: `node:zlib`'s decoder, where the runtime has one (Deno, Bun,
 *   Node ≥ 22.15); elsewhere refused ("ENOTSUP") naming what is needed;
 * - xz: no runtime decodes it, and the npm decoders are native add-ons:
 *   refused ("ENOTSUP") with the command that decompresses it.
 *
 * The rule for size: a compressed file decompresses into memory, at most
 * {@link DECOMPRESS_LIMIT} bytes (more is refused, "EFBIG", before it is all
 * held), in blocks of 1 MiB (no copy to grow it). A gzip member is read to
 * its end; data that does not decompress is refused ("EBADMSG") by name.
 *
 * @module
 */

import * as zlib from "node:zlib";
import { Readable, type Transform } from "node:stream";
import { UtmpFileError } from "../errors.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { type ByteSource, type LiveFile, memorySource } from "./_byte_source.ts";

/** The compressions recognised by their magic bytes. */
export type Compression = "gzip" | "xz" | "zstd";

/** Bytes a compressed file may decompress to at most (256 MiB: 700,000 records of 384 bytes). */
export const DECOMPRESS_LIMIT: number = 256 << 20;

/** Limits of {@link decompressed}, for tests. */
export const decompressLimits: { maxBytes: number } = { maxBytes: DECOMPRESS_LIMIT };

const BLOCK = 1 << 20;
const READ = 256 << 10;

/**
 * The compression a file's first bytes announce: gzip (1f 8b), xz
 * (fd "7zXZ" 00), zstd (28 b5 2f fd); undefined for anything else.
 *
 * @param head The file's first bytes (6 suffice).
 * @returns The compression, or undefined.
 */
export function compressionOf(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (head.length >= 6 && XZ.every((b, i) => head[i] === b)) return "xz";
  return undefined;
}

/** Whether this runtime's `node:zlib` decodes zstd (Node ≥ 22.15, Deno, Bun). */
export function hasZstd(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";
}

/**
 * The open file as the cursor reads it: itself when it is not compressed,
 * else its content decompressed (the compressed file closed).
 *
 * @param file The open file.
 * @returns A source to read by position.
 * @throws {UtmpFileError} "ENOTSUP" for a compression this runtime cannot decode, "EBADMSG" for data that does not
 *   decompress, "EFBIG" past {@link DECOMPRESS_LIMIT}.
 */
export async function decompressed(file: LiveFile): Promise<ByteSource> {
  const head = new Uint8Array(6);
  const n = file.size === 0 ? 0 : file.sniff(head);
  const compression = compressionOf(head.subarray(0, n));
  if (compression === undefined) return file;
  try {
    const blocks = await decode(file, compression);
    const status = file.statNow();
    return memorySource(
      {
        path: file.path,
        identity: file.identity,
        changed: status.changed,
        replaced: () => file.replaced(),
      },
      blocks,
      BLOCK,
    );
  } finally {
    await file.close();
  }
}

/** The compressed file's bytes, read forward a piece at a time. */
async function* compressedBytes(file: LiveFile): AsyncGenerator<Uint8Array> {
  for (let at = 0;;) {
    const piece = new Uint8Array(READ);
    const n = await file.read(piece, at);
    if (n === 0) return;
    at += n;
    yield piece.subarray(0, n);
  }
}

/** The decompressed stream of the file. */
function stream(file: LiveFile, compression: Compression): AsyncIterable<Uint8Array> {
  const q = quotePath(file.path);
  if (compression === "xz") {
    throw new UtmpFileError(
      `Cannot read ${q}: it is xz-compressed, which this library does not decompress (ENOTSUP); ` +
        `decompress it first (xz -dk ${q}) and read the copy`,
      "ENOTSUP",
      file.path,
    );
  }
  if (compression === "zstd") {
    if (!hasZstd()) {
      throw new UtmpFileError(
        `Cannot read ${q}: it is zstd-compressed, and this runtime's node:zlib has no zstd (ENOTSUP); ` +
          `run it with Node 22.15 or later, Deno or Bun, or decompress it first (zstd -dk ${q})`,
        "ENOTSUP",
        file.path,
      );
    }
    const create = (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress;
    return Readable.from(compressedBytes(file)).pipe(create()) as unknown as AsyncIterable<Uint8Array>;
  }
  // node:zlib's gunzip in every runtime: Deno's DecompressionStream stops at a second gzip member (`cat a.gz b.gz`).
  return Readable.from(compressedBytes(file)).pipe(zlib.createGunzip()) as unknown as AsyncIterable<Uint8Array>;
}

/** The decompressed bytes, in blocks of {@link BLOCK} (the last one shorter). */
async function decode(file: LiveFile, compression: Compression): Promise<Uint8Array[]> {
  const max = decompressLimits.maxBytes;
  const blocks: Uint8Array[] = [];
  let block = new Uint8Array(BLOCK);
  let filled = 0;
  let total = 0;
  try {
    for await (const piece of stream(file, compression)) {
      const bytes = piece instanceof Uint8Array ? piece : new Uint8Array(piece);
      total += bytes.length;
      if (total > max) {
        throw new UtmpFileError(
          `Cannot read ${quotePath(file.path)}: it is ${compression}-compressed and decompresses to more than the ` +
            `${max} bytes held in memory to read it (EFBIG); decompress it to a file first and read that`,
          "EFBIG",
          file.path,
        );
      }
      for (let at = 0; at < bytes.length;) {
        const take = Math.min(BLOCK - filled, bytes.length - at);
        block.set(bytes.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === BLOCK) {
          blocks.push(block);
          block = new Uint8Array(BLOCK);
          filled = 0;
        }
      }
    }
  } catch (error) {
    if (error instanceof UtmpFileError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new UtmpFileError(
      `Cannot read ${quotePath(file.path)}: it is ${compression}-compressed and does not decompress (${why}) (EBADMSG)`,
      "EBADMSG",
      file.path,
      error,
    );
  }
  if (filled > 0) blocks.push(block.slice(0, filled));
  return blocks;
}
