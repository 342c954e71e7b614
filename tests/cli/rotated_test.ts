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
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "../_harness.ts";
import { tempDir, utmpdump } from "../_util.ts";
import { lastSessions } from "../../src/last.ts";
import { history, rotatedSet } from "../../src/sources/mod.ts";
import { btmpScenario, encode, type GenRecord, wtmpScenario } from "./_gen.ts";
import { oracle, ours, utf8Of } from "./_run.ts";

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
    if (p < parts - 1) must("logrotate", ["-f", "-s", join(dir, "state"), conf]);
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
    const tmp = tempDir();
    try {
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
    } finally {
      tmp.cleanup();
    }
  });
}

test("main() lastb --rotated over logrotate's set prints what util-linux lastb prints for the members joined", async () => {
  const tmp = tempDir();
  try {
    const set = rotatedByLogrotate(tmp.dir, "btmp", btmpScenario(72, 1300000000, 500), 3, "create");
    for (const v of [[], ["-w"], ["-n", "20"]]) {
      const theirs = oracle("lastb", ["-f", set.all, ...v]);
      const mine = await ours(["lastb", "--rotated", "-f", set.current, ...v]);
      assert.equal(mine.out, theirs.out.replace("\nall begins ", "\nbtmp.2.gz begins "), v.join(" "));
    }
  } finally {
    tmp.cleanup();
  }
});

test("lastSessions() and history() with rotated: true pair a login in one member with its logout in the next", async () => {
  const tmp = tempDir();
  try {
    const set = rotatedByLogrotate(tmp.dir, "wtmp", wtmpScenario(73, { events: 400, start: 1100000000 }), 4, "create");
    // history(): every record of the members, oldest first, as utmpdump reads their concatenation.
    const times: number[] = [];
    for await (const u of history({ path: set.current, rotated: true })) times.push(u.ut_tv.tv_usec);
    assert.deepEqual(times, utmpdump(set.all).map((line) => Number(/,(\d{6})[+-]\d\d:\d\d\]$/.exec(line)![1])));
    // lastSessions(): the sessions util-linux last lists for the joined file, each naming its files.
    const theirs = oracle("last", ["-f", set.all, "-x", "--time-format", "iso"]).out.split("\n").filter((l) =>
      /^\S/.test(l) && !l.startsWith("all begins")
    );
    const sessions = [];
    for await (const s of lastSessions(set.current, { rotated: true, isAlive: () => false })) sessions.push(s);
    assert.equal(sessions.length, theirs.length);
    const across = sessions.filter((s) =>
      s.files !== undefined && s.logout !== null && s.files.logout !== s.files.login
    );
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
  } finally {
    tmp.cleanup();
  }
});
