/**
 * The cut-suffix property over every fixture of both trees (tests/fixtures
 * and ../shared/fixtures, the GPL and AGPL ones read in place, never copied):
 * every suffix of a file cut at a record boundary, as rotation and truncated
 * copies leave it, is detected as the same layout as the whole file, or
 * refused; never as another layout. Both detectors are held to it (login
 * records and lastlog), at the boundaries of the layout the whole file is
 * detected as (its frames for utx.log), or at those of every record size when
 * neither detector takes the whole file (the Berkeley DB lastlogx, the
 * all-0xFF record).
 *
 * Run with `deno task conformance`.
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "../tests/_harness.ts";
import { FIXTURES, SHARED_FIXTURES } from "../tests/_util.ts";
import { cutSuffixViolations, JUDGED_AT } from "../tests/layouts/_suffix.ts";

/** Binary files under a tree: not the text twins, the MANIFEST or util-linux's text vectors. */
function* binaries(root: string): Generator<string> {
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) yield* binaries(path);
    else if (!/\.(txt|jsonl|md)$/.test(name) && !/^(txt-|subsec|expected-)/.test(name)) yield path;
  }
}

/** Every fixture once, by its path in the corpus (tests/fixtures holds copies of some shared ones). */
const files = new Map<string, string>();
for (const root of [FIXTURES, SHARED_FIXTURES]) {
  if (!existsSync(root)) continue;
  for (const path of binaries(root)) {
    const name = relative(root, path);
    if (!files.has(name)) files.set(name, path);
  }
}

test("cut-suffix corpus holds both fixture trees", () => {
  assert.ok(existsSync(SHARED_FIXTURES), `missing ${SHARED_FIXTURES}`);
  assert.ok(files.has("util-linux/wtmp-a.BE") && files.has("dissect-target/lastlog"), "the shared corpus");
  assert.ok(files.has("s4/FreeBSD13.1/x86_64/utx.log") && files.has("plaso/utmp_s390"), "tests/fixtures");
  assert.ok(files.size >= 80, `only ${files.size} files`);
});

for (const [name, path] of files) {
  test(`detectLayout() and detectLastlogLayout() detect every cut suffix of ${name} as the whole, or refuse it`, () => {
    const { violations, checked } = cutSuffixViolations(new Uint8Array(readFileSync(path)), JUDGED_AT);
    assert.deepEqual(violations, [], `${violations.length} of ${checked} suffixes`);
  });
}
