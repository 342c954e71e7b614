/**
 * Compressed files read as they are: `utmp last -f wtmp.1.gz` against
 * util-linux `last -f` over the file the system's `gzip -d` (and `zstd -d`)
 * gives back, for files those tools compressed; what cannot be read is
 * refused by name.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { test } from "../_harness.ts";
import { tempDir, utmpdump } from "../_util.ts";
import { history } from "../../src/sources/mod.ts";
import { btmpScenario, encode, wtmpScenario } from "./_gen.ts";
import { oracle, ours } from "./_run.ts";
import { hasZstd } from "../../src/backends/_decompress.ts";
import { all } from "../_collect.ts";

/** Runs a compression tool (`gzip -k FILE`): it must succeed. */
function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args);
  if (r.error !== undefined) throw r.error;
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** `utmp CMD -f packed ARGS` is `CMD -f plain ARGS`, the file's name in the closing line aside. */
async function sameAsPlain(cmd: string, packed: string, plain: string, args: string[]): Promise<void> {
  const theirs = oracle(cmd, ["-f", plain, ...args]);
  const mine = await ours([cmd, "-f", packed, ...args]);
  assert.equal(mine.code, theirs.code, `${cmd} -f ${packed} ${args.join(" ")}`);
  assert.equal(mine.err, "");
  const named = theirs.out.replace(`\n${basename(plain)} begins `, `\n${basename(packed)} begins `);
  assert.equal(mine.out, named, `${cmd} -f ${packed} ${args.join(" ")}`);
}

const VARIANTS = [[], ["-x"], ["-F", "-w"], ["-n", "5"], ["--time-format", "iso", "-x"]];

test("main() last reads a gzip or zstd wtmp as util-linux last reads it decompressed", async () => {
  using tmp = tempDir();
  for (const seed of [61, 62]) {
    const plain = tmp.file(`wtmp${seed}`, encode(wtmpScenario(seed, { events: 900, start: 600000000 + seed })));
    tool("gzip", ["-k", "-9", plain]);
    tool("zstd", ["-q", "-k", plain]);
    // The tools' own round trip is the file util-linux reads.
    tool("sh", ["-c", `gzip -dc '${plain}.gz' > '${plain}.gunzipped'`]);
    assert.deepEqual(readFileSync(`${plain}.gunzipped`), readFileSync(plain));
    for (const v of VARIANTS) {
      await sameAsPlain("last", `${plain}.gz`, `${plain}.gunzipped`, v);
      if (hasZstd()) await sameAsPlain("last", `${plain}.zst`, plain, v);
    }
  }
});

test("main() lastb reads a gzip btmp as util-linux lastb reads it decompressed", async () => {
  using tmp = tempDir();
  const plain = tmp.file("btmp.1", encode(btmpScenario(63, 1200000000, 400)));
  tool("gzip", ["-k", plain]);
  for (const v of VARIANTS) await sameAsPlain("lastb", `${plain}.gz`, plain, v);
});

test("history() reads a gzip file's records as utmpdump reads the file decompressed", async () => {
  using tmp = tempDir();
  const plain = tmp.file("wtmp.2", encode(wtmpScenario(64, { events: 300, start: 700000000 })));
  tool("gzip", ["-k", plain]);
  const times: number[] = await all(history({ path: `${plain}.gz` }), (u) => u.ut_tv.tv_sec);
  const theirs = utmpdump(plain).map((line) => Date.parse(line.slice(-33, -14).replace(",", ".") + "Z") / 1000);
  assert.deepEqual(times, theirs.map(Math.floor));
});

test("main() last refuses an xz file, a cut gzip file and a zstd one the runtime cannot read, by name", async () => {
  using tmp = tempDir();
  const plain = tmp.file("wtmp.3", encode(wtmpScenario(65, { events: 2000, start: 800000000 })));
  tool("xz", ["-k", plain]);
  const xz = await ours(["last", "-f", `${plain}.xz`]);
  assert.equal(xz.code, 1);
  assert.match(xz.err, /^utmp last: Cannot read "[^"]*wtmp\.3\.xz": it is xz-compressed, [^\n]*\(ENOTSUP\)[^\n]*\n$/);
  tool("gzip", ["-k", plain]);
  const whole = readFileSync(`${plain}.gz`);
  const cut = tmp.file("cut.gz", whole.subarray(0, whole.length >> 1));
  const gz = await ours(["last", "-f", cut]);
  assert.equal(gz.code, 1);
  assert.equal(gz.out, "");
  assert.match(gz.err, /^utmp last: Cannot read "[^"]*cut\.gz": it is gzip-compressed and does not decompress/);
  // gzip itself calls it damaged.
  assert.notEqual(spawnSync("gzip", ["-t", cut]).status, 0);
  tool("zstd", ["-q", "-k", plain]);
  const zst = await ours(["last", "-f", `${plain}.zst`]);
  if (hasZstd()) assert.equal(zst.code, 0);
  else assert.match(zst.err, /^utmp last: Cannot read "[^"]*wtmp\.3\.zst": it is zstd-compressed, [^\n]*\(ENOTSUP\)/);
});
