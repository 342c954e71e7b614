/**
 * The one password file parser (`lastlog`'s user list, `last`'s uids,
 * lastlog2's uids) against glibc reading the same file: `getent -s files
 * passwd` lists a password file in file order as `getpwent` returns it. The
 * crafted file is put in place of /etc/passwd with a bind mount in a mount
 * namespace of its own (root only); this machine's /etc/passwd needs none.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { byteString } from "../src/_internal/bytes.ts";
import { passwdEntries, uidsByName } from "../src/_internal/passwd.ts";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";

/** glibc's entries of a password file: name and uid of each line `getent` prints. */
function getent(passwd?: string): { name: string; uid: number }[] {
  const args = ["-s", "files", "passwd"];
  const out = passwd === undefined ? execFileSync("getent", args, { encoding: "latin1" }) : execFileSync("unshare", [
    "-m",
    "sh",
    "-c",
    `mount --bind "$0" /etc/passwd && exec getent ${args.join(" ")}`,
    passwd,
  ], {
    encoding: "latin1",
    maxBuffer: 1 << 30,
  });
  return out.split("\n").filter((line) => line !== "").map((line) => {
    const [name, , uid] = line.split(":");
    return { name: name!, uid: Number(uid) };
  });
}

const canUnshare = process.platform === "linux" && process.getuid?.() === 0;

/** Lines getpwent takes, skips or reads in its own way: each one is a rule of files-parse.c. */
const CRAFTED = [
  "root:x:0:0:root:/root:/bin/sh",
  "# a comment",
  "",
  "   ",
  "  spaced:x:1003:1003::/:/bin/sh",
  "short:x:5",
  "nogid:x:1004:",
  "emptygid:x:1005::",
  ":x:6:6::/:/bin/sh",
  "letters:x:abc:7::/:/bin/sh",
  "trailing:x:1001x:1:::",
  "spaceafter:x:3 :0::/:/bin/sh",
  "zeros:x:00012:0::/:/bin/sh",
  "plus:x:\t+3:0::/:/bin/sh",
  "minuszero:x:-0:0::/:/bin/sh",
  "minusone:x:-1:0::/:/bin/sh",
  "wraps:x:-18446744073709551615:0::/:/bin/sh",
  "max:x:4294967295:0::/:/bin/sh",
  "over:x:4294967296:0::/:/bin/sh",
  "huge:x:99999999999999999999999:0::/:/bin/sh",
  "padded:x:000000000000000000000000012:0::/:/bin/sh",
  "minuszeros:x:-000000:0::/:/bin/sh",
  "wrapspadded:x:-0018446744073709551615:0::/:/bin/sh",
  "badgid:x:9:-1::/:/bin/sh",
  "bob:x:1001:1001::/home/bob:/bin/sh",
  "bob:x:1009:1009::/home/bob2:/bin/sh",
  "+",
  "-h",
  "+nisuser::0:0:::",
  "-blocked:x:1:1::/:/bin/sh",
  "+empty::::::",
  "+nouid:x::::/:/bin/sh",
  "+negative:x:-1:::/:/bin/sh",
  "+i:x",
  "+j:x:",
  "+k:x::",
  "jürgen:x:1010:1010::/:/bin/sh",
].join("\n") + "\n";

test("passwdEntries() lists this machine's /etc/passwd as getpwent does", () => {
  const entries = getent();
  assert.ok(entries.length > 10, `getent listed ${entries.length} users`);
  assert.deepEqual(passwdEntries(byteString(readFileSync("/etc/passwd"))), entries);
});

test("passwdEntries() takes and skips the lines getpwent takes and skips", () => {
  using t = tempDir();
  const file = t.file("passwd", CRAFTED);
  const entries = getent(file);
  assert.ok(entries.length > 15 && entries.some((e) => e.name === "wraps"), JSON.stringify(entries));
  // getent prints no uid for a compat entry ("+name", "-name"): tests/cli/lastlog_test.ts checks theirs.
  const compat = (name: string): boolean => name[0] === "+" || name[0] === "-";
  const ours = passwdEntries(byteString(readFileSync(file))).map((e) => compat(e.name) ? { ...e, uid: 0 } : e);
  assert.deepEqual(ours, entries);
}, { ignore: !canUnshare });

test("passwdEntries() and uidsByName() read a password file of 200,000 users as getpwent does", () => {
  using t = tempDir();
  const lines = Array.from(
    { length: 200_000 },
    (_, i) => `u${i}:x:${100000 + i}:${i % 7}:U ${i},,,:/home/u${i}:/bin/sh`,
  );
  const file = t.file("passwd", lines.join("\n") + "\n");
  assert.deepEqual(passwdEntries(byteString(readFileSync(file))), getent(file));
  assert.equal(uidsByName(byteString(readFileSync(file))).get("u199999"), 299999);
}, { ignore: !canUnshare });

test("uidsByName() gives each local user's uid as id -u looks it up", () => {
  const uids = uidsByName(byteString(readFileSync("/etc/passwd")));
  assert.ok(uids.has("root") && uids.has("nobody"));
  for (const [name, uid] of uids) {
    assert.equal(uid, Number(execFileSync("id", ["-u", name], { encoding: "utf8" })), name);
  }
});
