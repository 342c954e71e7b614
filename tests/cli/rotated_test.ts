/**
 * Rotated sets made by logrotate itself (`copytruncate` and `create`, with
 * `compress` and `delaycompress`), read with `--rotated` / `rotated: true`:
 * compared with util-linux `last` over the concatenation of the members,
 * decompressed by `gzip -d`, oldest first (what one history of them is).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "../_harness.ts";
import { parseDumpLine, tempDir, utmpdump } from "../_util.ts";
import { failureSummary } from "../../src/failures.ts";
import { lastLoginsFromHistory } from "../../src/history_logins.ts";
import { lastSessions } from "../../src/last.ts";
import { history, type LastLogin, rotatedSet } from "../../src/sources/mod.ts";
import { btmpScenario, encode, type GenRecord, wtmpScenario } from "./_gen.ts";
import { oracle, ours, utf8Of } from "./_run.ts";
import { all } from "../_collect.ts";

/** logrotate, in /usr/sbin: not on every PATH (a user's, CI's stripped one). */
const LOGROTATE = existsSync("/usr/sbin/logrotate") ? "/usr/sbin/logrotate" : "logrotate";

/** Runs a command that must succeed. */
function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args);
  if (r.error !== undefined) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/**
 * A rotated set made by logrotate: `records` written to DIR/NAME in `parts`
 * pieces, logrotate run (forced, private config and state) after each but
 * the last; the members' concatenation, oldest first, in DIR/all.
 */
function rotatedByLogrotate(
  dir: string,
  name: string,
  records: readonly GenRecord[],
  parts: number,
  mode: "copytruncate" | "create",
): { current: string; all: string; members: string[] } {
  const current = join(dir, name);
  const conf = join(dir, "logrotate.conf");
  writeFileSync(
    conf,
    `${current} {\n  rotate 9\n  ${mode === "create" ? "create 0664 root root" : "copytruncate"}\n` +
      "  compress\n  delaycompress\n  missingok\n}\n",
  );
  writeFileSync(current, new Uint8Array(0));
  const per = Math.ceil(records.length / parts);
  for (let p = 0; p < parts; p++) {
    appendFileSync(current, encode(records.slice(p * per, (p + 1) * per)));
    if (p < parts - 1) must(LOGROTATE, ["-f", "-s", join(dir, "state"), conf]);
  }
  const members = readdirSync(dir).filter((f) => f === name || f.startsWith(name + ".")).sort((a, b) => {
    const n = (f: string) => f === name ? 0 : Number(f.split(".")[1]);
    return n(b) - n(a);
  }).map((f) => join(dir, f));
  const all = join(dir, "all");
  writeFileSync(all, new Uint8Array(0));
  for (const m of members) {
    const r = spawnSync("gzip", ["-dcf", m], { maxBuffer: 1 << 28 });
    assert.equal(r.status, 0);
    appendFileSync(all, r.stdout);
  }
  return { current, all, members };
}

const VARIANTS = [[], ["-x"], ["-F", "-w"], ["-n", "9"], ["-x", "--time-format", "iso"]];

for (const mode of ["copytruncate", "create"] as const) {
  test(`main() last --rotated over logrotate's ${mode} set prints what util-linux last prints for the members joined`, async () => {
    using tmp = tempDir();
    const records = wtmpScenario(71, { events: 600, start: 1000000000 });
    const set = rotatedByLogrotate(tmp.dir, "wtmp", records, 4, mode);
    assert.deepEqual(set.members.map((m) => basename(m)), ["wtmp.3.gz", "wtmp.2.gz", "wtmp.1", "wtmp"]);
    assert.deepEqual(await rotatedSet(set.current), set.members);
    // The tools' round trip is the history as written.
    assert.deepEqual(readFileSync(set.all), Buffer.from(encode(records)));
    for (const v of VARIANTS) {
      const theirs = oracle("last", ["-f", set.all, ...v]);
      const mine = await ours(["last", "--rotated", "-f", set.current, ...v]);
      assert.equal(mine.err, "");
      assert.equal(mine.out, theirs.out.replace("\nall begins ", "\nwtmp.3.gz begins "), v.join(" "));
    }
    // Repeated -f stays util-linux's: one file at a time (members decompressed for it).
    must("sh", ["-c", `gzip -dc '${set.members[1]}' > '${tmp.dir}/w2'`]);
    const theirs = oracle("last", ["-f", set.members[2]!, "-f", join(tmp.dir, "w2")]);
    const mine = await ours(["last", "-f", set.members[2]!, "-f", set.members[1]!]);
    assert.equal(mine.out, theirs.out.replace("\nw2 begins ", "\nwtmp.2.gz begins "));
  });
}

test("main() lastb --rotated over logrotate's set prints what util-linux lastb prints for the members joined", async () => {
  using tmp = tempDir();
  const set = rotatedByLogrotate(tmp.dir, "btmp", btmpScenario(72, 1300000000, 500), 3, "create");
  for (const v of [[], ["-w"], ["-n", "20"]]) {
    const theirs = oracle("lastb", ["-f", set.all, ...v]);
    const mine = await ours(["lastb", "--rotated", "-f", set.current, ...v]);
    assert.equal(mine.out, theirs.out.replace("\nall begins ", "\nbtmp.2.gz begins "), v.join(" "));
  }
});

test("lastSessions() and history() with rotated: true pair a login in one member with its logout in the next", async () => {
  using tmp = tempDir();
  const set = rotatedByLogrotate(tmp.dir, "wtmp", wtmpScenario(73, { events: 400, start: 1100000000 }), 4, "create");
  // history(): every record of the members, oldest first, as utmpdump reads their concatenation.
  const times: number[] = await all(history({ path: set.current, rotated: true }), (u) => u.ut_tv.tv_usec);
  assert.deepEqual(times, utmpdump(set.all).map((line) => Number(/,(\d{6})[+-]\d\d:\d\d\]$/.exec(line)![1])));
  // lastSessions(): the sessions util-linux last lists for the joined file, each naming its files.
  const theirs = oracle("last", ["-f", set.all, "-x", "--time-format", "iso"]).out.split("\n").filter((l) =>
    /^\S/.test(l) && !l.startsWith("all begins")
  );
  const sessions = await all(lastSessions(set.current, { rotated: true, isAlive: () => false }));
  assert.equal(sessions.length, theirs.length);
  const across = sessions.filter((s) => s.files !== undefined && s.logout !== null && s.files.logout !== s.files.login);
  assert.ok(across.length > 0, "a session spans two members");
  for (const s of across) {
    // The login is in its file and the logout in the newer one, as utmpdump reads each.
    const usec = (u: { ut_tv: { tv_usec: number } }) => String(u.ut_tv.tv_usec).padStart(6, "0");
    const dumped = (f: string) => {
      must("sh", ["-c", `gzip -dcf '${f}' > '${tmp.dir}/m'`]);
      return utmpdump(join(tmp.dir, "m")).join("\n");
    };
    assert.ok(dumped(s.files!.login).includes(`,${usec(s.login)}+`));
    assert.ok(dumped(s.files!.logout!).includes(`,${usec(s.logout!)}+`));
    assert.ok(set.members.indexOf(s.files!.logout!) > set.members.indexOf(s.files!.login));
  }
  // --json says the same.
  const json = JSON.parse(utf8Of((await ours(["last", "--rotated", "--json", "-f", set.current])).out));
  assert.ok(json.some((s: { files?: { login: string; logout: string } }) => s.files?.login !== s.files?.logout));
});

/** utmpdump's cleansing of a field (C locale): each byte outside printable ASCII as "?", trailing spaces dropped. */
function cleansed(text: string): string {
  let s = "";
  for (const ch of text) {
    // U+FFFD stands for a byte that is not UTF-8: one byte, one "?".
    if (ch === "\ufffd") s += "?";
    else for (const c of new TextEncoder().encode(ch)) s += c < 0x20 || c > 0x7e ? "?" : String.fromCharCode(c);
  }
  return s.replace(/ +$/, "");
}

type Counted = Map<string, { count: number; first: number; last: number }>;

function tally(into: Counted, key: string, count: number, first: number, last: number): void {
  const t = into.get(key);
  if (t === undefined) into.set(key, { count, first, last });
  else into.set(key, { count: t.count + count, first: Math.min(t.first, first), last: Math.max(t.last, last) });
}

/** The failures per address and per user as utmpdump reads the file (keys cleansed as utmpdump cleanses them). */
function dumpedFailures(path: string): { total: number; byAddress: Counted; byUser: Counted } {
  const byAddress: Counted = new Map();
  const byUser: Counted = new Map();
  const lines = utmpdump(path).map(parseDumpLine);
  for (const d of lines) {
    const ms = d.tv_sec * 1000 + Math.floor(d.tv_usec / 1000);
    tally(byAddress, d.addr === "0.0.0.0" ? d.host : d.addr, 1, ms, ms);
    tally(byUser, d.user, 1, ms, ms);
  }
  return { total: lines.length, byAddress, byUser };
}

/** Our counts, folded by utmpdump's cleansing (two keys it shows alike count as one). */
function folded(counts: readonly { key: string; count: number; first: string | Date; last: string | Date }[]): Counted {
  const out: Counted = new Map();
  for (const c of counts) tally(out, cleansed(c.key), c.count, +new Date(c.first), +new Date(c.last));
  return out;
}

test("failureSummary() and lastb --summary count a rotated btmp's failures as utmpdump reads the joined members", async () => {
  using tmp = tempDir();
  const set = rotatedByLogrotate(tmp.dir, "btmp", btmpScenario(74, 1250000000, 3000), 3, "copytruncate");
  const theirs = dumpedFailures(set.all);
  const summary = await failureSummary({ paths: [set.current], rotated: true });
  assert.equal(summary.total, theirs.total);
  assert.deepEqual(folded(summary.byAddress), theirs.byAddress);
  assert.deepEqual(folded(summary.byUser), theirs.byUser);
  // Most first.
  const counts = summary.byAddress.map((c) => c.count);
  assert.deepEqual(counts, counts.toSorted((a, b) => b - a));
  // The command line's JSON is the same summary; its text lists every key once per table.
  const json = JSON.parse(utf8Of((await ours(["lastb", "--summary", "--rotated", "--json", "-f", set.current])).out));
  assert.deepEqual(folded(json[0].byUser), theirs.byUser);
  const text = await ours(["lastb", "--summary", "--rotated", "-f", set.current]);
  assert.equal(text.code, 0);
  assert.ok(text.out.startsWith(`${theirs.total} failed logins\n`));
  assert.equal(text.out.split("\n").length, 1 + 1 + 2 + summary.byAddress.length + 1 + 2 + summary.byUser.length + 1);
});

test("lastLoginsFromHistory() and lastlog --from-history give each user's newest login as util-linux last lists it", async () => {
  using tmp = tempDir();
  const records = wtmpScenario(75, { events: 800, start: 1150000000 });
  const set = rotatedByLogrotate(tmp.dir, "wtmp", records, 4, "create");
  const mine: LastLogin[] = await all(lastLoginsFromHistory({ path: set.current, rotated: true, root: tmp.dir }));
  const names = mine.map((e) => e.user).filter((u) => /^[a-z][a-z0-9]*$/.test(u));
  const listed = oracle("last", ["-f", set.all, "-w", "--time-format", "iso"]).out.split("\n");
  assert.ok(names.length >= 3, names.join(" "));
  for (const user of names) {
    // last lists the sessions newest first: the user's first line is the last login (not `last USER`, which
    // also matches a tty of that name).
    const first = listed.find((l) => l.split(" ")[0] === user)!;
    const [, line, when] = /^\S+\s+(\S+)\s+.*?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d)/.exec(first)!;
    const e = mine.find((m) => m.user === user)!;
    // last's line column holds 12 bytes, -w or not, and shows an "ftpPID" ("uucpPID") line as "ftp" ("uucp").
    assert.equal(/^(ftp|uucp)\d/.exec(e.line)?.[1] ?? e.line.slice(0, 12), line, user);
    assert.equal(Math.floor(e.time.getTime() / 1000), Date.parse(when!) / 1000, user);
    assert.equal(e.uid, -1, "no password file under the root: a directory user");
  }
  // Every user the history names in a login, as utmpdump lists the records and last.c reads a record as a login
  // (a user and a line, not a logout, not "LOGIN", not a "~" system record, not a "date" clock change).
  const dumped = new Set(
    utmpdump(set.all).map(parseDumpLine).filter((d) =>
      d.type !== 8 && d.user !== "" && d.line !== "" && !d.user.startsWith("LOGIN") && !d.line.startsWith("~") &&
      !(d.user.startsWith("date") && /^[|{]/.test(d.line))
    ).map((d) => d.user),
  );
  assert.deepEqual(new Set(mine.map((e) => cleansed(e.user))), dumped);
  // The command line: one line per user, by name, after lastlog's header.
  const ran = await ours(["lastlog", "--from-history", "--rotated", "--file", set.current]);
  assert.equal(ran.code, 0);
  const lines = ran.out.split("\n").filter((l) => l !== "");
  assert.match(lines[0]!, /^Username {9}Port {5}From {39}Latest$/);
  assert.equal(lines.length, mine.length + 1);
});
