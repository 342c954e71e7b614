/**
 * Every entry point of the library and the command line that opens a path,
 * and a child-process runner that calls each on given paths and reports how
 * it ended: an error (with its name, code, path and message), records, or
 * not at all within the time allowed ("hung": a blocked open or an endless
 * read). A child process, so that a blocked open cannot block the test run
 * and the reader can run as another user.
 *
 * The parent spawns this module with `UTMP_PROBE` set to a JSON list of
 * `[entry, path]` pairs; it prints one JSON line per pair and exits.
 *
 * @module
 */

import process from "node:process";
import { history, LastlogFile, lastlogs, lastSessions, sessions, UtmpFile, watch } from "../../mod.ts";
import { lastlog2Entries, logindRecords, wtmpdbRecords, wtmpdbSessions } from "../../src/sources/mod.ts";
import { readBackward } from "../../src/last.ts";
import { main } from "../../src/cli/main.ts";

/** Reads everything an iterable gives. */
async function drain(items: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of items) n++;
  return n;
}

/** The first event of a watch (a watch over a bad path must fail at once, not wait). */
async function firstEvent(events: AsyncGenerator<unknown>): Promise<number> {
  for await (const _ of events) break;
  return 1;
}

/** A command line run: exit code and standard error. */
async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await main(argv, { out: () => {}, err: (text) => void (err += text) });
  return { code, err };
}

/** Entry points by name; each reads the whole path (or its first event). */
export const ENTRY_POINTS: Readonly<Record<string, (path: string) => Promise<unknown>>> = {
  "new UtmpFile() backend file": (p) => drain(new UtmpFile(p, { backend: "file" })),
  "new UtmpFile() backend ffi": (p) => drain(new UtmpFile(p, { backend: "ffi" })),
  "UtmpFile.detect()": (p) => new UtmpFile(p, { backend: "file" }).detect(),
  "UtmpFile.batches()": (p) => drain(new UtmpFile(p).batches()),
  "new LastlogFile()": (p) => drain(new LastlogFile(p)),
  "LastlogFile.get()": (p) => new LastlogFile(p).get(0),
  "readBackward()": (p) => drain(readBackward(p)),
  "lastSessions()": (p) => drain(lastSessions(p)),
  "watch() mode log": (p) => firstEvent(watch(p, { mode: "log", interval: 50 })),
  "watch() mode slots": (p) => firstEvent(watch(p, { mode: "slots", interval: 50 })),
  "watch() mode logind": (p) => firstEvent(watch(p, { mode: "logind", interval: 50 })),
  "logindRecords()": (p) => drain(logindRecords(p)),
  "wtmpdbRecords()": (p) => drain(wtmpdbRecords(p)),
  "wtmpdbSessions()": (p) => drain(wtmpdbSessions(p)),
  "lastlog2Entries()": (p) => drain(lastlog2Entries(p)),
  "sessions()": (p) => drain(sessions({ path: p })),
  "sessions() source wtmpdb": (p) => drain(sessions({ path: p, source: "wtmpdb" })),
  "history()": (p) => drain(history({ path: p })),
  "lastlogs()": (p) => drain(lastlogs({ path: p })),
  "utmp who": (p) => cli(["who", p]),
  "utmp users": (p) => cli(["users", p]),
  "utmp last": (p) => cli(["last", "-f", p]),
  "utmp lastb": (p) => cli(["lastb", "-f", p]),
  "utmp dump": (p) => cli(["dump", p]),
  "utmp lastlog": (p) => cli(["lastlog", "--file", p]),
  "utmp watch": (p) => cli(["watch", "--mode", "log", p]),
};

/** Entry points given a root (the path), each reading the system's files under it. */
export const ROOT_ENTRY_POINTS: Readonly<Record<string, (root: string) => Promise<unknown>>> = {
  "sessions() root": (p) => drain(sessions({ root: p })),
  "history() root": (p) => drain(history({ root: p })),
  "lastSessions() root": (p) => drain(lastSessions(undefined, { root: p })),
  "lastlogs() root": (p) => drain(lastlogs({ root: p })),
  "utmp --root who": (p) => cli(["--root", p, "who"]),
  "utmp --root last": (p) => cli(["--root", p, "last"]),
  "utmp --root lastlog": (p) => cli(["--root", p, "lastlog"]),
};

/** How one call ended. */
export interface ProbeResult {
  entry: string;
  path: string;
  outcome: "error" | "done" | "hung";
  /** For "error": the error's name, code, path and message. */
  name?: string;
  code?: string;
  errorPath?: string;
  message?: string;
  /** For "done": what the call returned (a command line's exit code and standard error). */
  value?: unknown;
}

/** Milliseconds a call may take before it counts as hung (a guard against blocking, not a performance bound). */
const PATIENCE_MS = 5000;

async function probe(entry: string, path: string): Promise<ProbeResult> {
  const call = ENTRY_POINTS[entry] ?? ROOT_ENTRY_POINTS[entry];
  if (call === undefined) throw new Error(`no entry point "${entry}"`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ entry, path, outcome: "hung" }), PATIENCE_MS);
  });
  const ran = call(path).then(
    (value): ProbeResult => ({ entry, path, outcome: "done", value }),
    (error): ProbeResult => {
      const e = error as { name?: string; code?: unknown; path?: unknown; message?: string };
      return {
        entry,
        path,
        outcome: "error",
        name: e?.name ?? typeof error,
        ...(typeof e?.code === "string" ? { code: e.code } : {}),
        ...(typeof e?.path === "string" ? { errorPath: e.path } : {}),
        message: e?.message ?? String(error),
      };
    },
  );
  try {
    return await Promise.race([ran, hung]);
  } finally {
    clearTimeout(timer);
  }
}

const checks = process.env.UTMP_PROBE;
if (checks !== undefined) {
  for (const [entry, path] of JSON.parse(checks) as [string, string][]) {
    process.stdout.write(JSON.stringify(await probe(entry, path)) + "\n");
  }
  // A hung call may hold a thread of the runtime's pool: leave without waiting for it.
  process.exit(0);
}
