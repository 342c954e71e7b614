/**
 * `utmp dump` and `utmp dump --reverse` against the installed util-linux
 * `utmpdump` and `utmpdump -r` (2.38.1), byte for byte, and the round trip.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { decodeRecords, encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { UtmpFile } from "../../src/utmp_file.ts";
import { btmpScenario, encode, utmpdumpText, utmpScenario, writeBoth, wtmpScenario } from "./_gen.ts";
import { bytesOf, NATIVE_FIXTURES, oracle, ours, utf8Of } from "./_run.ts";
import { all } from "../_collect.ts";

async function sameDump(path: string): Promise<void> {
  const mine = await ours(["dump", path]);
  assert.equal(mine.out, oracle("utmpdump", [path]).out, `dump ${path}`);
  assert.equal(mine.code, 0);
}

/** `dump --reverse` of the text equals `utmpdump -r` of it (both from standard input and from a file). */
async function sameReverse(text: string, label: string, file?: string): Promise<void> {
  const theirs = oracle("utmpdump", ["-r"], bytesOf(text)).out;
  const mine = await ours(["dump", "--reverse"], bytesOf(text));
  assert.equal(mine.out, theirs, `dump --reverse of ${label}`);
  if (file !== undefined) assert.equal((await ours(["dump", "-r", file])).out, theirs, `dump -r ${file}`);
}

test("main() dump prints what utmpdump prints, for generated files", async () => {
  using tmp = tempDir();
  for (const seed of [1, 2, 3]) {
    for (
      const [name, records] of [
        ["wtmp", wtmpScenario(seed, { events: 200, start: 300000000 * seed })],
        ["utmp", utmpScenario(seed, 1e9 + seed)],
        ["btmp", btmpScenario(seed, 1.2e9, 60)],
      ] as const
    ) {
      const files = writeBoth(tmp.file, `${name}${seed}`, records);
      await sameDump(files.encoded);
      await sameDump(files.reversed);
    }
  }
});

test("main() dump prints what utmpdump prints, for the copied fixtures", async () => {
  for (const path of NATIVE_FIXTURES) await sameDump(path);
});

test("main() dump --reverse writes what utmpdump -r writes, for generated text", async () => {
  using tmp = tempDir();
  for (const seed of [4, 5, 6]) {
    const files = writeBoth(tmp.file, `wtmp${seed}`, wtmpScenario(seed, { events: 200, start: 1e8 * seed }));
    await sameReverse(readFileSync(files.text, "latin1"), files.text, files.text);
    // And utmpdump's own text of a file.
    await sameReverse(oracle("utmpdump", [files.encoded]).out, `utmpdump ${files.encoded}`);
  }
});

test("main() dump --reverse writes what utmpdump -r writes, for the fixtures' text twins", async () => {
  for (const dir of readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const name of readdirSync(join(FIXTURES, dir.name)).filter((n) => n.endsWith(".utmpdump.txt"))) {
      const path = join(FIXTURES, dir.name, name);
      await sameReverse(readFileSync(path, "latin1"), path, path);
    }
  }
});

/** Lines that exercise utmpdump -r's parsing: the numbers, the 4-byte id, each field, the two time formats. */
const ODD_LINES = [
  "[7] [00010] [ipv6] [IPv6    ] [root        ] [dns-server          ] [1.2.3.4] [2013-08-28T20:30:40,123456+02:30]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-08-28T20:30:40+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-08-28T20:30:40,5]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-08-28T20:30:40,-5+00:00]",
  "[0] [00000] [ts/0] [nonvalid] [foo         ] [zero                ] [0.0.0.0        ] [2013-08-28T12:00:00,123456789+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-08-28 20:30:40]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [Wed Aug 28 20:30:40 2013 UTC]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [thu sep 01 1:2:3 1998]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [garbage]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] []",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [1700000000]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2038-01-19T03:14:08,000000+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-13-45T25:61:61,1+00:00]",
  "[77777] [1234567] [abcdef] [IPv6    ] [root        ] [dns-server          ] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[-3] [-0012] [ab  ] [u       ] [l           ] [h                   ] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [IPv6 x  ] [ro]ot        ] [dns-server          ] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [::ffff:1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4.5] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [01.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [::] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1::2:3:4:5:6:7] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1:2:3:4:5:6:7:8:9] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [fe80::abcd:12345] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00010] [ts/1] [r\u00c3\u00bcdiger] [pts/1       ] [h\u00f6st] [2001:db8::1] [2013-08-28T20:30:40,1+00:00]",
  `[7] [00010] [ts/1] [${"u".repeat(40)}] [${"l".repeat(40)}] [${
    "h".repeat(300)
  }] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]`,
  "hello",
  "",
  "  [7] [00010] [ts/1] [root    ] [pts/1       ] [host                ] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
];

/**
 * Lines where utmpdump -r gives up: it looks for the user field from byte 19
 * on, so short fields leave it looking past the last "[" (it then crashes or
 * stops); ours stops with exit code 1, having written nothing for the line.
 */
const BROKEN_LINES = [
  "[-3] [-0012] [ab] [u] [l] [h] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[ 7] [ 12] [idid] [u       ] [l           ] [h                   ] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]",
  "[7] [00001] [abcd] [u       ] [l           ] [h                   ] [1.2.3.4        ]",
];

test("main() dump --reverse parses odd lines as utmpdump -r parses them", async () => {
  for (const line of ODD_LINES) await sameReverse(line + "\n", JSON.stringify(line));
  await sameReverse(ODD_LINES.join("\n"), "all odd lines, no final newline");
  // fgets(buf, 1023): a longer line is read as two.
  await sameReverse(
    `[7] [1] [abcd] [u] [l] [${"h".repeat(1100)}] [1.2.3.4] [2013-08-28T20:30:40,1+00:00]\n`,
    "1100-byte host",
  );
});

test("main() dump --reverse warns on standard error for a line it skips, as utmpdump -r does", async () => {
  const mine = await ours(["dump", "-r"], bytesOf(`hello\n${ODD_LINES[0]}\n`));
  assert.equal(mine.code, 0);
  assert.equal(mine.out.length, 384);
  assert.match(mine.err, /^utmp dump: line 1: parse error: [^\n]*"hello\\n"\n$/);
});

test("main() dump --reverse stops with exit code 1 at a line where utmpdump -r gives up", async () => {
  for (const line of BROKEN_LINES) {
    const theirs = oracle("utmpdump", ["-r"], bytesOf(line + "\n"));
    assert.notEqual(theirs.code, 0);
    assert.equal(theirs.out, "");
    const mine = await ours(["dump", "-r"], bytesOf(line + "\n"));
    assert.equal(mine.code, 1);
    assert.equal(mine.out, "");
    assert.match(mine.err, /^utmp dump: Cannot parse utmpdump line 1: it has no bracketed \w+ field\n$/);
  }
  const mine = await ours(["dump", "-r"], bytesOf(`${ODD_LINES[0]}\n${BROKEN_LINES[2]}\n`));
  assert.equal(mine.code, 1);
  assert.equal(mine.out.length, 384, "the records before the line are written");
  assert.equal(mine.err, "utmp dump: Cannot parse utmpdump line 2: it has no bracketed time field\n");
});

const printable = (v: Uint8Array): Uint8Array =>
  v.map((c) => (c > 0x20 && c < 0x7f && c !== 0x5b && c !== 0x5d ? c : 0x5f));

test("main() dump then dump --reverse gives back the bytes utmpdump -r wrote", async () => {
  using tmp = tempDir();
  for (const seed of [7, 8]) {
    // What utmpdump's text can carry: printable ASCII without spaces and brackets, no IPv4-in-IPv6 address.
    const records = wtmpScenario(seed, { events: 150, start: 5e8 }).map((r) => ({
      ...r,
      ut_user: printable(r.ut_user),
      ut_line: printable(r.ut_line),
      ut_host: printable(r.ut_host),
      ut_id: printable(r.ut_id),
      ut_addr: r.ut_addr.length === 16 && r.ut_addr.slice(0, 10).every((o) => o === 0) ? [0, 0, 0, 0] : r.ut_addr,
    }));
    const files = writeBoth(tmp.file, `wtmp${seed}`, records);
    const text = (await ours(["dump", files.reversed])).out;
    const back = tmp.file(`back${seed}`);
    assert.equal((await ours(["dump", "--reverse", "--output", back], bytesOf(text))).code, 0);
    assert.deepEqual(new Uint8Array(readFileSync(back)), new Uint8Array(readFileSync(files.reversed)));
  }
});

test("main() dump --reverse --layout writes another layout with the same records", async () => {
  using tmp = tempDir();
  const text = utmpdumpText(wtmpScenario(9, { events: 60, start: 6e8 }));
  const native = oracle("utmpdump", [tmp.file("wtmp", bytesOf(oracle("utmpdump", ["-r"], bytesOf(text)).out))]).out;
  for (const layout of ["linux-be", "linux64", "linux64-be"]) {
    const path = tmp.file(`wtmp.${layout}`);
    assert.equal((await ours(["dump", "-r", "--layout", layout, "-o", path], bytesOf(text))).code, 0);
    assert.equal(readFileSync(path).length, (text.split("\n").length - 1) * LAYOUTS[layout as "linux-be"].size);
    assert.equal((await ours(["dump", "--layout", layout, path])).out, native, layout);
  }
});

test("main() dump prints a 32-bit time past 2038 as unsigned, where utmpdump 2.38 with glibc 2.36 goes back to 1901", async () => {
  using tmp = tempDir();
  const path = tmp.file(
    "wtmp",
    encodeRecords(LAYOUTS.linux, [{
      ut_type: "BOOT_TIME",
      ut_line: "~",
      ut_user: "reboot",
      tv_sec: 2 ** 31 + 5,
      tv_usec: 7,
    }]),
  );
  const line = " [reboot  ] [~           ] [                    ] [0.0.0.0        ] [";
  assert.equal((await ours(["dump", path])).out, `[2] [00000] [    ]${line}2038-01-19T03:14:13,000007+00:00]\n`);
  assert.equal(oracle("utmpdump", [path]).out, `[2] [00000] [    ]${line}1901-12-13T20:45:57,000007+00:00]\n`);
});

test("main() dump --json and --ndjson print every record as UtmpFile reads it", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encode(wtmpScenario(10, { events: 40, start: 7e8 })));
  const expected = await all(new UtmpFile(path, { keepInvalid: true }), (u) => JSON.parse(JSON.stringify(u)));
  const json = await ours(["dump", "--json", path]);
  assert.deepEqual(JSON.parse(utf8Of(json.out)), expected);
  const ndjson = await ours(["dump", "--ndjson", path]);
  assert.deepEqual(utf8Of(ndjson.out).trimEnd().split("\n").map((l) => JSON.parse(l)), expected);
  const records = [...decodeRecords(readFileSync(path), LAYOUTS.linux)];
  assert.equal(expected.length, records.length);
});

test("main() dump -r -o names an output it cannot write in one line, where utmpdump says 'cannot open', with its exit code", async () => {
  using tmp = tempDir();
  const text = tmp.file("w.txt", oracle("utmpdump", [join(FIXTURES, "utmp-rs/with_host_32.utmp")]).out);
  const file = tmp.file("plain", "x");
  const missing = join(tmp.dir, "no-such-dir", "x");
  const cases: [string, string, string][] = [
    [missing, "No such file or directory", "no such directory (ENOENT); check the path"],
    [tmp.dir, "Is a directory", "it is a directory (EISDIR); name a file to write"],
    [join(file, "x"), "Not a directory", "a component of the path is not a directory (ENOTDIR)"],
  ];
  for (const [output, strerror, words] of cases) {
    const theirs = oracle("utmpdump", ["-r", "-o", output, text]);
    assert.equal(theirs.err, `utmpdump: cannot open ${output}: ${strerror}\n`);
    assert.deepEqual(await ours(["dump", "-r", "-o", output, text]), {
      code: theirs.code,
      out: "",
      err: `utmp dump: Cannot write "${output}": ${words}\n`,
    });
  }
});
