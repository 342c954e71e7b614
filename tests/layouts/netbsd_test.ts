/**
 * NetBSD 9.3 files from i386 and amd64 (s4) against the `last` and
 * `lastlogin` output captured on those machines (US/Eastern): utmpx and wtmpx
 * (516 and 520 bytes, with and without the signature record) and the old
 * 40-byte utmp and wtmp.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { UtmpRecordObject } from "../../mod.ts";
import { collect } from "../_collect.ts";
import { test } from "../_harness.ts";
import { FIXTURES } from "../_util.ts";
import { checkBsdLast, type LastRecord } from "./_native.ts";

const ZONE = "America/New_York";
const dir = (arch: string) => join(FIXTURES, "s4", "NetBSD9.3", arch);
const line = (u: LastRecord) => u.ut_line.replace(/^\/dev\//, "");
/**
 * utmpx `last`: user (8 columns), line, and the host only for a record whose
 * `ut_ss` holds an address (pts/1's ":0" display has none and shows blank).
 * s4 edited the address bytes after the capture (MANIFEST.md), so the address
 * last(1) printed is the original one, which `ut_host` still holds.
 */
const utmpxColumns = (u: LastRecord) =>
  [u.ut_user.slice(0, 8), line(u), u.ut_addr_text === "0.0.0.0" ? "" : u.ut_host].filter((c) => c !== "");
/** Old-format `last`: user and line only. */
const utmpColumns = (u: LastRecord) => [u.ut_user, line(u)];

for (const [arch, size] of [["x86_64", "netbsd-utmpx"], ["x86_32", "netbsd-utmpx32"]] as const) {
  test(`UtmpFile reads NetBSD 9.3 ${arch} utmpx and wtmpx as ${size}, as its last(1) shows them`, async () => {
    for (const name of ["utmpx", "wtmpx"]) {
      const path = join(dir(arch), name);
      const { records, layout, warnings } = await collect(path);
      assert.equal(layout, size);
      assert.deepEqual(warnings, []);
      const rows = checkBsdLast(records, `${path}.src-last.txt`, {
        zone: ZONE,
        columns: utmpxColumns,
        hide: (u) => u.ut_type === "SIGNATURE",
      });
      assert.equal(rows, name === "utmpx" ? 6 : arch === "x86_64" ? 3 : 5);
    }
  });

  test(`UtmpFile reads NetBSD 9.3 ${arch} utmp and wtmp as netbsd, as its last(1) shows them`, async () => {
    for (const name of ["utmp", "wtmp"]) {
      const path = join(dir(arch), name);
      const { records, layout } = await collect(path);
      assert.equal(layout, "netbsd");
      checkBsdLast(records, `${path}.src-last.txt`, { zone: ZONE, columns: utmpColumns });
    }
    // last(1) prints no host for the old format; the same sessions in wtmpx show it.
    const wtmp = (await collect(join(dir(arch), "wtmp"))).records.filter((u) => u.ut_type === "USER_PROCESS");
    const wtmpx = (await collect(join(dir(arch), "wtmpx"))).records.filter((u) => u.ut_type === "USER_PROCESS");
    const key = (u: UtmpRecordObject) => `${u.ut_user} ${u.ut_line} ${u.ut_tv.tv_sec}`;
    for (const u of wtmp) {
      const twin = wtmpx.find((x) => key(x) === key(u));
      if (twin !== undefined) assert.equal(u.ut_host, twin.ut_host);
    }
    assert.ok(wtmp.some((u) => wtmpx.some((x) => key(x) === key(u))));
  });
}

test("UtmpFile reads NetBSD utmpx's signature, boot, down and run-level records and the ut_ss address", async () => {
  const { records } = await collect(join(dir("x86_64"), "utmpx"));
  assert.deepEqual(records.slice(0, 4).map((u) => [u.ut_type, u.ut_type_raw, u.ut_user, u.ut_line, u.ut_exit]), [
    ["SIGNATURE", 10, "utmpx-2.00", "", { e_termination: 0, e_exit: 0 }],
    ["BOOT_TIME", 2, "", "system boot", { e_termination: 0, e_exit: 0 }],
    ["DOWN_TIME", 11, "", "system down", { e_termination: 0, e_exit: 0 }],
    // MANIFEST.md: "run-level m" with e_termination 'm' (109) and e_exit 't' (116).
    ["RUN_LVL", 1, "", "run-level m", { e_termination: 109, e_exit: 116 }],
  ]);
  // ut_ss is AF_INET (family 2); s4 edited the address bytes after capture (MANIFEST.md), so its
  // value is the binary's 192.168.124.180, not the 192.168.100.254 that last(1) printed from ut_host.
  const root = records.at(-1)!;
  assert.deepEqual([root.ut_host, root.ut_addr_text, root.ut_session], ["192.168.100.254", "192.168.124.180", 0]);
});

test("UtmpFile reads NetBSD's rotated wtmpx.0 up to the login whose logout opens wtmpx and wtmp", async () => {
  // No last(1) text for wtmpx.0. wtmp's last(1) says "wtmp begins Fri Feb 16 2024 21:06:17" (EST): the
  // logout that opens wtmp and wtmpx closes the root login on pts/2 that ends wtmpx.0.
  const old = (await collect(join(dir("x86_32"), "wtmpx.0"))).records;
  const wtmpx = (await collect(join(dir("x86_32"), "wtmpx"))).records;
  const wtmp = (await collect(join(dir("x86_32"), "wtmp"))).records;
  const opened = Date.UTC(2024, 1, 17, 2, 6, 17) / 1000;
  assert.deepEqual([wtmp[0]!.ut_type, wtmp[0]!.ut_line, wtmp[0]!.ut_tv.tv_sec], ["DEAD_PROCESS", "/dev/pts/2", opened]);
  assert.deepEqual([wtmpx[0]!.ut_type, wtmpx[0]!.ut_line, wtmpx[0]!.ut_tv.tv_sec], [
    "DEAD_PROCESS",
    "/dev/pts/2",
    opened,
  ]);
  const login = old.at(-1)!;
  assert.deepEqual([login.ut_type, login.ut_user, login.ut_line, login.ut_host], [
    "USER_PROCESS",
    "root",
    "/dev/pts/2",
    "192.168.100.254",
  ]);
  assert.ok(login.ut_tv.tv_sec < opened);
  assert.deepEqual(old.map((u) => u.ut_type), [
    "INIT_PROCESS",
    "DEAD_PROCESS",
    "DEAD_PROCESS",
    "DEAD_PROCESS",
    "DEAD_PROCESS",
    "INIT_PROCESS",
    "USER_PROCESS",
  ]);
  assert.deepEqual([old[0]!.ut_user, old[5]!.ut_user], ["shutdown", "reboot"]);
});
