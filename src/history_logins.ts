/**
 * Last logins from the login history: each user's newest login in wtmp or
 * wtmpdb (rotated sets included), for the users no lastlog knows (an
 * sssd or LDAP user the local lastlog never saw, a system with no lastlog),
 * as lslogins' LAST-LOGIN takes it from wtmp.
 *
 * @module
 */

import { utf8String } from "./_internal/bytes.ts";
import { uidsByName } from "./_internal/passwd.ts";
import { lastType } from "./last.ts";
import { Root } from "./sources/_root.ts";
import type { LastLogin } from "./sources/lastlog2.ts";
import { history, type HistoryOptions } from "./sources/history.ts";

/** Options of {@link lastLoginsFromHistory}: which history (as `history()` takes it), and whose logins. */
export interface LastLoginsFromHistoryOptions extends HistoryOptions {
  /** Only these users (by name); by default every user the history names. */
  users?: readonly string[];
}

/**
 * Every user's last login from the history, in name order: the newest
 * record `last` takes for a login of theirs (a USER_PROCESS, or what
 * `last` reads as one: a user and a line), with its line, host and
 * service; `uid` from the password file under `root`, -1 for a name it does
 * not have (a directory user). Read forward in one pass (rotated members
 * oldest first), holding one entry per user.
 *
 * @example From a wtmp
 * ```ts
 * import { lastLoginsFromHistory } from "@utmp/utmp";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "wtmp");
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "USER_PROCESS", ut_pid: 7, ut_line: "pts/0", ut_user: "ldap.ann", ut_host: "192.0.2.7", tv_sec: 1700000000 },
 *   { ut_type: "DEAD_PROCESS", ut_pid: 7, ut_line: "pts/0", tv_sec: 1700000600 },
 *   { ut_type: "USER_PROCESS", ut_pid: 9, ut_line: "tty1", ut_user: "ldap.ann", tv_sec: 1700086400 },
 * ]));
 * const last = [];
 * for await (const e of lastLoginsFromHistory({ path })) last.push(`${e.user} ${e.line} ${e.time.toISOString()}`);
 * assert.deepEqual(last, ["ldap.ann tty1 2023-11-15T22:13:20.000Z"]);
 * ```
 *
 * @param options The history (source, path or paths, rotated, root) and the users.
 * @returns The entries.
 * @throws {UtmpFileError} When the history cannot be read.
 * @throws {UtmpFormatError} When a file's layout cannot be recognised.
 */
export async function* lastLoginsFromHistory(
  options: LastLoginsFromHistoryOptions = {},
): AsyncGenerator<LastLogin, void, undefined> {
  const only = options.users === undefined ? undefined : new Set(options.users);
  // One entry per user, of strings only: no record (nor the chunk it reads from) is held.
  const newest = new Map<string, { ms: number; line: string; host: string; service: string }>();
  for await (const u of history(options)) {
    if (lastType(u) !== "USER_PROCESS") continue;
    const user = u.ut_user;
    if (only !== undefined && !only.has(user)) continue;
    const ms = u.ut_tv.tv_sec * 1000 + Math.floor(u.ut_tv.tv_usec / 1000);
    const held = newest.get(user);
    // The later in the history wins, as lslogins takes the last record; equal times: the later record.
    if (held === undefined || ms >= held.ms) {
      const line = u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u.ut_line;
      newest.set(user, { ms, line, host: u.ut_host, service: u.ut_service ?? "" });
    }
  }
  const uids = uidsByName(new TextDecoder().decode(await Root.of(options.root).passwd()));
  for (const user of [...newest.keys()].sort()) {
    const { ms, line, host, service } = newest.get(user)!;
    yield { user, uid: uids.get(utf8String(user)) ?? -1, time: new Date(ms), line, host, service };
  }
}
