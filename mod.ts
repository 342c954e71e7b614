/**
 * Read Unix login records — who is logged in now (utmp/utmpx,
 * systemd-logind), who logged in before (wtmp, wtmpdb), failed logins
 * (btmp), the last login of each user (lastlog, lastlog2) — in Deno, Node
 * and Bun.
 *
 * {@link who} answers "who is on this machine" from whatever the system
 * keeps, and {@link loggedIn} adds what `w` shows (idle time, what each
 * session runs); {@link UtmpFile} reads one file as {@link UtmpRecord}s whose fields
 * keep their C names (`ut_user`, `ut_line`, `ut_host`, `ut_time`, `ut_type`,
 * ...), the same for every layout and backend. A file's layout is detected
 * from its content, so a wtmp copied from an aarch64 or s390x machine reads
 * right on x86_64.
 *
 * Subpaths: `@utmp/utmp/layouts` (the layout tables, detection, decoding and
 * encoding bytes), `@utmp/utmp/sources` (the logind, wtmpdb and lastlog2
 * readers, and how a source is chosen), `@utmp/utmp/utmpdump` (utmpdump's
 * text format), `@utmp/utmp/cli` (the command line).
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

export { UtmpFile, type UtmpFileOptions, type UtmpWarning } from "./src/utmp_file.ts";
export type { UtExit, UtmpRecord, UtmpRecordObject, UtTimeval } from "./src/record.ts";
export { UtType, type UtTypeName } from "./src/types.ts";
export { LibcUnavailableError, UtmpFileError, UtmpFormatError } from "./src/errors.ts";
export {
  history,
  type HistoryOptions,
  type LastLogin,
  lastlogs,
  type LastlogsOptions,
  sessions,
  type SessionsOptions,
  who,
  type WhoOptions,
} from "./src/sources/mod.ts";
export { type LastOptions, lastSessions, type Session } from "./src/last.ts";
export { type FailureCount, type FailureSummary, failureSummary, type FailureSummaryOptions } from "./src/failures.ts";
export { lastLoginsFromHistory, type LastLoginsFromHistoryOptions } from "./src/history_logins.ts";
export { type LastlogEntry, LastlogFile, type LastlogOptions } from "./src/lastlog_file.ts";
export { watch, type WatchEvent, type WatchIterator, type WatchOptions } from "./src/watch.ts";
export { loggedIn, type LoggedInOptions, type LoggedInUser, type LoggedInUsers } from "./src/logged_in.ts";
