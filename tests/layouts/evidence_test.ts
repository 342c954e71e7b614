/**
 * Login-record files as an analyst finds them, not tidy and modern: a
 * sysvinit-era wtmp (half its records INIT_PROCESS and DEAD_PROCESS with no
 * line and no user) cut at every record, as rotation and truncated copies
 * leave it; the same on a machine without a battery clock (1970); a router's
 * one-record utmp; records of 44, 52 and 56 bytes, layouts the library does
 * not know; a btmp whose first failed logins carry hostile names; an aarch64
 * lastlog whose first 41 KB are zero. Files are made with `utmpdump -r` and
 * the encoder, and read back field by field against `utmpdump`, util-linux
 * `lastb` and the records written.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { UtmpFile, UtmpFormatError } from "../../mod.ts";
import { decodeRecords, detectLayout, encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { formatUtmpdumpLine } from "../../src/utmpdump.ts";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir, utmpdump, utmpdumpReverse } from "../_util.ts";
import { oracle, ours } from "../cli/_run.ts";
import { cutSuffixViolations, JUDGED_AT } from "./_suffix.ts";
import { all } from "../_collect.ts";

/** A utmpdump line as `utmpdump` prints it (the input `utmpdump -r` reads). */
function dumpLine(
  type: number,
  pid: number,
  id: string,
  user: string,
  line: string,
  host: string,
  sec: number,
): string {
  const pad = (s: string, n: number) => s.padEnd(n).slice(0, n);
  const time = new Date(sec * 1000).toISOString().replace(/\.(\d{3})Z$/, ",$1000+00:00");
  return `[${type}] [${String(pid).padStart(5, "0")}] [${pad(id, 4)}] [${pad(user, 8)}] [${pad(line, 12)}] ` +
    `[${pad(host, 20)}] [${pad("0.0.0.0", 15)}] [${time}]`;
}

/**
 * A sysvinit wtmp: per boot the reboot and run-level records, init's
 * INIT_PROCESS and DEAD_PROCESS records for its inittab entries (id and pid,
 * no line, no user: `write_utmp_wtmp("", ch->id, ch->pid, ...)` in init.c),
 * getty's LOGIN_PROCESS, logins and logouts, and the shutdown run level.
 * Each boot's clock starts at `start(boot)`.
 */
function sysvinitWtmp(boots: number, start: (boot: number) => number): string {
  const lines: string[] = [];
  let pid = 300;
  for (let b = 0; b < boots; b++) {
    let t = start(b);
    const at = (step: number) => (t += step);
    lines.push(dumpLine(2, 0, "~~", "reboot", "~", "2.6.32-5-686", at(0)));
    lines.push(dumpLine(1, 20019, "~~", "runlevel", "~", "2.6.32-5-686", at(3)));
    for (const id of ["si", "l2", "ca", "pf"]) {
      const p = pid++;
      lines.push(dumpLine(5, p, id, "", "", "", at(1)));
      if (id === "si" || id === "l2") lines.push(dumpLine(8, p, id, "", "", "", at(2)));
    }
    for (const n of [1, 2, 3]) {
      const p = pid++;
      lines.push(dumpLine(5, p, String(n), "", "", "", at(1)));
      lines.push(dumpLine(6, p, String(n), "LOGIN", `tty${n}`, "", at(1)));
      if (n === 1) {
        // root logs in on tty1 and out again; init respawns the getty.
        lines.push(dumpLine(7, p, "1", "root", "tty1", "", at(61)));
        lines.push(dumpLine(8, p, "1", "", "", "", at(900)));
        const q = pid++;
        lines.push(dumpLine(5, q, "1", "", "", "", at(1)));
        lines.push(dumpLine(6, q, "1", "LOGIN", "tty1", "", at(1)));
      }
    }
    const ssh = pid++;
    lines.push(dumpLine(7, ssh, "ts/0", "alice", "pts/0", "192.0.2.7", at(3600)));
    lines.push(dumpLine(8, ssh, "ts/0", "", "pts/0", "", at(1800)));
    lines.push(dumpLine(1, 20048, "~~", "shutdown", "~", "2.6.32-5-686", at(7200)));
    for (const id of ["ca", "pf", "1", "2", "3"]) lines.push(dumpLine(8, pid - 1, id, "", "", "", at(1)));
  }
  return lines.join("\n") + "\n";
}

/**
 * glibc's 384-byte records in the other byte order, as the MANIFEST's derived twins are made: each integer field
 * (type, pid, exit status, session, seconds, microseconds) reversed in place, the strings and the address as they are.
 */
function byteSwapped(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let at = 0; at < out.length; at += 384) {
    for (const [offset, width] of [[0, 2], [4, 4], [332, 2], [334, 2], [336, 4], [340, 4], [344, 4]]) {
      out.subarray(at + offset!, at + offset! + width!).reverse();
    }
  }
  return out;
}

/** The record fields a reader yields, as utmpdump prints them. */
function dumped(records: Iterable<{ toJSON(): unknown }>): string[] {
  return [...records].map((r) => formatUtmpdumpLine(r as Parameters<typeof formatUtmpdumpLine>[0]));
}

async function readAll(
  path: string,
  layout?: string,
): Promise<{ lines: string[]; layout: string; confidence: number }> {
  const file = new UtmpFile(path, { layout: (layout ?? "auto") as "auto", keepInvalid: true });
  const lines: string[] = await all(file, formatUtmpdumpLine);
  return { lines, layout: file.layout!.name, confidence: file.detection!.confidence };
}

for (
  const [what, start, weak] of [
    ["a sysvinit wtmp", (b: number) => 1298966400 + b * 86400 * 9, false],
    ["a sysvinit wtmp of a machine without a battery clock (1970)", (b: number) => 5 + b * 3, true],
  ] as const
) {
  test(`UtmpFile reads ${what} cut at every record as linux, every field as utmpdump shows it`, async () => {
    using tmp = tempDir();
    const path = utmpdumpReverse(sysvinitWtmp(3, start), join(tmp.dir, "wtmp"));
    const bytes = new Uint8Array(await (await import("node:fs/promises")).readFile(path));
    const n = bytes.length / 384;
    assert.ok(n >= 60, `${n} records`);
    // About half are INIT_PROCESS and DEAD_PROCESS records with neither line nor user.
    const bare = dumped(decodeRecords(bytes, LAYOUTS.linux)).filter((l) =>
      /^\[[58]\] .*\] \[ {8}\] \[ {12}\] /.test(l)
    );
    assert.ok(bare.length >= n * 0.4, `${bare.length} of ${n}`);
    for (let k = 0; k < n; k++) {
      const cut = tmp.file(`cut${k}`, bytes.subarray(k * 384));
      const got = await readAll(cut);
      assert.equal(got.layout, "linux", `cut at record ${k}`);
      assert.deepEqual(got.lines, utmpdump(cut), `cut at record ${k}`);
      // A clock that starts in 1970 is evidence of less weight, never a refusal.
      assert.ok(weak ? got.confidence >= 0.5 && got.confidence < 1 : got.confidence === 1, `${got.confidence}`);
    }
    // The same records big-endian (glibc on PowerPC, MIPS, SPARC): every cut suffix is linux-be.
    const be = byteSwapped(bytes);
    const le = dumped(decodeRecords(bytes, LAYOUTS.linux));
    for (let k = 0; k < n; k++) {
      const got = await readAll(tmp.file(`be${k}`, be.subarray(k * 384)));
      assert.deepEqual([got.layout, got.lines], ["linux-be", le.slice(k)], `big-endian, cut at record ${k}`);
    }
    for (const file of [bytes, be]) assert.deepEqual(cutSuffixViolations(file, JUDGED_AT).violations, []);
  });
}

test("UtmpFile reads a router's one-record utmp, an INIT_PROCESS at 1970, with half the confidence", async () => {
  using tmp = tempDir();
  const text = dumpLine(5, 1, "si", "", "", "", 12) + "\n";
  const path = utmpdumpReverse(text, join(tmp.dir, "utmp"));
  const got = await readAll(path);
  assert.deepEqual(got.lines, utmpdump(path));
  assert.equal(got.lines[0], text.trimEnd());
  const file = new UtmpFile(path);
  assert.deepEqual(await file.detect(), {
    layout: LAYOUTS.linux,
    confidence: 0.5,
    reason: "1 of 1 sampled records plausible (50%), 1 of them dated before 1980 or ahead of the clock, " +
      "file size a multiple of 384",
  });
});

/** Records of layouts the library does not know, as their C structs lay them out (little-endian). */
const UNKNOWN: [string, number, (i: number, v: DataView, put: (at: number, s: string) => void) => void][] = [
  // FreeBSD <= 8 `struct utmp`: line[8], name[16], host[16], int32 time (FORMATS.md §4).
  ["FreeBSD 8 (44 bytes)", 44, (i, v, put) => {
    put(0, i % 7 === 0 ? "~" : `ttyp${i % 4}`);
    put(8, i % 7 === 0 ? "reboot" : i % 2 ? ["root", "alice", "bob"][i % 3]! : "");
    if (i % 3 === 0) put(24, `192.0.2.${i}`);
    v.setInt32(40, 1262304000 + i * 3671, true);
  }],
  // System V fields with a 16-byte host before the time: user[8], id[4], line[12], pid, type, exit, host[16], time.
  ["System V with a host (52 bytes)", 52, (i, v, put) => {
    if (i % 2) put(0, ["root", "alice", "bob"][i % 3]!);
    put(8, String(i % 4));
    put(12, `tty${i % 4}`);
    v.setInt16(24, 100 + i, true);
    v.setInt16(26, i % 2 ? 7 : 8, true);
    if (i % 3 === 0) put(32, `host${i}`);
    v.setInt32(48, 1262304000 + i * 3671, true);
  }],
  // Linux libc5: type, pid, line[12], id[2], time, user[8], host[16], addr (FORMATS.md §10).
  ["Linux libc5 (56 bytes)", 56, (i, v, put) => {
    v.setInt16(0, i % 2 ? 7 : 8, true);
    v.setInt32(4, 300 + i, true);
    put(8, `tty${i % 4}`);
    put(20, `${i % 4}`);
    v.setInt32(24, 1262304000 + i * 3671, true);
    if (i % 2) put(28, ["root", "alice", "bob"][i % 3]!);
    if (i % 3 === 0) put(36, `h${i}`);
  }],
];

function unknownFile(size: number, fill: (typeof UNKNOWN)[number][2], count: number): Uint8Array {
  const bytes = new Uint8Array(size * count);
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const view = new DataView(bytes.buffer, at, size);
    fill(i, view, (o, s) => bytes.set(new TextEncoder().encode(s), at + o));
  }
  return bytes;
}

test("detectLayout() refuses records of layouts it does not know, at every cut, naming what each layout gave", () => {
  for (const [what, size, fill] of UNKNOWN) {
    // 1 to 400 records: sizes that some known record size divides (36, 40, 60, ...) and sizes none does.
    for (const count of [1, 2, 5, 9, 10, 15, 20, 45, 60, 90, 180, 400]) {
      const bytes = unknownFile(size, fill, count);
      for (let at = 0; at < bytes.length; at += size) {
        const cut = bytes.subarray(at);
        assert.throws(
          () => detectLayout(cut.subarray(0, 41472), cut.length),
          (e) => {
            assert.ok(e instanceof UtmpFormatError, `${what} × ${count} cut at ${at}: ${e}`);
            const r = e.refusal!;
            // Every layout tried is named with the share of its records that read plausibly and whether its size fits.
            assert.equal(r.tried.length, 22);
            for (const t of r.tried.filter((t) => t.layout !== "freebsd-log" && t.records > 0)) {
              assert.equal(t.fits, cut.length % LAYOUTS[t.layout as "linux"].size === 0, t.layout);
            }
            assert.match(e.message, /; pass the layout option [^;]*\. Tried: /);
            for (const t of r.tried.filter((t) => t.plausible > 0)) {
              const pct = Math.round(t.share * 100);
              assert.ok(e.message.includes(`"${t.layout}" ${t.plausible} of ${t.sampled} plausible (${pct}%), size `));
            }
            return true;
          },
        );
      }
    }
  }
}, { permissions: "none" });

test("detectLayout() says no size fits rather than that two layouts fit equally", () => {
  // 44-byte records: two of them read as System V records ("svr4", "svr4-be"), whose 36 bytes do not divide 88.
  const bytes = unknownFile(44, UNKNOWN[0]![2], 2);
  assert.throws(
    () => detectLayout(bytes, bytes.length),
    (e) =>
      e instanceof UtmpFormatError &&
      e.refusal?.summary ===
        "Cannot recognise the layout of the file: no layout decodes its first records plausibly with a record size that divides its 88 bytes" &&
      e.refusal.suggested.length === 0 &&
      e.message.includes("; pass the layout option if you know its layout. Tried: ") &&
      e.message.includes('"svr4" 1 of 2 plausible (50%), size does not fit'),
  );
}, { permissions: "none" });

test("main() says --layout where the library says the layout option, with the layouts to try", async () => {
  using tmp = tempDir();
  const bsd = encodeRecords(LAYOUTS.bsd, [
    { ut_line: "~", ut_user: "reboot", tv_sec: 500000000 },
    { ut_line: "ttyp0", ut_user: "alice", ut_host: "vax.example", tv_sec: 500000100 },
    { ut_line: "ttyp0", tv_sec: 500000200 },
  ]);
  const path = tmp.file("wtmp", bsd);
  let library = "";
  try {
    await new UtmpFile(path).detect();
  } catch (e) {
    library = (e as UtmpFormatError).message;
  }
  const summary = `Cannot tell the layout of "${path}": it reads as "bsd", which detection never chooses ` +
    "(its records look like other layouts')";
  assert.ok(library.startsWith(`${summary}; pass the layout option to read it as one (layout: "bsd"). Tried: `));
  for (const command of [["dump"], ["last", "-f"], ["who", "-a"]]) {
    const ran = await ours([...command, path]);
    assert.equal(ran.code, 1);
    const cli = ran.err.slice(ran.err.indexOf(": ") + 2);
    assert.ok(cli.startsWith(`${summary}; pass --layout NAME to read it as one (--layout bsd). Tried: `), cli);
    assert.equal(cli.slice(cli.indexOf(". Tried: ")), library.slice(library.indexOf(". Tried: ")) + "\n");
  }
  const given = await ours(["dump", "--layout", "bsd", path]);
  assert.deepEqual([given.code, given.out.split("\n").length], [0, 4]);
});

/** A failed SSH login as sshd's record_failed_login() writes it into btmp. */
function failed(user: string, host: string, sec: number, pid: number): RecordInput {
  return { ut_type: "LOGIN_PROCESS", ut_pid: pid, ut_line: "ssh:notty", ut_user: user, ut_host: host, tv_sec: sec };
}

test("UtmpFile, lastb and dump read every failed login after 33 with hostile names at the head of a btmp", async () => {
  using tmp = tempDir();
  const hostile = ["\x1b", "a\tb", "\x01", "x\x7f", "\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "x\rroot"];
  const records = [
    ...Array.from(
      { length: 33 },
      (_, i) => failed(hostile[i % hostile.length]!, `\x1b[3${i % 8}m198.51.100.7`, 1700000000 + i, 4000 + i),
    ),
    ...Array.from({ length: 1000 }, (_, i) => failed("root", "203.0.113.9", 1700000100 + i * 7, 5000 + i)),
  ];
  const path = tmp.file("btmp", encodeRecords(LAYOUTS.linux, records));
  const file = new UtmpFile(path);
  let n = 0;
  for await (const u of file) n += u.ut_user === "root" ? 1 : 0;
  assert.equal(n, 1000);
  assert.equal(file.layout?.name, "linux");
  assert.equal(file.detection?.confidence, 1);
  // util-linux reads them all; so does every command of ours that the review found blinded.
  const theirs = oracle("lastb", ["-f", path]);
  assert.equal(theirs.out.split("\n").filter((l) => l.startsWith("root ")).length, 1000);
  const mine = await ours(["lastb", "-f", path]);
  assert.deepEqual([mine.code, mine.out], [theirs.code, theirs.out]);
  const dump = await ours(["dump", path]);
  assert.equal(dump.out, oracle("utmpdump", [path]).out);
  const who = await ours(["who", "-a", path]);
  assert.equal(who.out, oracle("who", ["-a", path]).out);
});

test("detectLayout() is not steered by user names and hosts: a btmp of nothing but hostile ones is still read", () => {
  // Every byte an outsider chooses, in every record of the sample: control bytes, DEL, invalid UTF-8, full fields.
  const names = ["\x1b[2J", "\x00", "\xff\xfe", "\x7f".repeat(32), "a\nb", "\x9b31m", "\u202eevil"];
  const records = Array.from(
    { length: 100 },
    (_, i) => failed(names[i % names.length]!, "\x1b]52;c;cm0gLXJmIH4K\x07".repeat(12), 1700000000 + i, 100 + i),
  );
  for (const name of ["linux", "linux-be", "linux64", "linux64-be"] as const) {
    const bytes = encodeRecords(LAYOUTS[name], records);
    const d = detectLayout(bytes.subarray(0, 41472), bytes.length);
    assert.deepEqual([d.layout.name, d.confidence], [name, 1], d.reason);
  }
}, { permissions: "none" });

test("UtmpFile refuses an aarch64 lastlog whose first 41 KB are zero as a lastlog, not as empty records", async () => {
  // s4 Debian 11 aarch64: 1001 slots of 296 bytes, the first used one uid 1000's at byte 296000.
  const path = join(FIXTURES, "s4", "Debian11", "aarch64_ARM64", "lastlog");
  await assert.rejects(
    () => new UtmpFile(path).detect(),
    (e) =>
      e instanceof UtmpFormatError &&
      e.message.startsWith(`Cannot read "${path}" as login records: it looks like a lastlog file (`) &&
      e.message.includes('"lastlog-linux64"') && e.message.endsWith("; use LastlogFile"),
  );
});

test("cutSuffixViolations() reports a suffix detected as another layout than the whole", () => {
  // Half little-endian, half big-endian: the whole is refused (the two fit equally), its suffixes are not.
  const half = [failed("root", "203.0.113.9", 1700000000, 77), failed("bob", "203.0.113.9", 1700000100, 78)];
  const le = encodeRecords(LAYOUTS.linux, [...half, ...half]);
  const be = encodeRecords(LAYOUTS["linux-be"], [...half, ...half]);
  const mixed = new Uint8Array(le.length + be.length);
  mixed.set(le);
  mixed.set(be, le.length);
  assert.throws(() => detectLayout(mixed, mixed.length), UtmpFormatError);
  // Nothing says where the records are: every record size's boundaries are tried, by both detectors.
  const { violations } = cutSuffixViolations(mixed);
  const utmp = violations.filter((v) => v.detector === "utmp" && v.offset % 384 === 0);
  // From the first cut on, the big-endian records outnumber the little-endian ones.
  assert.deepEqual(
    utmp.map((v) => [v.offset, "layout" in v.suffix && v.suffix.layout]),
    [1, 2, 3, 4, 5, 6, 7].map((k) => [k * 384, "linux-be"]),
  );
}, { permissions: "none" });
