/**
 * One JSON style for every command: the library's own objects (records as
 * their `toJSON()`, the rest with the library's property names), checked
 * against the library and against the text the tools print; and
 * `who --ips` against coreutils (Debian's 61_whoips.patch) on files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { encodeRecord, encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { addressOctets } from "../../src/sources/_plain.ts";
import { lastlogs, UtmpFile, type UtmpRecordObject } from "../../mod.ts";
import { oracle, ours, same, utf8Of } from "./_run.ts";
import { all } from "../_collect.ts";

const NOW = Math.floor(Date.now() / 1000);

/** Logins from every kind of address `--ips` tells apart, on terminals this machine has and has not. */
function sessionsFile(path: string): string {
  const hosts: [string, string][] = [
    ["192.0.2.7", "192.0.2.7"],
    ["v6.example", "2001:db8::7"],
    ["local.example", "fd00::1"],
    ["site.example", "fec0::2"],
    ["link.example", "fe80::1"], // not in the patch's IPv6 ranges: read as IPv4
    ["mapped.example", "::ffff:10.1.2.3"],
    ["loopback", "::1"],
    ["nohost", ""],
    ["", "198.51.100.9"],
    ["", ""],
  ];
  const records: RecordInput[] = [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: NOW - 86400 * 2 },
    ...hosts.map(([host, addr], i): RecordInput => ({
      ut_type: "USER_PROCESS",
      ut_pid: 1000 + i,
      ut_line: i % 3 === 0 ? "null" : `pts/${200 + i}`, // /dev/null: a device coreutils stats
      ut_id: `t${i}`,
      ut_user: `user${i}`,
      ut_host: host,
      ...(addr === "" ? {} : { ut_addr: addressOctets(addr)! }),
      tv_sec: NOW - 3600 * i,
    })),
    { ut_type: "DEAD_PROCESS", ut_line: "pts/9", ut_id: "t9", tv_sec: NOW - 60 },
  ];
  writeFileSync(path, encodeRecords(LAYOUTS.linux, records));
  return path;
}

test("main() who --ips prints what coreutils who --ips prints, address by address", async () => {
  using t = tempDir();
  const path = sessionsFile(t.file("utmp"));
  for (const args of [["--ips"], ["--ips", "-u"], ["--ips", "-a"], ["--ips", "-H", "-T"], ["--ips", "-q"]]) {
    await same("who", [...args, path]);
  }
});

test("main() who -u --json gives each user session's record with its idle time, as who -u shows it", async () => {
  using t = tempDir();
  const path = sessionsFile(t.file("utmp"));
  // who's run just before ours and just after: a terminal's idle minute may turn in between (see same()).
  const before = oracle("who", ["-u", path]).out.split("\n").filter((l) => l !== "");
  const items = JSON.parse(utf8Of((await ours(["who", "-u", "--json", path])).out)) as Record<string, unknown>[];
  const after = oracle("who", ["-u", path]).out.split("\n").filter((l) => l !== "");
  assert.equal(items.length, before.length);
  const records: UtmpRecordObject[] = (await all(new UtmpFile(path), (u) => u.toJSON()))
    .filter((u) => u.ut_type === "USER_PROCESS");
  /** Whether `idle` is what a who -u line shows in its IDLE column. */
  const shows = (line: string, idle: unknown): boolean => {
    const column = line.slice(35, 41).trim();
    if (column === "?") return idle === null;
    if (typeof idle !== "number") return false;
    if (column === ".") return idle < 60;
    if (column === "old") return idle >= 86400;
    const [h, m] = column.split(":").map(Number);
    return Math.floor(idle / 60) === h! * 60 + m!;
  };
  items.forEach((item, i) => {
    const { idle, ...record } = item;
    // The record as the library gives it (times as ISO text), plus idle.
    assert.deepEqual(record, JSON.parse(JSON.stringify(records[i])));
    assert.ok(shows(before[i]!, idle) || shows(after[i]!, idle), `${idle} for: ${before[i]}`);
  });
  // Without the IDLE column (-s), the records alone.
  const short = JSON.parse(utf8Of((await ours(["who", "-s", "-u", "--json", path])).out)) as object[];
  assert.ok(short.every((r) => !("idle" in r)));
});

test("main() who -q --json gives the names and the count who -q prints", async () => {
  using t = tempDir();
  const path = sessionsFile(t.file("utmp"));
  const [names, count] = oracle("who", ["-q", path]).out.split("\n");
  for (const mode of ["--json", "--ndjson"]) {
    const out = utf8Of((await ours(["who", "-q", mode, path])).out);
    assert.equal(out.split("\n").length, 2, "one line");
    assert.deepEqual(JSON.parse(out), { users: names!.split(" "), count: Number(count!.split("=")[1]) });
  }
});

test("main() lastlog --json gives the objects lastlogs() gives", async () => {
  using t = tempDir();
  const root = t.dir;
  mkdirSync(join(root, "etc"));
  mkdirSync(join(root, "var/log"), { recursive: true });
  writeFileSync(
    join(root, "etc/passwd"),
    "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n",
  );
  const bytes = new Uint8Array(1002 * 292);
  bytes.set(encodeRecord(LAYOUTS["lastlog-linux"], { ut_line: "pts/3", ut_host: "192.0.2.7", tv_sec: NOW }), 0);
  bytes.set(encodeRecord(LAYOUTS["lastlog-linux"], { ut_line: "tty1", tv_sec: 1700000000 }), 1001 * 292);
  writeFileSync(join(root, "var/log/lastlog"), bytes);
  const printed = JSON.parse(utf8Of((await ours(["lastlog", "-R", root, "--json"])).out)) as { uid: number }[];
  const library = await all(lastlogs({ root }), (e) => JSON.parse(JSON.stringify(e)));
  // Every user of the password file; those lastlogs() gives, as it gives them.
  assert.deepEqual(printed.map((e) => e.uid), [0, 1000, 1001]);
  assert.deepEqual(printed.filter((e) => e.uid !== 1000), library);
  assert.deepEqual(printed[1], { user: "alice", uid: 1000, time: null, line: "", host: "", service: "" });
});
