/**
 * The libc backend on this machine's C library: `backend: "ffi"` must give
 * exactly the records (and warnings) of `backend: "file"` for every native
 * file, and libc's process-global state must never leak between loops.
 * Runs where the live C library can be used (Deno with --allow-ffi; Node and
 * Bun with koffi); the permission tests run under Deno only.
 */

import { CHUNK_BYTES } from "../../src/layouts/decode.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { LibcUnavailableError, UtmpFile, UtmpFileError, UtmpFormatError, type UtmpRecordObject } from "../../mod.ts";
import { FFI } from "../../src/backends/_ffi_select.ts";
import { encodeRecord, encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { all, collect } from "../_collect.ts";
import { test } from "../_harness.ts";
import { FIXTURES, openOn, tempDir, utmpdumpReverse } from "../_util.ts";
import { agree, dataFiles, LIBC_LIVE, LIVE } from "./_live.ts";

const inDeno = "Deno" in globalThis;

test("UtmpFile backend ffi reads every copied glibc 384-byte fixture exactly as backend file does", async () => {
  const compared: string[] = [];
  for (const path of dataFiles(FIXTURES)) {
    let layout: string;
    const probe = new UtmpFile(path, { backend: "file" });
    try {
      layout = (await probe.detect()).layout.name;
    } catch {
      continue; // not a utmp file of any layout (lastlog, garbage)
    } finally {
      await probe.close();
    }
    if (layout !== "linux") continue;
    await agree(path, { keepInvalid: true });
    await agree(path);
    compared.push(path.slice(FIXTURES.length + 1));
  }
  for (
    const known of [
      "plaso/utmp",
      "plaso/wtmp.1",
      "plaso/utmp_corrupted",
      "dtformats/utmp-linux_libc6",
      "linux-utmpx-rb/utmpx_ipv4.dump",
      "utmp-rs/long_user_32.utmp",
      "s4/CentOS7/x86_64/wtmp",
      "s4/Ubuntu22/x86_64/wtmp",
    ]
  ) assert.ok(compared.includes(known), `${known} was compared (compared: ${compared.join(", ")})`);
}, LIVE);

test(
  "UtmpFile backend ffi agrees with backend file on a file written by utmpdump -r with every record type",
  async () => {
    using tmp = tempDir();
    const text = [
      "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T22:13:20,000000+00:00]",
      "[1] [00053] [~~  ] [runlevel] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T22:13:21,123456+00:00]",
      "[5] [00611] [tty1] [        ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T22:13:22,000001+00:00]",
      "[6] [00611] [tty1] [LOGIN   ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T22:13:22,500000+00:00]",
      "[7] [04242] [ts/0] [alice   ] [pts/0       ] [192.0.2.7           ] [192.0.2.7      ] [2023-11-14T22:14:00,999999+00:00]",
      "[7] [04243] [ts/1] [abcdefghijklmnopqrstuvwxyz012345] [pts/1       ] [2001:db8::1         ] [2001:db8::1    ] [2023-11-14T22:15:00,000000+00:00]",
      "[8] [04242] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-14T23:00:00,000000+00:00]",
      "[3] [00000] [    ] [date    ] [|           ] [                    ] [0.0.0.0        ] [2023-11-15T00:00:00,000000+00:00]",
      "[4] [00000] [    ] [date    ] [{           ] [                    ] [0.0.0.0        ] [2023-11-15T00:00:05,000000+00:00]",
      "[0] [00000] [    ] [        ] [            ] [                    ] [0.0.0.0        ] [1970-01-01T00:00:00,000000+00:00]",
      "[9] [00001] [acct] [root    ] [            ] [                    ] [0.0.0.0        ] [2023-11-15T00:00:06,000000+00:00]",
      "[7] [00777] [:0  ] [carol   ] [:0          ] [:0                  ] [0.0.0.0        ] [2023-11-15T00:00:07,000000+00:00]",
    ];
    const path = utmpdumpReverse(text.join("\n") + "\n", tmp.file("wtmp"));
    const { records, warnings, layout } = await agree(path);
    assert.equal(layout, "linux");
    assert.deepEqual(warnings, []);
    assert.deepEqual(records.map((r) => r.ut_type_raw), [2, 1, 5, 6, 7, 7, 8, 3, 4, 0, 9, 7]);
    assert.deepEqual(
      [records[5]!.ut_user, records[5]!.ut_addr_text, records[4]!.ut_tv.tv_usec],
      ["abcdefghijklmnopqrstuvwxyz012345", "2001:db8::1", 999999],
    );
  },
  LIVE,
);

/** Records that reach every field and every edge the decoder handles (too odd for detection: read as "linux"). */
const LINUX = { layout: "linux" } as const;
const EDGES: RecordInput[] = [
  { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: 1700000000 },
  { ut_type: "USER_PROCESS", ut_pid: 0x7fffffff, ut_line: "l".repeat(32), ut_id: "abcd", ut_user: "u".repeat(32) },
  {
    ut_type: "USER_PROCESS",
    ut_host: "h".repeat(256),
    ut_addr: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  },
  { ut_type: "DEAD_PROCESS", e_termination: -2, e_exit: 300, ut_session: -1, tv_sec: 0xfffffff0, tv_usec: 999999 },
  { ut_type: "LOGIN_PROCESS", ut_user: new Uint8Array([0x72, 0xff, 0xfe, 0xc3]), ut_line: "tty\u00e9" },
  { ut_type_raw: 99, ut_user: "impossible" },
  { ut_type: "EMPTY", ut_pid: 12, ut_addr: [10, 0, 0, 5] },
];

test(
  "UtmpFile backend ffi agrees with backend file on odd records, a partial tail and strict mode",
  async () => {
    using tmp = tempDir();
    const path = tmp.file("utmp", encodeRecords(LAYOUTS.linux, EDGES));
    for (const options of [LINUX, { ...LINUX, keepInvalid: true }]) await agree(path, options);
    appendFileSync(path, new Uint8Array(100));
    const { warnings } = await agree(path, LINUX);
    assert.deepEqual(warnings.map((w) => [w.offset, w.recordIndex]), [[5 * 384, 5], [7 * 384, 7]]);
    assert.equal(warnings[1]!.reason, "file ends 100 bytes into a 384-byte record");
    // strict: the same error after the same good records.
    const failures: unknown[] = [];
    for (const backend of ["ffi", "file"] as const) {
      const seen: number[] = [];
      await assert.rejects(async () => {
        for await (const u of new UtmpFile(path, { ...LINUX, backend, strict: true })) seen.push(u.index);
      }, (e) => (failures.push([seen, e instanceof UtmpFormatError, (e as Error).message]), true));
    }
    assert.deepEqual(failures[0], failures[1]);
    assert.deepEqual(failures[0], [
      [0, 1, 2, 3, 4],
      true,
      `Cannot decode record 5 of "${path}" at byte offset 1920: impossible ut_type 99 for layout "linux"`,
    ]);
    // Empty and one-byte files.
    await agree(tmp.file("empty", new Uint8Array(0)));
    const { warnings: one } = await agree(tmp.file("one", new Uint8Array(1)));
    assert.equal(one.length, 1);
  },
  LIVE,
);

test("UtmpFile backend ffi agrees with backend file across several chunks", async () => {
  using tmp = tempDir();
  const per = Math.floor(CHUNK_BYTES / 384); // 384-byte records per chunk
  const n = 2 * per + 540;
  const bytes = new Uint8Array(n * 384);
  for (let i = 0; i < n; i++) {
    encodeRecord(
      LAYOUTS.linux,
      {
        ut_type: i % 2 === 0 ? "USER_PROCESS" : "DEAD_PROCESS",
        ut_pid: i,
        ut_user: `user${i}`,
        tv_sec: 1600000000 + i,
      },
      bytes,
      i * 384,
    );
  }
  const path = tmp.file("wtmp", bytes);
  const { records } = await agree(path);
  assert.deepEqual([records.length, records[n - 1]!.index, records[n - 1]!.offset], [n, n - 1, (n - 1) * 384]);
  const batches: number[] = await all(new UtmpFile(path, { backend: "ffi" }).batches(), (batch) => batch.length);
  assert.deepEqual(batches, [per, per, 540]);
}, LIVE);

/** Two distinct files, and what the decoder reads from each. */
async function twoFiles(
  tmp: ReturnType<typeof tempDir>,
): Promise<[string, string, UtmpRecordObject[], UtmpRecordObject[]]> {
  const a = join(FIXTURES, "plaso", "utmp");
  const b = tmp.file("b", encodeRecords(LAYOUTS.linux, EDGES));
  return [
    a,
    b,
    (await collect(a, { backend: "file" })).records,
    (await collect(b, { ...LINUX, backend: "file" })).records,
  ];
}

test("UtmpFile backend ffi gives two files iterated in turn each its own complete sequence", async () => {
  using tmp = tempDir();
  const [a, b, wantA, wantB] = await twoFiles(tmp);
  const ia = new UtmpFile(a, { backend: "ffi" })[Symbol.asyncIterator]();
  const ib = new UtmpFile(b, { ...LINUX, backend: "ffi" })[Symbol.asyncIterator]();
  const gotA: UtmpRecordObject[] = [];
  const gotB: UtmpRecordObject[] = [];
  for (let doneA = false, doneB = false; !doneA || !doneB;) {
    if (!doneA) {
      const r = await ia.next();
      if (r.done) doneA = true;
      else gotA.push(r.value.toJSON());
    }
    if (!doneB) {
      const r = await ib.next();
      if (r.done) doneB = true;
      else gotB.push(r.value.toJSON());
    }
  }
  assert.deepEqual(gotA, wantA);
  assert.deepEqual(gotB, wantB);
  // And concurrently, with the decoder reading alongside.
  const all = await Promise.all(
    [a, b, a, b].map((p, i) => collect(p, { ...LINUX, backend: i < 2 ? "ffi" : "file" })),
  );
  assert.deepEqual(all.map((c) => c.records), [wantA, wantB, wantA, wantB]);
}, LIVE);

test(
  "UtmpFile backend ffi holds no libc file while yielding, and a loop broken early leaves libc at rest",
  async () => {
    using tmp = tempDir();
    const path = tmp.file("utmp", readFileSync(join(FIXTURES, "plaso", "utmp")));
    const wantA = (await collect(path, { backend: "file" })).records;
    const file = new UtmpFile(path, { backend: "ffi" });
    const first: number[] = [];
    for await (const u of file) {
      // endutxent() ran before the first record was yielded: libc holds no descriptor on the file.
      assert.equal(openOn(path), 0);
      first.push(u.index);
      if (first.length === 3) break;
    }
    assert.equal(openOn(path), 0);
    // A new reader of the same file starts at the top (libc's cursor was not left mid-file).
    assert.deepEqual(
      (await collect(path, { backend: "ffi" })).records.map((r) => r.index),
      wantA.map((r) => r.index),
    );
    // The broken loop's file continues after the records it gave, as backend file does.
    const rest: number[] = await all(file, (u) => u.index);
    const byFile = new UtmpFile(path, { backend: "file" });
    for await (const _ of byFile) if (_.index === 2) break;
    const restByFile: number[] = await all(byFile, (u) => u.index);
    assert.deepEqual([first, rest], [[0, 1, 2], restByFile]);
    assert.equal(rest.length, wantA.length - 3);
  },
  LIVE,
);

test("UtmpFile backend ffi releases libc when the loop body throws, and the next loop continues", async () => {
  using tmp = tempDir();
  const [a, , wantA] = await twoFiles(tmp);
  const file = new UtmpFile(a, { backend: "ffi" });
  await assert.rejects(async () => {
    for await (const u of file) if (u.index === 4) throw new Error("stop at 4");
  }, /stop at 4/);
  assert.equal(openOn(a), 0);
  const rest: UtmpRecordObject[] = await all(file, (u) => u.toJSON());
  assert.deepEqual(rest, wantA.slice(5));
}, LIVE);

test("UtmpFile.rewind() with backend ffi reads the file afresh, seeing records written since", async () => {
  using tmp = tempDir();
  const path = tmp.file("utmp", encodeRecords(LAYOUTS.linux, EDGES.slice(0, 3)));
  const file = new UtmpFile(path, { ...LINUX, backend: "ffi" });
  const count = async () => {
    let n = 0;
    for await (const _ of file) n++;
    return n;
  };
  assert.equal(await count(), 3);
  appendFileSync(path, encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_user: "late" }));
  // As with backend file: a later loop continues after the last record and finds the new one.
  assert.equal(await count(), 1);
  file.rewind();
  assert.equal(await count(), 4);
  file.rewind();
  const { records } = await agree(path, LINUX);
  assert.equal(records.at(-1)!.ut_user, "late");
}, LIVE);

test(
  "UtmpFile backend ffi fails on a missing path with ENOENT, creating nothing, and on a directory with EISDIR",
  async () => {
    using tmp = tempDir();
    const missing = join(tmp.dir, "utmpx");
    await assert.rejects(
      () => collect(missing, { backend: "ffi" }),
      (e) => e instanceof UtmpFileError && e.code === "ENOENT" && e.path === missing,
    );
    assert.equal(existsSync(missing), false);
    await assert.rejects(
      () => collect(tmp.dir, { backend: "ffi" }),
      (e) => e instanceof UtmpFileError && e.code === "EISDIR",
    );
  },
  LIVE,
);

test("UtmpFile backend auto reads the system utmp through libc when FFI is permitted, other files by decoding", () => {
  assert.equal(new UtmpFile().backend, "ffi");
  assert.equal(new UtmpFile("/var/log/wtmp").backend, "file");
  assert.equal(new UtmpFile(join(FIXTURES, "plaso", "utmp_aarch64")).backend, "file");
}, LIVE);

test("FFI.open() lists the candidates it tried when none loads", async () => {
  await assert.rejects(
    () => FFI!.open(["/nonexistent/libc.so.6", "libnonexistent.so.1"], "linux"),
    (e) =>
      e instanceof LibcUnavailableError &&
      e.candidates.join() === "/nonexistent/libc.so.6,libnonexistent.so.1" &&
      /^Cannot load the C library: tried "\/nonexistent\/libc.so.6", "libnonexistent.so.1": .+; set UTMP_LIBC_PATH/
        .test(
          e.message,
        ),
  );
}, LIVE);

// --- Deno permissions ---------------------------------------------------------------------------------------------

const NO_FFI = { read: true, env: true, sys: true, ffi: false, run: false, write: false, net: false } as const;

test("UtmpFile without --allow-ffi: auto decodes without a prompt, backend ffi names --allow-ffi", async () => {
  const utmp = new UtmpFile();
  assert.equal(utmp.backend, "file");
  const path = join(FIXTURES, "plaso", "utmp");
  const auto = new UtmpFile(path);
  assert.equal((await collect(path)).records.length, 14);
  assert.equal(auto.backend, "file");
  await assert.rejects(
    () => collect(path, { backend: "ffi" }),
    (e) => e instanceof Error && e.name === "NotCapable" && /--allow-ffi/.test(e.message),
  );
}, { ignore: !inDeno || !LIBC_LIVE, permissions: NO_FFI });

/** Runs a module with `deno run` and the given flags; returns its stdout lines. */
function denoRun(flags: string[], code: string, env: Record<string, string> = {}): string[] {
  using tmp = tempDir();
  const script = tmp.file("probe.ts", code);
  const out = spawnSync(process.execPath, ["run", "--no-lock", ...flags, script], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim().split("\n");
}

const MOD = new URL("../../mod.ts", import.meta.url).href;

test("mod.ts imports and reads under deno run --allow-read alone: no --allow-ffi needed, no prompt", () => {
  const path = join(FIXTURES, "plaso", "utmp");
  const lines = denoRun(
    ["--allow-read"],
    `import { UtmpFile } from ${JSON.stringify(MOD)};
     const f = new UtmpFile(${JSON.stringify(path)});
     let n = 0;
     for await (const _ of f) n++;
     console.log(new UtmpFile().backend, f.backend, n);
     try { for await (const _ of new UtmpFile(${JSON.stringify(path)}, { backend: "ffi" })); }
     catch (e) { console.log(e.name, /--allow-ffi/.test(e.message)); }`,
  );
  assert.deepEqual(lines, ["file file 14", "NotCapable true"]);
}, { ignore: !inDeno || !LIBC_LIVE });

test("UTMP_LIBC_PATH names the C library to load first", () => {
  const path = join(FIXTURES, "plaso", "utmp");
  const libc = spawnSync("sh", ["-c", "ldconfig -p | sed -n 's/.*libc.so.6 (libc6,x86-64.*) => //p' | head -1"], {
    encoding: "utf8",
  }).stdout.trim();
  const code = `import { UtmpFile } from ${JSON.stringify(MOD)};
     const f = new UtmpFile(${JSON.stringify(path)}, { backend: "ffi" });
     console.log((await f.detect()).reason);`;
  const flags = ["--allow-read", "--allow-ffi", "--allow-env"];
  assert.deepEqual(denoRun(flags, code, { UTMP_LIBC_PATH: libc }), [
    `the C library's struct utmpx, read through "${libc}"`,
  ]);
  // A library that does not load is skipped for the system's own.
  assert.deepEqual(denoRun(flags, code, { UTMP_LIBC_PATH: "/nonexistent/libc.so.6" }), [
    `the C library's struct utmpx, read through "libc.so.6"`,
  ]);
}, { ignore: !inDeno || !LIBC_LIVE || process.arch !== "x64" });
