/**
 * `utmp last` escapes a character where util-linux's `fputs_careful` does:
 * where glibc's `iswprint()` refuses it. The table it asks
 * (src/_internal/escape/_iswprint.ts) is checked against the C library itself, code
 * point by code point, and scripts/iswprint.c writes it as it is committed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { tempDir, TESTS_DIR } from "../_util.ts";
import { iswprint } from "../../src/_internal/escape/util_linux.ts";

const canCompile = process.platform === "linux" && spawnSync("cc", ["--version"]).status === 0;

/** glibc's own answer for every code point from U+0080, in C.UTF-8: one "0" or "1" each. */
const ORACLE = String.raw`#include <locale.h>
#include <stdio.h>
#include <wctype.h>
int main(void) {
  if (setlocale(LC_ALL, "C.UTF-8") == NULL) return 1;
  for (unsigned c = 0x80; c < 0x110000; c++) putchar(iswprint((wint_t)c) ? '1' : '0');
  return 0;
}
`;

test(
  "iswprint() answers as glibc's iswprint() in C.UTF-8 for every code point, and scripts/iswprint.c writes its table",
  () => {
    using t = tempDir();
    const glibc = (source: string, name: string): string => {
      const exe = join(t.dir, name);
      const cc = spawnSync("cc", ["-O2", "-x", "c", "-o", exe, source]);
      assert.equal(cc.status, 0, cc.stderr?.toString());
      const ran = spawnSync(exe, [], { encoding: "latin1", maxBuffer: 1 << 22 });
      assert.equal(ran.status, 0);
      return ran.stdout;
    };
    // The repository's files (the compiled tests in npm/ find them through tests/).
    const repo = join(TESTS_DIR, "..");
    const committed = readFileSync(join(repo, "src/_internal/escape/_iswprint.ts"), "latin1");
    const written = glibc(join(repo, "scripts/iswprint.c"), "iswprint");
    const version = (text: string) => /glibc (\S+)'s/.exec(text)?.[1];
    if (version(written) !== version(committed)) {
      // Another C library than the one the table was written from: util-linux there escapes by its own.
      // deno-lint-ignore no-console
      console.log(
        `iswprint table is glibc ${version(committed)}'s; this machine has ${version(written)}: not compared`,
      );
      return;
    }
    assert.equal(written, committed, "src/_internal/escape/_iswprint.ts is what scripts/iswprint.c writes");
    const answers = glibc(t.file("oracle.c", ORACLE), "oracle");
    assert.equal(answers.length, 0x110000 - 0x80);
    const wrong: string[] = [];
    for (let cp = 0x80; cp < 0x110000; cp++) {
      if (iswprint(cp) !== (answers[cp - 0x80] === "1")) wrong.push(cp.toString(16));
    }
    assert.deepEqual(wrong.slice(0, 20), []);
    // What the categories of today's Unicode would have got wrong: format characters glibc prints as they are.
    assert.equal(iswprint(0x200b), true);
    assert.equal(iswprint(0x202e), true);
    assert.equal(iswprint(0x9b), false);
  },
  { ignore: !canCompile },
);
