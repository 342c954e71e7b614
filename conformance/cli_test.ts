/**
 * The command line over ../shared/fixtures (GPL and AGPL files included,
 * read in place, never copied into the repository):
 *
 * - every Linux file with a utmpdump twin: `dump`, `who`, `users`, `last`
 *   and `lastb` against the installed util-linux/coreutils tools, byte for
 *   byte; files of another layout (big-endian, 64-bit) against the tools
 *   run on the same records rebuilt natively from their derived twin;
 * - util-linux's own expected `last` outputs (tests/expected/utmp), with
 *   the differences of its newer version spelled out;
 * - dissect.target's lastlog against shadow's `lastlog`.
 *
 * Run with `deno task conformance`.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../tests/_harness.ts";
import { SHARED_FIXTURES, tempDir } from "../tests/_util.ts";
import { bytesOf, oracle, ours } from "../tests/cli/_run.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../src/layouts/mod.ts";
import { UtmpFile } from "../mod.ts";
import { CORRUPT, present, twins } from "./_corpus.ts";

/**
 * The file's records written again in the native layout (glibc x86_64),
 * for the oracles, which read only that one. Our decoding of the file is
 * checked against its derived utmpdump twin first.
 */
async function nativeCopy(path: string, to: string): Promise<string> {
  const records: RecordInput[] = [];
  for await (const u of new UtmpFile(path, { keepInvalid: true })) {
    const raw = u.raw!;
    records.push({
      ut_type_raw: u.ut_type_raw,
      ut_pid: u.ut_pid,
      ut_line: raw.ut_line,
      ut_id: raw.ut_id,
      ut_user: raw.ut_user,
      ut_host: raw.ut_host,
      e_termination: u.ut_exit.e_termination,
      e_exit: u.ut_exit.e_exit,
      ut_session: u.ut_session,
      tv_sec: u.ut_tv.tv_sec,
      tv_usec: u.ut_tv.tv_usec,
      ut_addr: u.ut_addr,
    });
  }
  writeFileSync(to, encodeRecords(LAYOUTS.linux, records));
  return to;
}

const WHO = [[], ["-a"], ["-b"], ["-q"], ["-H", "-u"], ["-d"], ["-l", "-p", "-r", "-t"], ["-aH"]];
const LAST = [[], ["-x"], ["-F", "-w"], ["-i", "-a"], ["-R", "--time-format", "iso"], ["-n", "3", "-x"]];

for (const { twin, binary, name, derived } of twins.filter((t) => !CORRUPT.has(t.name))) {
  test(`main() reads ${name} as util-linux and coreutils read ${derived ? "its records rebuilt natively" : "it"}`, async () => {
    using tmp = tempDir();
    const dump = (await ours(["dump", binary])).out;
    if (derived) assert.equal(dump, readFileSync(twin, "latin1"), "dump");
    // The oracles read only the native layout: for another one, they read the same records rewritten natively.
    const native = derived ? await nativeCopy(binary, tmp.file("native")) : binary;
    const whole = statSync(binary).size % 384 === 0 || derived;
    assert.equal(dump, oracle("utmpdump", [native]).out, "dump");
    for (const v of WHO) {
      assert.equal((await ours(["who", ...v, binary])).out, oracle("who", [...v, native]).out, `who ${v}`);
    }
    assert.equal((await ours(["users", binary])).out, oracle("users", [native]).out, "users");
    // last reads a file from its end: with a partial record at the end it reads every record shifted (not followed).
    if (!whole) return;
    for (const v of LAST) {
      for (const tool of ["last", "lastb"] as const) {
        const mine = (await ours([tool, ...v, "-f", binary])).out;
        const theirs = oracle(tool, [...v, "-f", native]).out;
        // The closing line names the file read.
        assert.equal(
          mine.replace(/^\S+ begins/m, "FILE begins"),
          theirs.replace(/^\S+ begins/m, "FILE begins"),
          `${tool} ${v}`,
        );
      }
    }
  });
}

/**
 * The sections of util-linux's expected-last-* files and the options that
 * make them. Those of its newer version that mark a cut name with "*" are
 * compared with the marker counted as the cut-off character; its ISO
 * format no longer cuts names at all, which 2.38 does only with -w.
 */
const SECTIONS: Record<string, { file: string; args: string[] }> = {
  "basic output": { file: "wtmp-a", args: [] },
  "include system": { file: "wtmp-a", args: ["-x"] },
  "show ip": { file: "wtmp-a", args: ["-i", "torvalds"] },
  "no host": { file: "wtmp-a", args: ["-R", "torvalds"] },
  "full times shortopt": { file: "wtmp-a", args: ["-F"] },
  "full times longopt": { file: "wtmp-a", args: ["--fulltimes"] },
  "no time": { file: "wtmp-a", args: ["--time-format", "notime"] },
  "iso-8601 time": { file: "wtmp-a", args: ["--time-format", "iso", "-w"] },
  "since and until": { file: "wtmp-a", args: ["--since", "2013-08-28 03:00:00", "--until", "2013-08-28 08:30:00"] },
  "present": { file: "wtmp-a", args: ["--present", "2013-08-28 11:30:00"] },
};
const IPV6_SECTIONS: Record<string, string[]> = { "show ip": ["-i"], "show ip last": ["-a", "-i"] };

function sections(path: string): [string, string][] {
  return readFileSync(path, "latin1").split(/^~~~ (.+) ~~~\n/m).slice(1).reduce<[string, string][]>(
    (all, part, i, parts) => (i % 2 === 0 ? [...all, [part, parts[i + 1]!]] : all),
    [],
  );
}

/** Equal, but where `expected` has "*" for a name or host util-linux ≥ 2.40 cut short. */
function sameButCutMarks(actual: string, expected: string, label: string): void {
  const a = actual.split("\n");
  const e = expected.split("\n");
  assert.equal(a.length, e.length, label);
  a.forEach((line, i) => {
    const want = e[i]!;
    assert.equal(line.length, want.length, `${label}, line ${i + 1}`);
    for (let k = 0; k < line.length; k++) {
      if (line[k] !== want[k] && want[k] !== "*") assert.equal(line, want, `${label}, line ${i + 1}`);
    }
  });
}

test("main() last prints util-linux's expected outputs for wtmp-a and wtmp-ipv6, both byte orders", async () => {
  const dir = join(SHARED_FIXTURES, "util-linux");
  using tmp = tempDir();
  for (const order of ["LE", "BE"]) {
    // The expected text names the files "wtmp-a" and "wtmp-ipv6" (last prints the name).
    const sub = join(tmp.dir, order);
    mkdirSync(sub);
    for (const f of ["wtmp-a", "wtmp-ipv6"]) symlinkSync(join(dir, `${f}.${order}`), join(sub, f));
    const run = async (file: string, args: string[]) => (await ours(["last", "-f", join(sub, file), ...args])).out;
    for (const [title, text] of sections(join(dir, "expected/expected-last-nodns"))) {
      const s = SECTIONS[title];
      if (s === undefined) continue;
      const mine = await run(s.file, s.args);
      sameButCutMarks(mine, text, `${order} ${title}`);
      if (order === "LE") assert.equal(mine, oracle("last", ["-f", join(sub, s.file), ...s.args]).out, title);
    }
    for (const [title, text] of sections(join(dir, "expected/expected-last-ipv6-nodns"))) {
      const args = IPV6_SECTIONS[title]!;
      const mine = await run("wtmp-ipv6", args);
      sameButCutMarks(mine, text, `${order} ipv6 ${title}`);
      if (order === "LE") assert.equal(mine, oracle("last", ["-f", join(sub, "wtmp-ipv6"), ...args]).out, title);
    }
  }
}, { ignore: !present });

test("main() dump --reverse reads util-linux's test texts as utmpdump -r 2.38 does", async () => {
  const dir = join(SHARED_FIXTURES, "util-linux");
  for (const name of ["txt-a", "txt-a-old", "txt-b", "txt-b-old", "txt-ipv6", "txt-ipv6-old", "subsec"]) {
    const text = readFileSync(join(dir, name));
    const mine = await ours(["dump", "--reverse", join(dir, name)]);
    assert.equal(mine.out, oracle("utmpdump", ["-r"], text).out, name);
  }
  // util-linux's own expectations: the binary of txt-b dumps back to txt-b, that of txt-ipv6 to txt-ipv6.
  for (const name of ["txt-b", "txt-ipv6"]) {
    using tmp = tempDir();
    const bin = tmp.file("bin", bytesOf((await ours(["dump", "-r", join(dir, name)])).out));
    assert.equal((await ours(["dump", bin])).out, readFileSync(join(dir, name), "latin1"), name);
  }
  // Their newer utmpdump drops a fraction of more than six digits ("subsec"); 2.38, and we, keep its first digits.
  const subsec = (await ours(["dump", "-r", join(dir, "subsec")])).out;
  using tmp = tempDir();
  const dumped = (await ours(["dump", tmp.file("subsec", bytesOf(subsec))])).out;
  const expected = readFileSync(join(dir, "expected/expected-utmpdump-subsecond"), "latin1").split("\n").slice(1)
    .join("\n");
  assert.equal(dumped, expected.replace("12:00:00,000000", "12:00:00,12345678"));
}, { ignore: !present });

test("main() lastlog reads dissect.target's lastlog as shadow's lastlog does", async () => {
  using tmp = tempDir();
  mkdirSync(join(tmp.dir, "etc"));
  mkdirSync(join(tmp.dir, "var/log"), { recursive: true });
  writeFileSync(
    join(tmp.dir, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/bash\nuser:x:1000:1000::/home/user:/bin/bash\ntest:x:1001:1001::/home/test:/bin/sh\nnone:x:1002:1002::/:/bin/sh\n",
  );
  writeFileSync(join(tmp.dir, "var/log/lastlog"), readFileSync(join(SHARED_FIXTURES, "dissect-target/lastlog")));
  for (const v of [[], ["-u", "user"], ["-u", "1-1001"], ["-b", "1"]]) {
    const args = ["-R", tmp.dir, ...v];
    assert.equal((await ours(["lastlog", ...args])).out, oracle("lastlog", args).out, v.join(" "));
  }
}, { ignore: !present || process.getuid?.() !== 0 });
