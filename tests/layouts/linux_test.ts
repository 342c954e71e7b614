/**
 * The glibc layout tables, checked against the C compiler's own view of
 * `struct utmpx` on this machine and by round trips through the encoder.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { decodeRecord, encodeRecord, LAYOUTS, nativeLayoutName } from "../../src/layouts/mod.ts";
import type { Layout } from "../../src/layouts/schema.ts";
import { UtType } from "../../src/types.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";

const LINUX_LAYOUTS = ["linux", "linux-be", "linux64", "linux64-be"] as const;

function fieldSpans(layout: Layout): [string, number, number][] {
  const spans: [string, number, number][] = [];
  const width = { u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 } as const;
  for (const [name, field] of Object.entries(layout.fields)) {
    if (field === undefined) continue;
    const size = "size" in field ? field.size : width[field.type as keyof typeof width];
    spans.push([name, field.offset, field.offset + size]);
  }
  return spans.sort((a, b) => a[1] - b[1]);
}

test("LAYOUTS linux tables have glibc's sizes and fields that neither overlap nor overflow", () => {
  // glibc utmp-size.h: UTMP_SIZE 384 (compat32 ports), 400 (sysdeps/generic).
  assert.deepEqual(LINUX_LAYOUTS.map((n) => LAYOUTS[n].size), [384, 384, 400, 400]);
  for (const name of LINUX_LAYOUTS) {
    const spans = fieldSpans(LAYOUTS[name]);
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i - 1]![2] <= spans[i]![1], `${name}: ${spans[i - 1]![0]} overlaps ${spans[i]![0]}`);
    }
    assert.ok(spans.at(-1)![2] <= LAYOUTS[name].size, `${name}: last field overflows`);
  }
}, { permissions: "none" });

const OFFSETS_C = `
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <utmpx.h>
#define F(m) printf("%s %zu %zu\\n", #m, offsetof(struct utmpx, m), sizeof(((struct utmpx *)0)->m))
int main(void) {
  printf("size %zu 0\\n", sizeof(struct utmpx));
  F(ut_type); F(ut_pid); F(ut_line); F(ut_id); F(ut_user); F(ut_host);
  F(ut_exit.e_termination); F(ut_exit.e_exit); F(ut_session); F(ut_tv.tv_sec); F(ut_tv.tv_usec); F(ut_addr_v6);
  printf("types %d %d %d %d %d %d %d %d %d %d\\n", EMPTY, RUN_LVL, BOOT_TIME, NEW_TIME, OLD_TIME,
         INIT_PROCESS, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS, ACCOUNTING);
  return 0;
}
`;

const hasCc = spawnSync("cc", ["--version"]).status === 0;
const native = nativeLayoutName(process.platform, process.arch);

test("LAYOUTS native glibc table matches offsetof(struct utmpx) from this machine's headers", () => {
  using tmp = tempDir();
  const src = tmp.file("offsets.c", OFFSETS_C);
  const exe = tmp.file("offsets");
  const cc = spawnSync("cc", ["-o", exe, src], { encoding: "utf8" });
  assert.equal(cc.status, 0, cc.stderr);
  const out = spawnSync(exe, [], { encoding: "utf8" }).stdout.trim().split("\n");
  const c = Object.fromEntries(out.map((l) => l.split(" ")).map(([k, ...v]) => [k, v.map(Number)]));
  const layout = LAYOUTS[native!];
  const f = layout.fields;
  assert.equal(c.size![0], layout.size);
  const pairs: [string, number | undefined][] = [
    ["ut_type", f.ut_type?.offset],
    ["ut_pid", f.ut_pid?.offset],
    ["ut_line", f.ut_line?.offset],
    ["ut_id", f.ut_id?.offset],
    ["ut_user", f.ut_user?.offset],
    ["ut_host", f.ut_host?.offset],
    ["ut_exit.e_termination", f.e_termination?.offset],
    ["ut_exit.e_exit", f.e_exit?.offset],
    ["ut_session", f.ut_session?.offset],
    ["ut_tv.tv_sec", f.tv_sec?.offset],
    ["ut_tv.tv_usec", f.tv_usec?.offset],
    ["ut_addr_v6", f.ut_addr?.offset],
  ];
  for (const [name, offset] of pairs) assert.equal(offset, c[name]![0], name);
  assert.deepEqual(
    [f.ut_line?.size, f.ut_id?.size, f.ut_user?.size, f.ut_host?.size, f.ut_addr?.size],
    [c.ut_line![1], c.ut_id![1], c.ut_user![1], c.ut_host![1], c.ut_addr_v6![1]],
  );
  // The type numbers of <utmpx.h>, in name order.
  assert.deepEqual(c.types, Object.values(UtType));
}, { ignore: !hasCc || native === undefined || process.platform !== "linux" });

test("encodeRecord() and decodeRecord() round-trip every field in every Linux layout", () => {
  const input = {
    ut_type: "DEAD_PROCESS",
    ut_pid: 0x12345678,
    ut_line: "pts/123",
    ut_id: "/123",
    ut_user: "u".repeat(32),
    ut_host: "h".repeat(256),
    e_termination: -2,
    e_exit: 300,
    ut_session: 0x7fffffff,
    tv_sec: 0xfffffff0,
    tv_usec: 999999,
    ut_addr: [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  } as const;
  for (const name of LINUX_LAYOUTS) {
    const u = decodeRecord(encodeRecord(LAYOUTS[name], input), LAYOUTS[name]);
    assert.deepEqual(
      [u.ut_type, u.ut_pid, u.ut_line, u.ut_id, u.ut_user, u.ut_host, u.ut_exit, u.ut_session, u.ut_tv, u.ut_addr],
      [
        "DEAD_PROCESS",
        0x12345678,
        "/dev/pts/123",
        "/123",
        "u".repeat(32),
        "h".repeat(256),
        { e_termination: -2, e_exit: 300 },
        0x7fffffff,
        { tv_sec: 0xfffffff0, tv_usec: 999999 },
        input.ut_addr,
      ],
      name,
    );
    assert.equal(u.ut_addr_text, "fe80::1");
  }
}, { permissions: "none" });

test("decodeRecord() reads the 400-byte layouts' 64-bit fields beyond 32 bits", () => {
  for (const name of ["linux64", "linux64-be"] as const) {
    const u = decodeRecord(
      encodeRecord(LAYOUTS[name], { ut_type: "USER_PROCESS", ut_session: 2 ** 40 + 5, tv_sec: 2 ** 33, tv_usec: 5 }),
      LAYOUTS[name],
    );
    assert.equal(u.ut_session, 2 ** 40 + 5);
    assert.equal(u.ut_tv.tv_sec, 2 ** 33);
    assert.equal(u.ut_time.toISOString(), "2242-03-16T12:56:32.000Z");
    const negative = decodeRecord(encodeRecord(LAYOUTS[name], { tv_sec: -86400 }), LAYOUTS[name]);
    assert.equal(negative.ut_time.toISOString(), "1969-12-31T00:00:00.000Z");
  }
}, { permissions: "none" });

test("nativeLayoutName() follows glibc's __WORDSIZE_TIME64_COMPAT32 per architecture", () => {
  // FORMATS.md §1b: x86 (i386, x32, x86_64), arm, riscv -> 384; aarch64, loongarch -> 400; s390x -> 400 BE; ppc64 BE -> 384 BE.
  assert.deepEqual(
    ["x64", "ia32", "arm", "riscv64", "arm64", "loong64", "s390x", "ppc64", "ppc64le", "mips"].map((a) =>
      nativeLayoutName("linux", a)
    ),
    ["linux", "linux", "linux", "linux", "linux64", "linux64", "linux64-be", "linux-be", "linux", "linux-be"],
  );
  assert.equal(nativeLayoutName("linux", "vax"), undefined);
}, { permissions: "none" });
