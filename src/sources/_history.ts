/**
 * A history read newest first, whatever keeps it: one interface
 * ({@link NewestFirst}) with a record file's, a wtmpdb's and the journal's
 * implementation, and a chain of them (a rotated set) behind the same
 * interface. What `last`, `lastb` and `lastSessions()` walk; which one a
 * source gets is `_readers.ts`'s table.
 *
 * @module
 */

import { lstat, stat } from "node:fs/promises";
import { RecordCursor } from "../backends/file.ts";
import type { UtmpWarning } from "../errors.ts";
import type { Chunk } from "../layouts/decode.ts";
import type { UtmpRecord } from "../record.ts";
import type { ChosenSource } from "./choose.ts";

/**
 * A batch of history, newest record last: the records of a chunk of a wtmp
 * (read back from its last record), or records already made (wtmpdb, the
 * journal).
 */
export type HistoryBatch = { chunk: Chunk; records?: undefined } | { chunk?: undefined; records: UtmpRecord[] };

/** Options of a {@link NewestFirst} history. */
export interface BackwardOptions {
  /** The wtmp's layout ("auto": detected). */
  layout?: string;
  /** What the reader passes over. */
  onWarning?: (warning: UtmpWarning) => void;
  /** Read into the same two buffers (see `UtmpFileOptions.reuseBuffers`): a chunk lasts until the next but one is read. */
  reuseBuffers?: boolean;
  /** Open without following a symbolic link at the path's last component (a path resolved under a root). */
  noFollow?: boolean;
}

/** A history read from its newest record back, a batch at a time. */
export interface NewestFirst {
  /**
   * The batches, newest first (each holds its newest record last). The
   * source stays open until {@link close}, so that {@link begins} needs no
   * second opening.
   */
  batches(): AsyncGenerator<HistoryBatch, void, undefined>;
  /**
   * When the history begins, as `last` says in its closing line: the time
   * of its first record, or the file's status change time when it holds
   * none (last.c `begintime`); undefined when nothing says (a journal
   * without entries).
   */
  begins(): Promise<number | undefined>;
  /** Releases the source. */
  close(): Promise<void>;
}

/** A path's status change time, in seconds (under a root, of the path itself, not of a link's target). */
async function changed(path: string, noFollow: boolean): Promise<number> {
  return Math.floor((await (noFollow ? lstat : stat)(path)).ctimeMs / 1000);
}

/**
 * A wtmp or btmp read newest first through one record cursor (opened once,
 * its layout detected once, a trailing partial record reported).
 */
export class FileHistory implements NewestFirst {
  readonly #path: string;
  readonly #cursor: RecordCursor;
  readonly #noFollow: boolean;
  /** The file's {@link begins}, read before its pass newest first began (as last.c reads it). */
  #begins: number | undefined;

  /**
   * @param path The file.
   * @param options Layout, warnings and buffers.
   */
  constructor(path: string, options: BackwardOptions = {}) {
    this.#path = path;
    this.#noFollow = options.noFollow ?? false;
    this.#cursor = new RecordCursor(path, {
      layout: options.layout ?? "auto",
      onProblem: (problem) => options.onWarning?.(problem),
      reuseBuffers: options.reuseBuffers ?? false,
      noFollow: this.#noFollow,
    });
  }

  /** @returns Seconds since the epoch. */
  async begins(): Promise<number> {
    return this.#begins ?? await this.#firstTime();
  }

  /** The time of the file's first record, else its status change time. */
  async #firstTime(): Promise<number> {
    const first = await this.#cursor.first();
    if (first !== null) return first.codec.sec(first.view, 0);
    return changed(this.#path, this.#noFollow);
  }

  /** @returns The chunks, newest first; a chunk's records are read from its last. */
  async *batches(): AsyncGenerator<HistoryBatch, void, undefined> {
    // The first record first, as last.c reads it before going to the end: a file truncated meanwhile
    // (copytruncate) does not lend its new first record to the "begins" line.
    this.#begins = await this.#firstTime();
    const cursor = this.#cursor;
    for (let chunk = await cursor.previous(); chunk !== null; chunk = await cursor.previous()) yield { chunk };
  }

  close(): Promise<void> {
    return this.#cursor.release();
  }
}

/** What {@link RecordsHistory} reads: a source's records newest first, and when it begins when not read to its end. */
export interface RecordsNewestFirst {
  /** The records, newest first, in pages. */
  pages(): AsyncIterable<UtmpRecord[]>;
  /** When the source begins, read apart (its oldest record's time, or what else says). */
  begins(): Promise<number | undefined>;
}

/**
 * A history whose records are made already (a wtmpdb's rows a page at a
 * time, the journal's failed logins): each page a batch, its newest record
 * last; when a pass has read it to its end, its oldest record says when it
 * begins.
 */
export class RecordsHistory implements NewestFirst {
  readonly #source: RecordsNewestFirst;
  /** The oldest record, once a pass has read every record. */
  #oldest: UtmpRecord | undefined;

  /** @param source The records, newest first, and their beginning. */
  constructor(source: RecordsNewestFirst) {
    this.#source = source;
  }

  async *batches(): AsyncGenerator<HistoryBatch, void, undefined> {
    let oldest: UtmpRecord | undefined;
    for await (const page of this.#source.pages()) {
      if (page.length === 0) continue;
      oldest = page.at(-1);
      yield { records: page.toReversed() };
    }
    this.#oldest = oldest;
  }

  /** @returns The oldest record's time when a pass read it, else the source's own answer. */
  async begins(): Promise<number | undefined> {
    return this.#oldest?.ut_tv.tv_sec ?? await this.#source.begins();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** One file of a {@link ChainedHistory}: where it is, and how the chooser found it. */
export type HistoryMember = Pick<ChosenSource, "source" | "path" | "name" | "root">;

/** Opens one member's history (the reader table's, `openHistory`). */
export type OpenHistory = (member: HistoryMember, options: BackwardOptions) => Promise<NewestFirst>;

/**
 * Several history files read as one, newest first (a rotated set: `wtmp`,
 * then `wtmp.1`, `wtmp.2.gz`, …): each member through its own
 * {@link NewestFirst} (its own layout detection, its own file opened once),
 * the same interface as one file's, so that one pairing spans the chain. Each
 * batch names the member it came from; {@link begins} is the oldest member's.
 */
export class ChainedHistory implements NewestFirst {
  /** Newest first. */
  readonly #members: readonly HistoryMember[];
  readonly #options: BackwardOptions;
  readonly #onWarning: ((member: HistoryMember, warning: UtmpWarning) => void) | undefined;
  readonly #openHistory: OpenHistory;
  #reader: NewestFirst | undefined;
  #readerOf: HistoryMember | undefined;

  /**
   * @param members The files, oldest first (as `historySources()` gives them).
   * @param open How a member is opened.
   * @param options Layout and buffers, and where each member's warnings go.
   */
  constructor(
    members: readonly HistoryMember[],
    open: OpenHistory,
    options: Omit<BackwardOptions, "onWarning" | "noFollow"> & {
      onWarning?: (member: HistoryMember, warning: UtmpWarning) => void;
    } = {},
  ) {
    this.#members = members.toReversed();
    this.#openHistory = open;
    const { onWarning: _, ...rest } = options;
    this.#options = rest;
    this.#onWarning = options.onWarning;
  }

  /** The member files, newest first. */
  get members(): readonly HistoryMember[] {
    return this.#members;
  }

  async #open(member: HistoryMember): Promise<NewestFirst> {
    this.#readerOf = member;
    const options: BackwardOptions = { ...this.#options, noFollow: member.root.noFollow };
    if (this.#onWarning !== undefined) options.onWarning = (w) => this.#onWarning!(member, w);
    return this.#reader = await this.#openHistory(member, options);
  }

  /**
   * The batches of every member, newest first, each with the member it came
   * from (one member open at a time).
   *
   * @returns The batches.
   */
  async *batches(): AsyncGenerator<HistoryBatch & { member: HistoryMember }, void, undefined> {
    for (const member of this.#members) {
      await this.#reader?.close();
      const reader = await this.#open(member);
      for await (const batch of reader.batches()) yield { ...batch, member };
    }
  }

  /**
   * When the history begins: the oldest member's {@link NewestFirst.begins}.
   *
   * @returns Seconds since the epoch.
   */
  async begins(): Promise<number | undefined> {
    const oldest = this.#members.at(-1)!;
    if (this.#readerOf !== oldest) {
      await this.#reader?.close();
      await this.#open(oldest);
    }
    return await this.#reader!.begins();
  }

  /** The oldest member (what `last` names in its closing line). */
  get oldest(): HistoryMember {
    return this.#members.at(-1)!;
  }

  /** Releases the open member. */
  async close(): Promise<void> {
    await this.#reader?.close();
    this.#reader = undefined;
    this.#readerOf = undefined;
  }
}
