/**
 * Lastlog files as they are found beyond x86: big-endian ones (a PowerPC
 * NAS, a MIPS router, s390x) written with the encoder from the glibc tables,
 * lastlogs of machines without a battery clock (every time in 1970), one
 * used slot that both byte orders read, and slots with control bytes in
 * their line and host. Checked: the layout detected, every field of every
 * entry, `utmp lastlog` against shadow's `lastlog` on the same slots
 * little-endian, and the cut-suffix property.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { type LastlogEntry, LastlogFile, lastlogs, UtmpFile, UtmpFormatError } from "../../mod.ts";
import {
  decodeRecord,
  detectLastlogLayout,
  encodeRecord,
  type Layout,
  LAYOUTS,
  nativeLastlogLayoutName,
} from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { oracle, ours } from "../cli/_run.ts";
import { cutSuffixViolations, JUDGED_AT } from "./_suffix.ts";
import { all } from "../_collect.ts";

/** A used slot: uid, time, line, host. */
type Slot = [uid: number, sec: number, line: string, host: string];

/** A lastlog of `count` slots with the given ones used. */
function lastlog(layout: Layout, count: number, slots: readonly Slot[]): Uint8Array {
  const bytes = new Uint8Array(count * layout.size);
  for (const [uid, sec, line, host] of slots) {
    encodeRecord(layout, { tv_sec: sec, ut_line: line, ut_host: host }, bytes, uid * layout.size);
  }
  return bytes;
}

async function entries(file: LastlogFile): Promise<LastlogEntry[]> {
  const out: LastlogEntry[] = await all(file);
  return out;
}

const expected = (slots: readonly Slot[]): LastlogEntry[] =>
  slots.map(([uid, sec, line, host]) => ({ uid, time: new Date(sec * 1000), line, host }));

/** The 32-bit byte swap of a time: what the other byte order reads. */
const swap32 = (n: number): number => new DataView(new Uint32Array([n]).buffer).getUint32(0, false);

/**
 * A NAS's logins (2019-2024). Each time's low byte is 0xfa or more, so read in the other byte order it is a time
 * after 2102: wrong in either direction, whenever the test runs.
 */
const NAS: Slot[] = [
  [0, 1546300922, "pts/0", "192.168.1.20"],
  [34, 1600000251, "ttyS0", ""],
  [1000, 1717171963, "pts/1", "nas-admin.lan"],
  [1001, 1700000253, "ssh", "2001:db8::5"],
];

test("LastlogFile reads big-endian lastlogs of both sizes, every field of every slot", async () => {
  using tmp = tempDir();
  for (
    const [be, le] of [["lastlog-linux-be", "lastlog-linux"], ["lastlog-linux64-be", "lastlog-linux64"]] as const
  ) {
    const bytes = lastlog(LAYOUTS[be], 1002, NAS);
    // The same struct as the little-endian one but for the byte order of its time.
    const little = lastlog(LAYOUTS[le], 1002, NAS);
    const width = LAYOUTS[be].size - 288;
    for (let at = 0; at < bytes.length; at += LAYOUTS[be].size) {
      assert.deepEqual(bytes.subarray(at, at + width), little.subarray(at, at + width).reverse());
      assert.deepEqual(
        bytes.subarray(at + width, at + LAYOUTS[be].size),
        little.subarray(at + width, at + LAYOUTS[le].size),
      );
    }
    const file = new LastlogFile(tmp.file(be, bytes));
    assert.deepEqual(await entries(file), expected(NAS), be);
    assert.equal(file.layout?.name, be);
    assert.equal(file.detection?.confidence, 1);
    assert.equal(
      file.detection?.reason,
      `4 of 4 sampled used slots plausible (100%), file size a multiple of ${LAYOUTS[be].size}`,
    );
    assert.deepEqual(await new LastlogFile(tmp.file(be, bytes)).get(1000), expected(NAS)[2]);
  }
});

test("LastlogFile reads a PowerPC NAS's one-slot lastlog as big-endian, not as a login in 2047", async () => {
  using tmp = tempDir();
  // root's login of 2020-07-17, as glibc on 32-bit PowerPC writes it; little-endian it reads as 2047-09-23.
  const slot: Slot = [0, 1595028626, "pts/0", "192.168.1.20"];
  const bytes = lastlog(LAYOUTS["lastlog-linux-be"], 1002, [slot]);
  const misread = decodeRecord(bytes, LAYOUTS["lastlog-linux"]);
  assert.equal(misread.ut_time.toISOString(), "2047-09-23T21:15:11.000Z");
  assert.equal(swap32(slot[1]), misread.ut_tv.tv_sec);
  const file = new LastlogFile(tmp.file("lastlog", bytes));
  assert.deepEqual(await entries(file), expected([slot]));
  assert.equal(file.layout?.name, "lastlog-linux-be");
  assert.equal(file.detection?.confidence, 1);
});

/** Logins of a machine without a battery clock: each boot starts the clock at 1970-01-01 00:00:00. */
const CLOCKLESS: Slot[] = [
  [0, 37, "ttyS0", ""],
  [1000, 86_777, "pts/0", "192.168.1.7"],
  [1001, 3_517_423, "pts/1", "10.0.0.2"],
];

test("LastlogFile reads lastlogs of machines without a battery clock, with half the confidence", async () => {
  using tmp = tempDir();
  // 1002 slots: of the Linux slot sizes only 292 divides 292584, only 296 divides 296592.
  for (const name of ["lastlog-linux", "lastlog-linux-be", "lastlog-linux64", "lastlog-linux64-be"] as const) {
    const path = tmp.file(name, lastlog(LAYOUTS[name], 1002, CLOCKLESS));
    const file = new LastlogFile(path);
    assert.deepEqual(await entries(file), expected(CLOCKLESS), name);
    assert.deepEqual(file.detection, {
      layout: LAYOUTS[name],
      confidence: 0.5,
      reason: `3 of 3 sampled used slots plausible (50%), 3 of them dated before 1980 or ahead of the clock, ` +
        `file size a multiple of ${LAYOUTS[name].size}`,
    });
  }
});

test(
  "detectLastlogLayout() takes the preferred layout for one slot both byte orders read, and refuses it without",
  () => {
    // 22 hours after a boot at 1970-01-01: big-endian, the same four bytes are 1992-12-24.
    const slot: Slot = [0, 80_427, "ttyS0", ""];
    const bytes = lastlog(LAYOUTS["lastlog-linux"], 3, [slot]);
    assert.equal(decodeRecord(bytes, LAYOUTS["lastlog-linux-be"]).ut_time.toISOString(), "1992-12-24T18:27:12.000Z");
    const samples = [{ offset: 0, bytes }];
    for (const prefer of ["lastlog-linux", "lastlog-linux-be"] as const) {
      const d = detectLastlogLayout(samples, bytes.length, { prefer });
      assert.equal(d.layout.name, prefer);
      assert.ok(d.confidence > 0 && d.confidence < 1, `${d.confidence}`);
      assert.match(
        d.reason,
        /; "lastlog-linux" and "lastlog-linux-be" read it equally well, chose the preferred layout$/,
      );
    }
    assert.throws(
      () => detectLastlogLayout(samples, bytes.length),
      (e) =>
        e instanceof UtmpFormatError &&
        e.message.startsWith(
          'Cannot tell the lastlog layout of the file: "lastlog-linux" and "lastlog-linux-be" fit equally; ' +
            'pass the layout option to read it as one (layout: "lastlog-linux" or layout: "lastlog-linux-be"). Tried: ',
        ) &&
        e.refusal?.suggested.join() === "lastlog-linux,lastlog-linux-be" &&
        e.refusal.tried.filter((t) => t.share === 1 && t.fits).length === 2,
    );
  },
  { permissions: "none" },
);

test("LastlogFile is not steered by control bytes in the line or the host of most used slots", async () => {
  using tmp = tempDir();
  const slots: Slot[] = [
    [0, 1700000123, "pts/0", "\x1b]0;pwned\x07"],
    [1, 1700000456, "tty\x01", "host\r\nforged"],
    [2, 1700000789, "pts/\x1b[2J", "\x7f"],
    [3, 1700001011, "pts/3", "x\x08y"],
    [1000, 1700002013, "pts/4", "192.0.2.4"],
  ];
  for (const name of ["lastlog-linux", "lastlog-linux-be"] as const) {
    const file = new LastlogFile(tmp.file(name, lastlog(LAYOUTS[name], 1001, slots)));
    assert.deepEqual(await entries(file), expected(slots), name);
    assert.equal(file.layout?.name, name);
  }
});

test("UtmpFile refuses a big-endian lastlog as a lastlog file", async () => {
  using tmp = tempDir();
  for (const name of ["lastlog-linux-be", "lastlog-linux64-be"] as const) {
    const path = tmp.file(name, lastlog(LAYOUTS[name], 40, NAS.filter(([uid]) => uid < 40)));
    await assert.rejects(
      () => new UtmpFile(path).detect(),
      (e) =>
        e instanceof UtmpFormatError && e.refusal === undefined &&
        e.message.endsWith(`: it looks like a lastlog file ("${name}"); use LastlogFile`),
      name,
    );
  }
});

/** A system tree with etc/passwd and a var/log/lastlog of the given layout. */
function system(dir: string, layout: Layout, slots: readonly Slot[]): string {
  mkdirSync(join(dir, "etc"), { recursive: true });
  mkdirSync(join(dir, "var/log"), { recursive: true });
  const users = [[0, "root"], [34, "backup"], [1000, "admin"], [1001, "guest"], [1002, "never"]] as const;
  writeFileSync(
    join(dir, "etc/passwd"),
    users.map(([uid, name]) => `${name}:x:${uid}:${uid}::/home/${name}:/bin/sh\n`).join(""),
  );
  writeFileSync(join(dir, "var/log/lastlog"), lastlog(layout, 1003, slots));
  return dir;
}

const canChroot = process.platform === "linux" && process.getuid?.() === 0;

test("main() lastlog prints a big-endian lastlog as shadow's lastlog prints the same slots little-endian", async () => {
  using tmp = tempDir();
  for (const be of ["lastlog-linux-be", "lastlog-linux64-be"] as const) {
    const big = system(join(tmp.dir, be), LAYOUTS[be], NAS);
    // shadow reads the native layout: x86_64's 292-byte slots.
    const native = system(join(tmp.dir, `native-${be}`), LAYOUTS["lastlog-linux"], NAS);
    for (const args of [[], ["-u", "admin"], ["-u", "1-1001"]]) {
      const theirs = oracle("lastlog", ["-R", native, ...args]);
      const mine = await ours(["lastlog", "-R", big, ...args]);
      assert.equal(mine.err, "");
      assert.equal(mine.out, theirs.out, `${be} ${args.join(" ")}`);
      assert.equal(mine.code, theirs.code);
      assert.equal((await ours(["lastlog", "-R", big, "--layout", be, ...args])).out, theirs.out);
    }
  }
}, { ignore: !canChroot });

test("lastlogs() reads a big-endian lastlog's users as it reads the same slots little-endian", async () => {
  using tmp = tempDir();
  const got = async (root: string) => {
    const out = await all(lastlogs({ root }));
    return out;
  };
  const little = await got(system(join(tmp.dir, "le"), LAYOUTS["lastlog-linux"], NAS));
  assert.deepEqual(little.map((e) => [e.user, e.uid, e.line, e.host, e.time.getTime() / 1000]), [
    ["root", 0, "pts/0", "192.168.1.20", 1546300922],
    ["backup", 34, "ttyS0", "", 1600000251],
    ["admin", 1000, "pts/1", "nas-admin.lan", 1717171963],
    ["guest", 1001, "ssh", "2001:db8::5", 1700000253],
  ]);
  for (const be of ["lastlog-linux-be", "lastlog-linux64-be"] as const) {
    assert.deepEqual(await got(system(join(tmp.dir, be), LAYOUTS[be], NAS)), little, be);
  }
});

test(
  "detectLastlogLayout() detects every cut suffix of big-endian and clockless lastlogs as the whole, or refuses it",
  () => {
    for (const name of ["lastlog-linux", "lastlog-linux-be", "lastlog-linux64", "lastlog-linux64-be"] as const) {
      // Small files (75 slots), so that every suffix is checked by both detectors in a moment.
      const low = (slots: Slot[]) => slots.map(([uid, ...rest]): Slot => [uid % 75, ...rest]);
      for (const slots of [low(NAS), low(CLOCKLESS)]) {
        const bytes = lastlog(LAYOUTS[name], 75, slots);
        const { violations, checked } = cutSuffixViolations(bytes, JUDGED_AT);
        assert.equal(checked, 74);
        assert.deepEqual(violations, [], name);
      }
    }
  },
  { permissions: "none" },
);

test("nativeLastlogLayoutName() follows each architecture's utmp-size.h, big-endian ones included", () => {
  // glibc sysdeps/*/utmp-size.h: LASTLOG_SIZE 292 on x86, arm, riscv, powerpc (32 and 64), mips, sparc, m68k;
  // 296 from sysdeps/generic (aarch64, loongarch64, s390x; s390's bits/utmp.h makes ll_time int64 there too).
  const arches = ["x64", "ia32", "arm", "riscv64", "arm64", "loong64", "s390x", "s390", "ppc", "ppc64", "ppc64le"];
  assert.deepEqual(arches.map((a) => nativeLastlogLayoutName("linux", a)), [
    "lastlog-linux",
    "lastlog-linux",
    "lastlog-linux",
    "lastlog-linux",
    "lastlog-linux64",
    "lastlog-linux64",
    "lastlog-linux64-be",
    "lastlog-linux64-be",
    "lastlog-linux-be",
    "lastlog-linux-be",
    "lastlog-linux",
  ]);
  assert.deepEqual(["mips", "mipsel", "sparc64", "m68k"].map((a) => nativeLastlogLayoutName("linux", a)), [
    "lastlog-linux-be",
    "lastlog-linux",
    "lastlog-linux-be",
    "lastlog-linux-be",
  ]);
  assert.equal(nativeLastlogLayoutName("linux", "vax"), undefined);
}, { permissions: "none" });
