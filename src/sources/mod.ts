/**
 * One entry point whatever the system keeps: who is logged in from utmp or
 * systemd-logind (or wtmpdb), the login history from wtmp or wtmpdb, and the
 * last logins from lastlog or lastlog2 — in the same record contract, with a `root`
 * option to read another system's files (a container reading the host's at
 * `/host`).
 *
 * @module
 */

export { type Root, rootPath } from "./_root.ts";
export { rotatedSet } from "./rotation.ts";
export { type SystemPaths, systemPaths } from "../paths.ts";
export {
  cunescape,
  isUserSession,
  LOGIND_SESSIONS_DIR,
  logindBootRecord,
  type LogindEntry,
  type LogindOptions,
  logindRecords,
  type LogindSession,
  logindSessions,
  type LogindSessionsOptions,
  parseSessionFile,
  readLogindSessions,
  sessionRecord,
} from "./logind.ts";
export {
  WTMPDB_PATH,
  wtmpdbBatches,
  type WtmpdbLastOptions,
  wtmpdbLastSessions,
  type WtmpdbOptions,
  wtmpdbRecords,
  type WtmpdbRow,
  type WtmpdbSession,
  wtmpdbSessions,
  WtmpdbType,
} from "./wtmpdb.ts";
export {
  JOURNAL_DIR,
  JOURNAL_FIELD_LIMIT,
  journalBegins,
  journalEntries,
  type JournalEntry,
  type JournalOptions,
  journalRecords,
} from "./journal.ts";
export { LASTLOG2_PATH, lastlog2Entries, type Lastlog2Options, type LastLogin, PASSWD_PATH } from "./lastlog2.ts";

export { chooseSource, type ChosenSource, type RootOptions, type SourceKind, type SourceNames } from "./choose.ts";
export { sessions, type SessionsOptions, type SessionTools, sessionTools, who, type WhoOptions } from "./sessions.ts";
export { history, type HistoryOptions, historySources } from "./history.ts";
export { lastlogs, type LastlogsOptions } from "./lastlogs.ts";
