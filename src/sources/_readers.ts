/**
 * The reader table: for each source a chosen source can name, what it is
 * (facts the readers and the command line ask instead of comparing names)
 * and how it is read, each reader's module loaded when it is first read. To
 * add a source: its module, a policy entry in `choose.ts`, and one entry
 * here.
 *
 * @module
 */

import type { LayoutName } from "../layouts/registry.ts";
import type { UtmpRecord } from "../record.ts";
import type { Session } from "../session.ts";
import type { LastLogin } from "./lastlog2.ts";
import type { LogindEntry } from "./logind.ts";
import { chooseSource, type ChosenSource, type SourceKind, type SourceNames } from "./choose.ts";
import { PASSWD_PATH } from "../paths.ts";
import type { Root } from "./_root.ts";
import { type BackwardOptions, FileHistory, type NewestFirst, RecordsHistory } from "./_history.ts";

/** Whose tools a source's sessions are shown as (see `sessionTools`). */
export type SessionTools = "debian-12" | "debian-13";

/** One session `w` looks at: its record, the uid where the source gives one, and the logind session. */
export interface Candidate {
  /** The session's record. */
  record: UtmpRecord;
  /** The uid logind gives (utmp's comes from the password file). */
  uid: number | undefined;
  /** The logind session, for logind's. */
  logind?: LogindEntry;
  /** Whether it is `user`'s session, as the source's `w` compares them. */
  of(user: string): boolean;
}

/** Options every reader takes beside the chosen source. */
export interface ReadOptions {
  /** The system's root, for what a reader finds beside its source (logind's boot time and terminals). */
  root?: string | undefined;
  /** A record file's layout ("auto" by default). */
  layout?: "auto" | LayoutName | undefined;
}

/** How a source is read. Each reader has what its kind needs. */
export interface Reader {
  /** Every record, oldest first: a session source's current state, a history's events. */
  records?(chosen: ChosenSource, options: ReadOptions): AsyncGenerator<UtmpRecord>;
  /** The records as `who` shows them, in batches; `empty` is called for a directory named that holds no session. */
  batches?(
    chosen: ChosenSource,
    options: ReadOptions & { named: boolean; empty(): void },
  ): AsyncGenerator<UtmpRecord[]>;
  /** The sessions `w` looks at (the USER_PROCESS records with a user name, or logind's user sessions). */
  candidates?(chosen: ChosenSource, options: ReadOptions): AsyncGenerator<Candidate>;
  /** The history newest first. */
  newestFirst?(chosen: ChosenSource, options: BackwardOptions): Promise<NewestFirst>;
  /** A source that keeps each session whole (a wtmpdb row): its sessions, newest first, not paired again. */
  sessions?(chosen: ChosenSource, options: { since?: Date; until?: Date }): AsyncGenerator<Session>;
  /** The last logins, for a lastlog kind. */
  lastLogins?(chosen: ChosenSource, options: { system: Root }): AsyncGenerator<LastLogin>;
}

/** What a source is, known without loading its reader. */
export interface SourceFacts {
  /** A file of fixed-size records (utmp, wtmp, btmp, lastlog), read by the record cursor. */
  recordFile: boolean;
  /** Whose tools its sessions are shown as. */
  tools: SessionTools;
  /** Its records keep the pids of their processes (a wtmpdb's keep none: its sessions cannot be checked). */
  keepsPids: boolean;
  /** It keeps each session whole (see {@link Reader.sessions}). */
  keepsSessions: boolean;
  /** Its last logins are rows by name, not slots by uid (lastlog2: printed as its rows). */
  byName: boolean;
  /** Said on standard error when `who` reads it because the system keeps no utmp (the fallback). */
  fallback?: string;
}

/** A source's entry in the table. */
interface Entry extends Partial<SourceFacts> {
  /** Loads its reader. */
  load(): Promise<Reader>;
}

/** Every source name a chosen source carries. */
export type SourceName = SourceNames[SourceKind];

/** `strncmp(a, b, UT_NAMESIZE) == 0` over byte strings. */
const sameName = (a: string, b: string): boolean => a.slice(0, 32) === b.slice(0, 32);

/** A record file's reader (utmp, wtmp, btmp): its records through `UtmpFile`, newest first through the cursor. */
async function recordFileReader(): Promise<Reader> {
  const { UtmpFile } = await import("../utmp_file.ts");
  const { storedString, utf8String } = await import("../_internal/bytes.ts");
  return {
    async *records(c, o): AsyncGenerator<UtmpRecord> {
      yield* new UtmpFile(c.path, {
        noFollow: c.root.noFollow,
        ...(o.layout !== undefined ? { layout: o.layout } : {}),
      });
    },
    async *candidates(c, o): AsyncGenerator<Candidate> {
      for await (const record of new UtmpFile(c.path, { layout: o.layout ?? "auto", noFollow: c.root.noFollow })) {
        if (record.ut_type !== "USER_PROCESS") continue;
        const name = storedString(record, "ut_user");
        if (name !== "") yield { record, uid: undefined, of: (user) => sameName(name, utf8String(user)) };
      }
    },
    newestFirst: (c, o) => Promise.resolve(new FileHistory(c.path, { ...o, noFollow: c.root.noFollow })),
  };
}

/** The table. */
const READERS: Readonly<Record<SourceName, Entry>> = {
  utmp: { recordFile: true, load: recordFileReader },
  wtmp: { recordFile: true, load: recordFileReader },
  btmp: { recordFile: true, load: recordFileReader },
  logind: {
    tools: "debian-13",
    fallback: "systemd-logind's sessions",
    load: async () => {
      const { logindBootRecord, logindRecords, logindSessions } = await import("./logind.ts");
      const read = (c: ChosenSource, o: ReadOptions) =>
        o.root === undefined ? { noFollow: c.root.noFollow } : { root: o.root, noFollow: c.root.noFollow };
      return {
        // As coreutils 9.7 reads them: the boot time it finds without a utmp, then the sessions' records.
        async *records(c, o): AsyncGenerator<UtmpRecord> {
          const boot = logindBootRecord(o.root);
          if (boot !== undefined) yield boot;
          yield* logindRecords(c.path, read(c, o));
        },
        // One batch: the boot record coreutils 9.7 makes where there is no utmp, then each session's.
        async *batches(c, o): AsyncGenerator<UtmpRecord[]> {
          const records: UtmpRecord[] = [];
          const boot = logindBootRecord(o.root);
          if (boot !== undefined) records.push(boot);
          let sessions = 0;
          for await (const entry of logindSessions(c.path, read(c, o))) {
            sessions++;
            records.push(...entry.records);
          }
          if (o.named && sessions === 0) o.empty();
          yield records;
        },
        // procps 4.0.4: every session of a "user" class is a candidate, a TTY or none; USER compared whole.
        async *candidates(c, o): AsyncGenerator<Candidate> {
          for await (const entry of logindSessions(c.path, read(c, o))) {
            if (!entry.user) continue;
            yield {
              record: entry.record,
              uid: entry.uid,
              logind: entry,
              of: (user) => entry.session.values.USER === user,
            };
          }
        },
      };
    },
  },
  wtmpdb: {
    keepsPids: false,
    keepsSessions: true,
    load: async () => {
      const { wtmpdbBatches, wtmpdbLastSessions, wtmpdbRecords, wtmpdbSessions } = await import("./wtmpdb.ts");
      const { storedString, utf8String } = await import("../_internal/bytes.ts");
      // As a session source, its last boot and open sessions; as a history, its rows as records.
      const open = (c: ChosenSource) => wtmpdbSessions(c.path, { noFollow: c.root.noFollow });
      return {
        records: (c) => c.kind === "sessions" ? open(c) : wtmpdbRecords(c.path, { noFollow: c.root.noFollow }),
        async *batches(c): AsyncGenerator<UtmpRecord[]> {
          const all: UtmpRecord[] = [];
          for await (const u of open(c)) all.push(u);
          yield all;
        },
        async *candidates(c): AsyncGenerator<Candidate> {
          for await (const record of open(c)) {
            if (record.ut_type !== "USER_PROCESS") continue;
            const name = storedString(record, "ut_user");
            if (name !== "") yield { record, uid: undefined, of: (user) => sameName(name, utf8String(user)) };
          }
        },
        newestFirst: (c, o) =>
          Promise.resolve(
            new RecordsHistory({
              // A page of the database at a time, newest first.
              pages: () =>
                wtmpdbBatches(c.path, { newestFirst: true, onWarning: o.onWarning, noFollow: c.root.noFollow }),
              async begins(): Promise<number> {
                for await (const u of wtmpdbRecords(c.path, { noFollow: c.root.noFollow })) return u.ut_tv.tv_sec;
                return Math.floor((await statOf(c.path, c.root.noFollow)).ctimeMs / 1000);
              },
            }),
          ),
        sessions: (c, o) => wtmpdbLastSessions(c.path, o),
      };
    },
  },
  journal: {
    load: async () => {
      const { journalBegins, journalRecords } = await import("./journal.ts");
      return {
        records: (c) => journalRecords(c.path, { noFollow: c.root.noFollow }),
        newestFirst: (c, o) =>
          Promise.resolve(
            new RecordsHistory({
              // The failed logins newest first, a thousand at a time (a batch is looked up, then listed).
              async *pages(): AsyncGenerator<UtmpRecord[]> {
                const options = { noFollow: c.root.noFollow, newestFirst: true, onWarning: o.onWarning };
                let page: UtmpRecord[] = [];
                for await (const u of journalRecords(c.path, options)) {
                  page.push(u);
                  if (page.length >= 1024) {
                    yield page;
                    page = [];
                  }
                }
                yield page;
              },
              begins: () => journalBegins(c.path, { noFollow: c.root.noFollow }),
            }),
          ),
      };
    },
  },
  lastlog: {
    recordFile: true,
    load: async () => {
      const { lastlogFileEntries } = await import("./_lastlog_slots.ts");
      return {
        lastLogins: (c, o) => lastlogFileEntries(c.path, c.root.noFollow, o.system),
      };
    },
  },
  lastlog2: {
    byName: true,
    load: async () => {
      const { lastlog2Entries } = await import("./lastlog2.ts");
      return {
        async *lastLogins(c, o): AsyncGenerator<LastLogin> {
          const passwd = await o.system.path(PASSWD_PATH);
          yield* lastlog2Entries(c.path, { passwd, noFollow: c.root.noFollow || o.system.noFollow });
        },
      };
    },
  },
};

/** A file's status (of the path itself under a root). */
async function statOf(path: string, noFollow: boolean): Promise<{ ctimeMs: number }> {
  const { lstat, stat } = await import("node:fs/promises");
  return await (noFollow ? lstat : stat)(path);
}

/**
 * What a source is, without loading its reader.
 *
 * @param source A source name, as a chosen source carries it.
 * @returns Its facts.
 */
export function factsOf(source: string): SourceFacts {
  const entry = READERS[source as SourceName];
  if (entry === undefined) throw new RangeError(`No reader for source "${source}"`);
  return {
    recordFile: entry.recordFile ?? false,
    tools: entry.tools ?? "debian-12",
    keepsPids: entry.keepsPids ?? true,
    keepsSessions: entry.keepsSessions ?? false,
    byName: entry.byName ?? false,
    ...(entry.fallback !== undefined ? { fallback: entry.fallback } : {}),
  };
}

/**
 * The reader of a chosen source, its module loaded on first use.
 *
 * @param chosen What `chooseSource` chose.
 * @returns Its reader.
 */
export async function readerOf(chosen: Pick<ChosenSource, "source">): Promise<Reader> {
  const entry = READERS[chosen.source as SourceName];
  if (entry === undefined) throw new RangeError(`No reader for source "${chosen.source}"`);
  return await entry.load();
}

/**
 * The source `chooseSource()` chooses, with its reader: what every reader of
 * a kind opens (the chosen source is the one object carried to the reader).
 *
 * @param kind What data.
 * @param options As `chooseSource()` takes them.
 * @returns The chosen source and its reader.
 */
export async function openSource<K extends SourceKind>(
  kind: K,
  options: Parameters<typeof chooseSource>[1] = {},
): Promise<{ chosen: ChosenSource<K>; reader: Reader }> {
  const chosen = await chooseSource(kind, options);
  return { chosen, reader: await readerOf(chosen) };
}

/**
 * A history member read newest first by its source's reader (what
 * `ChainedHistory` opens).
 *
 * @param member The member.
 * @param options Layout, warnings, buffers.
 * @returns Its history.
 */
export async function openHistory(
  member: Pick<ChosenSource, "source" | "path" | "root" | "name">,
  options: BackwardOptions,
): Promise<NewestFirst> {
  const reader = await readerOf(member);
  if (reader.newestFirst === undefined) throw new RangeError(`Source "${member.source}" is not a history`);
  return await reader.newestFirst({ kind: "history", ...member } as ChosenSource, options);
}
