/**
 * `watch()` over the systemd journal's failed logins (mode "journal"): the
 * failures already there with `from: "start"`, then each one a new journal
 * file brings, once; the same records `journalRecords()` reads from the
 * files `systemd-journal-remote` (Debian 13's) wrote.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { watch } from "../../mod.ts";
import { journalRecords } from "../../src/sources/journal.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { journalRemote, MACHINE_ID, syslogEntry } from "./_journal.ts";
import { all } from "../_collect.ts";

const at = (sec: number) => (1_700_000_000 + sec) * 1e6;
const failed = (sec: number, pid: number, user: string, host: string) =>
  syslogEntry(at(sec), "sshd-session", pid, `Failed password for ${user} from ${host} port ${40000 + pid} ssh2`);

test("watch() mode journal gives the journal's failed logins there, then each one a new journal file brings, once", async () => {
  const written = journalRemote({
    "system@1.journal": [
      failed(1, 101, "root", "192.0.2.1"),
      syslogEntry(at(2), "sshd-session", 102, "Accepted password for alice from 192.0.2.2 port 4 ssh2"),
      failed(3, 103, "admin", "192.0.2.3"),
    ],
    "system.journal": [failed(10, 201, "oracle", "198.51.100.9"), failed(11, 202, "test", "2001:db8::5")],
  });
  using t = tempDir();
  const dir = join(t.dir, "journal", MACHINE_ID);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "system@1.journal"), written.files["system@1.journal"]!);
  const show = (u: { ut_user: string; ut_host: string; ut_line: string; ut_tv: { tv_sec: number } }) =>
    `${u.ut_user} ${u.ut_host} ${u.ut_line} ${u.ut_tv.tv_sec}`;
  const before = (await all(journalRecords(join(t.dir, "journal")))).map(show);
  assert.deepEqual(before.map((l) => l.split(" ")[0]), ["root", "admin"], "the file's two failures");
  const controller = new AbortController();
  const events = watch(join(t.dir, "journal"), { interval: 20, from: "start", signal: controller.signal });
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of events) {
      assert.equal(e.type, "other", "a failed login, as a btmp record is");
      seen.push(show(e.record));
    }
  })();
  await events.ready;
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(join(dir, "system.journal"), written.files["system.journal"]!);
  await new Promise((r) => setTimeout(r, 400));
  controller.abort();
  await reading;
  const after = (await all(journalRecords(join(t.dir, "journal")))).map(show);
  assert.equal(after.length, 4);
  assert.deepEqual(seen, after, "every failure once, in time order");
});
