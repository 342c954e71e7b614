/**
 * `utmp lastlog` against the installed shadow `lastlog` (4.13), byte for
 * byte. shadow's lastlog reads only /var/log/lastlog and /etc/passwd, so
 * both run on a generated system tree with `-R DIR` (it chroots: root only).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { encodeRecord, LAYOUTS } from "../../src/layouts/mod.ts";
import { random } from "./_gen.ts";
import { oracle, ours, utf8Of } from "./_run.ts";
import { lastlogs } from "../../mod.ts";
import { chooseSource } from "../../src/sources/mod.ts";
import { where } from "../sources/_build.ts";
import { utf8String } from "../../src/_internal/bytes.ts";
import { left } from "../../src/cli/_text.ts";
import { all } from "../_collect.ts";

const NOW = Math.floor(Date.now() / 1000);
const canChroot = process.platform === "linux" && process.getuid?.() === 0;

/** A system tree: etc/passwd with users in random uid order, var/log/lastlog with some of their slots. */
function makeRoot(dir: string, seed: number, uidMax?: number): string[] {
  const r = random(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const names = [
    "root",
    "daemon",
    "alice",
    "bob",
    "carol",
    "dave",
    "a-rather-long-user-name",
    "jürgen",
    "svc",
    "nobody",
  ];
  const uids = [0, 1, 1000, 1001, 1002, 1003, 1004, 1005, 999, 65534];
  const lines = names.map((n, i) => `${n}:x:${uids[i]}:${uids[i]}::/home/${n}:/bin/sh`);
  // What getpwent skips or reads twice: the parser (src/_internal/passwd.ts) must agree with shadow's lastlog on each.
  lines.splice(
    3,
    0,
    "# a comment",
    "",
    "broken line",
    "dup:x:1000:1000::/x:/bin/sh",
    "+nisuser::0:0:::",
    "-blocked:x:1:1::/:/bin/sh",
    "short:x:5",
    ":x:6:6::/:/bin/sh",
    "letters:x:abc:7::/:/bin/sh",
    "bob:x:1009:1009::/home/bob2:/bin/sh",
    "  spaced:x:1006:1006::/:/bin/sh",
    "neg:x:-1:0::/:/bin/sh",
    "huge:x:99999999999999999999999:0::/:/bin/sh",
    "nogid:x:1004:",
    "+",
    "+empty::::::",
    "trailing:x:1001x:1:::",
  );
  mkdirSync(join(dir, "etc"), { recursive: true });
  mkdirSync(join(dir, "var/log"), { recursive: true });
  writeFileSync(join(dir, "etc/passwd"), lines.join("\n") + "\n");
  if (uidMax !== undefined) writeFileSync(join(dir, "etc/login.defs"), `LASTLOG_UID_MAX ${uidMax}\n`);
  const layout = LAYOUTS["lastlog-linux"];
  const highest = seed % 2 === 0 ? 1004 : 65534;
  const file = new Uint8Array((highest + 1) * layout.size);
  for (const uid of uids.filter((u) => u <= highest)) {
    if (r() < 0.25) continue;
    encodeRecord(
      layout,
      {
        ut_line: ["tty1", "pts/0", "pts/12345678", ":0", ""][int(0, 4)]!,
        ut_host: ["", "192.168.1.100", "2001:db8::42", "h".repeat(60), "höst.example"][int(0, 4)]!,
        tv_sec: r() < 0.15 ? 0 : r() < 0.5 ? NOW - int(0, 40 * 86400) : int(1e8, 2 ** 31 - 1),
      },
      file,
      uid * layout.size,
    );
  }
  writeFileSync(join(dir, "var/log/lastlog"), file);
  return names;
}

test("main() lastlog prints what shadow's lastlog prints, for generated systems", async () => {
  using tmp = tempDir();
  for (const seed of [1, 2, 3, 4]) {
    const root = join(tmp.dir, `root${seed}`);
    makeRoot(root, seed, seed === 3 ? 1002 : undefined);
    const variants = [
      [],
      ["-u", "alice"],
      ["-u", "1001"],
      ["-u", "1000-1003"],
      ["-u", "1002-"],
      ["-u", "-1000"],
      ["--user", "root"],
      ["-u", "4242"],
      ["-t", "7"],
      ["--time", "30"],
      ["-b", "10"],
      ["-b", "100000", "-u", "1-"],
    ];
    for (const v of variants) {
      const args = ["-R", root, ...v];
      const mine = await ours(["lastlog", ...args]);
      const theirs = oracle("lastlog", args);
      assert.equal(mine.out, theirs.out, `lastlog ${args.join(" ")}`);
      assert.equal(mine.code, theirs.code);
    }
  }
}, { ignore: !canChroot });

test("main() lastlog --file and --json read the slots of the password file's users", async () => {
  using tmp = tempDir();
  const root = join(tmp.dir, "root");
  makeRoot(root, 5);
  const json = JSON.parse(utf8Of((await ours(["lastlog", "-R", root, "--json", "-u", "alice"])).out));
  assert.equal(json.length, 1);
  assert.equal(json[0].user, "alice");
  assert.equal(json[0].uid, 1000);
  const viaFile = await ours(["lastlog", "-R", root, "--file", join(root, "var/log/lastlog")]);
  assert.equal(viaFile.out, (await ours(["lastlog", "-R", root])).out);
  const missing = await ours(["lastlog", "-R", root, "--file", join(root, "nothing")]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^utmp lastlog: Cannot open "[^"]+": no such file \(ENOENT\)/);
});

test(
  "lastlogs() reads a lastlog file's used slots as shadow's lastlog shows them, named from the password file",
  async () => {
    using tmp = tempDir();
    for (const seed of [1, 2]) {
      const root = join(tmp.dir, `root${seed}`);
      const names = makeRoot(root, seed);
      assert.deepEqual(where(await chooseSource("lastlog", { root })), {
        source: "lastlog",
        path: join(root, "var/log/lastlog"),
      });
      const entries = await all(lastlogs({ root }));
      assert.ok(entries.length > 3, `${entries.length} entries`);
      // Each user with a uid of its own: shadow's line says whether and where the user logged in.
      for (const name of names.filter((n) => n !== "bob")) {
        const line = oracle("lastlog", ["-R", root, "-u", name]).out.split("\n")
          .find((l) => l.startsWith(left(utf8String(name), 16) + " "));
        assert.ok(line !== undefined, name);
        const e = entries.find((e) => e.user === name);
        if (line.endsWith("**Never logged in**")) {
          // An unused slot is no entry; a slot with a line or host but no time is given as stored (LastlogFile).
          assert.ok(e === undefined || e.time.getTime() === 0, name);
          continue;
        }
        assert.ok(e !== undefined, `${name} logged in: ${line}`);
        assert.equal(e.service, "");
        const sec = String(e.time.getTime() / 1000);
        const when = oracle("date", ["-d", `@${sec}`, "+%a %b %e %H:%M:%S %z %Y"]).out.trim();
        assert.equal(
          line,
          `${left(utf8String(e.user), 16)} ${left(utf8String(e.line), 8, 8)} ${left(utf8String(e.host), 42)}${when}`,
        );
      }
    }
  },
  { ignore: !canChroot },
);
