/**
 * Failed logins from the systemd journal, for systems that keep no btmp
 * (Debian 13: sshd and PAM log their failures only to the journal). The
 * journal files are read directly, as systemd documents them
 * (`docs/JOURNAL_FILE_FORMAT.md`, `src/libsystemd/sd-journal/journal-def.h`):
 * the header, the global entry array chain, each entry's items and their
 * data objects, in regular and compact files. Data objects compressed with
 * LZ4 are decompressed here; with zstd where the runtime's `node:zlib` has
 * `zstdDecompressSync` (Deno, Node ≥ 22.15, Bun); XZ never. journald only
 * compresses a value of 512 bytes or more, which no sshd or pam_unix line
 * reaches: a value this reader cannot decompress is passed over (a warning),
 * the rest of its entry kept.
 *
 * Hostile files are read within bounds: every offset and size is checked
 * against the file before it is read (an object never read beyond the file
 * or the header's arena), entry arrays and entries are followed only to
 * strictly greater offsets (a loop ends), a value is read only up to 64 KiB
 * (decompressed too), and the file is read through a few 64 KiB pages.
 *
 * @module
 */

import { lstat, opendir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type LiveFile, openLiveFile } from "../backends/_byte_source.ts";
import { codeError, fileError, openDirectory } from "../backends/_open.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { UtmpFileError, type UtmpWarning } from "../errors.ts";
import type { UtmpRecord } from "../record.ts";
import { addressOctets, PlainRecord } from "./_plain.ts";
import { Root } from "./_root.ts";

import { JOURNAL_DIR, JOURNAL_RUNTIME_DIR } from "../paths.ts";

export { JOURNAL_DIR, JOURNAL_RUNTIME_DIR };

/**
 * Whether a file is a journal file, by its signature; false for anything
 * that is not a regular file.
 *
 * @param path The file.
 * @returns True for a journal file.
 */
export async function isJournalFile(path: string): Promise<boolean> {
  let file: LiveFile | undefined;
  try {
    file = await openLiveFile(path);
    const head = new Uint8Array(8);
    return (await file.read(head, 0)) === 8 && SIGNATURE.every((b, i) => head[i] === b);
  } catch {
    return false;
  } finally {
    await file?.close();
  }
}

/** "LPKSHHRH": the first 8 bytes of every journal file. */
const SIGNATURE = [0x4c, 0x50, 0x4b, 0x53, 0x48, 0x48, 0x52, 0x48];

/** Object types (journal-def.h). */
const OBJECT_DATA = 1;
const OBJECT_ENTRY = 3;
const OBJECT_ENTRY_ARRAY = 6;

/** Object flags: how a data object's payload is compressed. */
const COMPRESSED_XZ = 1;
const COMPRESSED_LZ4 = 2;
const COMPRESSED_ZSTD = 4;

/** Header incompatible flags this reader knows (XZ, LZ4, keyed hash, zstd, compact). */
const INCOMPATIBLE_KNOWN = 0x1f;
const INCOMPATIBLE_COMPACT = 16;

/** The header up to `tail_entry_monotonic` (systemd 187's), the least this reader needs. */
const HEADER_MIN = 208;

/** The most of a value read (decompressed or not): larger values are passed over. */
export const JOURNAL_FIELD_LIMIT = 64 << 10;

/** The page size of the reads, and how many pages a file keeps (1 MiB). */
const PAGE = 16 << 10;
const PAGES = 64;

/**
 * The most a file makes the reader read (and decompress): this many times
 * its size, plus its cache. A journal's objects are near one another, so
 * a real file is read about once; a file whose entries all point far
 * apart ends there, with a warning.
 */
const READ_FACTOR = 32;

/** Thrown inside a file's pass when it has used its read budget. */
class OverBudget extends Error {}

/** Every journal entry as {@link journalEntries} gives it. */
export interface JournalEntry {
  /** The entry's sequence number in its file's sequence. */
  seqnum: number;
  /** When journald received it, µs since the epoch (`__REALTIME_TIMESTAMP`). */
  realtime: number;
  /** µs since its boot (`__MONOTONIC_TIMESTAMP`). */
  monotonic: number;
  /** The boot's id, 32 hex digits (`_BOOT_ID` of the entry object). */
  bootId: string;
  /** Each field's values (UTF-8, invalid bytes as U+FFFD), in the entry's order: one value, or several. */
  fields: Record<string, string | string[]>;
  /** The file it was read from. */
  file: string;
  /** Byte offset of the entry object in the file. */
  offset: number;
}

/** Options of {@link journalEntries} and {@link journalRecords}. */
export interface JournalOptions {
  /**
   * Open every file (and the directories) without following a symbolic link
   * at the last component (a path resolved under a root): a link is left
   * out of a directory's listing, and refused ("ELOOP") as the path given.
   */
  noFollow?: boolean | undefined;
  /** Newest entry first (as `lastb` lists them); by default oldest first. */
  newestFirst?: boolean | undefined;
  /**
   * Told of what was passed over: an object out of the file's bounds, an
   * entry array looping back, a value compressed in a way this runtime
   * cannot decompress, a file that is not a journal (kind "bad-value", the
   * offset in the file).
   */
  onWarning?: ((warning: UtmpWarning) => void) | undefined;
  /** Only these fields (for {@link journalEntries}); every field by default. */
  fields?: readonly string[] | undefined;
}

const utf8 = new TextDecoder();

/** A journal file opened and checked, read through a few pages. */
class JournalFile {
  readonly path: string;
  readonly #file: LiveFile;
  /** The end of what offsets may reach: the smaller of the file's size and the header's arena end. */
  readonly end: number;
  readonly headerSize: number;
  readonly compact: boolean;
  readonly entryArray: number;
  readonly headRealtime: number;
  /** The sequence the entries' numbers belong to (hex). */
  readonly seqnumId: string;
  readonly tailRealtime: number;
  readonly #pages = new Map<number, Uint8Array>();
  /** What is left of {@link READ_FACTOR}'s budget, in bytes. */
  budget: number;
  readonly #warn: (offset: number, reason: string) => void;
  /** Per data object offset: its field and value (or null when passed over). */
  readonly #data = new Map<number, { field: string; value: string } | null>();

  private constructor(
    path: string,
    file: LiveFile,
    header: DataView,
    warn: (offset: number, reason: string) => void,
  ) {
    this.path = path;
    this.#file = file;
    this.#warn = warn;
    this.headerSize = u64(header, 88);
    const arena = u64(header, 96);
    this.end = Math.min(file.size, this.headerSize + arena);
    this.budget = READ_FACTOR * this.end + PAGES * PAGE;
    this.compact = (header.getUint32(12, true) & INCOMPATIBLE_COMPACT) !== 0;
    this.entryArray = u64(header, 176);
    this.headRealtime = u64(header, 184);
    let id = "";
    for (let i = 72; i < 88; i++) id += header.getUint8(i).toString(16).padStart(2, "0");
    this.seqnumId = id;
    this.tailRealtime = u64(header, 192);
  }

  /** Opens a file and checks its header; undefined (with a warning) when it is no journal this reader can read. */
  static async open(
    path: string,
    noFollow: boolean,
    warn: (offset: number, reason: string) => void,
  ): Promise<JournalFile | undefined> {
    const file = await Root.opening(noFollow).open(path);
    const head = new Uint8Array(HEADER_MIN);
    const n = file.readNow(head, 0);
    const view = new DataView(head.buffer);
    const bad = async (reason: string): Promise<undefined> => {
      warn(0, reason);
      await file.close();
      return undefined;
    };
    if (n < HEADER_MIN || SIGNATURE.some((b, i) => head[i] !== b)) {
      return bad("not a journal file (no LPKSHHRH header)");
    }
    const incompatible = view.getUint32(12, true);
    if ((incompatible & ~INCOMPATIBLE_KNOWN) !== 0) {
      return bad(`journal file with unknown incompatible flags 0x${incompatible.toString(16)}`);
    }
    const headerSize = u64(view, 88);
    if (headerSize < HEADER_MIN || headerSize > file.size || headerSize % 8 !== 0) {
      return bad(`journal header size ${headerSize} out of the file's bounds`);
    }
    return new JournalFile(path, file, view, warn);
  }

  close(): Promise<void> {
    this.#pages.clear();
    this.#data.clear();
    return this.#file.close();
  }

  /** `length` bytes at `at` (within {@link end}: the caller checked), through the page cache. */
  bytes(at: number, length: number): Uint8Array {
    const first = Math.floor(at / PAGE);
    const last = Math.floor((at + length - 1) / PAGE);
    if (first === last) {
      const page = this.#page(first);
      const from = at - first * PAGE;
      return page.subarray(from, Math.min(page.length, from + length));
    }
    const out = new Uint8Array(length);
    let filled = 0;
    for (let p = first; p <= last && filled < length; p++) {
      const page = this.#page(p);
      const from = p === first ? at - first * PAGE : 0;
      const part = page.subarray(from, Math.min(page.length, from + length - filled));
      out.set(part, filled);
      filled += part.length;
      if (part.length === 0) break;
    }
    return out.subarray(0, filled);
  }

  #page(index: number): Uint8Array {
    let page = this.#pages.get(index);
    if (page !== undefined) return page;
    if (this.#pages.size >= PAGES) this.#pages.delete(this.#pages.keys().next().value!);
    const buffer = new Uint8Array(Math.max(0, Math.min(PAGE, this.end - index * PAGE)));
    this.spend(buffer.length);
    const n = buffer.length === 0 ? 0 : this.#file.readNow(buffer, index * PAGE);
    page = buffer.subarray(0, n);
    this.#pages.set(index, page);
    return page;
  }

  /**
   * The object of a type at an offset: its view (the object's first `want`
   * bytes at most) and size, or undefined (with a warning) when the offset
   * or the size it declares is not within the file.
   */
  object(
    at: number,
    type: number,
    minSize: number,
    want: number,
  ): { view: DataView; size: number; flags: number } | undefined {
    if (at % 8 !== 0 || at < this.headerSize || at + 16 > this.end) {
      this.#warn(at, `journal object offset ${at} out of the file's bounds`);
      return undefined;
    }
    const head = this.bytes(at, 16);
    if (head.length < 16) return this.#bad(at, "journal object cut by the end of the file");
    const hv = new DataView(head.buffer, head.byteOffset, 16);
    const size = u64(hv, 8);
    if (head[0] !== type) return this.#bad(at, `journal object of type ${head[0]} where type ${type} belongs`);
    if (size < minSize || at + size > this.end) {
      return this.#bad(at, `journal object size ${size} out of the file's bounds`);
    }
    const bytes = this.bytes(at, Math.min(size, want));
    if (bytes.length < Math.min(size, want)) return this.#bad(at, "journal object cut by the end of the file");
    return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), size, flags: head[1]! };
  }

  /** Counts bytes read or decompressed against the budget. */
  spend(bytes: number): void {
    this.budget -= bytes;
    if (this.budget < 0) throw new OverBudget();
  }

  /** Tells of a file passed over from here on. */
  warn(at: number, reason: string): void {
    this.#warn(at, reason);
  }

  #bad(at: number, reason: string): undefined {
    this.#warn(at, reason);
    return undefined;
  }

  /** The offsets of the entry arrays, each after the last (a chain looping back ends there). */
  *arrays(from = this.entryArray, count = Infinity): Generator<number> {
    let at = from;
    let previous = 0;
    for (let n = 0; at !== 0 && n < count; n++) {
      if (at <= previous) {
        this.#warn(at, `journal entry array chain goes back to offset ${at}: it ends here`);
        return;
      }
      const o = this.object(at, OBJECT_ENTRY_ARRAY, 24, 24);
      if (o === undefined) return;
      yield at;
      previous = at;
      at = u64(o.view, 16);
    }
  }

  /** The entry offsets of one entry array, in order (0 items end it). */
  arrayItems(at: number): number[] {
    const o = this.object(at, OBJECT_ENTRY_ARRAY, 24, 16);
    if (o === undefined) return [];
    const width = this.compact ? 4 : 8;
    const n = Math.floor((o.size - 24) / width);
    const items: number[] = [];
    // Read in pieces of at most a page: an array may be large.
    for (let i = 0; i < n;) {
      const count = Math.min(n - i, PAGE / width);
      const bytes = this.bytes(at + 24 + i * width, count * width);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let k = 0; k < count; k++) {
        const item = width === 4 ? v.getUint32(k * 4, true) : u64(v, k * 8);
        if (item === 0) return items;
        items.push(item);
      }
      i += count;
    }
    return items;
  }

  /** An entry object's header and the offsets of its data objects. */
  entry(
    at: number,
  ): { seqnum: number; realtime: number; monotonic: number; bootId: string; xor: string; items: number[] } | undefined {
    const o = this.object(at, OBJECT_ENTRY, 64, 64);
    if (o === undefined) return undefined;
    const v = o.view;
    const width = this.compact ? 4 : 16;
    const n = Math.floor((o.size - 64) / width);
    const bytes = this.bytes(at + 64, n * width);
    const iv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const items: number[] = [];
    for (let k = 0; k < Math.floor(bytes.length / width); k++) {
      items.push(width === 4 ? iv.getUint32(k * 4, true) : u64(iv, k * 16));
    }
    let bootId = "";
    for (let i = 40; i < 56; i++) bootId += v.getUint8(i).toString(16).padStart(2, "0");
    const xor = v.getUint32(60, true).toString(16).padStart(8, "0") +
      v.getUint32(56, true).toString(16).padStart(8, "0");
    return { seqnum: u64(v, 16), realtime: u64(v, 24), monotonic: u64(v, 32), bootId, xor, items };
  }

  /** A data object's field and value, or null when it cannot be read (passed over, with a warning). */
  data(at: number): { field: string; value: string } | null {
    const known = this.#data.get(at);
    if (known !== undefined) return known;
    const got = this.#readData(at);
    if (this.#data.size >= 4096) this.#data.clear();
    this.#data.set(at, got);
    return got;
  }

  #readData(at: number): { field: string; value: string } | null {
    const start = this.compact ? 72 : 64;
    const o = this.object(at, OBJECT_DATA, start, 16);
    if (o === undefined) return null;
    const length = o.size - start;
    const compression = o.flags & (COMPRESSED_XZ | COMPRESSED_LZ4 | COMPRESSED_ZSTD);
    if (compression === 0 && length > JOURNAL_FIELD_LIMIT) return null;
    if (compression !== 0 && length > JOURNAL_FIELD_LIMIT * 2) return null;
    let payload: Uint8Array | undefined = this.bytes(at + start, length);
    if (compression !== 0) {
      payload = decompress(compression, payload);
      if (payload !== undefined) this.spend(payload.length);
      if (payload === undefined) {
        const name = compression === COMPRESSED_XZ ? "XZ" : compression === COMPRESSED_LZ4 ? "LZ4" : "zstd";
        this.#warn(at, `journal value compressed with ${name}, which cannot be decompressed here: passed over`);
        return null;
      }
    }
    const eq = payload.indexOf(0x3d);
    if (eq <= 0) return null;
    return { field: utf8.decode(payload.subarray(0, eq)), value: utf8.decode(payload.subarray(eq + 1)) };
  }
}

/** A little-endian 64-bit number; beyond 2^53 it is no offset or size any file has (Infinity). */
function u64(view: DataView, at: number): number {
  const hi = view.getUint32(at + 4, true);
  const lo = view.getUint32(at, true);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
}

/** zstd from the runtime's node:zlib, when it has it. */
let zstd: ((data: Uint8Array, options: { maxOutputLength: number }) => Uint8Array) | null | undefined;

async function loadZstd(): Promise<void> {
  if (zstd !== undefined) return;
  try {
    const zlib = await import("node:zlib") as unknown as { zstdDecompressSync?: typeof zstd };
    zstd = typeof zlib.zstdDecompressSync === "function" ? zlib.zstdDecompressSync : null;
  } catch {
    zstd = null;
  }
}

/** A payload decompressed within {@link JOURNAL_FIELD_LIMIT}, or undefined. */
function decompress(compression: number, payload: Uint8Array): Uint8Array | undefined {
  if (compression === COMPRESSED_LZ4) {
    // systemd's LZ4 blob: the decompressed size (le64), then one LZ4 block.
    if (payload.length < 8) return undefined;
    const v = new DataView(payload.buffer, payload.byteOffset, 8);
    const size = u64(v, 0);
    if (size > JOURNAL_FIELD_LIMIT) return undefined;
    const out = new Uint8Array(size);
    return lz4Block(payload.subarray(8), out) === size ? out : undefined;
  }
  if (compression === COMPRESSED_ZSTD && typeof zstd === "function") {
    try {
      return zstd(payload, { maxOutputLength: JOURNAL_FIELD_LIMIT });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Decodes one LZ4 block (the block format, without frame) into `out`.
 *
 * @param src The block.
 * @param out Room for exactly the decompressed bytes.
 * @returns The bytes written, or -1 when the block is malformed or does not fit.
 */
export function lz4Block(src: Uint8Array, out: Uint8Array): number {
  let s = 0;
  let d = 0;
  while (s < src.length) {
    const token = src[s++]!;
    let literals = token >> 4;
    if (literals === 15) {
      for (let b = 255; b === 255;) {
        if (s >= src.length) return -1;
        b = src[s++]!;
        literals += b;
      }
    }
    if (s + literals > src.length || d + literals > out.length) return -1;
    out.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s >= src.length) break; // the last sequence has literals only
    if (s + 2 > src.length) return -1;
    const distance = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (distance === 0 || distance > d) return -1;
    let length = token & 15;
    if (length === 15) {
      for (let b = 255; b === 255;) {
        if (s >= src.length) return -1;
        b = src[s++]!;
        length += b;
      }
    }
    length += 4;
    if (d + length > out.length) return -1;
    for (let i = 0; i < length; i++, d++) out[d] = out[d - distance]!;
  }
  return d;
}

/** The names a machine-id subdirectory has: 32 hex digits. */
const MACHINE_ID = /^[0-9a-f]{32}$/;

/**
 * The journal files at a path: the file itself, or a directory's `*.journal`
 * files and those of its machine-id subdirectories (`system.journal`,
 * `system@….journal` archives, `user-1000.journal`), as journalctl reads
 * `--directory`. With `noFollow`, a symbolic link among them is left out.
 */
async function journalFilesAt(path: string, noFollow: boolean): Promise<string[]> {
  let isDir: boolean;
  try {
    const s = noFollow ? await lstat(path) : await stat(path);
    if (s.isSymbolicLink()) throw codeError("ELOOP", path, "it is a symbolic link");
    isDir = s.isDirectory();
  } catch (error) {
    throw error instanceof UtmpFileError ? error : fileError(error, path, "this system keeps no journal there");
  }
  if (!isDir) return [path];
  return await journalFilesIn(path, noFollow);
}

/**
 * Whether a directory holds journal files (its own, or its machine-id
 * subdirectories'): a directory named for the failed logins is read as the
 * journal only then, else it is a btmp path (EISDIR, as util-linux says).
 *
 * @param dir The directory.
 * @returns Whether it holds any.
 */
export async function holdsJournal(dir: string): Promise<boolean> {
  try {
    return (await journalFilesIn(dir, false)).length > 0;
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return false;
  }
}

/** The `*.journal` files of a directory and of its machine-id subdirectories, in name order. */
async function journalFilesIn(path: string, noFollow: boolean): Promise<string[]> {
  const files: string[] = [];
  const list = async (dir: string, depth: number): Promise<void> => {
    const opened = await openDirectory(dir, noFollow);
    try {
      const names: { name: string; dir: boolean; file: boolean }[] = [];
      for await (const e of await opendir(opened.path)) {
        names.push({ name: e.name, dir: e.isDirectory(), file: e.isFile() || (!noFollow && e.isSymbolicLink()) });
      }
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of names) {
        if (e.file && e.name.endsWith(".journal")) files.push(join(dir, e.name));
        else if (depth === 0 && e.dir && MACHINE_ID.test(e.name)) await list(join(dir, e.name), 1);
      }
    } finally {
      await opened.close();
    }
  };
  await list(path, 0);
  return files;
}

/** One file's entries in its order (or reversed), each with the fields asked for. */
async function* fileEntries(
  file: JournalFile,
  newestFirst: boolean,
  wanted: ReadonlySet<string> | undefined,
): AsyncGenerator<JournalEntry> {
  try {
    yield* walk(file, newestFirst, wanted);
  } catch (error) {
    if (!(error instanceof OverBudget)) throw error;
    file.warn(0, `journal file makes the reader read more than ${READ_FACTOR} times its size: the rest is passed over`);
  }
}

/** {@link fileEntries}, within the file's read budget. */
async function* walk(
  file: JournalFile,
  newestFirst: boolean,
  wanted: ReadonlySet<string> | undefined,
): AsyncGenerator<JournalEntry> {
  const make = (at: number): JournalEntry | undefined => {
    const e = file.entry(at);
    if (e === undefined) return undefined;
    const fields: Record<string, string | string[]> = {};
    for (const item of e.items) {
      const d = file.data(item);
      if (d === null || (wanted !== undefined && !wanted.has(d.field))) continue;
      const had = fields[d.field];
      if (had === undefined) fields[d.field] = d.value;
      else if (typeof had === "string") fields[d.field] = [had, d.value];
      else had.push(d.value);
    }
    const entry = {
      seqnum: e.seqnum,
      realtime: e.realtime,
      monotonic: e.monotonic,
      bootId: e.bootId,
      fields,
      file: file.path,
      offset: at,
    };
    XOR.set(entry, e.xor);
    return entry;
  };
  let n = 0;
  const pause = async (): Promise<void> => {
    if (++n % 2048 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  if (!newestFirst) {
    let last = 0;
    for (const array of file.arrays()) {
      for (const at of file.arrayItems(array)) {
        if (at <= last) return; // entries only go forward: a file that goes back ends there
        last = at;
        const e = make(at);
        if (e !== undefined) yield e;
        await pause();
      }
    }
    return;
  }
  // Newest first: every 256th array of the chain remembered, each stretch read again and walked back.
  const STRETCH = 256;
  const marks: number[] = [];
  let i = 0;
  for (const array of file.arrays()) if (i++ % STRETCH === 0) marks.push(array);
  for (let m = marks.length - 1; m >= 0; m--) {
    const stretch = [...file.arrays(marks[m], STRETCH)];
    for (let a = stretch.length - 1; a >= 0; a--) {
      const items = file.arrayItems(stretch[a]!);
      for (let k = items.length - 1; k >= 0; k--) {
        const e = make(items[k]!);
        if (e !== undefined) yield e;
        await pause();
      }
    }
  }
}

/**
 * Every entry of the journal files at a path, each file's in its order, the
 * files merged by time (a file is opened once the entries before it are
 * given, so a directory of archives keeps one or two open).
 *
 * @example The fields of each entry
 * ```ts ignore
 * import { journalEntries } from "@utmp/utmp/sources";
 *
 * for await (const e of journalEntries("/var/log/journal", { fields: ["MESSAGE"] })) console.log(e.fields.MESSAGE);
 * ```
 *
 * @param path A journal file, or a directory of them (and of machine-id subdirectories).
 * @param options Order, fields, warnings and links.
 * @returns The entries.
 * @throws {UtmpFileError} When the path cannot be opened.
 */
export async function* journalEntries(path: string, options: JournalOptions = {}): AsyncGenerator<JournalEntry> {
  await loadZstd();
  const noFollow = options.noFollow ?? false;
  const newest = options.newestFirst ?? false;
  const wanted = options.fields === undefined ? undefined : new Set(options.fields);
  const paths = await journalFilesAt(path, noFollow);
  const warnOf = (file: string) => (offset: number, reason: string): void =>
    options.onWarning?.({ kind: "bad-value", offset, recordIndex: -1, reason: `${file}: ${reason}` });
  // Each file's first (or last) entry time, from its header, orders the openings.
  const pending: { path: string; file: JournalFile; start: number }[] = [];
  for (const p of paths) {
    const file = await JournalFile.open(p, noFollow, warnOf(p));
    if (file === undefined) continue;
    pending.push({ path: p, file, start: newest ? file.tailRealtime : file.headRealtime });
    // Only the header is needed now: the pages are dropped when the file is read.
  }
  const before = (a: number, b: number): boolean => (newest ? a > b : a < b);
  pending.sort((a, b) => (before(a.start, b.start) ? -1 : before(b.start, a.start) ? 1 : 0));
  type Active = { it: AsyncGenerator<JournalEntry>; head: JournalEntry; file: JournalFile };
  /** journalctl's order (sd-journal's compare_entry_order): seqnum in one sequence, monotonic in one boot, realtime, xor_hash. */
  const earlier = (a: Active, b: Active): boolean => {
    const x = a.head;
    const y = b.head;
    let c = 0;
    if (a.file.seqnumId === b.file.seqnumId) c = x.seqnum - y.seqnum;
    if (c === 0 && x.bootId === y.bootId) c = x.monotonic - y.monotonic;
    if (c === 0) c = x.realtime - y.realtime;
    if (c === 0) {
      const hx = XOR.get(x) ?? "";
      const hy = XOR.get(y) ?? "";
      c = hx < hy ? -1 : hx > hy ? 1 : 0;
    }
    return newest ? c > 0 : c < 0;
  };
  const active: Active[] = [];
  const seen = new Set<string>();
  try {
    for (;;) {
      // Open the files whose entries begin before the earliest one held.
      while (pending.length > 0) {
        const top = active.reduce<Active | undefined>(
          (m, a) => (m === undefined || earlier(a, m) ? a : m),
          undefined,
        );
        if (top !== undefined && before(top.head.realtime, pending[0]!.start)) break;
        const next = pending.shift()!;
        const it = fileEntries(next.file, newest, wanted);
        const first = await it.next();
        if (first.done) await next.file.close();
        else active.push({ it, head: first.value, file: next.file });
      }
      if (active.length === 0) return;
      let k = 0;
      for (let j = 1; j < active.length; j++) if (earlier(active[j]!, active[k]!)) k = j;
      const a = active[k]!;
      const e = a.head;
      // The same entry in two files (a copy, a remote's duplicate) is given once.
      const key = `${a.file.seqnumId}:${e.seqnum}:${e.bootId}:${e.monotonic}:${e.realtime}:${XOR.get(e)}`;
      if (!seen.has(key)) {
        if (seen.size >= 1024) seen.clear();
        seen.add(key);
        yield e;
      }
      const n = await a.it.next();
      if (n.done) {
        active.splice(k, 1);
        await a.file.close();
      } else a.head = n.value;
    }
  } finally {
    for (const a of active) {
      await a.it.return(undefined);
      await a.file.close();
    }
    for (const p of pending) await p.file.close();
  }
}

/** Each entry's xor_hash (hex), journalctl's last word on the order of entries. */
const XOR = new WeakMap<JournalEntry, string>();

/** The fields a failed login is read from. */
const LOGIN_FIELDS = ["MESSAGE", "SYSLOG_IDENTIFIER", "_COMM", "_PID", "SYSLOG_PID", "_SOURCE_REALTIME_TIMESTAMP"];

/** The programs whose lines are sshd's own (OpenSSH 10 logs as sshd-session). */
const SSHD = new Set(["sshd", "sshd-session", "sshd-auth"]);

/** sshd's lines of a failed attempt (auth.c `auth_log` for the methods `record_failed_login` is called for). */
const FAILED =
  /^Failed (password|keyboard-interactive(?:\/\S*)?|challenge-response(?:\/\S*)?) for (invalid user )?(.*) from (\S+) port \d+ ssh2$/s;
/** auth.c `getpwnamallow`: an unknown user (btmp gets a record at once). */
const INVALID = /^Invalid user (.*) from (\S+) port \d+$/s;
/** auth-pam.c `sshpam_query`: a keyboard-interactive attempt PAM refused. */
const PAM_ERROR =
  /^(?:error: )?PAM: (?:Authentication failure|Have exhausted maximum number of retries for service|User account has expired) for (illegal user )?(.*) from (\S+)$/s;
/** pam_unix's `_unix_verify_password` failure line. */
const PAM_UNIX = /^pam_unix\(([^:()]*):auth\): authentication failure;(.*)$/s;

/** A value cut to at most `max` UTF-8 bytes, never inside a character (what a btmp field holds). */
function cut(text: string, max: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return utf8.decode(bytes.subarray(0, end));
}

/** The first value of a field. */
function first(fields: Record<string, string | string[]>, name: string): string | undefined {
  const v = fields[name];
  return typeof v === "string" ? v : v?.[0];
}

/**
 * What each sshd process has logged of attempts not yet matched: a PAM
 * error line and sshd's "Failed keyboard-interactive" line are one attempt
 * (one btmp record), whichever is read first; bounded to 1024 processes.
 */
class Pairs {
  readonly #open = new Map<string, number>();

  /** Marks one side; true when it matches the other side seen before (no new record). */
  meet(side: "pam" | "failed", pid: number, user: string): boolean {
    const other = `${side === "pam" ? "failed" : "pam"}\0${pid}\0${user}`;
    const n = this.#open.get(other) ?? 0;
    if (n > 0) {
      if (n === 1) this.#open.delete(other);
      else this.#open.set(other, n - 1);
      return true;
    }
    const key = `${side}\0${pid}\0${user}`;
    if (this.#open.size >= 1024 && !this.#open.has(key)) this.#open.delete(this.#open.keys().next().value!);
    this.#open.set(key, (this.#open.get(key) ?? 0) + 1);
    return false;
  }
}

/** The failed login one entry tells of, as sshd would have written it into btmp; undefined for none. */
function failedLogin(e: JournalEntry, pairs: Pairs, index: number): PlainRecord | undefined {
  const message = first(e.fields, "MESSAGE");
  if (message === undefined) return undefined;
  const ident = first(e.fields, "SYSLOG_IDENTIFIER") ?? first(e.fields, "_COMM") ?? "";
  const pid = Number(first(e.fields, "_PID") ?? first(e.fields, "SYSLOG_PID") ?? 0);
  const source = Number(first(e.fields, "_SOURCE_REALTIME_TIMESTAMP"));
  const usec = Number.isSafeInteger(source) && source > 0 ? source : e.realtime;
  const record = (user: string, host: string, line: string, service: string): PlainRecord => {
    const addr = addressOctets(host);
    return new PlainRecord({
      ut_type: "LOGIN_PROCESS",
      ut_type_raw: -1,
      ut_user: cut(user, 32),
      ut_line: line,
      ut_id: "",
      ut_host: cut(host, 256),
      ut_pid: Number.isSafeInteger(pid) && pid >= 0 && pid <= 0x7fffffff ? pid : 0,
      ...(addr !== undefined ? { ut_addr: addr } : {}),
      ut_service: service,
      // btmp keeps whole seconds (sshd's time()).
      usec: Math.floor(usec / 1e6) * 1e6,
      layout: "journal",
      index,
    });
  };
  if (SSHD.has(ident)) {
    let m = FAILED.exec(message);
    if (m !== null) {
      if (m[1]!.startsWith("keyboard-interactive") && pairs.meet("failed", pid, m[3]!)) return undefined;
      return record(m[3]!, m[4]!, "ssh:notty", "sshd");
    }
    m = INVALID.exec(message);
    if (m !== null) return record(m[1]!, m[2]!, "ssh:notty", "sshd");
    m = PAM_ERROR.exec(message);
    if (m !== null) return pairs.meet("pam", pid, m[2]!) ? undefined : record(m[2]!, m[3]!, "ssh:notty", "sshd");
  }
  const p = PAM_UNIX.exec(message);
  // sshd's own lines carry its attempts (it writes btmp itself): its PAM module's line is the same attempt.
  if (p === null || p[1] === "sshd") return undefined;
  const kv = p[2]!;
  const user = /\suser=(.*)$/s.exec(kv)?.[1] ?? "";
  const host = /\srhost=(\S*)/.exec(kv)?.[1] ?? "";
  const tty = /\stty=(\S*)/.exec(kv)?.[1] ?? "";
  const line = tty === "ssh" ? "ssh:notty" : tty.startsWith("/dev/") ? tty.slice(5) : tty;
  return record(user, host, line.includes(":") || line === "" ? line : `/dev/${line}`, p[1]!);
}

/**
 * The failed logins the journal tells of, as btmp would hold them: one
 * record per attempt sshd would have written into btmp (auth.c
 * `record_failed_login`): "Failed password", "Failed keyboard-interactive"
 * and "Failed challenge-response" (a valid or invalid user), "Invalid user"
 * (sshd records the unknown name at once), and for a keyboard-interactive
 * attempt logged only as auth-pam.c's "PAM: Authentication failure for"
 * (sshd logs its "Failed" line of such an attempt at VERBOSE level) that
 * line — once per attempt, whichever of the two comes first. PAM's
 * `pam_unix(SERVICE:auth): authentication failure` line of another service
 * (login on a terminal) gives a record too; sshd's own (`sshd:auth`) is
 * the same attempt as sshd's line and gives none.
 *
 * Each record: `ut_type` "LOGIN_PROCESS" (as sshd writes btmp), `ut_user`
 * the name logged (as sshd logs it: a control byte already shown as
 * `\ooo`), cut to btmp's 32 bytes, `ut_host` the address (or PAM's rhost),
 * `ut_addr` its octets, `ut_line` "ssh:notty" (PAM: its tty), `ut_pid` the
 * process's (`_PID`), `ut_service` "sshd" or PAM's service, the time in
 * whole seconds (btmp's) of `_SOURCE_REALTIME_TIMESTAMP` or the entry;
 * `layout` "journal", `offset` -1.
 *
 * @example A journal written by systemd-journal-remote
 * ```ts ignore
 * import { journalRecords } from "@utmp/utmp/sources";
 *
 * for await (const u of journalRecords("/var/log/journal")) console.log(u.ut_user, u.ut_host, u.ut_time);
 * ```
 *
 * @param path A journal file or directory (default {@link JOURNAL_DIR}).
 * @param options Order, warnings and links.
 * @returns The records.
 * @throws {UtmpFileError} When the path cannot be opened.
 */
export async function* journalRecords(
  path: string = JOURNAL_DIR,
  options: JournalOptions = {},
): AsyncGenerator<UtmpRecord> {
  const pairs = new Pairs();
  let index = 0;
  for await (const e of journalEntries(path, { ...options, fields: LOGIN_FIELDS })) {
    const u = failedLogin(e, pairs, index);
    if (u !== undefined) {
      index++;
      yield u;
    }
  }
}

/**
 * When a journal's failed logins begin, as `lastb` says in its closing
 * line: the time of the first one, else of the journal's first entry.
 *
 * @param path A journal file or directory.
 * @param options Warnings and links.
 * @returns Seconds since the epoch, or undefined when the journal holds no entry.
 */
export async function journalBegins(path: string, options: JournalOptions = {}): Promise<number | undefined> {
  for await (const u of journalRecords(path, { ...options, newestFirst: false })) return u.ut_tv.tv_sec;
  for await (const e of journalEntries(path, { ...options, newestFirst: false, fields: [] })) {
    return Math.floor(e.realtime / 1e6);
  }
  return undefined;
}
