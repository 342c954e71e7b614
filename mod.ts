/**
 * Read Unix login records — who is logged in now (utmp/utmpx), who logged in
 * before (wtmp), failed logins (btmp) — in Deno, Node and Bun.
 *
 * {@link UtmpFile} is an async iterable of {@link UtmpRecord}s whose fields
 * keep their C names (`ut_user`, `ut_line`, `ut_host`, `ut_time`, `ut_type`,
 * ...), the same for every layout and backend. A file's layout is detected
 * from its content, so a wtmp copied from an aarch64 or s390x machine reads
 * right on x86_64.
 *
 * @example Read a wtmp
 * ```ts
 * import { UtmpFile } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // One glibc record: "carol" logged in on pts/1 from 192.0.2.7.
 * const bytes = new Uint8Array(384);
 * const view = new DataView(bytes.buffer);
 * view.setInt16(0, 7, true);
 * bytes.set(new TextEncoder().encode("pts/1"), 8);
 * bytes.set(new TextEncoder().encode("carol"), 44);
 * bytes.set(new TextEncoder().encode("192.0.2.7"), 76);
 * view.setUint32(340, 1700000000, true);
 * bytes.set([192, 0, 2, 7], 348);
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, bytes);
 *
 * for await (const u of new UtmpFile(path)) {
 *   assert.equal(u.ut_user_process, true);
 *   assert.equal(u.ut_user, "carol");
 *   assert.equal(u.ut_line, "/dev/pts/1");
 *   assert.equal(u.ut_host, "192.0.2.7");
 *   assert.deepEqual(u.ut_addr, [192, 0, 2, 7]);
 *   assert.equal(u.ut_time.toISOString(), "2023-11-14T22:13:20.000Z");
 * }
 * ```
 *
 * @module
 */

export { UtmpFile, type UtmpFileOptions, type UtmpIterator, type UtmpWarning } from "./src/utmp_file.ts";
export {
  devicePath,
  type UtExit,
  type UtmpRecord,
  type UtmpRecordObject,
  type UtRawBytes,
  type UtTimeval,
} from "./src/record.ts";
export { UtType, type UtTypeName } from "./src/types.ts";
export { LibcUnavailableError, UtmpFileError, UtmpFormatError, type UtmpFormatErrorOptions } from "./src/errors.ts";
export { type SystemPaths, systemPaths } from "./src/paths.ts";
export {
  formatUtmpdumpLine,
  isoTimestamp,
  parseUtmpdump,
  type ParseUtmpdumpOptions,
  undumpUtmp,
  UtmpdumpParser,
  type UtmpdumpProblem,
  type UtmpdumpRecord,
} from "./src/utmpdump.ts";
export {
  type LastOptions,
  lastSessions,
  pairSessions,
  readBackward,
  type ReadBackwardOptions,
  type Session,
  type SessionEnd,
  type SessionKind,
  SessionPairing,
} from "./src/last.ts";
export type { BackendName } from "./src/_source.ts";
export type { Detection, LastlogLayoutName, LayoutName, ProblemKind, UtmpLayoutName } from "./src/layouts/mod.ts";
export {
  lastlog,
  LASTLOG_SCAN_BYTES,
  type LastlogEntry,
  LastlogFile,
  type LastlogOptions,
  type LastlogWarning,
} from "./src/lastlog.ts";
export type { Layout } from "./src/layouts/_engine.ts";
export {
  type ChosenSource,
  history,
  type HistoryOptions,
  type HistorySource,
  historySource,
  lastlogs,
  type LastlogsOptions,
  type LastlogSource,
  lastlogSource,
  type RootOptions,
  rootPath,
  sessions,
  type SessionsOptions,
  type SessionSource,
  sessionSource,
  who,
} from "./src/sessions.ts";
export {
  cunescape,
  isUserSession,
  LOGIND_SESSIONS_DIR,
  logindRecords,
  type LogindSession,
  parseSessionFile,
  readLogindSessions,
  sessionRecord,
} from "./src/sources/logind.ts";
export { WTMPDB_PATH, wtmpdbRecords, wtmpdbSessions, WtmpdbType } from "./src/sources/wtmpdb.ts";
export {
  LASTLOG2_PATH,
  lastlog2Entries,
  type Lastlog2Entry,
  type Lastlog2Options,
  PASSWD_PATH,
} from "./src/sources/lastlog2.ts";
export { watch, type WatchEvent, type WatchEventType, type WatchIterator, type WatchOptions } from "./src/watch.ts";
